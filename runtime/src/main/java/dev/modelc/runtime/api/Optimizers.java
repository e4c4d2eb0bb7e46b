package dev.modelc.runtime.api;

import dev.modelc.runtime.kernels.Parallel;
import dev.modelc.runtime.kernels.Workspace;
import dev.modelc.runtime.optim.Updates;

/**
 * PyTorch's optimizer updates for one parameter, in the parameter's precision, as generated {@code step()}
 * methods call them ({@code step} counts from 1). The arithmetic lives in {@link Updates}, which the reference
 * runtime's {@code SGD} and {@code Adam} use too; the hyperparameters are doubles, as PyTorch holds them, so the
 * step size and bias corrections are computed in double before the per-element loop runs in the parameter's
 * precision, exactly as the reference optimizers do. SGD ({@code torch.optim.SGD}):
 * <pre>
 *   d = g + weight_decay * p
 *   buf = d (first step) | momentum * buf + (1 - dampening) * d;   d = nesterov ? d + momentum * buf : buf
 *   p -= lr * d
 * </pre>
 * Adam and AdamW ({@code torch.optim.Adam/AdamW}, not amsgrad), with t the step number from 1:
 * <pre>
 *   Adam: g += weight_decay * p        AdamW: p *= 1 - lr * weight_decay
 *   m += (1 - beta1) (g - m);  v = beta2 v + (1 - beta2) g^2
 *   p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Generated classes call the Adam form that takes the step's scalars, {@code lr / (1 - beta1^t)} and
 * {@code sqrt(1 - beta2^t)}, which {@link CompiledModel} computes once per step for all parameters
 * ({@link CompiledModel#adamStepSize}, {@link CompiledModel#adamBias2Sqrt}); the forms taking the step number compute
 * them per call, with the same results. Generated classes call the forms taking the model's {@link Workspace}, which
 * split a large parameter's update over the model's threads ({@link Parallel}); the results are the same.
 */
public final class Optimizers {
    private Optimizers() {
    }

    public static void sgd(float[] p, float[] g, float[] buf, int n, int step, double lr, double momentum,
                           double dampening, boolean nesterov, double weightDecay) {
        Updates.sgd(p, g, buf, n, step == 1, lr, momentum, dampening, nesterov, weightDecay);
    }

    public static void sgd(double[] p, double[] g, double[] buf, int n, int step, double lr, double momentum,
                           double dampening, boolean nesterov, double weightDecay) {
        Updates.sgd(p, g, buf, n, step == 1, lr, momentum, dampening, nesterov, weightDecay);
    }

    public static void adam(float[] p, float[] g, float[] m, float[] v, int n, int step, double lr, double beta1,
                            double beta2, double eps, double weightDecay, boolean decoupled) {
        Updates.adam(p, g, m, v, n, step, lr, beta1, beta2, eps, weightDecay, decoupled);
    }

    public static void adam(double[] p, double[] g, double[] m, double[] v, int n, int step, double lr,
                            double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        Updates.adam(p, g, m, v, n, step, lr, beta1, beta2, eps, weightDecay, decoupled);
    }

    /** Adam with the step's scalars given: {@code stepSize = lr / (1 - beta1^t)}, {@code bias2Sqrt = sqrt(1 - beta2^t)}. */
    public static void adam(float[] p, float[] g, float[] m, float[] v, int n, double stepSize, double bias2Sqrt,
                            double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        Updates.adam(p, g, m, v, n, stepSize, bias2Sqrt, lr, beta1, beta2, eps, weightDecay, decoupled);
    }

    public static void adam(double[] p, double[] g, double[] m, double[] v, int n, double stepSize, double bias2Sqrt,
                            double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        Updates.adam(p, g, m, v, n, stepSize, bias2Sqrt, lr, beta1, beta2, eps, weightDecay, decoupled);
    }

    /** {@link #sgd(float[], float[], float[], int, int, double, double, double, boolean, double)} on the workspace's threads. */
    public static void sgd(Workspace ws, float[] p, float[] g, float[] buf, int n, int step, double lr,
                           double momentum, double dampening, boolean nesterov, double weightDecay) {
        Parallel.sgd(ws, p, g, buf, n, step == 1, lr, momentum, dampening, nesterov, weightDecay);
    }

    public static void sgd(Workspace ws, double[] p, double[] g, double[] buf, int n, int step, double lr,
                           double momentum, double dampening, boolean nesterov, double weightDecay) {
        Parallel.sgd(ws, p, g, buf, n, step == 1, lr, momentum, dampening, nesterov, weightDecay);
    }

    /** Adam with the step's scalars given, on the workspace's threads. */
    public static void adam(Workspace ws, float[] p, float[] g, float[] m, float[] v, int n, double stepSize,
                            double bias2Sqrt, double lr, double beta1, double beta2, double eps, double weightDecay,
                            boolean decoupled) {
        Parallel.adam(ws, p, g, m, v, n, stepSize, bias2Sqrt, lr, beta1, beta2, eps, weightDecay, decoupled);
    }

    public static void adam(Workspace ws, double[] p, double[] g, double[] m, double[] v, int n, double stepSize,
                            double bias2Sqrt, double lr, double beta1, double beta2, double eps, double weightDecay,
                            boolean decoupled) {
        Parallel.adam(ws, p, g, m, v, n, stepSize, bias2Sqrt, lr, beta1, beta2, eps, weightDecay, decoupled);
    }
}
