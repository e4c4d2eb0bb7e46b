package dev.modelc.runtime.numeric;

import dev.modelc.runtime.kernels.Movement;
import dev.modelc.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * NumPy broadcasting: the common shape of two operands, the index map that reads a smaller operand at each position
 * of the broadcast result, and its adjoint, {@link #sumTo}, which sums a broadcast gradient back to an operand's shape.
 */
public final class Broadcasting {

    private Broadcasting() {
    }

    /** The broadcast shape of {@code a} and {@code b}; an error names both shapes and the first clashing dimension. */
    public static int[] shape(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " cannot be broadcast: the size of tensor a (" + da + ") must match the size of tensor b ("
                        + db + ") at non-singleton dimension " + i);
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** True when {@code from} broadcasts to exactly {@code to}. */
    public static boolean broadcastsTo(int[] from, int[] to) {
        if (from.length > to.length) {
            return false;
        }
        int lead = to.length - from.length;
        for (int i = 0; i < from.length; i++) {
            if (from[i] != 1 && from[i] != to[lead + i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * For each row-major position of {@code to}, the row-major position in {@code from} that broadcasting reads.
     * {@code from} must broadcast to {@code to}.
     */
    public static int[] indexMap(int[] from, int[] to) {
        if (!broadcastsTo(from, to)) {
            throw new IllegalArgumentException("shape " + Arrays.toString(from) + " cannot be broadcast to "
                    + Arrays.toString(to));
        }
        int n = Shapes.numel(to);
        int[] map = new int[n];
        int rank = to.length;
        int lead = rank - from.length;
        int[] fromStrides = Shapes.strides(from);
        int[] step = new int[rank];
        for (int i = 0; i < from.length; i++) {
            step[lead + i] = from[i] == 1 ? 0 : fromStrides[i];
        }
        int[] counter = new int[rank];
        int pos = 0;
        for (int i = 0; i < n; i++) {
            map[i] = pos;
            for (int d = rank - 1; d >= 0; d--) {
                counter[d]++;
                pos += step[d];
                if (counter[d] < to[d]) {
                    break;
                }
                pos -= step[d] * counter[d];
                counter[d] = 0;
            }
        }
        return map;
    }

    /** {@code x} broadcast (copied) to {@code shape}. */
    public static Tensor expand(Tensor x, int[] shape) {
        if (!broadcastsTo(x.shape(), shape)) {
            throw new IllegalArgumentException("shape " + Arrays.toString(x.shape()) + " cannot be broadcast to "
                    + Arrays.toString(shape));
        }
        return Tensor.fromDoubles(x.dtype(), shape, Movement.broadcast(x.doubles(), x.shape(), shape));
    }

    /**
     * The adjoint of broadcasting: {@code g} (of a broadcast result's shape) summed over the positions that read the
     * same element of an operand of {@code shape}. Returns {@code g} itself when the shapes already agree.
     */
    public static Tensor sumTo(Tensor g, int[] shape) {
        int[] gShape = g.shape();
        if (Arrays.equals(gShape, shape)) {
            return g;
        }
        int[] map = indexMap(shape, gShape);
        double[] v = g.doubles();
        double[] out = new double[Shapes.numel(shape)];
        for (int i = 0; i < map.length; i++) {
            out[map[i]] += v[i];
        }
        return Tensor.fromDoubles(g.dtype(), shape, out);
    }
}
