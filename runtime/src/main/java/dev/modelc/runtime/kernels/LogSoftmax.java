package dev.modelc.runtime.kernels;

/**
 * log_softmax along the middle of {@code [outer, n, inner]}, as the generated classes call it: the maximum (NaN if
 * any, 0 in place of an infinite one) is subtracted, the log-sum-exp is accumulated in double and each result
 * rounded once.
 * <p>Each kernel comes in an f32 and an f64 overload with the same parameters and the same loop: Java has no
 * generics over primitive arrays, and the generated classes call the overload of their dtype directly (a shared
 * {@code double[]} path would convert every f32 operand, and a boxed or interface-typed one would stop C2 from
 * compiling them as tight loops). The one difference: the f32 overload takes its exponentials from
 * {@link FloatMath#exp} (relative error below 1e-9, far below a float's half ulp, and about three times faster than
 * {@code Math.exp}), the f64 overload from {@code Math.exp}. {@code KernelTwinsTest} holds each pair to results
 * within one float ulp of each other.
 */
public final class LogSoftmax {
    private LogSoftmax() {
    }

    // ---- float ----

    /** log_softmax over the middle of {@code [outer, n, inner]}, in double, rounded once. */
    public static void logSoftmax(float[] x, float[] out, int outer, int n, int inner) {
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                int base = a * n * inner + b;
                double m = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    double v = x[base + i * inner];
                    m = v > m || Double.isNaN(v) ? v : m;
                }
                double shift = Double.isInfinite(m) ? 0 : m;
                double s = 0;
                if (Double.isInfinite(m)) {
                    // exp's overflow to infinity (a +inf maximum) or its exact 0 (all -inf) decides the result:
                    // Math.exp gives them, FloatMath.exp clamps its argument to what a float result needs
                    for (int i = 0; i < n; i++) {
                        s += Math.exp(x[base + i * inner]);
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        s += FloatMath.exp(x[base + i * inner] - shift);
                    }
                }
                double lse = Math.log(s) + shift;
                for (int i = 0; i < n; i++) {
                    out[base + i * inner] = (float) (x[base + i * inner] - lse);
                }
            }
        }
    }

    // ---- double ----

    /** log_softmax over the middle of {@code [outer, n, inner]}, in double, rounded once. */
    public static void logSoftmax(double[] x, double[] out, int outer, int n, int inner) {
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                int base = a * n * inner + b;
                double m = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    double v = x[base + i * inner];
                    m = v > m || Double.isNaN(v) ? v : m;
                }
                double shift = Double.isInfinite(m) ? 0 : m;
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += Math.exp(x[base + i * inner] - shift);
                }
                double lse = Math.log(s) + shift;
                for (int i = 0; i < n; i++) {
                    out[base + i * inner] = (double) (x[base + i * inner] - lse);
                }
            }
        }
    }
}
