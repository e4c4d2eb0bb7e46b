package dev.modelc.runtime.numeric;

import dev.modelc.runtime.kernels.Movement;
import dev.modelc.runtime.tensor.Tensor;

/**
 * Tape-free movement kernels. {@code transpose} copies into the new layout; {@code reshape} shares storage
 * ({@link Tensor#withShape}), since row-major data does not move when only the shape changes. The copy is the kernel
 * library's {@link Movement#permute(double[], int[], int[])}.
 */
public final class ShapeKernels {

    private ShapeKernels() {
    }

    /** {@code x} with dimensions {@code d0} and {@code d1} swapped (negative dims count from the end). */
    public static Tensor transpose(Tensor x, int d0, int d1) {
        int rank = x.dim();
        int[] perm = Shapes.range(rank);
        int a = Shapes.wrapDim(d0, rank);
        int b = Shapes.wrapDim(d1, rank);
        if (rank == 0) {
            return x.withShape();
        }
        perm[a] = b;
        perm[b] = a;
        return permute(x, perm);
    }

    /** Result dimension {@code i} is input dimension {@code perm[i]}. */
    public static Tensor permute(Tensor x, int[] perm) {
        int[] shape = x.shape();
        int[] outShape = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            outShape[i] = shape[perm[i]];
        }
        return Tensor.fromDoubles(x.dtype(), outShape, Movement.permute(x.doubles(), shape, perm));
    }

    /** The elements {@code start[d] + i * step[d]} ({@code i < size[d]}) of each dim d of {@code x}, copied. */
    public static Tensor slice(Tensor x, int[] start, int[] step, int[] size) {
        Shapes.checkSlice(x.shape(), start, step, size);
        return Tensor.fromDoubles(x.dtype(), size.clone(),
                Movement.slice(x.doubles(), x.shape(), start, step, size));
    }

    /** The transpose of {@link #slice}: {@code g} at the slice's positions of zeros of {@code shape}. */
    public static Tensor sliceBackward(Tensor g, int[] shape, int[] start, int[] step) {
        Shapes.checkSlice(shape, start, step, g.shape());
        return Tensor.fromDoubles(g.dtype(), shape.clone(),
                Movement.sliceBackward(g.doubles(), shape, start, step, g.shape()));
    }

    /** {@code x} viewed with {@code shape} (one entry may be -1), sharing storage. */
    public static Tensor reshape(Tensor x, int[] shape) {
        return x.withShape(Shapes.inferReshape(shape, x.numel()));
    }

    /** The shape {@code torch.flatten(x, start, end)} gives. */
    public static int[] flattenShape(int[] shape, int startDim, int endDim) {
        if (shape.length == 0) {
            return new int[] {1};
        }
        int s = Shapes.wrapDim(startDim, shape.length);
        int e = Shapes.wrapDim(endDim, shape.length);
        if (s > e) {
            throw new IllegalArgumentException("flatten() has invalid args: start_dim cannot come after end_dim");
        }
        int[] out = new int[shape.length - (e - s)];
        int j = 0;
        for (int i = 0; i < s; i++) {
            out[j++] = shape[i];
        }
        int merged = 1;
        for (int i = s; i <= e; i++) {
            merged *= shape[i];
        }
        out[j++] = merged;
        for (int i = e + 1; i < shape.length; i++) {
            out[j++] = shape[i];
        }
        return out;
    }
}
