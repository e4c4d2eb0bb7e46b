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
 * <p>{@code exp} and {@code log1p} are polynomials written out here in float lanes, made of additions, multiplications,
 * fused multiply-adds, one division and bit moves only, which give the same bits interpreted, in C1 and in C2.
 * {@code lanewise(EXP)} and {@code lanewise(LOG1P)}, the first form, did not: C2 compiles them to calls into the JVM's
 * short-vector math library while the interpreter and C1 compute each lane with {@code Math.exp}, so a model's losses
 * depended on when the JIT compiled the loop, run to run. For the same reason the lanes of a block's sum are added one
 * by one in lane order ({@code reduceLanes(ADD)} leaves the order open, and C2 on JDK 25 adds them as a tree).
 *
 * <ul>
 *   <li>e^x for x <= 89 (or NaN), within about an ulp: x = k ln 2 + r with |r| <= ln(2) / 2, e^r by its Taylor
 *       polynomial of degree 7 (truncation below 1e-8 relative), times 2^k in two halves so that results down to
 *       the subnormals round once. Below -104 the result is 0, as e^x rounds there.
 *   <li>log(1 + e) for 0 <= e <= 1 (or NaN), within about two ulps: {@code 2 atanh(s)} with
 *       {@code s = e / (2 + e)} (so |s| <= 1/3), by the series {@code 2 s (1 + s^2/3 + s^4/5 + ...)} to s^13
 *       (truncation below 1e-8 relative), 2 s added last so that the rest's roundings count a tenth.
 * </ul>
 *
 * <p>Each loop writes these steps out in full rather than calling a helper that takes and returns a vector: a loop
 * is small enough for C2 to inline into a generated pass, where it can reach its node-count cutoff
 * ({@code NodeCountInliningCutoff}) at the helper's call and pass it a boxed vector (49 KB a step of the gelu MLP on
 * JDK 25 in some JVMs; 3,700-8,800 bytes a step of the logistic regression after the CNN in one JVM on JDK 17); the
 * Vector API's own methods are inlined past the cutoff.
 *
 * <p>The loss terms are summed in float lanes over blocks of at most 16 vectors and each block's total is added in
 * double; the elements after the last whole vector take the plain loop's arithmetic.
 */
final class VectorLogistic extends JavaLogistic {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Vectors summed in float lanes before their sum is added in double. */
    private static final int BLOCK = 16;
    private static final int L = S.length();
    /**
     * The first JDK on which {@link #erf} and {@link #exp} run in lanes. On JDK 17, C2 boxed their vectors in a
     * model's JVM (1.5 MB a step of the gelu MLP, 130 MB of the transformer block, in {@code AllocationRun}), even
     * with each loop held out of its callers as a compile unit of its own ({@code -XX:CompileCommand=dontinline}:
     * 400 KB a step), though a loop of either alone allocated nothing; on JDK 25 neither allocates. JDKs between
     * were not tried, so they take the plain loops (the fused chains' split costs nothing measurable there).
     */
    static final int LANES_FROM_JDK = 25;

    /** Whether erf and exp run in lanes (else as the plain loops). */
    private final boolean transcendentalLanes;

    /** erf and exp in lanes from {@link #LANES_FROM_JDK} on. */
    VectorLogistic() {
        this(Runtime.version().feature() >= LANES_FROM_JDK);
    }

    private VectorLogistic(boolean transcendentalLanes) {
        this.transcendentalLanes = transcendentalLanes;
    }

    @Override
    JavaLogistic withTranscendentalLanes() {
        return new VectorLogistic(true);
    }

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
                // the term (1 - y) x + max(-x, 0) + log1p(exp(-|x|)), its exp and log1p written out
                FloatVector x = FloatVector.fromArray(S, z, i);
                FloatVector t = FloatVector.fromArray(S, y, i);
                FloatVector d = x.abs().neg().max(-104f);
                FloatVector w = d.fma(LOG2E, ROUND);
                FloatVector k = w.sub(ROUND).neg();
                FloatVector r = k.fma(LN2_LO, k.fma(LN2_HI, d));
                FloatVector p = E7.fma(r, E6);
                p = p.fma(r, E5);
                p = p.fma(r, E4);
                p = p.fma(r, E3);
                p = p.fma(r, E2);
                p = p.fma(r, E0);
                p = p.fma(r, E0);
                IntVector ki = w.reinterpretAsInts().sub(ROUND_BITS);
                IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
                FloatVector half1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector half2 = ki.sub(k1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector e = p.mul(half1).mul(half2);
                FloatVector h = e.add(2f);
                FloatVector l = e.sub(h.sub(2f));  // 2 + e = h + l exactly
                FloatVector q = e.div(h);
                FloatVector s1 = q.fma(l.div(h).neg(), q);
                FloatVector s2 = s1.mul(s1);
                FloatVector a = A6.fma(s2, A5);
                a = a.fma(s2, A4);
                a = a.fma(s2, A3);
                a = a.fma(s2, A2);
                a = a.fma(s2, A1);
                FloatVector log1p = s1.fma(s2.mul(a), s1.add(s1));
                acc = acc.add(t.neg().add(1f).mul(x).add(x.neg().max(0f)).add(log1p));
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

    @Override
    void sigmoid(float[] x, float[] out, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            // e = exp(-|x|)
            FloatVector d = v.abs().neg().max(-104f);
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
            FloatVector e = p.mul(half1).mul(half2);
            FloatVector numerator = FloatVector.broadcast(S, 1f).blend(e, v.compare(VectorOperators.LT, 0f));
            // 1 + e = h + l exactly; the quotient by h is then corrected for l, so 1 + e's rounding drops out
            FloatVector h = e.add(1f);
            FloatVector l = e.sub(h.sub(1f));
            FloatVector q = numerator.div(h);
            // 0 where PyTorch's exp(-x) overflows (FloatMath.SIGMOID_ZERO)
            q.fma(l.div(h).neg(), q).blend(0f, v.compare(VectorOperators.LE, FloatMath.SIGMOID_ZERO))
                    .intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = (float) FloatMath.sigmoid(x[i]);
        }
    }

    /**
     * erf in float lanes, within 4 ulps of the double erf, in {@link FloatMath#erf}'s two pieces with polynomials
     * of float precision: {@code |x|} clamped to 4 (erf rounds to 1 beyond), then {@code a P(a^2)} for
     * {@code a <= 1} and {@code 1 - e^(-a^2) h(t) / a} above, h a fit of {@code a e^(a^2) erfc(a)} in
     * {@code t = (1/a - 0.625) / 0.375} and {@code a^2} kept as {@code hi + lo} ({@code e^(-hi) (1 - lo)}); both
     * computed and one blended in, then x's sign copied (so -0 stays -0, and a NaN stays NaN). The polynomials'
     * fused multiply-adds are chains of dependent steps, so their degrees (6 and 9, against FloatMath's 11 and 11 in
     * double) set the loop's speed.
     */
    @Override
    void erf(float[] x, float[] out, int n) {
        if (!transcendentalLanes) {
            super.erf(x, out, n);
            return;
        }
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector a = v.abs().min(4f);
            FloatVector a2 = a.mul(a);
            FloatVector p = R6.fma(a2, R5);
            p = p.fma(a2, R4);
            p = p.fma(a2, R3);
            p = p.fma(a2, R2);
            p = p.fma(a2, R1);
            p = p.fma(a2, R0);
            FloatVector small = a.mul(p);
            FloatVector b = a.max(1f);
            FloatVector t = E0.div(b).fma(T_SCALE, T_SHIFT);
            FloatVector h = H9.fma(t, H8);
            h = h.fma(t, H7);
            h = h.fma(t, H6);
            h = h.fma(t, H5);
            h = h.fma(t, H4);
            h = h.fma(t, H3);
            h = h.fma(t, H2);
            h = h.fma(t, H1);
            h = h.fma(t, H0);
            FloatVector hi = b.mul(b);
            FloatVector lo = b.fma(b, hi.neg());
            // e^(-hi) (1 - lo)
            FloatVector d = hi.neg().max(-104f);
            FloatVector w = d.fma(LOG2E, ROUND);
            FloatVector k = w.sub(ROUND).neg();
            FloatVector rr = k.fma(LN2_LO, k.fma(LN2_HI, d));
            FloatVector q = E7.fma(rr, E6);
            q = q.fma(rr, E5);
            q = q.fma(rr, E4);
            q = q.fma(rr, E3);
            q = q.fma(rr, E2);
            q = q.fma(rr, E0);
            q = q.fma(rr, E0);
            IntVector ki = w.reinterpretAsInts().sub(ROUND_BITS);
            IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
            FloatVector half1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector half2 = ki.sub(k1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = q.mul(half1).mul(half2).mul(lo.neg().add(1f));
            FloatVector big = e.mul(h).div(b).neg().add(1f);
            FloatVector r = small.blend(big, a.compare(VectorOperators.GT, 1f));
            r.reinterpretAsInts().or(v.reinterpretAsInts().and(SIGN)).reinterpretAsFloats().intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = FloatMath.erf(x[i]);
        }
    }

    /**
     * e^x in float lanes, with x clamped to 89, past which e^x overflows float anyway (the result is then infinity);
     * within about an ulp of the double exp.
     */
    @Override
    void exp(float[] x, float[] out, int n) {
        if (!transcendentalLanes) {
            super.exp(x, out, n);
            return;
        }
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector d = FloatVector.fromArray(S, x, i).min(89f).max(-104f);
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
            p.mul(half1).mul(half2).intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = FloatMath.expf(x[i]);
        }
    }

    private static final int SIGN = 0x8000_0000;
    /** erf(a)/a on [0, 1], a fit of degree 6 in a^2 on Chebyshev nodes (relative error 1.4e-9, before float rounding). */
    private static final FloatVector R0 = FloatVector.broadcast(S, 1.1283791658815023f);
    private static final FloatVector R1 = FloatVector.broadcast(S, -0.37612626903580443f);
    private static final FloatVector R2 = FloatVector.broadcast(S, 0.1128359746348782f);
    private static final FloatVector R3 = FloatVector.broadcast(S, -0.026854328796052467f);
    private static final FloatVector R4 = FloatVector.broadcast(S, 0.005189311942656588f);
    private static final FloatVector R5 = FloatVector.broadcast(S, -0.0008018854992535532f);
    private static final FloatVector R6 = FloatVector.broadcast(S, 7.882497109346006e-05f);
    /** t = (1/a - 0.625) / 0.375 = (1/a) (8/3) - 5/3. */
    private static final FloatVector T_SCALE = FloatVector.broadcast(S, 8f / 3);
    private static final FloatVector T_SHIFT = FloatVector.broadcast(S, -5f / 3);
    /** a e^(a^2) erfc(a) on [1, 4], a fit of degree 9 in t on Chebyshev nodes (relative error 5.7e-9). */
    private static final FloatVector H0 = FloatVector.broadcast(S, 0.48952479012584577f);
    private static final FloatVector H1 = FloatVector.broadcast(S, -0.06434461722425357f);
    private static final FloatVector H2 = FloatVector.broadcast(S, -0.00018217250270864812f);
    private static final FloatVector H3 = FloatVector.broadcast(S, 0.003802221270007734f);
    private static final FloatVector H4 = FloatVector.broadcast(S, -0.0015421786051757296f);
    private static final FloatVector H5 = FloatVector.broadcast(S, 0.0003680206951897485f);
    private static final FloatVector H6 = FloatVector.broadcast(S, -3.119382848908199e-05f);
    private static final FloatVector H7 = FloatVector.broadcast(S, -2.5806324814078073e-05f);
    private static final FloatVector H8 = FloatVector.broadcast(S, 2.145599021296766e-05f);
    private static final FloatVector H9 = FloatVector.broadcast(S, -6.945898224806625e-06f);

    /** exp's split: the rounding constant 1.5 x 2^23, its bits and log2 e, FloatMath's ({@link FloatMath#expf}). */
    private static final float ROUND = FloatMath.ROUND_F;
    private static final int ROUND_BITS = FloatMath.ROUND_BITS;
    private static final float LOG2E = FloatMath.LOG2E_F;
    /*
     * The polynomials' constants as vectors, made once: written as broadcasts in the loops, they took C2 past its
     * node budget for inlining, and the broadcasts it left as calls boxed a vector each (12 KB a step).
     */
    /** ln 2 split so that {@code k * LN2_HI} is exact for the k that exp meets. */
    private static final FloatVector LN2_HI = FloatVector.broadcast(S, FloatMath.LN2_HI_F);
    private static final FloatVector LN2_LO = FloatVector.broadcast(S, FloatMath.LN2_LO_F);
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
}
