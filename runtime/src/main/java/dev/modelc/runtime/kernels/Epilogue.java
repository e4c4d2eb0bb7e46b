package dev.modelc.runtime.kernels;

import dev.modelc.runtime.kernels.Workspace.Slot;

/**
 * Cheap passes run after a product on its output: bias per row (conv, channel-major), bias per column (Linear),
 * ReLU, and a row sum. Each is written in a shape C2 vectorizes: one array indexed by one expression per loop;
 * the per-column bias copies each row to zero-based scratch first, because {@code c[off + j] += bias[j]} (two
 * arrays at different offsets) is not vectorized.
 */
public final class Epilogue {

    private Epilogue() {
    }

    /** {@code c[r, j] += bias[r]} for the {@code rows x cols} matrix at {@code off}. */
    public static void addBiasPerRow(float[] c, int off, int rows, int cols, float[] bias) {
        for (int r = 0; r < rows; r++) {
            float v = bias[r];
            int from = off + r * cols, to = from + cols;
            for (int i = from; i < to; i++) {
                c[i] += v;
            }
        }
    }

    /** {@code c[r, j] += bias[r]}; see the f32 overload. */
    public static void addBiasPerRow(double[] c, int off, int rows, int cols, double[] bias) {
        for (int r = 0; r < rows; r++) {
            double v = bias[r];
            int from = off + r * cols, to = from + cols;
            for (int i = from; i < to; i++) {
                c[i] += v;
            }
        }
    }

    /** {@code c[r, j] += bias[j]} for the {@code rows x cols} matrix at {@code off}; scratch from {@code ws}. */
    public static void addBiasPerColumn(Workspace ws, float[] c, int off, int rows, int cols, float[] bias) {
        float[] row = ws.floats(Slot.ROW, cols);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(c, off + r * cols, row, 0, cols);
            for (int j = 0; j < cols; j++) {
                row[j] += bias[j];
            }
            System.arraycopy(row, 0, c, off + r * cols, cols);
        }
    }

    /** {@code c[r, j] += bias[j]}; see the f32 overload. */
    public static void addBiasPerColumn(Workspace ws, double[] c, int off, int rows, int cols, double[] bias) {
        double[] row = ws.doubles(Slot.ROW, cols);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(c, off + r * cols, row, 0, cols);
            for (int j = 0; j < cols; j++) {
                row[j] += bias[j];
            }
            System.arraycopy(row, 0, c, off + r * cols, cols);
        }
    }

    /** {@code c[i] = max(c[i], 0)} for {@code size} elements from {@code off}; NaN stays NaN as in PyTorch. */
    public static void relu(float[] c, int off, int size) {
        for (int i = off; i < off + size; i++) {
            c[i] = Math.max(c[i], 0f);
        }
    }

    /** {@code c[i] = max(c[i], 0)}; see the f32 overload. */
    public static void relu(double[] c, int off, int size) {
        for (int i = off; i < off + size; i++) {
            c[i] = Math.max(c[i], 0d);
        }
    }

    /** The sum of {@code size} elements from {@code off}, in four interleaved partial sums. */
    public static float sum(float[] a, int off, int size) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int i = 0;
        for (; i + 3 < size; i += 4) {
            s0 += a[off + i];
            s1 += a[off + i + 1];
            s2 += a[off + i + 2];
            s3 += a[off + i + 3];
        }
        for (; i < size; i++) {
            s0 += a[off + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** The sum of {@code size} elements from {@code off}; see the f32 overload. */
    public static double sum(double[] a, int off, int size) {
        double s0 = 0d, s1 = 0d, s2 = 0d, s3 = 0d;
        int i = 0;
        for (; i + 3 < size; i += 4) {
            s0 += a[off + i];
            s1 += a[off + i + 1];
            s2 += a[off + i + 2];
            s3 += a[off + i + 3];
        }
        for (; i < size; i++) {
            s0 += a[off + i];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
