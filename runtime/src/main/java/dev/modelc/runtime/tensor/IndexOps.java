package dev.modelc.runtime.tensor;

import dev.modelc.runtime.kernels.Gather;
import dev.modelc.runtime.kernels.OneHot;
import java.util.Arrays;

/**
 * The differentiable reads by integer index, each with its gradient rule below the forward call: index_select and
 * embedding (one index of any shape names whole slices along a dim), gather (one index per element) and one_hot.
 * The gradient of a read is a scatter-add into zeros of the operand's shape (duplicate indices accumulate); the
 * scatter-add is recorded too, and its own gradient is the read again, so second order works. Embedding's
 * padding_idx rides along: the scatter-add skips positions whose index is the padding, and the read that
 * differentiates such a scatter-add gives 0 there. Indices are plain {@code int[]} (row-major) with their shape;
 * they get no gradient.
 */
final class IndexOps {

    private IndexOps() {
    }

    /** One read: x [outer, size, inner] at index; the result shape; how the kernel walks it. */
    private record Read(String op, int dim, int[] index, int[] indexShape, boolean select, int padding,
            int[] xShape, int outer, int size, int inner, int rows, int[] outShape) {

        static Read of(String op, int[] xShape, int dim, int[] index, int[] indexShape, boolean select,
                int padding) {
            int r = xShape.length;
            if (dim < 0 || dim >= Math.max(r, 1) || r == 0) {
                throw new IllegalArgumentException(op + ": dim " + dim + " is out of range for a tensor of shape "
                        + Arrays.toString(xShape));
            }
            if (IndexOps.count(indexShape) != index.length) {
                throw new IllegalArgumentException(op + ": index shape " + Arrays.toString(indexShape) + " needs "
                        + IndexOps.count(indexShape) + " values, got " + index.length);
            }
            int outer = count(Arrays.copyOfRange(xShape, 0, dim));
            int inner = count(Arrays.copyOfRange(xShape, dim + 1, r));
            int[] out;
            int n;
            if (select) {
                out = new int[r - 1 + indexShape.length];
                System.arraycopy(xShape, 0, out, 0, dim);
                System.arraycopy(indexShape, 0, out, dim, indexShape.length);
                System.arraycopy(xShape, dim + 1, out, dim + indexShape.length, r - dim - 1);
                n = index.length;
            } else {
                boolean fits = indexShape.length == r;
                for (int d = 0; fits && d < r; d++) {
                    fits = d == dim || indexShape[d] == xShape[d];
                }
                if (!fits) {
                    throw new IllegalArgumentException(op + ": index " + Arrays.toString(indexShape)
                            + " must have the shape of the input " + Arrays.toString(xShape) + " except along dim "
                            + dim);
                }
                out = indexShape.clone();
                n = indexShape[dim];
            }
            return new Read(op, dim, index, indexShape, select, padding, xShape, outer, xShape[dim], inner, n, out);
        }
    }

    static Tensor indexSelect(Tensor x, int dim, int[] index) {
        return read(x, Read.of("index_select", x.shape(), dim, index, new int[] {index.length}, true, -1), false);
    }

    static Tensor gather(Tensor x, int dim, int[] index, int[] indexShape) {
        return read(x, Read.of("gather", x.shape(), dim, index, indexShape, false, -1), false);
    }

    /** Rows of weight [num, dim] for an index of any shape: [..., dim]; row padding (or -1) gets no gradient. */
    static Tensor embedding(int[] index, int[] indexShape, Tensor weight, int padding) {
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("embedding: weight must be [num_embeddings, embedding_dim], got "
                    + Arrays.toString(weight.shape()));
        }
        return read(weight, Read.of("embedding", weight.shape(), 0, index, indexShape, true, padding), false);
    }

    /** One-hot rows: index shape + [classes], 1 at each index; no gradient. */
    static Tensor oneHot(int[] index, int[] indexShape, int classes, DType dtype) {
        int[] shape = Arrays.copyOf(indexShape, indexShape.length + 1);
        shape[indexShape.length] = classes;
        double[] out = new double[index.length * classes];
        OneHot.oneHot(index, out, index.length, classes, null);
        return Tensor.fromDoubles(dtype, shape, out);
    }

    /** x read at the index; positions at the padding read 0 where {@code zero} (the transpose of a skipping add). */
    private static Tensor read(Tensor x, Read r, boolean zero) {
        double[] out = new double[count(r.outShape)];
        Gather.gather(x.toDoubleArray(), r.index, out, r.outer, r.size, r.inner, r.rows, r.select, r.padding, zero,
                r.op);
        Tensor y = Tensor.fromDoubles(x.dtype(), r.outShape, out);
        return Node.record(name(r) + "Backward0", y, g -> new Tensor[] {scatterAdd(g, r)}, x);
    }

    /** g added into zeros of x's shape at the index, skipping the padding: the gradient of a read. */
    private static Tensor scatterAdd(Tensor g, Read r) {
        double[] out = new double[count(r.xShape)];
        Gather.scatterAdd(g.toDoubleArray(), r.index, out, r.outer, r.size, r.inner, r.rows, r.select, r.padding,
                true, r.op);
        Tensor y = Tensor.fromDoubles(g.dtype(), r.xShape, out);
        return Node.record(r.select ? "IndexAddBackward0" : "ScatterAddBackward0", y,
                t -> new Tensor[] {read(t, r, true)}, g);
    }

    private static String name(Read r) {
        return switch (r.op) {
            case "gather" -> "Gather";
            case "embedding" -> "Embedding";
            default -> "IndexSelect";
        };
    }

    private static int count(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
