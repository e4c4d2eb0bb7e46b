package dev.modelc.runtime.numeric;

import dev.modelc.runtime.kernels.Reductions;
import dev.modelc.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * Tape-free reductions over all dimensions ({@code dims == null} or empty) or the given ones (negative allowed), with
 * or without {@code keepdim}. Sums are accumulated in {@code double}. {@code max} propagates NaN; {@code logsumexp}
 * subtracts the maximum first (and uses 0 in its place when the maximum is infinite, as PyTorch does).
 * {@link #amaxGrad} spreads the gradient evenly over tied maxima ({@code torch.amax}), {@link #evenMaxGrad} over tied
 * maxima or NaNs ({@code torch.max(x)}), {@link #maxFirstGrad} gives it to the first maximal element
 * ({@code torch.max(x, dim)}).
 */
public final class ReductionKernels {

    private ReductionKernels() {
    }

    public static Tensor sum(Tensor x, int[] dims, boolean keepdim) {
        return library(Reductions.SUM, x, dims, keepdim);
    }

    public static Tensor mean(Tensor x, int[] dims, boolean keepdim) {
        boolean[] reduced = Shapes.reducedDims(dims, x.dim());
        int count = x.numel() / Math.max(1, Shapes.numel(Shapes.keepdimShape(x.shape(), reduced)));
        Tensor s = library(Reductions.SUM, x, dims, keepdim);
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
        return maxOfGroups(x, dims, keepdim);
    }

    public static Tensor logsumexp(Tensor x, int[] dims, boolean keepdim) {
        return library(Reductions.LOGSUMEXP, x, dims, keepdim);
    }

    /** A sum or log-sum-exp of the kernel library, in the shape asked for. */
    private static Tensor library(int op, Tensor x, int[] dims, boolean keepdim) {
        boolean[] reduced = Shapes.reducedDims(dims, x.dim());
        double[] out = Reductions.reduce(op, x.doubles(), x.shape(), reduced);
        return Tensor.fromDoubles(x.dtype(), Shapes.reducedShape(x.shape(), reduced, keepdim), out);
    }

    /**
     * torch.amax's backward, PyTorch's {@code scale_grad_by_count(g, result == x, dims)}: {@code g / mask.sum(dims) *
     * mask}, so tied maxima share g and, being a product, a group whose max is NaN (no element equals it) gets
     * 0 / 0 = NaN throughout, as does every element of a group whose g is NaN or infinite (NaN * 0, inf * 0).
     */
    public static Tensor amaxGrad(Tensor g, Tensor x, Tensor result, int[] dims) {
        return sharedGrad(g, x, result, dims, false);
    }

    /**
     * torch.max(x)'s backward (no dim), PyTorch's {@code evenly_distribute_backward}: the maximal elements, or the
     * NaNs when the max is NaN, share g ({@code g / count} each) and the others get 0, filled rather than multiplied,
     * so they stay 0 for a NaN or infinite g.
     */
    public static Tensor evenMaxGrad(Tensor g, Tensor x, Tensor result, int[] dims) {
        return sharedGrad(g, x, result, dims, true);
    }

    /** {@link #amaxGrad} ({@code nanShares} false) or {@link #evenMaxGrad} (true). */
    private static Tensor sharedGrad(Tensor g, Tensor x, Tensor result, int[] dims, boolean nanShares) {
        boolean[] reduced = Shapes.reducedDims(dims, x.dim());
        int[] keep = Shapes.keepdimShape(x.shape(), reduced);
        int[] map = Broadcasting.indexMap(keep, x.shape());
        double[] v = x.doubles();
        double[] r = result.doubles();
        double[] gv = g.doubles();
        double[] ties = new double[r.length];
        for (int i = 0; i < v.length; i++) {
            if (shares(v[i], r[map[i]], nanShares)) {
                ties[map[i]]++;
            }
        }
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            double share = gv[map[i]] / ties[map[i]];
            boolean hit = shares(v[i], r[map[i]], nanShares);
            out[i] = nanShares ? (hit ? share : 0) : share * (hit ? 1 : 0); // filled, or multiplied by the mask
        }
        return Tensor.fromDoubles(x.dtype(), x.shape(), out);
    }

    /** Whether v is one of the maximal elements of a group whose max is r (with {@code nan}, a NaN of a NaN max). */
    private static boolean shares(double v, double r, boolean nan) {
        return v == r || nan && Double.isNaN(v) && Double.isNaN(r);
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

    /**
     * max with {@link Math#max}: unlike the kernel library's max, which keeps the first of equal values, it gives +0
     * for a group holding both -0 and +0, as this library always has (a difference kept, not a second meaning chosen).
     */
    private static Tensor maxOfGroups(Tensor x, int[] dims, boolean keepdim) {
        boolean[] reduced = Shapes.reducedDims(dims, x.dim());
        int[] keep = Shapes.keepdimShape(x.shape(), reduced);
        int[] map = Broadcasting.indexMap(keep, x.shape());
        double[] v = x.doubles();
        double[] out = new double[Shapes.numel(keep)];
        Arrays.fill(out, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < v.length; i++) {
            out[map[i]] = Math.max(out[map[i]], v[i]);
        }
        return Tensor.fromDoubles(x.dtype(), Shapes.reducedShape(x.shape(), reduced, keepdim), out);
    }
}
