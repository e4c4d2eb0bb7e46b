package dev.modelc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API form of {@link JavaPoolRows}: eight outputs at a time, two groups of four windows (each group's eight
 * input columns of its two rows in one vector per row), in 256-bit vectors (machines with AVX2 and not AVX-512:
 * {@code VectorGemm} selects it). The same decisions as the plain loop's keys, as float comparisons (which order -0 and
 * +0 as equal, as the keys do; a NaN sends the rows to the general search in both): within each row the right column of
 * a pair wins if strictly greater (neighbouring lanes swapped by one rearrange, the pair's result in its even lane);
 * then the bottom pair's winner wins if strictly greater than the top pair's (a pair's winner is its maximum, up to the
 * sign of a zero, which compares equal); the even lanes of the two halves are gathered into one vector by one rearrange
 * each and a blend. Values are blended, never computed, so -0 stays -0; positions are blended as bit patterns (see
 * {@link #PLACES}) and finished with three integer lane operations. A row shorter than eight outputs takes the plain
 * loop, as do all rows until the warm-up rent is paid ({@link WarmupRent}); a sequence of outputs whose length is not a
 * multiple of eight ends with a block that overlaps the one before (its common outputs are written twice, with the same
 * values).
 *
 * <p>No vector lives across a loop's back edge or is passed to or returned from a method, and the block uses few
 * distinct vector operations: on JDK 17 C2 then keeps every vector in a register. (A first form with integer keys in
 * {@code IntVector}s, twice the operations, left one addition unintrinsified, boxing about 440 KB a CNN step, when
 * the JVM had run other models' Vector API code before; {@code convert(F2I)} is not intrinsified on AVX2 and boxed
 * every call; an earlier form that carried a probe vector from row to row boxed one vector per row in some JVMs.)
 */
final class VectorPoolRows extends JavaPoolRows {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    /** Each even lane meets its right neighbour. */
    private static final VectorShuffle<Float> SWAP = VectorShuffle.fromValues(F, 1, 0, 3, 2, 5, 4, 7, 6);
    /** The even lanes, in both halves. */
    private static final VectorShuffle<Float> EVENS = VectorShuffle.fromValues(F, 0, 2, 4, 6, 0, 2, 4, 6);
    private static final VectorMask<Float> UPPER =
            VectorMask.fromValues(F, false, false, false, false, true, true, true, true);
    private static final VectorMask<Integer> UPPER_INTS =
            VectorMask.fromValues(I, false, false, false, false, true, true, true, true);
    /**
     * Where each lane's input lies from the window group's start, as {@code column + (row << 16)}, in the bits of
     * four vectors of floats (left, right, bottom left, bottom right): blends and rearranges move bits without
     * reading them, and the block turns the winner's into a position with integer lane arithmetic.
     */
    private static final float[] PLACES = new float[32];

    static {
        for (int lane = 0; lane < 8; lane++) {
            PLACES[lane] = Float.intBitsToFloat(lane);
            PLACES[8 + lane] = Float.intBitsToFloat(lane + 1);
            PLACES[16 + lane] = Float.intBitsToFloat(lane + (1 << 16));
            PLACES[24 + lane] = Float.intBitsToFloat(lane + 1 + (1 << 16));
        }
    }

    private final WarmupRent rent;

    /** Blocks after the plain loop has taken {@code rent} outputs ({@link WarmupRent}). */
    VectorPoolRows(long rent) {
        this.rent = new WarmupRent(rent);
    }

    @Override
    JavaPoolRows withRent(long outputs) {
        return new VectorPoolRows(outputs);
    }

    /**
     * When every output row holds whole groups of four outputs ({@code ow} a multiple of 4) and the rows hold at least
     * eight, the rows go as one sequence of groups (the CNN's 12-wide rows are three groups, so no block overlaps),
     * each block's two groups read from their own rows; otherwise, and while the rent is paid, a row at a time
     * through {@link #row} (which counts the rent).
     */
    @Override
    float rows(float[] x, float[] out, int[] argmax, int at0, int o, int rows, int from, int to, int ow, int w) {
        int n = rows * ow;
        if (from != 0 || to != ow || ow % 4 != 0 || n < 8 || !rent.bought()) {
            return super.rows(x, out, argmax, at0, o, rows, from, to, ow, w);   // a row at a time through row
        }
        boolean nan = false;
        int lastGroup = n / 4 - 2;                 // the first group of the last block
        int r = 0;                                 // group g's output row and first column
        int j = 0;
        for (int g = 0; ; ) {
            int j1 = j + 4;
            int r1 = r;
            if (j1 == ow) {
                j1 = 0;
                r1++;
            }
            nan |= block(x, out, argmax, at0 + 2 * (r * w + j), at0 + 2 * (r1 * w + j1), o + 4 * g, w);
            if (g == lastGroup) {
                break;
            }
            g = Math.min(g + 2, lastGroup);
            r = 4 * g / ow;
            j = 4 * g - r * ow;
        }
        return nan ? Float.NaN : 0f;
    }

    @Override
    float row(float[] x, float[] out, int[] argmax, int at0, int row, int from, int to, int w) {
        if (to - from < 8 || rent.renting(to - from)) {
            return plainRow(x, out, argmax, at0, row, from, to, w);
        }
        boolean nan = false;
        int last = to - 8;
        for (int oj = from; ; oj = Math.min(oj + 8, last)) {
            int at = at0 + 2 * (oj - from);
            nan |= block(x, out, argmax, at, at + 8, row + oj, w);
            if (oj == last) {
                break;
            }
        }
        return nan ? Float.NaN : 0f;
    }

    /**
     * Eight outputs from {@code o}: four whose windows start at {@code a}, {@code a + 2}, ..., four at {@code b},
     * {@code b + 2}, ... (their bottom rows {@code w} further); whether the inputs hold a NaN (or infinities of both
     * signs). Vectors stay inside this method: passed to or returned from one, they would be boxed.
     */
    private static boolean block(float[] x, float[] out, int[] argmax, int a, int b, int o, int w) {
        FloatVector t0 = FloatVector.fromArray(F, x, a);
        FloatVector t1 = FloatVector.fromArray(F, x, b);
        FloatVector b0 = FloatVector.fromArray(F, x, a + w);
        FloatVector b1 = FloatVector.fromArray(F, x, b + w);
        boolean nan = t0.add(t1).add(b0.add(b1)).test(VectorOperators.IS_NAN).anyTrue();
        FloatVector left = FloatVector.fromArray(F, PLACES, 0);
        FloatVector right = FloatVector.fromArray(F, PLACES, 8);
        FloatVector down = FloatVector.fromArray(F, PLACES, 16);
        FloatVector downRight = FloatVector.fromArray(F, PLACES, 24);

        // the first four windows: the top pair's winner, the bottom pair's, then the two rows'
        FloatVector tr = t0.rearrange(SWAP);
        VectorMask<Float> tRight = tr.compare(VectorOperators.GT, t0);
        FloatVector br = b0.rearrange(SWAP);
        VectorMask<Float> bRight = br.compare(VectorOperators.GT, b0);
        FloatVector top = t0.blend(tr, tRight);
        FloatVector low = b0.blend(br, bRight);
        VectorMask<Float> bottom = low.compare(VectorOperators.GT, top);
        FloatVector valuesA = top.blend(low, bottom);
        FloatVector offA = left.blend(right, tRight).blend(down.blend(downRight, bRight), bottom);

        // the other four, the same
        tr = t1.rearrange(SWAP);
        tRight = tr.compare(VectorOperators.GT, t1);
        br = b1.rearrange(SWAP);
        bRight = br.compare(VectorOperators.GT, b1);
        top = t1.blend(tr, tRight);
        low = b1.blend(br, bRight);
        bottom = low.compare(VectorOperators.GT, top);
        FloatVector valuesB = top.blend(low, bottom);
        FloatVector offB = left.blend(right, tRight).blend(down.blend(downRight, bRight), bottom);

        valuesA.rearrange(EVENS).blend(valuesB.rearrange(EVENS), UPPER).intoArray(out, o);
        if (argmax != null) {
            IntVector p = offA.rearrange(EVENS).blend(offB.rearrange(EVENS), UPPER).reinterpretAsInts();
            p.add(p.lanewise(VectorOperators.LSHR, 16).mul(w - (1 << 16)))
                    .add(IntVector.broadcast(I, a).blend(IntVector.broadcast(I, b), UPPER_INTS))
                    .intoArray(argmax, o);
        }
        return nan;
    }
}
