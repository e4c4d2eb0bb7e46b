package dev.modelc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The chunk sums of {@link JavaChunkSums} with its sixteen chains as the lanes of one 16-lane vector (512 bits) or two
 * 8-lane ones (256 bits), the preferred width of the JVM, so the products' vectors stay the only vector shape in use
 * (a second shape beside them made C2 box the products' tile on JDK 17: {@code VectorGemm}). Other widths take the
 * plain loop. Lane k of the accumulator holds chain k, so the same additions happen in the same order.
 */
final class VectorChunkSums extends JavaChunkSums {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

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
