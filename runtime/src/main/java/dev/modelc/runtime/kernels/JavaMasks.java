package dev.modelc.runtime.kernels;

/**
 * The plain-Java loops of {@link Masks}, over {@code from <= i < to}: the emitted loop's arithmetic, bit for bit.
 * {@code VectorMasks} overrides them when the Vector API kernel is in use ({@link Gemm#masks()}).
 *
 * <p>The comparison chooses an int (or long) in each loop, never a float: x86 has no conditional move of a float, so
 * C2 compiles {@code x > c ? 1f : 0f} (or {@code x == c ? 0f : a}) as a branch, which a ReLU's close-to-random mask
 * mispredicts about every other element (1.23-1.39 ms for the CNN's 221,184 elements on the AVX2 EPYC), while
 * {@code x > c ? ONE_F : 0} becomes a {@code cmov} and the float is made from its bits (130-200 µs, the same
 * results): the product keeps {@code a * 1} or {@code a * 0} (NaN times 0 is NaN, as the emitted product), the
 * select keeps {@code a}'s bits or clears them to +0.
 */
class JavaMasks {

    static final JavaMasks INSTANCE = new JavaMasks();

    private static final int ONE_F = Float.floatToRawIntBits(1f);
    private static final long ONE_D = Double.doubleToRawLongBits(1d);

    JavaMasks() {
    }

    /** {@code out[i] = a[i] * (x[i] > c ? 1 : 0)}. */
    void mulGreater(float[] a, float[] x, float c, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            int one = x[i] > c ? ONE_F : 0;
            out[i] = a[i] * Float.intBitsToFloat(one);
        }
    }

    /** {@code out[i] = a[i] * (x[i] > c ? 1 : 0)}. */
    void mulGreater(double[] a, double[] x, double c, double[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            long one = x[i] > c ? ONE_D : 0L;
            out[i] = a[i] * Double.longBitsToDouble(one);
        }
    }

    /** {@code out[i] = a[i] * (x[i] > c ? 1 : s)}: {@code a[i]} itself where x is greater ({@code a * 1} is exact). */
    void scaleUnlessGreater(float[] a, float[] x, float c, float s, float[] out, int from, int to) {
        int slope = Float.floatToRawIntBits(s);
        for (int i = from; i < to; i++) {
            int factor = x[i] > c ? ONE_F : slope;
            out[i] = a[i] * Float.intBitsToFloat(factor);
        }
    }

    /** {@code out[i] = a[i] * (x[i] > c ? 1 : s)}. */
    void scaleUnlessGreater(double[] a, double[] x, double c, double s, double[] out, int from, int to) {
        long slope = Double.doubleToRawLongBits(s);
        for (int i = from; i < to; i++) {
            long factor = x[i] > c ? ONE_D : slope;
            out[i] = a[i] * Double.longBitsToDouble(factor);
        }
    }

    /** {@code out[i] = x[i] == c ? +0 : a[i]}. */
    void zeroWhereEqual(float[] a, float[] x, float c, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            int keep = x[i] == c ? 0 : -1;
            out[i] = Float.intBitsToFloat(Float.floatToRawIntBits(a[i]) & keep);
        }
    }

    /** {@code out[i] = x[i] == c ? +0 : a[i]}. */
    void zeroWhereEqual(double[] a, double[] x, double c, double[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            long keep = x[i] == c ? 0L : -1L;
            out[i] = Double.longBitsToDouble(Double.doubleToRawLongBits(a[i]) & keep);
        }
    }
}
