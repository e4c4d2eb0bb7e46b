package dev.modelc.runtime.kernels;

/**
 * log_softmax along the middle of {@code [outer, n, inner]}, as the generated classes call it: the sum of the
 * exponentials is accumulated in double, and each result is {@code (x - max) - log(sum)}, in PyTorch's order, rounded
 * once. The maximum is NaN if the row has one, 0 in place of -infinity; a row holding +infinity is NaN throughout, as
 * PyTorch's. (In the other order, {@code x - (max + log(sum))}, a maximum large enough absorbs the log: two tied
 * maxima of 3e38 came out with log-probability 0 each.)
 * <p>Each kernel comes in an f32 and an f64 overload with the same parameters and the same loop: Java has no
 * generics over primitive arrays, and the generated classes call the overload of their dtype directly (a shared
 * {@code double[]} path would convert every f32 operand, and a boxed or interface-typed one would stop C2 from
 * compiling them as tight loops). The one difference: the f32 overload takes its exponentials from
 * {@link FloatMath#exp} (relative error below 1e-9, far below a float's half ulp, and about three times faster than
 * {@code Math.exp}), or, along contiguous rows, from {@link FloatMath#expf}'s vectorized loop over float arguments;
 * the f64 overload from {@code Math.exp}. {@code KernelTwinsTest} holds each pair to results within one float ulp
 * of each other.
 */
public final class LogSoftmax {
    private LogSoftmax() {
    }

    // ---- float ----

    /** log_softmax over the middle of {@code [outer, n, inner]}, in double, rounded once. */
    public static void logSoftmax(float[] x, float[] out, int outer, int n, int inner) {
        if (inner == 1 && out != x && n > 0) {
            rows(x, out, outer, n);
            return;
        }
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                row(x, out, a * n * inner + b, n, inner);
            }
        }
    }

    /** One row of n elements {@code inner} apart from {@code base}. */
    private static void row(float[] x, float[] out, int base, int n, int inner) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double v = x[base + i * inner];
            m = v > m || Double.isNaN(v) ? v : m;
        }
        if (m == Double.POSITIVE_INFINITY) {
            nanRow(out, base, n, inner);
            return;
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
        double log = Math.log(s);
        for (int i = 0; i < n; i++) {
            out[base + i * inner] = (float) ((x[base + i * inner] - shift) - log);   // PyTorch's order (see class)
        }
    }

    /**
     * A row holding +infinity is NaN throughout, as PyTorch's: it subtracts the maximum, so the infinity's own term
     * is {@code exp(inf - inf)}, NaN, and so is the sum every result subtracts.
     */
    private static void nanRow(float[] out, int base, int n, int inner) {
        for (int i = 0; i < n; i++) {
            out[base + i * inner] = Float.NaN;
        }
    }

    /**
     * Contiguous rows (the last axis, attention's softmax over keys): groups of rows of at most
     * {@link FloatMath#BLOCK} elements, each row's maximum subtracted in float into {@code out}, the exponentials
     * of the whole group by {@link FloatMath#expf}'s array loop (vectorized by C2), then each row's sum in double,
     * its log, and {@code (x - max) - log} rounded once. A row whose maximum is infinite or NaN takes the general loop.
     * The exponentials' arguments are rounded to float here (the general loop takes them in double), and what the
     * rounding lost, d, is put back in the sum as {@code e^t (1 + d)}: each term is within about an ulp of a float,
     * the maximum's own term exactly 1, and over 14.6 million results of magnitude at least 1e-3 (rows of 1 to 600,
     * spreads 0.1 to 30) every one is within 1 ulp of the f64 overload's, 0.36% of them 1 ulp off (the general
     * loop: 0.0015%).
     */
    private static void rows(float[] x, float[] out, int outer, int n) {
        float[][] scratch = FloatMath.blocks();
        float[] shift = scratch[3];
        int group = Math.max(1, FloatMath.BLOCK / n);
        for (int first = 0; first < outer; first += group) {
            int last = Math.min(outer, first + group);
            for (int a = first; a < last; a++) {
                int base = a * n;
                float m = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    m = Math.max(m, x[base + i]);
                }
                shift[a - first] = m;
                for (int i = 0; i < n; i++) {
                    out[base + i] = x[base + i] - m;
                }
            }
            FloatMath.expf(out, out, first * n, last * n, scratch[0], scratch[1], scratch[2]);
            for (int a = first; a < last; a++) {
                int base = a * n;
                float m = shift[a - first];
                if (Float.isInfinite(m) || Float.isNaN(m)) {
                    row(x, out, base, n, 1);
                    continue;
                }
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += term(x[base + i], m, out[base + i]);   // e^(x - m) from its float argument's e^t
                }
                double log = Math.log(s);
                for (int i = 0; i < n; i++) {
                    out[base + i] = (float) (((double) x[base + i] - m) - log);
                }
            }
        }
    }

    /**
     * {@code e^(x - m)} from {@code e = expf((float) (x - m))}: e (1 + d), d the argument's rounding (NaN for an x of
     * -infinity, whose e is 0, which the term then is).
     */
    private static double term(float x, float m, float e) {
        float t = x - m;
        double d = ((double) x - m) - t;
        return Math.fma(e, d == d ? d : 0, e);
    }


    // ---- double ----

    /** {@link #nanRow(float[], int, int, int)} in f64. */
    private static void nanRow(double[] out, int base, int n, int inner) {
        for (int i = 0; i < n; i++) {
            out[base + i * inner] = Double.NaN;
        }
    }

    /** log_softmax over the middle of {@code [outer, n, inner]}, in double, rounded once. */
    public static void logSoftmax(double[] x, double[] out, int outer, int n, int inner) {
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                row(x, out, a * n * inner + b, n, inner);
            }
        }
    }

    /** One row of n elements {@code inner} apart from {@code base}. */
    private static void row(double[] x, double[] out, int base, int n, int inner) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double v = x[base + i * inner];
            m = v > m || Double.isNaN(v) ? v : m;
        }
        if (m == Double.POSITIVE_INFINITY) {
            nanRow(out, base, n, inner);
            return;
        }
        double shift = Double.isInfinite(m) ? 0 : m;
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.exp(x[base + i * inner] - shift);
        }
        double log = Math.log(s);
        for (int i = 0; i < n; i++) {
            out[base + i * inner] = (x[base + i * inner] - shift) - log;
        }
    }
}
