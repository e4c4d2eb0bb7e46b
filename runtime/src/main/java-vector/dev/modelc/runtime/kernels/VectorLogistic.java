package dev.modelc.runtime.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of the f32 loops of {@link JavaLogistic} (the f64 ones are inherited), in the stable forms
 * {@code sigmoid(x) = (x < 0 ? e : 1) / (1 + e)} and
 * {@code bce_with_logits(x, y) = (1 - y) x + max(-x, 0) + log1p(e)}, with {@code e = exp(-|x|)}.
 * {@code lanewise(EXP)} and {@code lanewise(LOG1P)} are vector calls into the JVM's short-vector math library where
 * it has one (JDK 17 and newer on x86-64 Linux), where the plain loops make a scalar call per element. The loss
 * terms are widened to double lanes and summed there, two vectors of sums for the two halves of each float vector;
 * the elements after the last whole vector take the plain loop's arithmetic.
 */
final class VectorLogistic extends JavaLogistic {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, S.vectorShape());
    private static final int L = S.length();

    @Override
    double sumBceWithLogits(float[] z, float[] y, int n) {
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = DoubleVector.zero(D);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector x = FloatVector.fromArray(S, z, i);
            FloatVector t = FloatVector.fromArray(S, y, i);
            FloatVector log = x.abs().neg().lanewise(VectorOperators.EXP).lanewise(VectorOperators.LOG1P);
            FloatVector term = t.neg().add(1f).mul(x).add(x.neg().max(0f)).add(log);
            s0 = s0.add((DoubleVector) term.convertShape(VectorOperators.F2D, D, 0));
            s1 = s1.add((DoubleVector) term.convertShape(VectorOperators.F2D, D, 1));
        }
        double s = s0.add(s1).reduceLanes(VectorOperators.ADD);
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
            FloatVector e = v.abs().neg().lanewise(VectorOperators.EXP);
            FloatVector numerator = FloatVector.broadcast(S, 1f).blend(e, v.compare(VectorOperators.LT, 0f));
            numerator.div(e.add(1f)).intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = (float) FloatMath.sigmoid(x[i]);
        }
    }
}
