package dev.modelc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API form of {@link JavaPooling}'s row of 2 x 2 windows at column stride 2, with the same results to the
 * bit. The floats under a run of windows in the top row are split into their even (a) and odd (b) columns by
 * rearranges, and the same in the bottom row (c, d); the first maximum in window order is then three lane compares
 * and blends: the top pair's second element if {@code b > a}, the bottom pair's if {@code d > c}, the bottom pair if
 * its winner is strictly greater than the top's. A float {@code >} treats -0 and +0 as equal, as the plain loop's
 * integer keys do, and the blends pick the element itself, so the value keeps the sign of its zero. The position is
 * the window's top-left corner plus 0, 1, w or w + 1, blended from the same masks (as the bit patterns of those ints
 * in float lanes) and added as int lanes. A float compare is false for NaN, so the lanes also sum every window's four
 * values, and a row whose sum is NaN (a NaN, or infinities of both signs) is done again by the general search, as the
 * plain loop does.
 *
 * <p>Rows of at least L windows (L the lanes of the preferred vector: 16 floats with AVX-512, 8 with AVX2) take L
 * windows per vector, from two loads of each row; the last vector is placed to end at the row's end, overlapping the
 * one before (its windows are written twice with the same results). Rows of L/2 to L windows (the CNN's 12, with
 * AVX-512) take L/2 windows per vector, from one load of each row, whose upper half repeats the lower one; the whole
 * vector is stored, so each store runs L/2 outputs past its windows, which the next store or the rest of the call
 * writes again. That needs L/2 outputs after the row that the call writes later; a row without them (the last of the
 * call) and rows of fewer than L/2 windows take the plain loop. The vectors are of the preferred shape only: a
 * second shape in the same JVM (256-bit vectors next to the 512-bit matrix product) left the product's compiled
 * loop allocating boxed vectors, as type profiles in the Vector API's shared code then saw two vector classes; and
 * JDK 17 compiles no masked store, which boxed every vector.
 */
final class VectorPooling extends JavaPooling {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
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

    /**
     * Whether this machine's preferred vectors suit the loop: float and int vectors of one shape, 8 floats or more
     * (AVX and newer; with SSE only, JDK 17 compiles no float compare of 4 lanes).
     */
    static boolean fits() {
        return F.length() >= 8 && I.length() == L;
    }

    @Override
    void pairs(float[] x, float[] out, int[] argmax, int o, int xo, int h, int w, int i0, int from, int to, int pw,
               int free) {
        int n = to - from;
        if (n >= L) {
            whole(x, out, argmax, o, xo, h, w, i0, from, to, pw);
        } else if (n >= L / 2 && o + to + L / 2 <= free) {
            halves(x, out, argmax, o, xo, h, w, i0, from, to, pw);
        } else {
            super.pairs(x, out, argmax, o, xo, h, w, i0, from, to, pw, free);
        }
    }

    /** A row of at least L windows, L per vector. */
    private static void whole(float[] x, float[] out, int[] argmax, int o, int xo, int h, int w, int i0, int from,
                              int to, int pw) {
        int n = to - from;
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

    /** A row of L/2 to L windows, L/2 per vector; each store runs L/2 outputs past its windows. */
    private static void halves(float[] x, float[] out, int[] argmax, int o, int xo, int h, int w, int i0, int from,
                               int to, int pw) {
        int n = to - from;
        int at0 = xo + i0 * w + from * 2 - pw;
        FloatVector zero = FloatVector.zero(F);
        FloatVector below = IntVector.broadcast(I, w).reinterpretAsFloats();
        FloatVector belowRight = IntVector.broadcast(I, w + 1).reinterpretAsFloats();
        FloatVector probe = zero;
        for (int k = 0; k < n; k += L / 2) {
            int q = Math.min(k, n - L / 2);
            int top = at0 + 2 * q;
            FloatVector t = FloatVector.fromArray(F, x, top);
            FloatVector u = FloatVector.fromArray(F, x, top + w);
            FloatVector a = t.rearrange(EVEN);
            FloatVector b = t.rearrange(ODD);
            FloatVector c = u.rearrange(EVEN);
            FloatVector d = u.rearrange(ODD);
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
