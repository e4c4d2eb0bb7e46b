package dev.modelc.runtime.kernels;

/**
 * Gradient masks as one whole-tensor call. Generated classes call them in place of the loop they would emit for the
 * chain (most often the epilogue of a matrix product or a pooling's backward, in place on the kernel's output):
 * <ul>
 *   <li>{@link #zeroWhereEqual}: {@code out[i] = x[i] == c ? 0 : a[i]}, the backward of {@code relu}, PyTorch's
 *       {@code threshold_backward(grad, result, 0)} ({@code result <= 0 ? 0 : grad}; a relu's result is 0, positive
 *       or NaN, so {@code <= 0} is {@code == 0}). A NaN or infinite gradient where the result is 0 gives 0, and a
 *       NaN result passes the gradient, as in PyTorch.</li>
 *   <li>{@link #mulGreater}: {@code out[i] = a[i] * (x[i] > c ? 1 : 0)}, the product of a gradient and a
 *       comparison mask a model writes itself ({@code g * float(x > 0)}); a NaN or infinite {@code a[i]} where the
 *       mask is 0 gives NaN, as the product does in PyTorch.</li>
 *   <li>{@link #scaleUnlessGreater}: {@code out[i] = x[i] > c ? a[i] : a[i] * s}, the backward of
 *       {@code leaky_relu} (PyTorch's {@code leaky_relu_backward(grad, x, slope)}, the slope where x is 0 or NaN) and,
 *       with {@code a = x} and {@code c = 0}, {@code leaky_relu} itself. The product is in the arrays' precision, with
 *       the slope rounded to it, as PyTorch's kernels compute it.</li>
 * </ul>
 *
 * <p>The emitted loop makes one compare and one branch or conditional move per element, which C2 does not
 * vectorize, and a ReLU's mask is close to random, so its branches mispredict. With the Vector API kernel
 * ({@link Kernels}) the loop runs as vector compares and blends ({@code VectorMasks}); otherwise it is the emitted
 * loop's arithmetic. Both give the same results to the bit.
 */
public final class Masks {

    private static final JavaMasks LOOPS = Kernels.selected().masks();

    private Masks() {
    }

    /** {@code out[i] = x[i] == c ? 0 : a[i]} for {@code i < n}; out may be a or x. */
    public static void zeroWhereEqual(float[] a, float[] x, float c, float[] out, int n) {
        check(n, a.length, x.length, out.length);
        LOOPS.zeroWhereEqual(a, x, c, out, 0, n);
    }

    /** {@code out[i] = x[i] == c ? 0 : a[i]} for {@code i < n}; out may be a or x. */
    public static void zeroWhereEqual(double[] a, double[] x, double c, double[] out, int n) {
        check(n, a.length, x.length, out.length);
        LOOPS.zeroWhereEqual(a, x, c, out, 0, n);
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

    /** {@code out[i] = x[i] > c ? a[i] : a[i] * s} for {@code i < n}; out may be a or x. */
    public static void scaleUnlessGreater(float[] a, float[] x, float c, float s, float[] out, int n) {
        check(n, a.length, x.length, out.length);
        LOOPS.scaleUnlessGreater(a, x, c, s, out, 0, n);
    }

    /** {@code out[i] = x[i] > c ? a[i] : a[i] * s} for {@code i < n}; out may be a or x. */
    public static void scaleUnlessGreater(double[] a, double[] x, double c, double s, double[] out, int n) {
        check(n, a.length, x.length, out.length);
        LOOPS.scaleUnlessGreater(a, x, c, s, out, 0, n);
    }

    /** {@link #scaleUnlessGreater(float[], float[], float, float, float[], int)} for {@code from <= i < to} only. */
    static void scaleUnlessGreater(float[] a, float[] x, float c, float s, float[] out, int from, int to) {
        LOOPS.scaleUnlessGreater(a, x, c, s, out, from, to);
    }

    /** {@link #scaleUnlessGreater(double[], double[], double, double, double[], int)} for {@code from <= i < to}. */
    static void scaleUnlessGreater(double[] a, double[] x, double c, double s, double[] out, int from, int to) {
        LOOPS.scaleUnlessGreater(a, x, c, s, out, from, to);
    }

    /** {@link #zeroWhereEqual(float[], float[], float, float[], int)} for {@code from <= i < to} only. */
    static void zeroWhereEqual(float[] a, float[] x, float c, float[] out, int from, int to) {
        LOOPS.zeroWhereEqual(a, x, c, out, from, to);
    }

    /** {@link #zeroWhereEqual(double[], double[], double, double[], int)} for {@code from <= i < to} only. */
    static void zeroWhereEqual(double[] a, double[] x, double c, double[] out, int from, int to) {
        LOOPS.zeroWhereEqual(a, x, c, out, from, to);
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
