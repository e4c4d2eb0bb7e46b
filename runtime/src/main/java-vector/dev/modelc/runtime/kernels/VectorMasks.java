package dev.modelc.runtime.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of the loops of {@link JavaMasks}: a lane compare and a blend of zero into the gradient
 * ({@code zeroWhereEqual}, no multiply), or a blend of 1 and 0 (of 1 and the slope) and one multiply
 * ({@code mulGreater}, {@code scaleUnlessGreater}); then single vectors, then the plain loop for the elements after
 * the last whole vector.
 *
 * <p>Each loop is written out eight vectors a step, which keeps its method larger than C2 inlines into a hot caller
 * ({@code FreqInlineSize}, 325 bytes of bytecode; {@code VectorMasksSizeTest} holds each above it). Compiled on its own
 * the loop runs in vector registers. Inlined into a generated class's train step, a compile unit of thousands of
 * nodes, the compare and blend ran through the Vector API's Java fallback on JDK 17 with 512-bit vectors: the MLP's
 * relu gradients took 2.2-2.5% of its train step that way and 0.4% as their own compile unit, the CNN's 8.3-12.3% and
 * 2.8-4.1% (docs/kernels.md). Integer lanes instead of the masks (an and, an xor and an arithmetic shift) did not help:
 * with {@code IntVector} in the same JVM, C2 on JDK 17 compiled the products' tile with its vectors boxed.
 */
final class VectorMasks extends JavaMasks {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorOperators.Comparison EQ = VectorOperators.EQ;
    private static final VectorOperators.Comparison GT = VectorOperators.GT;
    /** Vectors a step of the unrolled loops. */
    private static final int UNROLL = 8;

    @Override
    void mulGreater(float[] a, float[] x, float c, float[] out, int from, int to) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector zero = FloatVector.zero(F);
        int l = F.length();
        int i = from;
        for (int upper = from + (to - from) / (UNROLL * l) * (UNROLL * l); i < upper; i += UNROLL * l) {
            FloatVector.fromArray(F, a, i).mul(zero.blend(one, FloatVector.fromArray(F, x, i).compare(GT, c)))
                    .intoArray(out, i);
            int j = i + l;
            FloatVector.fromArray(F, a, j).mul(zero.blend(one, FloatVector.fromArray(F, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            FloatVector.fromArray(F, a, j).mul(zero.blend(one, FloatVector.fromArray(F, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            FloatVector.fromArray(F, a, j).mul(zero.blend(one, FloatVector.fromArray(F, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            FloatVector.fromArray(F, a, j).mul(zero.blend(one, FloatVector.fromArray(F, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            FloatVector.fromArray(F, a, j).mul(zero.blend(one, FloatVector.fromArray(F, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            FloatVector.fromArray(F, a, j).mul(zero.blend(one, FloatVector.fromArray(F, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            FloatVector.fromArray(F, a, j).mul(zero.blend(one, FloatVector.fromArray(F, x, j).compare(GT, c)))
                    .intoArray(out, j);
        }
        for (int upper = from + F.loopBound(to - from); i < upper; i += l) {
            FloatVector.fromArray(F, a, i).mul(zero.blend(one, FloatVector.fromArray(F, x, i).compare(GT, c)))
                    .intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = a[i] * (x[i] > c ? 1f : 0f);
        }
    }

    @Override
    void mulGreater(double[] a, double[] x, double c, double[] out, int from, int to) {
        DoubleVector one = DoubleVector.broadcast(D, 1d);
        DoubleVector zero = DoubleVector.zero(D);
        int l = D.length();
        int i = from;
        for (int upper = from + (to - from) / (UNROLL * l) * (UNROLL * l); i < upper; i += UNROLL * l) {
            DoubleVector.fromArray(D, a, i).mul(zero.blend(one, DoubleVector.fromArray(D, x, i).compare(GT, c)))
                    .intoArray(out, i);
            int j = i + l;
            DoubleVector.fromArray(D, a, j).mul(zero.blend(one, DoubleVector.fromArray(D, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            DoubleVector.fromArray(D, a, j).mul(zero.blend(one, DoubleVector.fromArray(D, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            DoubleVector.fromArray(D, a, j).mul(zero.blend(one, DoubleVector.fromArray(D, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            DoubleVector.fromArray(D, a, j).mul(zero.blend(one, DoubleVector.fromArray(D, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            DoubleVector.fromArray(D, a, j).mul(zero.blend(one, DoubleVector.fromArray(D, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            DoubleVector.fromArray(D, a, j).mul(zero.blend(one, DoubleVector.fromArray(D, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            DoubleVector.fromArray(D, a, j).mul(zero.blend(one, DoubleVector.fromArray(D, x, j).compare(GT, c)))
                    .intoArray(out, j);
        }
        for (int upper = from + D.loopBound(to - from); i < upper; i += l) {
            DoubleVector.fromArray(D, a, i).mul(zero.blend(one, DoubleVector.fromArray(D, x, i).compare(GT, c)))
                    .intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = a[i] * (x[i] > c ? 1d : 0d);
        }
    }

    @Override
    void scaleUnlessGreater(float[] a, float[] x, float c, float s, float[] out, int from, int to) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector slope = FloatVector.broadcast(F, s);
        int l = F.length();
        int i = from;
        for (int upper = from + (to - from) / (UNROLL * l) * (UNROLL * l); i < upper; i += UNROLL * l) {
            FloatVector.fromArray(F, a, i).mul(slope.blend(one, FloatVector.fromArray(F, x, i).compare(GT, c)))
                    .intoArray(out, i);
            int j = i + l;
            FloatVector.fromArray(F, a, j).mul(slope.blend(one, FloatVector.fromArray(F, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            FloatVector.fromArray(F, a, j).mul(slope.blend(one, FloatVector.fromArray(F, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            FloatVector.fromArray(F, a, j).mul(slope.blend(one, FloatVector.fromArray(F, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            FloatVector.fromArray(F, a, j).mul(slope.blend(one, FloatVector.fromArray(F, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            FloatVector.fromArray(F, a, j).mul(slope.blend(one, FloatVector.fromArray(F, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            FloatVector.fromArray(F, a, j).mul(slope.blend(one, FloatVector.fromArray(F, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            FloatVector.fromArray(F, a, j).mul(slope.blend(one, FloatVector.fromArray(F, x, j).compare(GT, c)))
                    .intoArray(out, j);
        }
        for (int upper = from + F.loopBound(to - from); i < upper; i += l) {
            FloatVector.fromArray(F, a, i).mul(slope.blend(one, FloatVector.fromArray(F, x, i).compare(GT, c)))
                    .intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = a[i] * (x[i] > c ? 1f : s);
        }
    }

    @Override
    void scaleUnlessGreater(double[] a, double[] x, double c, double s, double[] out, int from, int to) {
        DoubleVector one = DoubleVector.broadcast(D, 1d);
        DoubleVector slope = DoubleVector.broadcast(D, s);
        int l = D.length();
        int i = from;
        for (int upper = from + (to - from) / (UNROLL * l) * (UNROLL * l); i < upper; i += UNROLL * l) {
            DoubleVector.fromArray(D, a, i).mul(slope.blend(one, DoubleVector.fromArray(D, x, i).compare(GT, c)))
                    .intoArray(out, i);
            int j = i + l;
            DoubleVector.fromArray(D, a, j).mul(slope.blend(one, DoubleVector.fromArray(D, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            DoubleVector.fromArray(D, a, j).mul(slope.blend(one, DoubleVector.fromArray(D, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            DoubleVector.fromArray(D, a, j).mul(slope.blend(one, DoubleVector.fromArray(D, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            DoubleVector.fromArray(D, a, j).mul(slope.blend(one, DoubleVector.fromArray(D, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            DoubleVector.fromArray(D, a, j).mul(slope.blend(one, DoubleVector.fromArray(D, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            DoubleVector.fromArray(D, a, j).mul(slope.blend(one, DoubleVector.fromArray(D, x, j).compare(GT, c)))
                    .intoArray(out, j);
            j += l;
            DoubleVector.fromArray(D, a, j).mul(slope.blend(one, DoubleVector.fromArray(D, x, j).compare(GT, c)))
                    .intoArray(out, j);
        }
        for (int upper = from + D.loopBound(to - from); i < upper; i += l) {
            DoubleVector.fromArray(D, a, i).mul(slope.blend(one, DoubleVector.fromArray(D, x, i).compare(GT, c)))
                    .intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = a[i] * (x[i] > c ? 1d : s);
        }
    }

    @Override
    void zeroWhereEqual(float[] a, float[] x, float c, float[] out, int from, int to) {
        FloatVector zero = FloatVector.zero(F);
        int l = F.length();
        int i = from;
        for (int upper = from + (to - from) / (UNROLL * l) * (UNROLL * l); i < upper; i += UNROLL * l) {
            FloatVector.fromArray(F, a, i).blend(zero, FloatVector.fromArray(F, x, i).compare(EQ, c)).intoArray(out, i);
            int j = i + l;
            FloatVector.fromArray(F, a, j).blend(zero, FloatVector.fromArray(F, x, j).compare(EQ, c)).intoArray(out, j);
            j += l;
            FloatVector.fromArray(F, a, j).blend(zero, FloatVector.fromArray(F, x, j).compare(EQ, c)).intoArray(out, j);
            j += l;
            FloatVector.fromArray(F, a, j).blend(zero, FloatVector.fromArray(F, x, j).compare(EQ, c)).intoArray(out, j);
            j += l;
            FloatVector.fromArray(F, a, j).blend(zero, FloatVector.fromArray(F, x, j).compare(EQ, c)).intoArray(out, j);
            j += l;
            FloatVector.fromArray(F, a, j).blend(zero, FloatVector.fromArray(F, x, j).compare(EQ, c)).intoArray(out, j);
            j += l;
            FloatVector.fromArray(F, a, j).blend(zero, FloatVector.fromArray(F, x, j).compare(EQ, c)).intoArray(out, j);
            j += l;
            FloatVector.fromArray(F, a, j).blend(zero, FloatVector.fromArray(F, x, j).compare(EQ, c)).intoArray(out, j);
        }
        for (int upper = from + F.loopBound(to - from); i < upper; i += l) {
            FloatVector.fromArray(F, a, i).blend(zero, FloatVector.fromArray(F, x, i).compare(EQ, c)).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = x[i] == c ? 0f : a[i];
        }
    }

    @Override
    void zeroWhereEqual(double[] a, double[] x, double c, double[] out, int from, int to) {
        DoubleVector zero = DoubleVector.zero(D);
        int l = D.length();
        int i = from;
        for (int upper = from + (to - from) / (UNROLL * l) * (UNROLL * l); i < upper; i += UNROLL * l) {
            DoubleVector.fromArray(D, a, i).blend(zero, DoubleVector.fromArray(D, x, i).compare(EQ, c))
                    .intoArray(out, i);
            int j = i + l;
            DoubleVector.fromArray(D, a, j).blend(zero, DoubleVector.fromArray(D, x, j).compare(EQ, c))
                    .intoArray(out, j);
            j += l;
            DoubleVector.fromArray(D, a, j).blend(zero, DoubleVector.fromArray(D, x, j).compare(EQ, c))
                    .intoArray(out, j);
            j += l;
            DoubleVector.fromArray(D, a, j).blend(zero, DoubleVector.fromArray(D, x, j).compare(EQ, c))
                    .intoArray(out, j);
            j += l;
            DoubleVector.fromArray(D, a, j).blend(zero, DoubleVector.fromArray(D, x, j).compare(EQ, c))
                    .intoArray(out, j);
            j += l;
            DoubleVector.fromArray(D, a, j).blend(zero, DoubleVector.fromArray(D, x, j).compare(EQ, c))
                    .intoArray(out, j);
            j += l;
            DoubleVector.fromArray(D, a, j).blend(zero, DoubleVector.fromArray(D, x, j).compare(EQ, c))
                    .intoArray(out, j);
            j += l;
            DoubleVector.fromArray(D, a, j).blend(zero, DoubleVector.fromArray(D, x, j).compare(EQ, c))
                    .intoArray(out, j);
        }
        for (int upper = from + D.loopBound(to - from); i < upper; i += l) {
            DoubleVector.fromArray(D, a, i).blend(zero, DoubleVector.fromArray(D, x, i).compare(EQ, c))
                    .intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = x[i] == c ? 0d : a[i];
        }
    }
}
