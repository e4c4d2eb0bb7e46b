package dev.modelc.runtime.tensor;

/**
 * {@code torch.autograd.grad}: the gradients of some outputs with respect to some inputs, returned instead of
 * accumulated into {@code grad}. With {@code createGraph} the gradient rules run with recording on, so each returned
 * gradient has a graph of its own and can be differentiated again (Hessian-vector products, gradient penalties):
 * <pre>{@code
 * Tensor x = Tensor.of(2.0).requiresGrad(true);
 * Tensor y = x.pow(3).sum();
 * Tensor dy = Autograd.grad(y, x, true)[0];   // 3 x^2 = 12, with a graph
 * Tensor d2y = Autograd.grad(dy.sum(), x)[0]; // 6 x = 12
 * }</pre>
 * An input the outputs do not depend on is an error ("One of the differentiated Tensors appears to not have been used
 * in the graph. ...") unless {@code allowUnused}, when its entry is {@code null}, as in PyTorch.
 */
public final class Autograd {

    private Autograd() {
    }

    /**
     * The gradients of {@code outputs} (weighted by {@code gradOutputs}, one per output, or {@code null} for 1 on
     * one-element outputs) with respect to each of {@code inputs}. Nothing is accumulated into any {@code grad}.
     * Unless {@code retainGraph} the graph's saved values are freed, as by {@code backward}.
     */
    public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, Tensor[] gradOutputs, boolean retainGraph,
            boolean createGraph, boolean allowUnused) {
        return Engine.grad(outputs, inputs, gradOutputs, retainGraph, createGraph, allowUnused);
    }

    /** {@link #grad(Tensor[], Tensor[], Tensor[], boolean, boolean, boolean)} without allowing unused inputs. */
    public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, Tensor[] gradOutputs, boolean retainGraph,
            boolean createGraph) {
        return grad(outputs, inputs, gradOutputs, retainGraph, createGraph, false);
    }

    /** One output, seed 1 (it must hold one element), {@code retainGraph = createGraph} as PyTorch's default. */
    public static Tensor[] grad(Tensor output, Tensor input, boolean createGraph) {
        return grad(new Tensor[] {output}, new Tensor[] {input}, null, createGraph, createGraph, false);
    }

    /** One output with seed 1, several inputs, no graph of the gradients, graph freed. */
    public static Tensor[] grad(Tensor output, Tensor... inputs) {
        return grad(new Tensor[] {output}, inputs, null, false, false, false);
    }
}
