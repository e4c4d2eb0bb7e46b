package dev.modelc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorPoolRows}'s blocks in 512-bit vectors (machines with AVX-512, where the matrix products use them too, so
 * no second vector shape runs beside theirs): sixteen outputs at a time, four groups of four windows, two groups
 * (sixteen input columns of each of their two rows) to a vector; within it the same decisions as the 256-bit block's,
 * and the even lanes of the two vectors are gathered into one by one rearrange each and a blend. A block whose loads
 * would run past either end of the input takes the plain loop, as do rows of fewer than sixteen outputs and all rows
 * until the warm-up rent is paid ({@link WarmupRent}). It does not extend {@link VectorPoolRows}: that class's 256-bit
 * constants, made at its initialization, would put a second vector shape through the Vector API's shared code.
 */
final class VectorPoolRows512 extends JavaPoolRows {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    /** Outputs a block writes. */
    private static final int BLOCK = 16;
    /** The even lanes, in both halves. */
    private static final VectorShuffle<Float> EVENS =
            VectorShuffle.fromValues(F, 0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14);
    /** The high half: the second group of a pair, and the second pair's outputs. */
    private static final VectorMask<Float> HIGH = quarters(F, false, false, true, true);
    /** The second, third and fourth groups' outputs. */
    private static final VectorMask<Integer> Q1_INTS = quarters(I, false, true, false, false);
    private static final VectorMask<Integer> Q2_INTS = quarters(I, false, false, true, false);
    private static final VectorMask<Integer> Q3_INTS = quarters(I, false, false, false, true);
    /**
     * {@link VectorPoolRows}'s positions as bit patterns ({@code column + (row << 16)}), for two groups of eight
     * columns (left, right, bottom left, bottom right).
     */
    private static final float[] PLACES = new float[4 * BLOCK];

    static {
        for (int lane = 0; lane < BLOCK; lane++) {
            int column = lane % 8;
            PLACES[lane] = Float.intBitsToFloat(column);
            PLACES[BLOCK + lane] = Float.intBitsToFloat(column + 1);
            PLACES[2 * BLOCK + lane] = Float.intBitsToFloat(column + (1 << 16));
            PLACES[3 * BLOCK + lane] = Float.intBitsToFloat(column + 1 + (1 << 16));
        }
    }

    private static <E> VectorMask<E> quarters(VectorSpecies<E> species, boolean... set) {
        boolean[] lanes = new boolean[BLOCK];
        for (int lane = 0; lane < BLOCK; lane++) {
            lanes[lane] = set[lane / 4];
        }
        return VectorMask.fromArray(species, lanes, 0);
    }

    private final WarmupRent rent;

    /** Blocks after the plain loop has taken {@code rent} outputs ({@link WarmupRent}). */
    VectorPoolRows512(long rent) {
        this.rent = new WarmupRent(rent);
    }

    @Override
    JavaPoolRows withRent(long outputs) {
        return new VectorPoolRows512(outputs);
    }

    /**
     * When every output row holds whole groups of four outputs ({@code ow} a multiple of 4) and the rows hold at
     * least sixteen, the rows go as one sequence of groups (the CNN's 12-wide rows are three groups), each block's
     * four groups read from their own rows, the last block overlapping the one before; otherwise, and until the rent
     * is paid, a row at a time through {@link #row} (which counts the rent).
     */
    @Override
    float rows(float[] x, float[] out, int[] argmax, int at0, int o, int rows, int from, int to, int ow, int w) {
        int n = rows * ow;
        if (from != 0 || to != ow || ow % 4 != 0 || n < BLOCK || !rent.bought()) {
            return super.rows(x, out, argmax, at0, o, rows, from, to, ow, w);   // a row at a time through row
        }
        boolean nan = false;
        int lastGroup = n / 4 - 4;                 // the first group of the last block
        for (int g = 0; ; g = Math.min(g + 4, lastGroup)) {
            nan |= block(x, out, argmax, start(at0, g, ow, w), start(at0, g + 1, ow, w), start(at0, g + 2, ow, w),
                    start(at0, g + 3, ow, w), o + 4 * g, w);
            if (g == lastGroup) {
                break;
            }
        }
        return nan ? Float.NaN : 0f;
    }

    /** Where group {@code g}'s first window starts: its output row {@code 4g / ow} and column {@code 4g % ow}. */
    private static int start(int at0, int g, int ow, int w) {
        int r = 4 * g / ow;
        return at0 + 2 * (r * w + 4 * g - r * ow);
    }

    @Override
    float row(float[] x, float[] out, int[] argmax, int at0, int row, int from, int to, int w) {
        if (to - from < BLOCK || rent.renting(to - from)) {
            return plainRow(x, out, argmax, at0, row, from, to, w);
        }
        boolean nan = false;
        int last = to - BLOCK;
        for (int oj = from; ; oj = Math.min(oj + BLOCK, last)) {
            int at = at0 + 2 * (oj - from);
            nan |= block(x, out, argmax, at, at + 8, at + 16, at + 24, row + oj, w);
            if (oj == last) {
                break;
            }
        }
        return nan ? Float.NaN : 0f;
    }

    /**
     * Sixteen outputs from {@code o}: four for each of the groups whose first windows start at {@code a0}, ...,
     * {@code a3} (their windows 2 apart, their bottom rows {@code w} further); whether the inputs hold a NaN (or
     * infinities of both signs). Two groups share a vector, the second's columns loaded into the high half (a load
     * from 8 before it, blended in), and each column's right neighbour is loaded from one further on rather than
     * moved across lanes. The loads reach 8 before {@code a1} and {@code a3} and 17 after {@code a0} and
     * {@code a2}, so a block that would pass either end of x is done by the plain loop. Vectors stay inside this
     * method: passed to or returned from one, they would be boxed.
     */
    private static boolean block(float[] x, float[] out, int[] argmax, int a0, int a1, int a2, int a3, int o, int w) {
        if (Math.min(a1, a3) < 8 || Math.max(a0, a2) + w + BLOCK + 1 > x.length
                || Math.max(a1, a3) + w + 9 > x.length) {
            float probe = plainRow(x, out, argmax, a0, o, 0, 4, w) + plainRow(x, out, argmax, a1, o + 4, 0, 4, w)
                    + plainRow(x, out, argmax, a2, o + 8, 0, 4, w) + plainRow(x, out, argmax, a3, o + 12, 0, 4, w);
            return probe != probe;
        }
        FloatVector left = FloatVector.fromArray(F, PLACES, 0);
        FloatVector right = FloatVector.fromArray(F, PLACES, BLOCK);
        FloatVector down = FloatVector.fromArray(F, PLACES, 2 * BLOCK);
        FloatVector downRight = FloatVector.fromArray(F, PLACES, 3 * BLOCK);

        // groups 0 and 1: the top pair's winner, the bottom pair's, then the two rows'
        FloatVector t = FloatVector.fromArray(F, x, a0).blend(FloatVector.fromArray(F, x, a1 - 8), HIGH);
        FloatVector tr = FloatVector.fromArray(F, x, a0 + 1).blend(FloatVector.fromArray(F, x, a1 - 7), HIGH);
        FloatVector b = FloatVector.fromArray(F, x, a0 + w).blend(FloatVector.fromArray(F, x, a1 + w - 8), HIGH);
        FloatVector br = FloatVector.fromArray(F, x, a0 + w + 1).blend(FloatVector.fromArray(F, x, a1 + w - 7), HIGH);
        FloatVector probe = t.add(b);
        VectorMask<Float> tRight = tr.compare(VectorOperators.GT, t);
        VectorMask<Float> bRight = br.compare(VectorOperators.GT, b);
        FloatVector top = t.blend(tr, tRight);
        FloatVector low = b.blend(br, bRight);
        VectorMask<Float> bottom = low.compare(VectorOperators.GT, top);
        FloatVector values = top.blend(low, bottom).rearrange(EVENS);
        FloatVector offsets = left.blend(right, tRight).blend(down.blend(downRight, bRight), bottom).rearrange(EVENS);

        // groups 2 and 3, the same
        t = FloatVector.fromArray(F, x, a2).blend(FloatVector.fromArray(F, x, a3 - 8), HIGH);
        tr = FloatVector.fromArray(F, x, a2 + 1).blend(FloatVector.fromArray(F, x, a3 - 7), HIGH);
        b = FloatVector.fromArray(F, x, a2 + w).blend(FloatVector.fromArray(F, x, a3 + w - 8), HIGH);
        br = FloatVector.fromArray(F, x, a2 + w + 1).blend(FloatVector.fromArray(F, x, a3 + w - 7), HIGH);
        probe = probe.add(t.add(b));
        tRight = tr.compare(VectorOperators.GT, t);
        bRight = br.compare(VectorOperators.GT, b);
        top = t.blend(tr, tRight);
        low = b.blend(br, bRight);
        bottom = low.compare(VectorOperators.GT, top);
        values = values.blend(top.blend(low, bottom).rearrange(EVENS), HIGH);
        offsets = offsets.blend(left.blend(right, tRight).blend(down.blend(downRight, bRight), bottom)
                .rearrange(EVENS), HIGH);

        values.intoArray(out, o);
        if (argmax != null) {
            IntVector p = offsets.reinterpretAsInts();
            IntVector base = IntVector.broadcast(I, a0).blend(IntVector.broadcast(I, a1), Q1_INTS)
                    .blend(IntVector.broadcast(I, a2), Q2_INTS).blend(IntVector.broadcast(I, a3), Q3_INTS);
            p.add(p.lanewise(VectorOperators.LSHR, 16).mul(w - (1 << 16))).add(base).intoArray(argmax, o);
        }
        return probe.test(VectorOperators.IS_NAN).anyTrue();
    }
}
