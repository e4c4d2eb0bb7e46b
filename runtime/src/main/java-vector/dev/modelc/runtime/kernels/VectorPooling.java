package dev.modelc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API form of {@link JavaPooling}'s row of 2 x 2 windows at column stride 2, with the same results to the
 * bit. A vector holds L windows: the 2L floats under them in the top row are loaded as two vectors and split into
 * their even (a) and odd (b) columns by one rearrange of each and a blend of the halves, and the same for the bottom
 * row (c, d). The first maximum in window order is then three lane compares and blends: the top pair's second
 * element if {@code b > a}, the bottom pair's if {@code d > c}, the bottom pair if its winner is strictly greater
 * than the top's. A float {@code >} treats -0 and +0 as equal, as the plain loop's integer keys do, and the blends
 * pick the element itself, so the value keeps the sign of its zero. The position is the window's top-left corner
 * plus 0, 1, w or w + 1, blended from the same masks (as the bit patterns of those ints in float lanes) and added as
 * int lanes. A row's last vector is placed to end at the row's end, overlapping the one before when L does not
 * divide the row (its windows are written twice with the same results); a row shorter than L takes the plain loop.
 * A float compare is false for NaN, so the lanes sum every window's four values, and a row whose sum is NaN (a NaN,
 * or infinities of both signs) is done again by the general search, as the plain loop does.
 *
 * <p>The vectors are 256 bits wide (8 windows) where the preferred shape is at least that wide, else 128 bits: the
 * CNN's rows are 12 windows, which a 512-bit vector of 16 floats would not fill.
 */
final class VectorPooling extends JavaPooling {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256
            ? FloatVector.SPECIES_256 : FloatVector.SPECIES_128;
    private static final VectorSpecies<Integer> I = F.length() == 8 ? IntVector.SPECIES_256 : IntVector.SPECIES_128;
    private static final int L = F.length();
    /** Lanes 0, 2, ... of a vector into both halves. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(F, i -> 2 * i % L);
    /** Lanes 1, 3, ... of a vector into both halves. */
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(F, i -> (2 * i + 1) % L);
    /** The upper half of the lanes. */
    private static final VectorMask<Float> UPPER = VectorMask.fromLong(F, ((1L << L) - 1) & ~((1L << L / 2) - 1));
    /** Each window's top-left corner relative to the first's: 0, 2, 4, ... */
    private static final IntVector CORNERS = IntVector.zero(I).addIndex(2);
    /** The int 1 as float lanes' bits. */
    private static final FloatVector ONE_BITS = IntVector.broadcast(I, 1).reinterpretAsFloats();

    /** Whether this machine's vectors are wide enough (4 floats at least). */
    static boolean fits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 128;
    }

    @Override
    void pairs(float[] x, float[] out, int[] argmax, int o, int xo, int h, int w, int i0, int from, int to, int pw) {
        int n = to - from;
        if (n < L) {
            super.pairs(x, out, argmax, o, xo, h, w, i0, from, to, pw);
            return;
        }
        int at0 = xo + i0 * w + from * 2 - pw;
        FloatVector zero = FloatVector.zero(F);
        FloatVector below = IntVector.broadcast(I, w).reinterpretAsFloats();
        FloatVector belowRight = IntVector.broadcast(I, w + 1).reinterpretAsFloats();
        FloatVector probe = zero;
        for (int k = 0; k < n; k += L) {
            int q = Math.min(k, n - L);
            int top = at0 + 2 * q;
            FloatVector t0 = FloatVector.fromArray(F, x, top);
            FloatVector t1 = FloatVector.fromArray(F, x, top + L);
            FloatVector b0 = FloatVector.fromArray(F, x, top + w);
            FloatVector b1 = FloatVector.fromArray(F, x, top + w + L);
            FloatVector a = t0.rearrange(EVEN).blend(t1.rearrange(EVEN), UPPER);
            FloatVector b = t0.rearrange(ODD).blend(t1.rearrange(ODD), UPPER);
            FloatVector c = b0.rearrange(EVEN).blend(b1.rearrange(EVEN), UPPER);
            FloatVector d = b0.rearrange(ODD).blend(b1.rearrange(ODD), UPPER);
            probe = probe.add(a.add(b).add(c.add(d)));
            VectorMask<Float> right = b.compare(VectorOperators.GT, a);
            VectorMask<Float> bottomRight = d.compare(VectorOperators.GT, c);
            FloatVector upper = a.blend(b, right);
            FloatVector lower = c.blend(d, bottomRight);
            VectorMask<Float> bottom = lower.compare(VectorOperators.GT, upper);
            upper.blend(lower, bottom).intoArray(out, o + from + q);
            if (argmax != null) {
                FloatVector offset = zero.blend(ONE_BITS, right).blend(below.blend(belowRight, bottomRight), bottom);
                offset.reinterpretAsInts().add(CORNERS).add(top).intoArray(argmax, o + from + q);
            }
        }
        if (Float.isNaN(probe.reduceLanes(VectorOperators.ADD))) {
            Pooling.edge(x, out, argmax, o, xo, h, w, i0, from, to, 2, 2, 2, pw);
        }
    }
}
