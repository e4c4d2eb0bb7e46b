package dev.modelc.runtime.kernels;

/**
 * The gradient mask of ReLU-shaped ops as one whole-tensor call: {@code out[i] = a[i] * (x[i] > c ? 1 : 0)}, the
 * product of a gradient and the comparison mask that the derivative of {@code relu}, {@code maximum} or a
 * {@code >} mask multiplies it by. Generated classes call it in place of the loop they would emit for that chain
 * (most often the epilogue of a matrix product or a pooling's backward, in place on the kernel's output).
 *
 * <p>The emitted loop makes one compare and one branch or conditional move per element, which C2 does not
 * vectorize, and a ReLU's mask is close to random, so its branches mispredict. With the Vector API kernel
 * ({@link Kernels}) the loop runs as vector compares and blends ({@code VectorMasks}); otherwise it is the emitted
 * loop's arithmetic. Both multiply {@code a[i]} by exactly 1 or 0, so the results are the same to the bit (a NaN or
 * infinite gradient where the mask is 0 gives NaN, as the emitted loop does).
 */
public final class Masks {

    private static final JavaMasks LOOPS = Kernels.selected().masks();

    private Masks() {
    }

    /** {@code out[i] = a[i] * (x[i] > c ? 1 : 0)} for {@code i < n}; out may be a or x. */
    public static void mulGreater(float[] a, float[] x, float c, float[] out, int n) {
        check(n, a.length, x.length, out.length);
        LOOPS.mulGreater(a, x, c, out, 0, n);
    }

    /** {@code out[i] = a[i] * (x[i] > c ? 1 : 0)} for {@code i < n}; out may be a or x. */
    public static void mulGreater(double[] a, double[] x, double c, double[] out, int n) {
        check(n, a.length, x.length, out.length);
        LOOPS.mulGreater(a, x, c, out, 0, n);
    }

    /** {@link #mulGreater(float[], float[], float, float[], int)} for {@code from <= i < to} only (for {@link Parallel}). */
    static void mulGreater(float[] a, float[] x, float c, float[] out, int from, int to) {
        LOOPS.mulGreater(a, x, c, out, from, to);
    }

    /** {@link #mulGreater(double[], double[], double, double[], int)} for {@code from <= i < to} only. */
    static void mulGreater(double[] a, double[] x, double c, double[] out, int from, int to) {
        LOOPS.mulGreater(a, x, c, out, from, to);
    }

    static void check(int n, int a, int x, int out) {
        if (n < 0 || n > a || n > x || n > out) {
            throw new IllegalArgumentException("mask loop over " + n + " elements, but the arrays have " + a + ", "
                    + x + " and " + out);
        }
    }
}
