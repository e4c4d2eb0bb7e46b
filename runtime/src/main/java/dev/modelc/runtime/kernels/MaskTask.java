package dev.modelc.runtime.kernels;

import static dev.modelc.runtime.kernels.Parallel.chunk;
import static dev.modelc.runtime.kernels.Parallel.ELEMENT_ALIGN;

/**
 * A gradient mask of {@link Masks} ({@code mulGreater}, {@code zeroWhereEqual} or {@code scaleUnlessGreater}) over a
 * range of elements per part.
 */
final class MaskTask extends Task {
    /** {@code out = a * (x > c)}. */
    static final int MUL_GREATER = 0;
    /** {@code out = x == c ? +0 : a}. */
    static final int ZERO_WHERE_EQUAL = 1;
    /** {@code out = x > c ? a : a * s}. */
    static final int SCALE_UNLESS_GREATER = 2;
    int kind;
    int n;
    int parts;
    int chunk;
    float[] fa;
    float[] fx;
    float[] fout;
    float fc;
    float fs;
    double[] da;
    double[] dx;
    double[] dout;
    double dc;
    double ds;

    MaskTask plan(int kind, int n, int threads) {
        this.kind = kind;
        this.n = n;
        chunk = chunk(n, threads, ELEMENT_ALIGN);
        parts = (n + chunk - 1) / chunk;
        return this;
    }

    void f(float[] a, float[] x, float c, float s, float[] out) {
        fa = a;
        fs = s;
        fx = x;
        fc = c;
        fout = out;
        da = dx = dout = null;
    }

    void d(double[] a, double[] x, double c, double s, double[] out) {
        da = a;
        ds = s;
        dx = x;
        dc = c;
        dout = out;
        fa = fx = fout = null;
    }

    @Override
    void part(Workspace ws, int part) {
        int from = part * chunk;
        int to = Math.min(n, from + chunk);
        if (kind == MUL_GREATER) {
            if (fa != null) {
                Masks.mulGreater(fa, fx, fc, fout, from, to);
            } else {
                Masks.mulGreater(da, dx, dc, dout, from, to);
            }
        } else if (kind == SCALE_UNLESS_GREATER) {
            if (fa != null) {
                Masks.scaleUnlessGreater(fa, fx, fc, fs, fout, from, to);
            } else {
                Masks.scaleUnlessGreater(da, dx, dc, ds, dout, from, to);
            }
        } else if (fa != null) {
            Masks.zeroWhereEqual(fa, fx, fc, fout, from, to);
        } else {
            Masks.zeroWhereEqual(da, dx, dc, dout, from, to);
        }
    }
}
