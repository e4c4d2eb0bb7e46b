package dev.modelc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API's form of {@link SmallGemm}'s f32 products whose B has contiguous rows and at least a vector of
 * columns (a weight gradient {@code dY^T X} with few outputs: the logistic regression's {@code [1, 256] x [256, 20]}),
 * with the same bits; every other small product goes to {@link SmallGemm}.
 *
 * <p>Algorithm, for each row i of C: the row's columns as vectors from 0, L, 2L, ... (L lanes), the last one moved
 * back to end at column n when L does not divide n (overlapping the one before it: its overlapping lanes compute the
 * same values); eight vectors at a time (then four, then two), each one chain
 * {@code s = fma(broadcast A(i,p), B(p, j..j+L), s)} over p from C's values (or zero). A group with fewer vectors than
 * its loop's chains repeats its last one (five to seven in the loop of eight, three in four, one in two): eight
 * chains keep the two vector FMA units busy through the four-cycle latency, but each chain also loads a vector per
 * step, so fewer vectors take a narrower loop (the logistic regression's two vectors: 0.29 µs in the loop of two,
 * 0.60 in the loop of eight, 1.0 in SmallGemm's scalar chains, alone on one Zen 5 core). All of a group's starting
 * values are read before any of it is stored, and the moved-back vector is always in the group of the one it
 * overlaps, so with accumulation both start from C's values. Each element is the scalar loop's chain, lane for
 * lane, so the results are {@link SmallGemm}'s bits (and a split over rows gives the same bits).
 *
 * <p>Only the preferred species is used, the one the blocked kernels use: on JDK 17 a second vector shape beside
 * theirs made their compiled tiles box (docs/kernels.md). The other small products stay scalar: their reduced
 * dimension runs along the rows of A and the columns of B, where a vector form needs a horizontal sum or a gather,
 * and both measured slower than {@link SmallGemm}'s eight scalar chains on the logistic regression's
 * {@code [256, 20] x [20, 1]} (1.6 against 1.1 µs).
 */
final class VectorSmallGemm {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorSmallGemm() {
    }

    /** The lanes of a vector: products of fewer columns stay scalar. */
    static int lanes() {
        return L;
    }

    /** As {@link SmallGemm#run}; the same bits. */
    static void run(int m, int n, int k, float[] a, int aOff, int aRow, int aCol,
                    float[] b, int bOff, int bRow, int bCol, float[] c, int cOff, boolean accumulate) {
        if (bCol != 1 || n < L) {
            SmallGemm.run(m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, accumulate);
            return;
        }
        int vectors = (n + L - 1) / L;
        boolean movedBack = n % L != 0;
        for (int i = 0; i < m; i++) {
            int ai = aOff + i * aRow, ci = cOff + i * n;
            for (int v = 0; v < vectors; ) {
                int size = Math.min(8, vectors - v);
                if (movedBack && vectors - v == 9) {
                    size = 7;   // the moved-back vector stays in the group of the one it overlaps
                }
                int last = v + size - 1;
                if (size > 4) {
                    group8(n, k, a, ai, aCol, b, bOff, bRow, c, ci, accumulate, v, last);
                } else if (size > 2) {
                    group4(n, k, a, ai, aCol, b, bOff, bRow, c, ci, accumulate, v, last);
                } else {
                    group2(n, k, a, ai, aCol, b, bOff, bRow, c, ci, accumulate, v, last);
                }
                v += size;
            }
        }
    }

    /** Column of vector {@code v} of a row of n columns: {@code v L}, the last one moved back to end at n. */
    private static int column(int v, int n) {
        return Math.min(v * L, n - L);
    }

    /** Vectors {@code first .. last} of one row of C, at most eight (eight chains, the ones past last repeating it). */
    private static void group8(int n, int k, float[] a, int ai, int aCol, float[] b, int bOff, int bRow, float[] c,
                              int ci, boolean accumulate, int first, int last) {
        int j0 = column(first, n);
        int j1 = column(Math.min(first + 1, last), n);
        int j2 = column(Math.min(first + 2, last), n);
        int j3 = column(Math.min(first + 3, last), n);
        int j4 = column(Math.min(first + 4, last), n);
        int j5 = column(Math.min(first + 5, last), n);
        int j6 = column(Math.min(first + 6, last), n);
        int j7 = column(Math.min(first + 7, last), n);
        FloatVector s0 = start(c, ci + j0, accumulate), s1 = start(c, ci + j1, accumulate);
        FloatVector s2 = start(c, ci + j2, accumulate), s3 = start(c, ci + j3, accumulate);
        FloatVector s4 = start(c, ci + j4, accumulate), s5 = start(c, ci + j5, accumulate);
        FloatVector s6 = start(c, ci + j6, accumulate), s7 = start(c, ci + j7, accumulate);
        for (int p = 0, bp = bOff; p < k; p++, bp += bRow) {
            FloatVector x = FloatVector.broadcast(S, a[ai + p * aCol]);
            s0 = FloatVector.fromArray(S, b, bp + j0).fma(x, s0);
            s1 = FloatVector.fromArray(S, b, bp + j1).fma(x, s1);
            s2 = FloatVector.fromArray(S, b, bp + j2).fma(x, s2);
            s3 = FloatVector.fromArray(S, b, bp + j3).fma(x, s3);
            s4 = FloatVector.fromArray(S, b, bp + j4).fma(x, s4);
            s5 = FloatVector.fromArray(S, b, bp + j5).fma(x, s5);
            s6 = FloatVector.fromArray(S, b, bp + j6).fma(x, s6);
            s7 = FloatVector.fromArray(S, b, bp + j7).fma(x, s7);
        }
        s7.intoArray(c, ci + j7);
        s6.intoArray(c, ci + j6);
        s5.intoArray(c, ci + j5);
        s4.intoArray(c, ci + j4);
        s3.intoArray(c, ci + j3);
        s2.intoArray(c, ci + j2);
        s1.intoArray(c, ci + j1);
        s0.intoArray(c, ci + j0);
    }

    /** Vectors {@code first .. last} of one row of C, at most four, as {@link #group8}. */
    private static void group4(int n, int k, float[] a, int ai, int aCol, float[] b, int bOff, int bRow, float[] c,
                               int ci, boolean accumulate, int first, int last) {
        int j0 = column(first, n);
        int j1 = column(Math.min(first + 1, last), n);
        int j2 = column(Math.min(first + 2, last), n);
        int j3 = column(Math.min(first + 3, last), n);
        FloatVector s0 = start(c, ci + j0, accumulate), s1 = start(c, ci + j1, accumulate);
        FloatVector s2 = start(c, ci + j2, accumulate), s3 = start(c, ci + j3, accumulate);
        for (int p = 0, bp = bOff; p < k; p++, bp += bRow) {
            FloatVector x = FloatVector.broadcast(S, a[ai + p * aCol]);
            s0 = FloatVector.fromArray(S, b, bp + j0).fma(x, s0);
            s1 = FloatVector.fromArray(S, b, bp + j1).fma(x, s1);
            s2 = FloatVector.fromArray(S, b, bp + j2).fma(x, s2);
            s3 = FloatVector.fromArray(S, b, bp + j3).fma(x, s3);
        }
        s3.intoArray(c, ci + j3);
        s2.intoArray(c, ci + j2);
        s1.intoArray(c, ci + j1);
        s0.intoArray(c, ci + j0);
    }

    /** Vectors {@code first .. last} of one row of C, one or two, as {@link #group8}. */
    private static void group2(int n, int k, float[] a, int ai, int aCol, float[] b, int bOff, int bRow, float[] c,
                               int ci, boolean accumulate, int first, int last) {
        int j0 = column(first, n);
        int j1 = column(last, n);
        FloatVector s0 = start(c, ci + j0, accumulate), s1 = start(c, ci + j1, accumulate);
        for (int p = 0, bp = bOff; p < k; p++, bp += bRow) {
            FloatVector x = FloatVector.broadcast(S, a[ai + p * aCol]);
            s0 = FloatVector.fromArray(S, b, bp + j0).fma(x, s0);
            s1 = FloatVector.fromArray(S, b, bp + j1).fma(x, s1);
        }
        s1.intoArray(c, ci + j1);
        s0.intoArray(c, ci + j0);
    }

    private static FloatVector start(float[] c, int at, boolean accumulate) {
        return accumulate ? FloatVector.fromArray(S, c, at) : FloatVector.zero(S);
    }
}
