package dev.modelc.runtime.api;

/**
 * PyTorch's optimizer updates for one parameter, in the parameter's precision, as generated {@code step()}
 * methods call them ({@code step} counts from 1). SGD ({@code torch.optim.SGD}):
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
 */
public final class Optimizers {
    private Optimizers() {
    }

    public static void sgd(float[] p, float[] g, float[] buf, int n, int step, float lr, float momentum,
                           float dampening, boolean nesterov, float weightDecay) {
        for (int i = 0; i < n; i++) {
            float d = weightDecay != 0 ? g[i] + weightDecay * p[i] : g[i];
            if (momentum != 0) {
                float b = step == 1 ? d : momentum * buf[i] + (1 - dampening) * d;
                buf[i] = b;
                d = nesterov ? d + momentum * b : b;
            }
            p[i] = p[i] - lr * d;
        }
    }

    public static void sgd(double[] p, double[] g, double[] buf, int n, int step, double lr, double momentum,
                           double dampening, boolean nesterov, double weightDecay) {
        for (int i = 0; i < n; i++) {
            double d = weightDecay != 0 ? g[i] + weightDecay * p[i] : g[i];
            if (momentum != 0) {
                double b = step == 1 ? d : momentum * buf[i] + (1 - dampening) * d;
                buf[i] = b;
                d = nesterov ? d + momentum * b : b;
            }
            p[i] = p[i] - lr * d;
        }
    }

    public static void adam(float[] p, float[] g, float[] m, float[] v, int n, int step, float lr, float beta1,
                            float beta2, float eps, float weightDecay, boolean decoupled) {
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        float stepSize = (float) (lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float decay = decoupled ? 1 - lr * weightDecay : 1;
        for (int i = 0; i < n; i++) {
            float pi = p[i] * decay;
            float gi = !decoupled && weightDecay != 0 ? g[i] + weightDecay * pi : g[i];
            float mi = m[i] + (1 - beta1) * (gi - m[i]);
            float vi = beta2 * v[i] + (1 - beta2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] = pi - stepSize * (mi / ((float) Math.sqrt(vi) / bc2Sqrt + eps));
        }
    }

    public static void adam(double[] p, double[] g, double[] m, double[] v, int n, int step, double lr,
                            double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        double stepSize = lr / bc1;
        double bc2Sqrt = Math.sqrt(bc2);
        double decay = decoupled ? 1 - lr * weightDecay : 1;
        for (int i = 0; i < n; i++) {
            double pi = p[i] * decay;
            double gi = !decoupled && weightDecay != 0 ? g[i] + weightDecay * pi : g[i];
            double mi = m[i] + (1 - beta1) * (gi - m[i]);
            double vi = beta2 * v[i] + (1 - beta2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] = pi - stepSize * (mi / (Math.sqrt(vi) / bc2Sqrt + eps));
        }
    }
}
