package dev.modelc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of the f32 loops of {@link JavaLogistic} (the f64 ones are inherited), in the stable forms
 * {@code sigmoid(x) = (x < 0 ? e : 1) / (1 + e)} and
 * {@code bce_with_logits(x, y) = (1 - y) x + max(-x, 0) + log1p(e)}, with {@code e = exp(-|x|)}.
 *
 * <p>{@code exp} and {@code log1p} are polynomials written out here in float lanes ({@link #exp}, {@link #log1p}),
 * made of additions, multiplications, fused multiply-adds, one division and bit moves only, which give the same
 * bits interpreted, in C1 and in C2. {@code lanewise(EXP)} and {@code lanewise(LOG1P)}, the first form, did not: C2
 * compiles them to calls into the JVM's short-vector math library while the interpreter and C1 compute each lane
 * with {@code Math.exp}, so a model's losses depended on when the JIT compiled the loop, run to run. For the same
 * reason the lanes of a block's sum are added one by one in lane order ({@code reduceLanes(ADD)} leaves the order
 * open, and C2 on JDK 25 adds them as a tree).
 *
 * <p>The loss terms are summed in float lanes over blocks of at most 16 vectors and each block's total is added in
 * double; the elements after the last whole vector take the plain loop's arithmetic.
 */
final class VectorLogistic extends JavaLogistic {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Vectors summed in float lanes before their sum is added in double. */
    private static final int BLOCK = 16;
    private static final int L = S.length();

    @Override
    double sumBceWithLogits(float[] z, float[] y, int n) {
        // Float lanes summed over blocks of at most BLOCK vectors, each block's lanes then added in double: widening
        // every vector to double lanes (convertShape F2D) left boxed vectors on JDK 17. The terms are never negative,
        // so a block's float sum is within BLOCK float roundings of exact.
        double s = 0;
        int i = 0;
        while (i + L <= n) {
            int last = Math.min(n - L, i + (BLOCK - 1) * L);
            FloatVector acc = FloatVector.zero(S);
            for (; i <= last; i += L) {
                acc = acc.add(term(z, y, i));
            }
            float block = 0;
            for (int l = 0; l < L; l++) {
                block += acc.lane(l);
            }
            s += block;
        }
        for (; i < n; i++) {
            s += (float) FloatMath.bceWithLogits(z[i], y[i]);
        }
        return s;
    }

    private static FloatVector term(float[] z, float[] y, int i) {
        FloatVector x = FloatVector.fromArray(S, z, i);
        FloatVector t = FloatVector.fromArray(S, y, i);
        return t.neg().add(1f).mul(x).add(x.neg().max(0f)).add(log1p(exp(x.abs().neg())));
    }

    @Override
    void sigmoid(float[] x, float[] out, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector e = exp(v.abs().neg());
            FloatVector numerator = FloatVector.broadcast(S, 1f).blend(e, v.compare(VectorOperators.LT, 0f));
            // 1 + e = h + l exactly; the quotient by h is then corrected for l, so 1 + e's rounding drops out
            FloatVector h = e.add(1f);
            FloatVector l = e.sub(h.sub(1f));
            FloatVector q = numerator.div(h);
            q.fma(l.div(h).neg(), q).intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = (float) FloatMath.sigmoid(x[i]);
        }
    }

    /** 1.5 x 2^23: adding it rounds a float of magnitude below 2^22 to an integer, left in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    private static final float LOG2E = 1.44269504f;
    /*
     * The polynomials' constants as vectors, made once: written as broadcasts in the loops, they took C2 past its
     * node budget for inlining, and the broadcasts it left as calls boxed a vector each (12 KB a step).
     */
    /** ln 2 split so that {@code k * LN2_HI} is exact for the k {@link #exp} meets. */
    private static final FloatVector LN2_HI = FloatVector.broadcast(S, 0.693359375f);
    private static final FloatVector LN2_LO = FloatVector.broadcast(S, -2.12194440e-4f);
    /** 1/n! for n = 0, ..., 7 (E0 serves n = 0 and 1): e^r's Taylor polynomial. */
    private static final FloatVector E0 = FloatVector.broadcast(S, 1f);
    private static final FloatVector E2 = FloatVector.broadcast(S, 1f / 2);
    private static final FloatVector E3 = FloatVector.broadcast(S, 1f / 6);
    private static final FloatVector E4 = FloatVector.broadcast(S, 1f / 24);
    private static final FloatVector E5 = FloatVector.broadcast(S, 1f / 120);
    private static final FloatVector E6 = FloatVector.broadcast(S, 1f / 720);
    private static final FloatVector E7 = FloatVector.broadcast(S, 1f / 5040);
    /** 2/(2n+1) for n = 1, ..., 6: 2 atanh(s) = 2 s + s * s^2 * (2/3 + 2/5 s^2 + ...). */
    private static final FloatVector A1 = FloatVector.broadcast(S, 2f / 3);
    private static final FloatVector A2 = FloatVector.broadcast(S, 2f / 5);
    private static final FloatVector A3 = FloatVector.broadcast(S, 2f / 7);
    private static final FloatVector A4 = FloatVector.broadcast(S, 2f / 9);
    private static final FloatVector A5 = FloatVector.broadcast(S, 2f / 11);
    private static final FloatVector A6 = FloatVector.broadcast(S, 2f / 13);

    /**
     * e^x for x <= 0 (or NaN), within about an ulp: x = k ln 2 + r with |r| <= ln(2) / 2, e^r by its Taylor
     * polynomial of degree 7 (truncation below 1e-8 relative), times 2^k in two halves so that results down to the
     * subnormals round once. Below -104 the result is 0, as e^x rounds there.
     */
    private static FloatVector exp(FloatVector x) {
        FloatVector d = x.max(-104f);
        FloatVector t = d.fma(LOG2E, ROUND);
        FloatVector k = t.sub(ROUND).neg();
        FloatVector r = k.fma(LN2_LO, k.fma(LN2_HI, d));
        FloatVector p = E7.fma(r, E6);
        p = p.fma(r, E5);
        p = p.fma(r, E4);
        p = p.fma(r, E3);
        p = p.fma(r, E2);
        p = p.fma(r, E0);
        p = p.fma(r, E0);
        IntVector ki = t.reinterpretAsInts().sub(ROUND_BITS);
        IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
        FloatVector half1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector half2 = ki.sub(k1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(half1).mul(half2);
    }

    /**
     * log(1 + e) for 0 <= e <= 1 (or NaN), within about two ulps: {@code 2 atanh(s)} with {@code s = e / (2 + e)}
     * (so |s| <= 1/3), by the series {@code 2 s (1 + s^2/3 + s^4/5 + ...)} to s^13 (truncation below 1e-8
     * relative), 2 s added last so that the rest's roundings count a tenth.
     */
    private static FloatVector log1p(FloatVector e) {
        FloatVector h = e.add(2f);
        FloatVector l = e.sub(h.sub(2f));  // 2 + e = h + l exactly
        FloatVector q = e.div(h);
        FloatVector s = q.fma(l.div(h).neg(), q);
        FloatVector s2 = s.mul(s);
        FloatVector p = A6.fma(s2, A5);
        p = p.fma(s2, A4);
        p = p.fma(s2, A3);
        p = p.fma(s2, A2);
        p = p.fma(s2, A1);
        return s.fma(s2.mul(p), s.add(s));
    }
}
