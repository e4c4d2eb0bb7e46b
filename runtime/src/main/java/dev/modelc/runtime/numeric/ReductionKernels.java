package dev.modelc.runtime.numeric;

import dev.modelc.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * Tape-free reductions over all dimensions ({@code dims == null} or empty) or the given ones (negative allowed), with
 * or without {@code keepdim}. Sums are accumulated in {@code double}. {@code max} propagates NaN; {@code logsumexp}
 * subtracts the maximum first (and uses 0 in its place when the maximum is infinite, as PyTorch does).
 * {@link #maxGrad} spreads the gradient evenly over tied maxima (PyTorch's {@code amax} rule), {@link #maxFirstGrad}
 * gives it to the first maximal element ({@code torch.max(x, dim)}).
 */
public final class ReductionKernels {

    private ReductionKernels() {
    }

    public static Tensor sum(Tensor x, int[] dims, boolean keepdim) {
        return reduce(x, dims, keepdim, 0.0, Kind.SUM);
    }

    public static Tensor mean(Tensor x, int[] dims, boolean keepdim) {
        boolean[] reduced = Shapes.reducedDims(dims, x.dim());
        int count = x.numel() / Math.max(1, Shapes.numel(Shapes.keepdimShape(x.shape(), reduced)));
        Tensor s = reduce(x, dims, keepdim, 0.0, Kind.SUM);
        double[] v = s.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            v[i] /= count;
        }
        return Tensor.fromDoubles(x.dtype(), s.shape(), v);
    }

    public static Tensor max(Tensor x, int[] dims, boolean keepdim) {
        if (x.numel() == 0) {
            throw new IllegalArgumentException("max(): expected a non-empty tensor");
        }
        return reduce(x, dims, keepdim, Double.NEGATIVE_INFINITY, Kind.MAX);
    }

    public static Tensor logsumexp(Tensor x, int[] dims, boolean keepdim) {
        boolean[] reduced = Shapes.reducedDims(dims, x.dim());
        int[] keep = Shapes.keepdimShape(x.shape(), reduced);
        int[] map = Broadcasting.indexMap(keep, x.shape());
        double[] m = reduce(x, dims, true, Double.NEGATIVE_INFINITY, Kind.MAX).toDoubleArray();
        for (int i = 0; i < m.length; i++) {
            if (Double.isInfinite(m[i])) {
                m[i] = 0;
            }
        }
        double[] v = x.doubles();
        double[] s = new double[m.length];
        for (int i = 0; i < v.length; i++) {
            s[map[i]] += Math.exp(v[i] - m[map[i]]);
        }
        for (int i = 0; i < s.length; i++) {
            s[i] = m[i] + Math.log(s[i]);
        }
        return Tensor.fromDoubles(x.dtype(), Shapes.reducedShape(x.shape(), reduced, keepdim), s);
    }

    /** max: each maximal element of a group gets g / (number of maximal elements in the group). */
    public static Tensor maxGrad(Tensor g, Tensor x, Tensor result, int[] dims) {
        boolean[] reduced = Shapes.reducedDims(dims, x.dim());
        int[] keep = Shapes.keepdimShape(x.shape(), reduced);
        int[] map = Broadcasting.indexMap(keep, x.shape());
        double[] v = x.doubles();
        double[] r = result.doubles();
        double[] gv = g.doubles();
        double[] ties = new double[r.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] == r[map[i]]) {
                ties[map[i]]++;
            }
        }
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] == r[map[i]]) {
                out[i] = gv[map[i]] / ties[map[i]];
            }
        }
        return Tensor.fromDoubles(x.dtype(), x.shape(), out);
    }

    /**
     * max over dims as torch.max(x, dim): the whole g of a group goes to its first element (in row-major order)
     * equal to the result, or to its first NaN when the result is NaN.
     */
    public static Tensor maxFirstGrad(Tensor g, Tensor x, Tensor result, int[] dims) {
        boolean[] reduced = Shapes.reducedDims(dims, x.dim());
        int[] keep = Shapes.keepdimShape(x.shape(), reduced);
        int[] map = Broadcasting.indexMap(keep, x.shape());
        double[] v = x.doubles();
        double[] r = result.doubles();
        double[] gv = g.doubles();
        boolean[] taken = new boolean[r.length];
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            int k = map[i];
            boolean hit = Double.isNaN(r[k]) ? Double.isNaN(v[i]) : v[i] == r[k];
            if (hit && !taken[k]) {
                taken[k] = true;
                out[i] = gv[k];
            }
        }
        return Tensor.fromDoubles(x.dtype(), x.shape(), out);
    }

    private enum Kind { SUM, MAX }

    private static Tensor reduce(Tensor x, int[] dims, boolean keepdim, double init, Kind kind) {
        boolean[] reduced = Shapes.reducedDims(dims, x.dim());
        int[] keep = Shapes.keepdimShape(x.shape(), reduced);
        int[] map = Broadcasting.indexMap(keep, x.shape());
        double[] v = x.doubles();
        double[] out = new double[Shapes.numel(keep)];
        Arrays.fill(out, init);
        for (int i = 0; i < v.length; i++) {
            int o = map[i];
            out[o] = kind == Kind.SUM ? out[o] + v[i] : Math.max(out[o], v[i]);
        }
        return Tensor.fromDoubles(x.dtype(), Shapes.reducedShape(x.shape(), reduced, keepdim), out);
    }
}
