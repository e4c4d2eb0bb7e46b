package dev.modelc.runtime.numeric;

import java.util.Arrays;

/** Shape arithmetic shared by the kernels and the operations: element counts, dimension wrapping, reshape inference. */
public final class Shapes {

    private Shapes() {
    }

    /**
     * Checks that a slice fits {@code shape}: one start, step and size per dim, starts and sizes within the dim,
     * steps positive, and the last element {@code start + (size - 1) * step} inside it.
     */
    public static void checkSlice(int[] shape, int[] start, int[] step, int[] size) {
        if (start.length != shape.length || step.length != shape.length || size.length != shape.length) {
            throw new IllegalArgumentException("slice of rank " + start.length + " does not fit shape "
                    + java.util.Arrays.toString(shape));
        }
        for (int d = 0; d < shape.length; d++) {
            long last = start[d] + (long) (size[d] - 1) * step[d];
            if (step[d] < 1 || start[d] < 0 || size[d] < 1 || last >= shape[d]) {
                throw new IllegalArgumentException("slice " + start[d] + " + " + step[d] + " * i, i < " + size[d]
                        + " does not fit dimension " + d + " of size " + shape[d]);
            }
        }
    }

    public static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** {@code d} made non-negative for a tensor of rank {@code rank}; scalars accept 0 and -1, as in PyTorch. */
    public static int wrapDim(int d, int rank) {
        int r = Math.max(rank, 1);
        if (d < -r || d >= r) {
            throw new IllegalArgumentException("Dimension out of range (expected to be in range of [" + (-r) + ", "
                    + (r - 1) + "], but got " + d + ")");
        }
        return d < 0 ? d + r : d;
    }

    /** Row-major strides of {@code shape}. */
    public static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** The row-major position of {@code index} in {@code shape}, bounds-checked. */
    public static int flatIndex(int[] index, int[] shape) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " does not fit shape "
                    + Arrays.toString(shape));
        }
        int flat = 0;
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + index[i] + " is out of bounds for dimension " + i
                        + " with size " + shape[i]);
            }
            flat = flat * shape[i] + index[i];
        }
        return flat;
    }

    /**
     * Which dimensions a reduction over {@code dims} covers: {@code null} or empty means all; negative entries count
     * from the end; a repeated dimension is an error.
     */
    public static boolean[] reducedDims(int[] dims, int rank) {
        boolean[] reduced = new boolean[rank];
        if (dims == null || dims.length == 0) {
            Arrays.fill(reduced, true);
            return reduced;
        }
        for (int d : dims) {
            int w = wrapDim(d, rank);
            if (rank == 0) {
                continue;
            }
            if (reduced[w]) {
                throw new IllegalArgumentException("dim " + w + " appears multiple times in the list of dims");
            }
            reduced[w] = true;
        }
        return reduced;
    }

    /** {@code shape} with the reduced dimensions set to 1 (the keepdim shape). */
    public static int[] keepdimShape(int[] shape, boolean[] reduced) {
        int[] out = shape.clone();
        for (int i = 0; i < shape.length; i++) {
            if (reduced[i]) {
                out[i] = 1;
            }
        }
        return out;
    }

    /** The result shape of a reduction: the keepdim shape, or with the reduced dimensions removed. */
    public static int[] reducedShape(int[] shape, boolean[] reduced, boolean keepdim) {
        if (keepdim) {
            return keepdimShape(shape, reduced);
        }
        return Arrays.stream(range(shape.length)).filter(i -> !reduced[i]).map(i -> shape[i]).toArray();
    }

    /** The target of a reshape with at most one -1 inferred from {@code numel}, with PyTorch's error messages. */
    public static int[] inferReshape(int[] target, int numel) {
        int[] out = target.clone();
        int infer = -1;
        int known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("only one dimension can be inferred");
                }
                infer = i;
            } else if (out[i] < 0) {
                throw new IllegalArgumentException("invalid shape dimension " + out[i]);
            } else {
                known *= out[i];
            }
        }
        if (infer >= 0 && known != 0 && numel % known == 0) {
            out[infer] = numel / known;
        }
        if ((infer >= 0 && (known == 0 || numel % known != 0)) || numel(out) != numel) {
            throw new IllegalArgumentException("shape '" + Arrays.toString(target) + "' is invalid for input of size "
                    + numel);
        }
        return out;
    }

    static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }
}
