package dev.modelc.runtime.tensor;

import dev.modelc.runtime.numeric.Broadcasting;
import dev.modelc.runtime.numeric.ShapeKernels;

/**
 * The differentiable movement operations and conversions, each with its gradient rule below the forward call, written
 * in recorded operations.
 */
final class ShapeOps {

    private ShapeOps() {
    }

    static Tensor transpose(Tensor x, int d0, int d1) {
        Tensor y = ShapeKernels.transpose(x, d0, d1);
        return Node.record("TransposeBackward0", y, g -> new Tensor[] {g.transpose(d0, d1)}, x);
    }

    static Tensor reshape(Tensor x, int[] shape) {
        int[] original = x.shape();
        Tensor y = ShapeKernels.reshape(x, shape);
        return Node.record("ViewBackward0", y, g -> new Tensor[] {g.reshape(original)}, x);
    }

    static Tensor flatten(Tensor x, int startDim, int endDim) {
        return reshape(x, ShapeKernels.flattenShape(x.shape(), startDim, endDim));
    }

    static Tensor expand(Tensor x, int[] shape) {
        int[] original = x.shape();
        Tensor y = Broadcasting.expand(x, shape);
        return Node.record("ExpandBackward0", y, g -> new Tensor[] {GradientOps.sumTo(g, original)}, x);
    }

    /** PyTorch's basic slicing: dim d keeps elements {@code start[d] + i * step[d]}, {@code i < size[d]}. */
    static Tensor slice(Tensor x, int[] start, int[] step, int[] size) {
        int[] shape = x.shape();
        Tensor y = ShapeKernels.slice(x, start, step, size);
        return Node.record("SliceBackward0", y, g -> new Tensor[] {sliceBackward(g, shape, start, step)}, x);
    }

    /** {@code g} placed at the slice's positions of zeros of {@code shape}; its gradient is the slice again. */
    static Tensor sliceBackward(Tensor g, int[] shape, int[] start, int[] step) {
        int[] size = g.shape();
        Tensor y = ShapeKernels.sliceBackward(g, shape, start, step);
        return Node.record("SliceBackwardBackward0", y, h -> new Tensor[] {slice(h, start, step, size)}, g);
    }

    /** torch.cat: each part placed at its offset along {@code dim}; the gradient of a part is its slice. */
    static Tensor cat(Tensor[] parts, int dim) {
        int[] shape = parts[0].shape().clone();
        int d = dev.modelc.runtime.numeric.Shapes.wrapDim(dim, shape.length);
        shape[d] = 0;
        for (Tensor p : parts) {
            shape[d] += p.shape()[d];
        }
        double[] out = new double[dev.modelc.runtime.numeric.Shapes.numel(shape)];
        int[][] starts = new int[parts.length][];
        int[] step = new int[shape.length];
        java.util.Arrays.fill(step, 1);
        int offset = 0;
        for (int i = 0; i < parts.length; i++) {
            starts[i] = new int[shape.length];
            starts[i][d] = offset;
            offset += parts[i].shape()[d];
            double[] placed = ShapeKernels.sliceBackward(parts[i], shape, starts[i], step).doubles();
            for (int k = 0; k < out.length; k++) {
                out[k] += placed[k];
            }
        }
        Tensor y = Tensor.fromDoubles(parts[0].dtype(), shape, out);
        return Node.record("CatBackward0", y, g -> {
            Tensor[] grads = new Tensor[parts.length];
            for (int i = 0; i < parts.length; i++) {
                grads[i] = slice(g, starts[i], step, parts[i].shape());
            }
            return grads;
        }, parts);
    }

    /** torch.stack: each part given a dim of size 1 at {@code dim}, then concatenated along it. */
    static Tensor stack(Tensor[] parts, int dim) {
        Tensor[] unsqueezed = new Tensor[parts.length];
        for (int i = 0; i < parts.length; i++) {
            int[] s = parts[i].shape();
            int d = dev.modelc.runtime.numeric.Shapes.wrapDim(dim, s.length + 1);
            int[] t = new int[s.length + 1];
            for (int j = 0, k = 0; j < t.length; j++) {
                t[j] = j == d ? 1 : s[k++];
            }
            unsqueezed[i] = reshape(parts[i], t);
        }
        return cat(unsqueezed, dim);
    }

    static Tensor copy(Tensor x) {
        Tensor y = Tensor.fromDoubles(x.dtype(), x.shape(), x.toDoubleArray());
        return Node.record("CloneBackward0", y, g -> new Tensor[] {g}, x);
    }

    static Tensor cast(Tensor x, DType target) {
        if (x.dtype() == target) {
            return x;
        }
        DType source = x.dtype();
        Tensor y = Tensor.fromDoubles(target, x.shape(), x.toDoubleArray());
        return Node.record("ToCopyBackward0", y,
                g -> new Tensor[] {g.to(source)}, x);
    }
}
