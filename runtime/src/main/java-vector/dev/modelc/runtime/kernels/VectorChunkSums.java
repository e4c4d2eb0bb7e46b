package dev.modelc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sums of {@link JavaChunkSums} in vector lanes: the column sums with a column per lane, and the chunk sums with
 * the sixteen chains as the lanes of one 16-lane vector (512 bits) or two 8-lane ones (256 bits). Both use the
 * preferred width of the JVM, so the products' vectors stay the only vector shape in use (a second shape beside them
 * made C2 box the products' tile on JDK 17: {@code VectorGemm}); the chunk sums of other widths take the plain loop.
 * Each lane holds one chain, so the same additions happen in the same order.
 */
final class VectorChunkSums extends JavaChunkSums {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    /**
     * Four vectors of columns at a time (four independent chains of vector adds), then one at a time, then the plain
     * loop's chains for the columns after the last whole vector.
     */
    @Override
    void columns(float[] x, int from, int stride, int rows, int n, float[] lanes) {
        int i = 0;
        for (; i + 4 * L <= n; i += 4 * L) {
            int q = from + i;
            FloatVector s0 = FloatVector.fromArray(F, x, q);
            FloatVector s1 = FloatVector.fromArray(F, x, q + L);
            FloatVector s2 = FloatVector.fromArray(F, x, q + 2 * L);
            FloatVector s3 = FloatVector.fromArray(F, x, q + 3 * L);
            for (int r = 1; r < rows; r++) {
                q += stride;
                s0 = s0.add(FloatVector.fromArray(F, x, q));
                s1 = s1.add(FloatVector.fromArray(F, x, q + L));
                s2 = s2.add(FloatVector.fromArray(F, x, q + 2 * L));
                s3 = s3.add(FloatVector.fromArray(F, x, q + 3 * L));
            }
            s0.intoArray(lanes, i);
            s1.intoArray(lanes, i + L);
            s2.intoArray(lanes, i + 2 * L);
            s3.intoArray(lanes, i + 3 * L);
        }
        for (; i + L <= n; i += L) {
            int q = from + i;
            FloatVector s0 = FloatVector.fromArray(F, x, q);
            for (int r = 1; r < rows; r++) {
                q += stride;
                s0 = s0.add(FloatVector.fromArray(F, x, q));
            }
            s0.intoArray(lanes, i);
        }
        for (; i < n; i++) {
            float s = x[from + i];
            for (int r = 1; r < rows; r++) {
                s += x[from + r * stride + i];
            }
            lanes[i] = s;
        }
    }

    @Override
    float chunk(float[] x, int from, int to) {
        if (L == 16) {
            FloatVector acc = FloatVector.zero(F);
            int j = from;
            for (; j + 16 <= to; j += 16) {
                acc = acc.add(FloatVector.fromArray(F, x, j));
            }
            float c0 = acc.lane(0);
            for (; j < to; j++) {
                c0 += x[j];
            }
            return tree(c0, acc.lane(1), acc.lane(2), acc.lane(3), acc.lane(4), acc.lane(5), acc.lane(6),
                    acc.lane(7), acc.lane(8), acc.lane(9), acc.lane(10), acc.lane(11), acc.lane(12), acc.lane(13),
                    acc.lane(14), acc.lane(15));
        }
        if (L == 8) {
            FloatVector lo = FloatVector.zero(F);
            FloatVector hi = FloatVector.zero(F);
            int j = from;
            for (; j + 16 <= to; j += 16) {
                lo = lo.add(FloatVector.fromArray(F, x, j));
                hi = hi.add(FloatVector.fromArray(F, x, j + 8));
            }
            float c0 = lo.lane(0);
            for (; j < to; j++) {
                c0 += x[j];
            }
            return tree(c0, lo.lane(1), lo.lane(2), lo.lane(3), lo.lane(4), lo.lane(5), lo.lane(6), lo.lane(7),
                    hi.lane(0), hi.lane(1), hi.lane(2), hi.lane(3), hi.lane(4), hi.lane(5), hi.lane(6), hi.lane(7));
        }
        return super.chunk(x, from, to);
    }
}
