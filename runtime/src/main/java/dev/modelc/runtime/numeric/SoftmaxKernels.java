package dev.modelc.runtime.numeric;

import dev.modelc.runtime.tensor.Tensor;

/**
 * Tape-free softmax and log_softmax along one dimension, both with the maximum subtracted. Their gradients
 * (softmax {@code y * (g - sum(g * y))}, log_softmax {@code g - exp(y) * sum(g)}) are written with recorded tensor
 * operations in {@code tensor.ReductionOps}, so that they can be differentiated again. The loops work on plain
 * {@code double[]} arrays ({@link #softmax(double[], int[], int)}); the {@link Tensor} forms adapt them.
 */
public final class SoftmaxKernels {

    private SoftmaxKernels() {
    }

    public static Tensor softmax(Tensor x, int dim) {
        return Tensor.fromDoubles(x.dtype(), x.shape(), softmax(x.doubles(), x.shape(), dim));
    }

    public static Tensor logSoftmax(Tensor x, int dim) {
        return Tensor.fromDoubles(x.dtype(), x.shape(), logSoftmax(x.doubles(), x.shape(), dim));
    }

    /** softmax of {@code v} (shape {@code shape}) along {@code dim}. */
    public static double[] softmax(double[] v, int[] shape, int dim) {
        return forward(v, shape, dim, false);
    }

    /** log_softmax of {@code v} (shape {@code shape}) along {@code dim}. */
    public static double[] logSoftmax(double[] v, int[] shape, int dim) {
        return forward(v, shape, dim, true);
    }

    /** Outer count, length and inner stride of dimension {@code dim} of {@code shape}. */
    private static int[] layout(int[] shape, int dim) {
        int d = Shapes.wrapDim(dim, shape.length);
        if (shape.length == 0) {
            return new int[] {1, 1, 1};
        }
        int outer = 1;
        int inner = 1;
        for (int i = 0; i < d; i++) {
            outer *= shape[i];
        }
        for (int i = d + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        return new int[] {outer, shape[d], inner};
    }

    private static double[] forward(double[] v, int[] shape, int dim, boolean log) {
        int[] l = layout(shape, dim);
        int outer = l[0];
        int n = l[1];
        int inner = l[2];
        double[] out = new double[v.length];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                int base = o * n * inner + in;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < n; k++) {
                    max = Math.max(max, v[base + k * inner]);
                }
                if (max == Double.POSITIVE_INFINITY) {
                    // PyTorch subtracts the maximum: exp(inf - inf) is NaN, and so is every result of the row
                    for (int k = 0; k < n; k++) {
                        out[base + k * inner] = Double.NaN;
                    }
                    continue;
                }
                if (Double.isInfinite(max)) {
                    max = 0;
                }
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    sum += Math.exp(v[base + k * inner] - max);
                }
                double logSum = Math.log(sum);
                for (int k = 0; k < n; k++) {
                    int i = base + k * inner;
                    out[i] = log ? v[i] - max - logSum : Math.exp(v[i] - max) / sum;
                }
            }
        }
        return out;
    }
}
