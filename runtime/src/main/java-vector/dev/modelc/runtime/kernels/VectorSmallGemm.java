package dev.modelc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of the f32 row and dot loops of {@link SmallGemm} (the f64 ones are inherited):
 * <ul>
 *   <li>row ({@code C(i,:) (=|+=) sum_p A(i,p) B(p,:)}, a vector-matrix product such as a weight gradient
 *       {@code [1, B] x [B, k]}): the columns go by in blocks of one vector, each block summed over all steps p in
 *       four vector registers (steps p mod 4) and stored once; columns short of a whole vector take 128-bit
 *       vectors, the last few scalar sums;</li>
 *   <li>dot (each element of a product {@code A B^T}): a dot product in vector lanes, reduced once; runs shorter
 *       than four whole vectors use 128-bit vectors, which leave fewer values to the scalar tail (20 = 5 x 4
 *       instead of 16 + 4) and reduce in two steps;</li>
 *   <li>matVec (a matrix-vector product such as a logistic regression's {@code [B, 20] x [20, 1]}): with short rows,
 *       four rows at a time in four 128-bit sums, so that four reductions overlap and b is loaded once for
 *       four rows; long rows go through dot.</li>
 * </ul>
 * No loop here is one C2 vectorizes by itself: the plain row loop reads two arrays at different offsets, the dot
 * product is a float reduction. As in {@link VectorSgemm}, no vector is reassigned in a branch or passed to a method.
 */
final class VectorSmallGemm extends SmallGemm {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> S4 = FloatVector.SPECIES_128;
    private static final int L = S.length();
    private static final int L4 = S4.length();

    @Override
    void row(int n, int k, float[] a, int ai, int aCol, float[] b, int bOff, int bRow, float[] c, int ci,
             boolean accumulate) {
        int j = 0;
        for (; j + L <= n; j += L) {
            columns(k, a, ai, aCol, b, bOff + j, bRow, c, ci + j, accumulate);
        }
        for (; j + L4 <= n; j += L4) {
            columns4(k, a, ai, aCol, b, bOff + j, bRow, c, ci + j, accumulate);
        }
        for (; j < n; j++) {
            float s = 0f;
            for (int p = 0; p < k; p++) {
                s = Math.fma(a[ai + p * aCol], b[bOff + j + p * bRow], s);
            }
            c[ci + j] = accumulate ? c[ci + j] + s : s;
        }
    }

    /** One vector of columns of a row: {@code c[cj..] (+)= sum_p a[ai + p aCol] b[bj + p bRow ..]}. */
    private static void columns(int k, float[] a, int ai, int aCol, float[] b, int bj, int bRow, float[] c, int cj,
                                boolean accumulate) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        int p = 0;
        for (; p + 3 < k; p += 4) {
            s0 = FloatVector.fromArray(S, b, bj + p * bRow).fma(FloatVector.broadcast(S, a[ai + p * aCol]), s0);
            s1 = FloatVector.fromArray(S, b, bj + (p + 1) * bRow)
                    .fma(FloatVector.broadcast(S, a[ai + (p + 1) * aCol]), s1);
            s2 = FloatVector.fromArray(S, b, bj + (p + 2) * bRow)
                    .fma(FloatVector.broadcast(S, a[ai + (p + 2) * aCol]), s2);
            s3 = FloatVector.fromArray(S, b, bj + (p + 3) * bRow)
                    .fma(FloatVector.broadcast(S, a[ai + (p + 3) * aCol]), s3);
        }
        for (; p < k; p++) { // a loop, not a branch: a vector merged from two branches is boxed
            s1 = FloatVector.fromArray(S, b, bj + p * bRow).fma(FloatVector.broadcast(S, a[ai + p * aCol]), s1);
        }
        if (accumulate) {
            FloatVector.fromArray(S, c, cj).add(s0.add(s1).add(s2.add(s3))).intoArray(c, cj);
        } else {
            s0.add(s1).add(s2.add(s3)).intoArray(c, cj);
        }
    }

    /** {@link #columns} with 128-bit vectors. */
    private static void columns4(int k, float[] a, int ai, int aCol, float[] b, int bj, int bRow, float[] c, int cj,
                                 boolean accumulate) {
        FloatVector s0 = FloatVector.zero(S4);
        FloatVector s1 = FloatVector.zero(S4);
        FloatVector s2 = FloatVector.zero(S4);
        FloatVector s3 = FloatVector.zero(S4);
        int p = 0;
        for (; p + 3 < k; p += 4) {
            s0 = FloatVector.fromArray(S4, b, bj + p * bRow).fma(FloatVector.broadcast(S4, a[ai + p * aCol]), s0);
            s1 = FloatVector.fromArray(S4, b, bj + (p + 1) * bRow)
                    .fma(FloatVector.broadcast(S4, a[ai + (p + 1) * aCol]), s1);
            s2 = FloatVector.fromArray(S4, b, bj + (p + 2) * bRow)
                    .fma(FloatVector.broadcast(S4, a[ai + (p + 2) * aCol]), s2);
            s3 = FloatVector.fromArray(S4, b, bj + (p + 3) * bRow)
                    .fma(FloatVector.broadcast(S4, a[ai + (p + 3) * aCol]), s3);
        }
        for (; p < k; p++) {
            s1 = FloatVector.fromArray(S4, b, bj + p * bRow).fma(FloatVector.broadcast(S4, a[ai + p * aCol]), s1);
        }
        if (accumulate) {
            FloatVector.fromArray(S4, c, cj).add(s0.add(s1).add(s2.add(s3))).intoArray(c, cj);
        } else {
            s0.add(s1).add(s2.add(s3)).intoArray(c, cj);
        }
    }

    @Override
    void matVec(int m, int k, float[] a, int aOff, int aRow, float[] b, int bOff, float[] c, int cOff,
                boolean accumulate) {
        if (k >= 4 * L) {
            super.matVec(m, k, a, aOff, aRow, b, bOff, c, cOff, accumulate);
            return;
        }
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            rows4(k, a, aOff + i * aRow, aRow, b, bOff, c, cOff + i, accumulate);
        }
        for (; i < m; i++) {
            float dot = dot4(a, aOff + i * aRow, b, bOff, k);
            c[cOff + i] = accumulate ? c[cOff + i] + dot : dot;
        }
    }

    /** Four rows of a matrix-vector product with 128-bit vectors: four independent sums, b loaded once for all. */
    private static void rows4(int k, float[] a, int ai, int aRow, float[] b, int bOff, float[] c, int ci,
                              boolean accumulate) {
        FloatVector s0 = FloatVector.zero(S4);
        FloatVector s1 = FloatVector.zero(S4);
        FloatVector s2 = FloatVector.zero(S4);
        FloatVector s3 = FloatVector.zero(S4);
        int p = 0;
        for (; p + L4 <= k; p += L4) {
            FloatVector x = FloatVector.fromArray(S4, b, bOff + p);
            s0 = FloatVector.fromArray(S4, a, ai + p).fma(x, s0);
            s1 = FloatVector.fromArray(S4, a, ai + aRow + p).fma(x, s1);
            s2 = FloatVector.fromArray(S4, a, ai + 2 * aRow + p).fma(x, s2);
            s3 = FloatVector.fromArray(S4, a, ai + 3 * aRow + p).fma(x, s3);
        }
        float d0 = s0.reduceLanes(VectorOperators.ADD);
        float d1 = s1.reduceLanes(VectorOperators.ADD);
        float d2 = s2.reduceLanes(VectorOperators.ADD);
        float d3 = s3.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            float x = b[bOff + p];
            d0 = Math.fma(a[ai + p], x, d0);
            d1 = Math.fma(a[ai + aRow + p], x, d1);
            d2 = Math.fma(a[ai + 2 * aRow + p], x, d2);
            d3 = Math.fma(a[ai + 3 * aRow + p], x, d3);
        }
        c[ci] = accumulate ? c[ci] + d0 : d0;
        c[ci + 1] = accumulate ? c[ci + 1] + d1 : d1;
        c[ci + 2] = accumulate ? c[ci + 2] + d2 : d2;
        c[ci + 3] = accumulate ? c[ci + 3] + d3 : d3;
    }

    @Override
    float dot(float[] x, int xOff, float[] y, int yOff, int k) {
        return k >= 4 * L ? dotWide(x, xOff, y, yOff, k) : dot4(x, xOff, y, yOff, k);
    }

    private static float dotWide(float[] x, int xOff, float[] y, int yOff, int k) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        int p = 0;
        for (; p + 2 * L <= k; p += 2 * L) {
            s0 = FloatVector.fromArray(S, x, xOff + p).fma(FloatVector.fromArray(S, y, yOff + p), s0);
            s1 = FloatVector.fromArray(S, x, xOff + p + L).fma(FloatVector.fromArray(S, y, yOff + p + L), s1);
        }
        for (; p + L <= k; p += L) {
            s0 = FloatVector.fromArray(S, x, xOff + p).fma(FloatVector.fromArray(S, y, yOff + p), s0);
        }
        float s = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            s = Math.fma(x[xOff + p], y[yOff + p], s);
        }
        return s;
    }

    private static float dot4(float[] x, int xOff, float[] y, int yOff, int k) {
        FloatVector s0 = FloatVector.zero(S4);
        int p = 0;
        for (; p + L4 <= k; p += L4) {
            s0 = FloatVector.fromArray(S4, x, xOff + p).fma(FloatVector.fromArray(S4, y, yOff + p), s0);
        }
        float s = s0.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            s = Math.fma(x[xOff + p], y[yOff + p], s);
        }
        return s;
    }
}
