package dev.modelc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of the f32 loops of {@link JavaLogistic} (the f64 ones are inherited), in the stable forms
 * {@code sigmoid(x) = (x < 0 ? e : 1) / (1 + e)} and
 * {@code bce_with_logits(x, y) = (1 - y) x + max(-x, 0) + log1p(e)}, with {@code e = exp(-|x|)}.
 * {@code lanewise(EXP)} and {@code lanewise(LOG1P)} are vector calls into the JVM's short-vector math library where
 * it has one (JDK 17 and newer on x86-64 Linux), where the plain loops make a scalar call per element. The loss
 * terms are summed in float lanes over blocks of at most 16 vectors and each block's total is added in double; the
 * elements after the last whole vector take the plain loop's arithmetic.
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
            s += acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            s += (float) FloatMath.bceWithLogits(z[i], y[i]);
        }
        return s;
    }

    private static FloatVector term(float[] z, float[] y, int i) {
        FloatVector x = FloatVector.fromArray(S, z, i);
        FloatVector t = FloatVector.fromArray(S, y, i);
        FloatVector log = x.abs().neg().lanewise(VectorOperators.EXP).lanewise(VectorOperators.LOG1P);
        return t.neg().add(1f).mul(x).add(x.neg().max(0f)).add(log);
    }

    @Override
    void sigmoid(float[] x, float[] out, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector e = v.abs().neg().lanewise(VectorOperators.EXP);
            FloatVector numerator = FloatVector.broadcast(S, 1f).blend(e, v.compare(VectorOperators.LT, 0f));
            numerator.div(e.add(1f)).intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = (float) FloatMath.sigmoid(x[i]);
        }
    }
}
