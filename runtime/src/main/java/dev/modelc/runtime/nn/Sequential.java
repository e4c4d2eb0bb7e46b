package dev.modelc.runtime.nn;

import dev.modelc.runtime.tensor.Tensor;
import java.util.function.UnaryOperator;

/**
 * Modules applied in order, named {@code "0"}, {@code "1"}, ... as in PyTorch's {@code nn.Sequential}.
 * {@link #of(UnaryOperator)} wraps a parameter-free function (relu, flatten) as a module.
 */
public final class Sequential extends Module {

    public Sequential(Module... modules) {
        for (int i = 0; i < modules.length; i++) {
            registerModule(Integer.toString(i), modules[i]);
        }
    }

    /** A module without parameters that applies {@code f}. */
    public static Module of(UnaryOperator<Tensor> f) {
        return new Module() {
            @Override
            public Tensor forward(Tensor x) {
                return f.apply(x);
            }
        };
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        for (Module m : namedChildren().values()) {
            y = m.forward(y);
        }
        return y;
    }
}
