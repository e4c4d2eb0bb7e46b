package dev.modelc.runtime.api;

import dev.modelc.runtime.kernels.MatMul;
import dev.modelc.runtime.kernels.Movement;

/**
 * The transposed copies of weights that inference multiplies as {@code x W^T}, kept between {@code predict} calls.
 *
 * <p>A product {@code x W^T} with W a parameter copies W's columns into panels before it multiplies (a strided
 * copy, a third of an MLP's {@code predict}). Inference with unchanged weights needs the same panels every time, so
 * {@link CompiledModel} keeps, made when the weights have changed since the last one, the panels themselves where the
 * kernel in use has a packed form of a whole weight (the Vector API's, {@link MatMul#packWeight}), which it then
 * multiplies by without packing, and otherwise {@code W^T} as a row-major copy, from which the panels are filled by
 * sequential copies. Either way the result has the same bits.
 *
 * <p>A copy belongs to one state of the parameters, a number {@link CompiledModel} raises at every write it makes or
 * lets through ({@code initialize}, {@code setParameter}, {@code writeParameters}, the optimizer's steps, a forward
 * pass, which may update batch-norm running statistics). Writes it cannot see, through a parameter array it handed
 * out ({@code parameter(name)} or a typed getter), turn the copies off for the instance.
 */
final class WeightTransposes {
    /** Each parameter's W^T, row-major, or null. */
    private final Object[] copies;
    private final long[] states;
    /** Each parameter's panels ({@link MatMul#packWeight}), or null: apart from the W^T, since a model may need both. */
    private final Object[] panels;
    private final long[] panelStates;

    WeightTransposes(int params) {
        copies = new Object[params];
        states = new long[params];
        panels = new Object[params];
        panelStates = new long[params];
    }

    /** W^T of parameter {@code p}, W being {@code rows x cols} row-major, as of parameter state {@code state}. */
    float[] of(int p, float[] w, int rows, int cols, long state) {
        float[] t = copies[p] instanceof float[] f && f.length == rows * cols ? f : null;
        if (t == null) {
            t = new float[rows * cols];
            copies[p] = t;
        } else if (states[p] == state) {
            return t;
        }
        transpose(w, rows, cols, t);
        states[p] = state;
        return t;
    }

    /** f64 {@link #of(int, float[], int, int, long)}. */
    double[] of(int p, double[] w, int rows, int cols, long state) {
        double[] t = copies[p] instanceof double[] d && d.length == rows * cols ? d : null;
        if (t == null) {
            t = new double[rows * cols];
            copies[p] = t;
        } else if (states[p] == state) {
            return t;
        }
        transpose(w, rows, cols, t);
        states[p] = state;
        return t;
    }

    /**
     * Parameter {@code p}'s W ({@code rows x cols}, row-major) packed whole as the B = W^T of {@code x W^T}
     * ({@link MatMul#packWeight}), as of parameter state {@code state}: for a kernel with packed weights
     * ({@link MatMul#packedWeightLength} positive), which then multiplies without packing.
     */
    float[] packed(int p, float[] w, int rows, int cols, long state) {
        int length = MatMul.packedWeightLength(rows, cols);
        float[] t = panels[p] instanceof float[] f && f.length == length ? f : null;
        if (t == null) {
            t = new float[length];
            panels[p] = t;
        } else if (panelStates[p] == state) {
            return t;
        }
        MatMul.packWeight(w, rows, cols, t);
        panelStates[p] = state;
        return t;
    }

    /** f64 {@link #packed(int, float[], int, int, long)}. */
    double[] packed(int p, double[] w, int rows, int cols, long state) {
        int length = MatMul.packedWeightLength(rows, cols);
        double[] t = panels[p] instanceof double[] d && d.length == length ? d : null;
        if (t == null) {
            t = new double[length];
            panels[p] = t;
        } else if (panelStates[p] == state) {
            return t;
        }
        MatMul.packWeight(w, rows, cols, t);
        panelStates[p] = state;
        return t;
    }

    /** Lets every copy go (the parameters were handed out; see the class comment). */
    void clear() {
        java.util.Arrays.fill(copies, null);
        java.util.Arrays.fill(panels, null);
    }

    /** {@code t[j][i] = w[i][j]} ({@link Movement#transpose2d(float[], int, int, float[], int)}). */
    static void transpose(float[] w, int rows, int cols, float[] t) {
        Movement.transpose2d(w, rows, cols, t, 0);
    }

    /** f64 {@link #transpose(float[], int, int, float[])}. */
    static void transpose(double[] w, int rows, int cols, double[] t) {
        Movement.transpose2d(w, rows, cols, t, 0);
    }
}
