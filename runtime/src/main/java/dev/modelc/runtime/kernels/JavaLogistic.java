package dev.modelc.runtime.kernels;

import dev.modelc.runtime.api.Functions;

/**
 * The plain-Java loops of {@link Logistic}: the arithmetic of the loops the compiler emits for the same ops, in the
 * same order ({@link FloatMath} in f32, {@link Functions} in f64, a double sum). {@code VectorLogistic} overrides the
 * f32 ones when the Vector API kernel is in use ({@link Gemm#logistic()}). The f32 and f64 loops differ in the
 * functions they call, not only in their types, so they are not textual twins; {@code LogisticTest} compares them.
 */
class JavaLogistic {

    static final JavaLogistic INSTANCE = new JavaLogistic();

    JavaLogistic() {
    }

    /**
     * These loops with erf and exp in vector lanes whatever the JDK ({@code VectorLogistic} takes them from JDK 25
     * on): for the tests, which hold the lane forms to their accuracy on every JDK. The plain loops have no lanes.
     */
    JavaLogistic withTranscendentalLanes() {
        return this;
    }

    double sumBceWithLogits(float[] z, float[] y, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (float) FloatMath.bceWithLogits(z[i], y[i]);
        }
        return s;
    }

    double sumBceWithLogits(double[] z, double[] y, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Functions.bceWithLogits(z[i], y[i]);
        }
        return s;
    }

    void sigmoid(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = (float) FloatMath.sigmoid(x[i]);
        }
    }

    void sigmoid(double[] x, double[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = Functions.sigmoid(x[i]);
        }
    }

    /** {@link FloatMath#expf(float)} over the array, its float parts vectorized by C2 in blocks. */
    void exp(float[] x, float[] out, int n) {
        float[][] scratch = FloatMath.blocks();
        FloatMath.expf(x, out, 0, n, scratch[0], scratch[1], scratch[2]);
    }

    void exp(double[] x, double[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = Math.exp(x[i]);
        }
    }

    /** {@link FloatMath#erf(float)} over the array, vectorized by C2 in blocks through this thread's scratch. */
    void erf(float[] x, float[] out, int n) {
        float[][] scratch = FloatMath.blocks();
        FloatMath.erf(x, out, 0, n, scratch[0], scratch[1], scratch[2]);
    }

    void erf(double[] x, double[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = Functions.erf(x[i]);
        }
    }
}
