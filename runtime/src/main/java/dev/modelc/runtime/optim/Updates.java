package dev.modelc.runtime.optim;

/**
 * The one implementation of the optimizers' per-parameter updates, on plain arrays, with PyTorch's exact formulas.
 * This runtime's {@link SGD} and {@link Adam} call it, and so do generated model classes, through
 * {@link dev.modelc.runtime.api.Optimizers}, with the same double hyperparameters. Each call updates the first {@code n} elements of {@code p}
 * (and the state arrays) in place from the gradient {@code g}.
 *
 * <p>{@code float[]} forms compute in {@code float} with the hyperparameters rounded to {@code float}, as PyTorch's
 * f32 kernels do; scalars PyTorch computes on the host (Adam's bias corrections and step size) are computed in
 * {@code double} first, and so is AdamW's decay factor {@code 1 - lr wd} ({@link #adamWDecay}).
 */
public final class Updates {

    private Updates() {
    }

    /**
     * SGD: {@code d = g + wd p}; with momentum, {@code buf = d} on the first step, else
     * {@code buf = momentum buf + (1 - dampening) d}, and {@code d = d + momentum buf} (nesterov) or {@code d = buf};
     * finally {@code p -= lr d}. {@code buf} may be {@code null} when {@code momentum == 0}.
     */
    public static void sgd(float[] p, float[] g, float[] buf, int n, boolean firstStep, double lr, double momentum,
            double dampening, boolean nesterov, double weightDecay) {
        sgdRange(p, g, buf, 0, n, firstStep, lr, momentum, dampening, nesterov, weightDecay);
    }

    /** {@link #sgd} on the elements {@code from <= i < to} only: the same arithmetic per element. */
    public static void sgdRange(float[] p, float[] g, float[] buf, int from, int to, boolean firstStep, double lr,
            double momentum, double dampening, boolean nesterov, double weightDecay) {
        float flr = (float) lr;
        float fm = (float) momentum;
        float fdamp = (float) (1 - dampening);
        float fwd = (float) weightDecay;
        for (int i = from; i < to; i++) {
            float d = weightDecay != 0 ? g[i] + fwd * p[i] : g[i];
            if (momentum != 0) {
                buf[i] = firstStep ? d : fm * buf[i] + fdamp * d;
                d = nesterov ? d + fm * buf[i] : buf[i];
            }
            p[i] -= flr * d;
        }
    }

    /** The {@code double[]} form of {@link #sgd(float[], float[], float[], int, boolean, double, double, double, boolean, double)}. */
    public static void sgd(double[] p, double[] g, double[] buf, int n, boolean firstStep, double lr, double momentum,
            double dampening, boolean nesterov, double weightDecay) {
        sgdRange(p, g, buf, 0, n, firstStep, lr, momentum, dampening, nesterov, weightDecay);
    }

    /** {@link #sgd} on the elements {@code from <= i < to} only: the same arithmetic per element. */
    public static void sgdRange(double[] p, double[] g, double[] buf, int from, int to, boolean firstStep, double lr,
            double momentum, double dampening, boolean nesterov, double weightDecay) {
        for (int i = from; i < to; i++) {
            double d = weightDecay != 0 ? g[i] + weightDecay * p[i] : g[i];
            if (momentum != 0) {
                buf[i] = firstStep ? d : momentum * buf[i] + (1 - dampening) * d;
                d = nesterov ? d + momentum * buf[i] : buf[i];
            }
            p[i] -= lr * d;
        }
    }

    /** AdamW's decay factor {@code 1 - lr wd} as PyTorch computes it: in {@code double}, then rounded to float. */
    public static float adamWDecay(double lr, double weightDecay) {
        return (float) (1 - lr * weightDecay);
    }

    /** Adam's step size at step {@code step} (from 1): {@code lr / (1 - beta1^step)}, in double as PyTorch's host. */
    public static double adamStepSize(double lr, double beta1, int step) {
        return lr / (1 - Math.pow(beta1, step));
    }

    /** The square root of Adam's second bias correction at step {@code step}: {@code sqrt(1 - beta2^step)}. */
    public static double adamBias2Sqrt(double beta2, int step) {
        return Math.sqrt(1 - Math.pow(beta2, step));
    }

    /**
     * Adam ({@code decoupled == false}) and AdamW ({@code decoupled == true}) at step {@code step} (1 for the first):
     * AdamW first decays {@code p *= decay} ({@code decay = 1 - lr wd}, see {@link #adamWDecay}); Adam instead uses
     * {@code g + wd p} as the gradient. Then {@code m += (1 - beta1)(g - m)}, {@code v = beta2 v + (1 - beta2) g^2},
     * {@code denom = sqrt(v) / sqrt(1 - beta2^step) + eps}, {@code p -= lr / (1 - beta1^step) * m / denom}.
     */
    public static void adam(float[] p, float[] g, float[] m, float[] v, int n, int step, double lr, double beta1,
            double beta2, double eps, double weightDecay, boolean decoupled) {
        adam(p, g, m, v, n, adamStepSize(lr, beta1, step), adamBias2Sqrt(beta2, step), lr, beta1, beta2, eps,
                weightDecay, decoupled);
    }

    /**
     * Adam's update with the step's scalars computed by the caller, once per step for all parameters:
     * {@code stepSize} is {@link #adamStepSize}, {@code bias2Sqrt} is {@link #adamBias2Sqrt}.
     */
    public static void adam(float[] p, float[] g, float[] m, float[] v, int n, double stepSize, double bias2Sqrt,
            double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        adamRange(p, g, m, v, 0, n, stepSize, bias2Sqrt, lr, beta1, beta2, eps, weightDecay, decoupled);
    }

    /** Adam's update on the elements {@code from <= i < to} only: the same arithmetic per element. */
    public static void adamRange(float[] p, float[] g, float[] m, float[] v, int from, int to, double stepSize,
            double bias2Sqrt, double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        float decay = adamWDecay(lr, weightDecay);
        float bc2Sqrt = (float) bias2Sqrt;
        float fwd = (float) weightDecay;
        float w1 = (float) (1 - beta1);
        float fb2 = (float) beta2;
        float w2 = (float) (1 - beta2);
        float feps = (float) eps;
        float fstep = (float) stepSize;
        for (int i = from; i < to; i++) {
            float grad = g[i];
            if (decoupled) {
                p[i] *= decay;
            } else if (weightDecay != 0) {
                grad += fwd * p[i];
            }
            m[i] += w1 * (grad - m[i]);
            v[i] = fb2 * v[i] + w2 * grad * grad;
            float denom = (float) Math.sqrt(v[i]) / bc2Sqrt + feps;
            p[i] -= fstep * (m[i] / denom);
        }
    }

    /** The {@code double[]} form of {@link #adam(float[], float[], float[], float[], int, int, double, double, double, double, double, boolean)}. */
    public static void adam(double[] p, double[] g, double[] m, double[] v, int n, int step, double lr, double beta1,
            double beta2, double eps, double weightDecay, boolean decoupled) {
        adam(p, g, m, v, n, adamStepSize(lr, beta1, step), adamBias2Sqrt(beta2, step), lr, beta1, beta2, eps,
                weightDecay, decoupled);
    }

    /** The {@code double[]} form of {@link #adam(float[], float[], float[], float[], int, double, double, double, double, double, double, double, boolean)}. */
    public static void adam(double[] p, double[] g, double[] m, double[] v, int n, double stepSize, double bc2Sqrt,
            double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        adamRange(p, g, m, v, 0, n, stepSize, bc2Sqrt, lr, beta1, beta2, eps, weightDecay, decoupled);
    }

    /** Adam's update on the elements {@code from <= i < to} only: the same arithmetic per element. */
    public static void adamRange(double[] p, double[] g, double[] m, double[] v, int from, int to, double stepSize,
            double bc2Sqrt, double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        double decay = 1 - lr * weightDecay;
        for (int i = from; i < to; i++) {
            double grad = g[i];
            if (decoupled) {
                p[i] *= decay;
            } else if (weightDecay != 0) {
                grad += weightDecay * p[i];
            }
            m[i] += (1 - beta1) * (grad - m[i]);
            v[i] = beta2 * v[i] + (1 - beta2) * grad * grad;
            double denom = Math.sqrt(v[i]) / bc2Sqrt + eps;
            p[i] -= stepSize * (m[i] / denom);
        }
    }
}
