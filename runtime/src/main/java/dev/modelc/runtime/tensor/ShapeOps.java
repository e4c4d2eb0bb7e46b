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
