package dev.modelc.runtime.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of the loops of {@link JavaMasks}: a lane compare, then a blend of 1 and 0 by its mask and one
 * multiply (mulGreater), or a blend of zero into the gradient (zeroWhereEqual); the elements after the last whole
 * vector take the plain loop.
 */
final class VectorMasks extends JavaMasks {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

    @Override
    void mulGreater(float[] a, float[] x, float c, float[] out, int from, int to) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector zero = FloatVector.zero(F);
        int i = from;
        for (int upper = from + F.loopBound(to - from); i < upper; i += F.length()) {
            FloatVector mask = zero.blend(one, FloatVector.fromArray(F, x, i).compare(VectorOperators.GT, c));
            FloatVector.fromArray(F, a, i).mul(mask).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = a[i] * (x[i] > c ? 1f : 0f);
        }
    }

    @Override
    void mulGreater(double[] a, double[] x, double c, double[] out, int from, int to) {
        DoubleVector one = DoubleVector.broadcast(D, 1d);
        DoubleVector zero = DoubleVector.zero(D);
        int i = from;
        for (int upper = from + D.loopBound(to - from); i < upper; i += D.length()) {
            DoubleVector mask = zero.blend(one, DoubleVector.fromArray(D, x, i).compare(VectorOperators.GT, c));
            DoubleVector.fromArray(D, a, i).mul(mask).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = a[i] * (x[i] > c ? 1d : 0d);
        }
    }

    @Override
    void zeroWhereEqual(float[] a, float[] x, float c, float[] out, int from, int to) {
        FloatVector zero = FloatVector.zero(F);
        int i = from;
        for (int upper = from + F.loopBound(to - from); i < upper; i += F.length()) {
            VectorMask<Float> equal = FloatVector.fromArray(F, x, i).compare(VectorOperators.EQ, c);
            FloatVector.fromArray(F, a, i).blend(zero, equal).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = x[i] == c ? 0f : a[i];
        }
    }

    @Override
    void zeroWhereEqual(double[] a, double[] x, double c, double[] out, int from, int to) {
        DoubleVector zero = DoubleVector.zero(D);
        int i = from;
        for (int upper = from + D.loopBound(to - from); i < upper; i += D.length()) {
            VectorMask<Double> equal = DoubleVector.fromArray(D, x, i).compare(VectorOperators.EQ, c);
            DoubleVector.fromArray(D, a, i).blend(zero, equal).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = x[i] == c ? 0d : a[i];
        }
    }
}
