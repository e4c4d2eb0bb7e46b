package dev.modelc.runtime.kernels;

/**
 * Matrix products too thin or too small to pay for packing: matrix-vector ({@code n == 1}), vector-matrix
 * ({@code m == 1}) and products of a few thousand multiply-adds, computed straight from the operands.
 *
 * <p>The blocked kernels ({@link JavaSgemm}, {@code VectorSgemm}) copy blocks of the operands into scratch before
 * multiplying; that copy is paid back only when each copied element is used many times. A 20 x 1 weight in a
 * logistic regression's {@code x W^T} is used once per row, and its packing was a third of the training step.
 * {@link Gemm} sends a product here when {@link #fits} says so, before it would reorient the product.
 *
 * <p>Algorithm, on the strided views of {@link Gemm} with C row-major ({@code cRow = n}, {@code cCol = 1}):
 * <ol>
 *   <li>B's rows contiguous ({@code bCol == 1}), any A: for each row i of C and each step p, add
 *       {@code A(i,p) * B(p,:)} to row i of C (one axpy per step, B read once per row).</li>
 *   <li>Otherwise, the reduced dimension contiguous in both ({@code aCol == 1}, {@code bRow == 1}, the
 *       {@code x W^T} of a linear layer): each element of C is a dot product of two contiguous runs, summed in four
 *       independent partial sums; a matrix-vector product ({@code n == 1}) goes through {@code matVec}.</li>
 *   <li>Otherwise (both operands transposed): a plain loop over i, j, p.</li>
 * </ol>
 * Sums use {@code Math.fma} like the blocked kernels; the order of the terms differs from theirs (four partial sums
 * in the dot products), within the same error bound of {@code (k + 2) eps sum|terms|}.
 *
 * <p>f32 and f64 are written out twice, as in the other kernels: see {@link JavaSgemm} for why, and
 * {@code GemmTwinsTest} for the test that holds the two to the same results. Both kernels use these loops
 * ({@link #PLAIN}); a Vector API form was measured and withdrawn (docs/kernels.md says why).
 */
class SmallGemm {

    /** The plain-Java loops, on every JVM. */
    static final SmallGemm PLAIN = new SmallGemm();

    /** Products of at most this many multiply-adds skip packing, whatever their shape. */
    static final long SMALL_VOLUME = 8192;

    SmallGemm() {
    }

    /** Whether {@code m x k x n} (all positive) is computed here rather than by a blocked kernel. */
    static boolean fits(int m, int n, int k) {
        return m == 1 || n == 1 || (long) m * n * k <= SMALL_VOLUME;
    }

    /** f32 {@code C[m,n] (=|+=) A x B} with C row-major from {@code cOff}; m, n, k positive, bounds checked. */
    final void run(int m, int n, int k, float[] a, int aOff, int aRow, int aCol,
                   float[] b, int bOff, int bRow, int bCol, float[] c, int cOff, boolean accumulate) {
        if (bCol == 1) {
            for (int i = 0; i < m; i++) {
                row(n, k, a, aOff + i * aRow, aCol, b, bOff, bRow, c, cOff + i * n, accumulate);
            }
        } else if (aCol == 1 && bRow == 1 && n == 1) {
            matVec(m, k, a, aOff, aRow, b, bOff, c, cOff, accumulate);
        } else if (aCol == 1 && bRow == 1) {
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * n;
                int ai = aOff + i * aRow;
                for (int j = 0; j < n; j++) {
                    float dot = dot(a, ai, b, bOff + j * bCol, k);
                    c[ci + j] = accumulate ? c[ci + j] + dot : dot;
                }
            }
        } else {
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * n;
                for (int j = 0; j < n; j++) {
                    float sum = 0f;
                    for (int p = 0; p < k; p++) {
                        sum = Math.fma(a[aOff + i * aRow + p * aCol], b[bOff + p * bRow + j * bCol], sum);
                    }
                    c[ci + j] = accumulate ? c[ci + j] + sum : sum;
                }
            }
        }
    }

    /**
     * One row of C with B's rows contiguous: {@code C(i,:) (=|+=) sum_p A(i,p) B(p,:)}, A's row i from {@code ai}
     * with its steps {@code aCol} apart, one axpy per step.
     */
    void row(int n, int k, float[] a, int ai, int aCol, float[] b, int bOff, int bRow, float[] c, int ci,
             boolean accumulate) {
        if (!accumulate) {
            java.util.Arrays.fill(c, ci, ci + n, 0f);
        }
        for (int p = 0; p < k; p++) {
            axpy(a[ai + p * aCol], b, bOff + p * bRow, c, ci, n);
        }
    }

    private static void axpy(float s, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int j = 0; j < n; j++) {
            y[yOff + j] = Math.fma(s, x[xOff + j], y[yOff + j]);
        }
    }

    /** A matrix-vector product: {@code c[cOff + i] (=|+=) A(i,:) . b} for i < m, A's rows contiguous. */
    void matVec(int m, int k, float[] a, int aOff, int aRow, float[] b, int bOff, float[] c, int cOff,
                boolean accumulate) {
        for (int i = 0; i < m; i++) {
            float dot = dot(a, aOff + i * aRow, b, bOff, k);
            c[cOff + i] = accumulate ? c[cOff + i] + dot : dot;
        }
    }

    /** The dot product of two contiguous runs of k values, in four independent partial sums. */
    float dot(float[] x, int xOff, float[] y, int yOff, int k) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int p = 0;
        for (; p + 3 < k; p += 4) {
            s0 = Math.fma(x[xOff + p], y[yOff + p], s0);
            s1 = Math.fma(x[xOff + p + 1], y[yOff + p + 1], s1);
            s2 = Math.fma(x[xOff + p + 2], y[yOff + p + 2], s2);
            s3 = Math.fma(x[xOff + p + 3], y[yOff + p + 3], s3);
        }
        for (; p < k; p++) {
            s0 = Math.fma(x[xOff + p], y[yOff + p], s0);
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** f64 {@code C[m,n] (=|+=) A x B} with C row-major from {@code cOff}; m, n, k positive, bounds checked. */
    final void run(int m, int n, int k, double[] a, int aOff, int aRow, int aCol,
                   double[] b, int bOff, int bRow, int bCol, double[] c, int cOff, boolean accumulate) {
        if (bCol == 1) {
            for (int i = 0; i < m; i++) {
                row(n, k, a, aOff + i * aRow, aCol, b, bOff, bRow, c, cOff + i * n, accumulate);
            }
        } else if (aCol == 1 && bRow == 1 && n == 1) {
            matVec(m, k, a, aOff, aRow, b, bOff, c, cOff, accumulate);
        } else if (aCol == 1 && bRow == 1) {
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * n;
                int ai = aOff + i * aRow;
                for (int j = 0; j < n; j++) {
                    double dot = dot(a, ai, b, bOff + j * bCol, k);
                    c[ci + j] = accumulate ? c[ci + j] + dot : dot;
                }
            }
        } else {
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * n;
                for (int j = 0; j < n; j++) {
                    double sum = 0d;
                    for (int p = 0; p < k; p++) {
                        sum = Math.fma(a[aOff + i * aRow + p * aCol], b[bOff + p * bRow + j * bCol], sum);
                    }
                    c[ci + j] = accumulate ? c[ci + j] + sum : sum;
                }
            }
        }
    }

    /**
     * One row of C with B's rows contiguous: {@code C(i,:) (=|+=) sum_p A(i,p) B(p,:)}, A's row i from {@code ai}
     * with its steps {@code aCol} apart, one axpy per step.
     */
    void row(int n, int k, double[] a, int ai, int aCol, double[] b, int bOff, int bRow, double[] c, int ci,
             boolean accumulate) {
        if (!accumulate) {
            java.util.Arrays.fill(c, ci, ci + n, 0d);
        }
        for (int p = 0; p < k; p++) {
            axpy(a[ai + p * aCol], b, bOff + p * bRow, c, ci, n);
        }
    }

    private static void axpy(double s, double[] x, int xOff, double[] y, int yOff, int n) {
        for (int j = 0; j < n; j++) {
            y[yOff + j] = Math.fma(s, x[xOff + j], y[yOff + j]);
        }
    }

    /** A matrix-vector product: {@code c[cOff + i] (=|+=) A(i,:) . b} for i < m, A's rows contiguous. */
    void matVec(int m, int k, double[] a, int aOff, int aRow, double[] b, int bOff, double[] c, int cOff,
                boolean accumulate) {
        for (int i = 0; i < m; i++) {
            double dot = dot(a, aOff + i * aRow, b, bOff, k);
            c[cOff + i] = accumulate ? c[cOff + i] + dot : dot;
        }
    }

    /** The dot product of two contiguous runs of k values, in four independent partial sums. */
    double dot(double[] x, int xOff, double[] y, int yOff, int k) {
        double s0 = 0d, s1 = 0d, s2 = 0d, s3 = 0d;
        int p = 0;
        for (; p + 3 < k; p += 4) {
            s0 = Math.fma(x[xOff + p], y[yOff + p], s0);
            s1 = Math.fma(x[xOff + p + 1], y[yOff + p + 1], s1);
            s2 = Math.fma(x[xOff + p + 2], y[yOff + p + 2], s2);
            s3 = Math.fma(x[xOff + p + 3], y[yOff + p + 3], s3);
        }
        for (; p < k; p++) {
            s0 = Math.fma(x[xOff + p], y[yOff + p], s0);
        }
        return (s0 + s1) + (s2 + s3);
    }
}
