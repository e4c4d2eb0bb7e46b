package dev.modelc.runtime.kernels;

/**
 * Whole-buffer steps of the generated classes: filling a buffer with one value and adding one gradient into another.
 * <p>Each kernel comes in an f32 and an f64 overload with the same parameters and the same loop: Java has no
 * generics over primitive arrays, and the generated classes call the overload of their dtype directly (a shared
 * {@code double[]} path would convert every f32 operand, and a boxed or interface-typed one would stop C2 from
 * compiling them as tight loops). {@code KernelTwinsTest} holds each pair to the same results.
 */
public final class Buffers {
    private Buffers() {
    }

    // ---- float ----

    /** {@code out[i] = v} for the first n elements. */
    public static void fill(float[] out, int n, double v) {
        java.util.Arrays.fill(out, 0, n, (float) v);
    }

    /** {@code out[i] += x[i]} for the first n elements (gradient accumulation). */
    public static void accumulate(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] += x[i];
        }
    }

    // ---- double ----

    /** {@code out[i] = v} for the first n elements. */
    public static void fill(double[] out, int n, double v) {
        java.util.Arrays.fill(out, 0, n, (double) v);
    }

    /** {@code out[i] += x[i]} for the first n elements (gradient accumulation). */
    public static void accumulate(double[] x, double[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] += x[i];
        }
    }
}
