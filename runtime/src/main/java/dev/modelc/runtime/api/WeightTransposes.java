package dev.modelc.runtime.api;

import dev.modelc.runtime.kernels.Movement;

/**
 * The transposed copies of weights that inference multiplies as {@code x W^T}, kept between {@code predict} calls.
 *
 * <p>A product {@code x W^T} with W a parameter copies W's columns into panels before it multiplies (a strided
 * copy, a third of an MLP's {@code predict}). Inference with unchanged weights needs the same panels every time, so
 * {@link CompiledModel} keeps {@code W^T} as a row-major copy, made when the weights have changed since the last
 * one, and multiplies by it: the panels are then filled by sequential copies, and the result has the same bits.
 *
 * <p>A copy belongs to one state of the parameters, a number {@link CompiledModel} raises at every write it makes or
 * lets through ({@code initialize}, {@code setParameter}, {@code writeParameters}, the optimizer's steps, a forward
 * pass, which may update batch-norm running statistics). Writes it cannot see, through a parameter array it handed
 * out ({@code parameter(name)} or a typed getter), turn the copies off for the instance.
 */
final class WeightTransposes {
    private final Object[] copies;
    private final long[] states;

    WeightTransposes(int params) {
        copies = new Object[params];
        states = new long[params];
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

    /** Lets every copy go (the parameters were handed out; see the class comment). */
    void clear() {
        java.util.Arrays.fill(copies, null);
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
