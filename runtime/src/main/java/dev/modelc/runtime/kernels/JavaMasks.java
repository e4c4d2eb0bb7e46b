package dev.modelc.runtime.kernels;

/**
 * The plain-Java loops of {@link Masks}, over {@code from <= i < to}: the emitted loop's arithmetic. {@code VectorMasks} overrides them when the
 * Vector API kernel is in use ({@link Gemm#masks()}).
 */
class JavaMasks {

    static final JavaMasks INSTANCE = new JavaMasks();

    JavaMasks() {
    }

    void mulGreater(float[] a, float[] x, float c, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = a[i] * (x[i] > c ? 1f : 0f);
        }
    }

    void mulGreater(double[] a, double[] x, double c, double[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = a[i] * (x[i] > c ? 1d : 0d);
        }
    }

    void zeroWhereEqual(float[] a, float[] x, float c, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = x[i] == c ? 0f : a[i];
        }
    }

    void zeroWhereEqual(double[] a, double[] x, double c, double[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = x[i] == c ? 0d : a[i];
        }
    }
}
