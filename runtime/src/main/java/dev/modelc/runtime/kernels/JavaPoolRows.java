package dev.modelc.runtime.kernels;

/**
 * The row loop of {@link Pooling}'s 2 x 2, column-stride-2 max pooling over windows inside the plane: one output row,
 * values and positions of each window's first maximum, compared as order-preserving integer keys
 * ({@link #key}). {@code VectorPoolRows} overrides it when the Vector API kernel is in use ({@link Gemm#poolRows()}).
 * Both return a probe that is NaN when the row's inputs hold a NaN (or infinities of both signs); keys order NaN
 * wrongly, so the caller then does such rows again by the general search.
 */
class JavaPoolRows {

    static final JavaPoolRows INSTANCE = new JavaPoolRows();

    JavaPoolRows() {
    }

    /**
     * These loops with the Vector API form's warm-up rent set to {@code outputs} (see {@code WarmupRent});
     * the plain loops have none. For tests.
     */
    JavaPoolRows withRent(long outputs) {
        return this;
    }

    /**
     * {@link #row} for {@code rows} output rows {@code ow} apart in out, whose windows start {@code 2 * w} apart in x
     * (the first at {@code at0}); returns the sum of their probes.
     */
    float rows(float[] x, float[] out, int[] argmax, int at0, int o, int rows, int from, int to, int ow, int w) {
        float probe = 0f;
        for (int r = 0; r < rows; r++) {
            probe += row(x, out, argmax, at0 + 2 * r * w, o + r * ow, from, to, w);
        }
        return probe;
    }

    /**
     * Outputs {@code row + oj} for {@code from <= oj < to}, the window of output {@code from} starting at {@code at0}
     * in x (rows {@code w} apart); positions go to {@code argmax} unless it is null. The first maximum of a, b (top
     * row) and c, d (bottom row) is the later pair's only if its maximum is strictly greater, and within a pair the
     * second element's only if strictly greater; each comparison becomes 0 or 1 by arithmetic ({@link #above}), from
     * which the position is computed: no branch depends on the data (conditional selects on the float comparisons
     * were compiled to branches that random data mispredicts, 1.3-1.5 times slower).
     */
    float row(float[] x, float[] out, int[] argmax, int at0, int row, int from, int to, int w) {
        return plainRow(x, out, argmax, at0, row, from, to, w);
    }

    /** {@link #row} by the plain loop, whatever the subclass. */
    static float plainRow(float[] x, float[] out, int[] argmax, int at0, int row, int from, int to, int w) {
        float probe = 0f;
        for (int oj = from; oj < to; oj++, at0 += 2) {
            float a = x[at0];
            float b = x[at0 + 1];
            float c = x[at0 + w];
            float d = x[at0 + w + 1];
            probe += a + b + c + d;
            int ka = key(a);
            int kb = key(b);
            int kc = key(c);
            int kd = key(d);
            int right = above(kb, ka);
            int bottomRight = above(kd, kc);
            int bottom = above(Math.max(kc, kd), Math.max(ka, kb));
            int at = at0 + right + bottom * (w + bottomRight - right);
            out[row + oj] = x[at];
            if (argmax != null) {
                argmax[row + oj] = at;
            }
        }
        return probe;
    }

    /** An integer that orders as the non-NaN value v does, with -0 equal to +0. */
    static int key(float v) {
        int b = Float.floatToRawIntBits(v + 0f);
        return b ^ ((b >> 31) & 0x7fffffff);
    }

    /** 1 if {@code k > than}, else 0, without a branch: the sign of {@code than - k}, which a long cannot overflow. */
    static int above(int k, int than) {
        return (int) (((long) than - k) >>> 63);
    }

    // ---- double: the same loops, for the f64 overloads of Pooling (no Vector API form) ----

    /** {@link #rows} by the plain loop, in f64. */
    static double plainRows(double[] x, double[] out, int[] argmax, int at0, int o, int rows, int from, int to, int ow,
                            int w) {
        double probe = 0d;
        for (int r = 0; r < rows; r++) {
            probe += plainRow(x, out, argmax, at0 + 2 * r * w, o + r * ow, from, to, w);
        }
        return probe;
    }

    /** {@link #plainRow(float[], float[], int[], int, int, int, int, int)} in f64. */
    static double plainRow(double[] x, double[] out, int[] argmax, int at0, int row, int from, int to, int w) {
        double probe = 0d;
        for (int oj = from; oj < to; oj++, at0 += 2) {
            double a = x[at0];
            double b = x[at0 + 1];
            double c = x[at0 + w];
            double d = x[at0 + w + 1];
            probe += a + b + c + d;
            long ka = key(a);
            long kb = key(b);
            long kc = key(c);
            long kd = key(d);
            int right = above(kb, ka);
            int bottomRight = above(kd, kc);
            int bottom = above(Math.max(kc, kd), Math.max(ka, kb));
            int at = at0 + right + bottom * (w + bottomRight - right);
            out[row + oj] = x[at];
            if (argmax != null) {
                argmax[row + oj] = at;
            }
        }
        return probe;
    }

    /** {@link #key(float)} in f64. */
    static long key(double v) {
        long b = Double.doubleToRawLongBits(v + 0d);
        return b ^ ((b >> 63) & 0x7fffffffffffffffL);
    }

    /** {@link #above(int, int)} for f64 keys: the sign of {@code than - k}, corrected for overflow. */
    static int above(long k, long than) {
        long d = than - k;
        return (int) ((d ^ ((than ^ k) & (d ^ than))) >>> 63);
    }
}
