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
 *   <li>B's rows contiguous ({@code bCol == 1}), any A: each element of a row of C is one chain of fused
 *       multiply-adds over p, starting from C's value (or zero), eight columns at a time (then four, then one).</li>
 *   <li>Otherwise, the reduced dimension contiguous in both ({@code aCol == 1}, {@code bRow == 1}, the
 *       {@code x W^T} of a linear layer, matrix-vector products among them): each element of a column of C is a
 *       dot product of two contiguous runs summed in one chain, eight rows at a time (then four, then one), and
 *       then added to C; with fewer than eight rows (a layer applied to one sample), eight columns of a row at a
 *       time instead, so that eight chains still run side by side.</li>
 *   <li>Otherwise (both operands transposed): a plain loop over i, j, p.</li>
 * </ol>
 * Eight independent chains keep the core's fused multiply-adds busy where one chain waits on each add's latency
 * (the loops do not vectorize: their operands sit at different offsets in their arrays, and Java orders a float
 * sum). Every element is summed in the order of p, whatever its neighbours, so a split over rows or columns
 * ({@link Parallel}) gives the same bits; the error stays within {@code (k + 2) eps sum|terms|}.
 *
 * <p>f32 and f64 are written out twice, as in the other kernels: see {@link JavaSgemm} for why, and
 * {@code GemmTwinsTest} for the test that holds the two to the same results. Both kernel implementations call
 * these loops statically; a Vector API form was measured and withdrawn (docs/kernels.md says why).
 */
final class SmallGemm {

    /** Products of at most this many multiply-adds skip packing, whatever their shape. */
    static final long SMALL_VOLUME = 8192;

    private SmallGemm() {
    }

    /** Whether {@code m x k x n} (all positive) is computed here rather than by a blocked kernel. */
    static boolean fits(int m, int n, int k) {
        return m == 1 || n == 1 || (long) m * n * k <= SMALL_VOLUME;
    }

    /** f32 {@code C[m,n] (=|+=) A x B} with C row-major from {@code cOff}; m, n, k positive, bounds checked. */
    static void run(int m, int n, int k, float[] a, int aOff, int aRow, int aCol,
                    float[] b, int bOff, int bRow, int bCol, float[] c, int cOff, boolean accumulate) {
        if (bCol == 1) {
            for (int i = 0; i < m; i++) {
                row(n, k, a, aOff + i * aRow, aCol, b, bOff, bRow, c, cOff + i * n, accumulate);
            }
        } else if (aCol == 1 && bRow == 1 && m < 8) {
            for (int i = 0; i < m; i++) {
                dots(n, k, a, aOff + i * aRow, b, bOff, bCol, c, cOff + i * n, accumulate);
            }
        } else if (aCol == 1 && bRow == 1) {
            for (int j = 0; j < n; j++) {
                column(m, k, a, aOff, aRow, b, bOff + j * bCol, c, cOff + j, n, accumulate);
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
     * One row of C with B's rows contiguous: {@code C(i,j) (=|+=) sum_p A(i,p) B(p,j)}, A's row i from {@code ai}
     * with its steps {@code aCol} apart; eight, four, then single columns at a time, each one chain from C's value
     * (or zero) in the order of p.
     */
    private static void row(int n, int k, float[] a, int ai, int aCol, float[] b, int bOff, int bRow, float[] c,
                            int ci, boolean accumulate) {
        int j = 0;
        for (; j + 8 <= n; j += 8) {
            int at = ci + j;
            float s0 = accumulate ? c[at] : 0f, s1 = accumulate ? c[at + 1] : 0f;
            float s2 = accumulate ? c[at + 2] : 0f, s3 = accumulate ? c[at + 3] : 0f;
            float s4 = accumulate ? c[at + 4] : 0f, s5 = accumulate ? c[at + 5] : 0f;
            float s6 = accumulate ? c[at + 6] : 0f, s7 = accumulate ? c[at + 7] : 0f;
            for (int p = 0, bp = bOff + j; p < k; p++, bp += bRow) {
                float x = a[ai + p * aCol];
                s0 = Math.fma(x, b[bp], s0);
                s1 = Math.fma(x, b[bp + 1], s1);
                s2 = Math.fma(x, b[bp + 2], s2);
                s3 = Math.fma(x, b[bp + 3], s3);
                s4 = Math.fma(x, b[bp + 4], s4);
                s5 = Math.fma(x, b[bp + 5], s5);
                s6 = Math.fma(x, b[bp + 6], s6);
                s7 = Math.fma(x, b[bp + 7], s7);
            }
            c[at] = s0;
            c[at + 1] = s1;
            c[at + 2] = s2;
            c[at + 3] = s3;
            c[at + 4] = s4;
            c[at + 5] = s5;
            c[at + 6] = s6;
            c[at + 7] = s7;
        }
        for (; j + 4 <= n; j += 4) {
            int at = ci + j;
            float s0 = accumulate ? c[at] : 0f, s1 = accumulate ? c[at + 1] : 0f;
            float s2 = accumulate ? c[at + 2] : 0f, s3 = accumulate ? c[at + 3] : 0f;
            for (int p = 0, bp = bOff + j; p < k; p++, bp += bRow) {
                float x = a[ai + p * aCol];
                s0 = Math.fma(x, b[bp], s0);
                s1 = Math.fma(x, b[bp + 1], s1);
                s2 = Math.fma(x, b[bp + 2], s2);
                s3 = Math.fma(x, b[bp + 3], s3);
            }
            c[at] = s0;
            c[at + 1] = s1;
            c[at + 2] = s2;
            c[at + 3] = s3;
        }
        for (; j < n; j++) {
            float s = accumulate ? c[ci + j] : 0f;
            for (int p = 0, bp = bOff + j; p < k; p++, bp += bRow) {
                s = Math.fma(a[ai + p * aCol], b[bp], s);
            }
            c[ci + j] = s;
        }
    }

    /**
     * One column of C with the reduced dimension contiguous in both operands (the {@code x W^T} of a linear layer):
     * {@code C(i,j) (=|+=) A(i,:) . B(:,j)} for i < m, A's rows {@code aRow} apart, B's column j from {@code bj}, C's
     * column from {@code cj} with its rows {@code ldc} apart; eight, four, then single rows at a time, each a dot
     * product summed in one chain in the order of p and then added to C.
     */
    private static void column(int m, int k, float[] a, int aOff, int aRow, float[] b, int bj, float[] c, int cj,
                               int ldc, boolean accumulate) {
        int i = 0;
        for (; i + 8 <= m; i += 8) {
            int a0 = aOff + i * aRow;
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
            for (int p = 0; p < k; p++) {
                float y = b[bj + p];
                int ap = a0 + p;
                s0 = Math.fma(a[ap], y, s0);
                s1 = Math.fma(a[ap + aRow], y, s1);
                s2 = Math.fma(a[ap + 2 * aRow], y, s2);
                s3 = Math.fma(a[ap + 3 * aRow], y, s3);
                s4 = Math.fma(a[ap + 4 * aRow], y, s4);
                s5 = Math.fma(a[ap + 5 * aRow], y, s5);
                s6 = Math.fma(a[ap + 6 * aRow], y, s6);
                s7 = Math.fma(a[ap + 7 * aRow], y, s7);
            }
            int at = cj + i * ldc;
            put(c, at, s0, accumulate);
            put(c, at + ldc, s1, accumulate);
            put(c, at + 2 * ldc, s2, accumulate);
            put(c, at + 3 * ldc, s3, accumulate);
            put(c, at + 4 * ldc, s4, accumulate);
            put(c, at + 5 * ldc, s5, accumulate);
            put(c, at + 6 * ldc, s6, accumulate);
            put(c, at + 7 * ldc, s7, accumulate);
        }
        for (; i + 4 <= m; i += 4) {
            int a0 = aOff + i * aRow;
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            for (int p = 0; p < k; p++) {
                float y = b[bj + p];
                int ap = a0 + p;
                s0 = Math.fma(a[ap], y, s0);
                s1 = Math.fma(a[ap + aRow], y, s1);
                s2 = Math.fma(a[ap + 2 * aRow], y, s2);
                s3 = Math.fma(a[ap + 3 * aRow], y, s3);
            }
            int at = cj + i * ldc;
            put(c, at, s0, accumulate);
            put(c, at + ldc, s1, accumulate);
            put(c, at + 2 * ldc, s2, accumulate);
            put(c, at + 3 * ldc, s3, accumulate);
        }
        for (; i < m; i++) {
            int a0 = aOff + i * aRow;
            float s = 0f;
            for (int p = 0; p < k; p++) {
                s = Math.fma(a[a0 + p], b[bj + p], s);
            }
            put(c, cj + i * ldc, s, accumulate);
        }
    }

    /**
     * One row of C with the reduced dimension contiguous in both operands, for products of fewer than eight rows (a
     * Linear layer's {@code x W^T} on one sample, where {@link #column} would run each element as a lone chain):
     * {@code C(i,j) (=|+=) A(i,:) . B(:,j)}, A's row from {@code ai}, B's columns from {@code bOff} with {@code bCol}
     * between them; eight, four, then single columns at a time, each a dot product summed in one chain in the order
     * of p and then added to C, as {@link #column} sums it.
     */
    private static void dots(int n, int k, float[] a, int ai, float[] b, int bOff, int bCol, float[] c, int ci,
                             boolean accumulate) {
        int j = 0;
        for (; j + 8 <= n; j += 8) {
            int b0 = bOff + j * bCol;
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
            for (int p = 0; p < k; p++) {
                float x = a[ai + p];
                int bp = b0 + p;
                s0 = Math.fma(x, b[bp], s0);
                s1 = Math.fma(x, b[bp + bCol], s1);
                s2 = Math.fma(x, b[bp + 2 * bCol], s2);
                s3 = Math.fma(x, b[bp + 3 * bCol], s3);
                s4 = Math.fma(x, b[bp + 4 * bCol], s4);
                s5 = Math.fma(x, b[bp + 5 * bCol], s5);
                s6 = Math.fma(x, b[bp + 6 * bCol], s6);
                s7 = Math.fma(x, b[bp + 7 * bCol], s7);
            }
            int at = ci + j;
            put(c, at, s0, accumulate);
            put(c, at + 1, s1, accumulate);
            put(c, at + 2, s2, accumulate);
            put(c, at + 3, s3, accumulate);
            put(c, at + 4, s4, accumulate);
            put(c, at + 5, s5, accumulate);
            put(c, at + 6, s6, accumulate);
            put(c, at + 7, s7, accumulate);
        }
        for (; j + 4 <= n; j += 4) {
            int b0 = bOff + j * bCol;
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            for (int p = 0; p < k; p++) {
                float x = a[ai + p];
                int bp = b0 + p;
                s0 = Math.fma(x, b[bp], s0);
                s1 = Math.fma(x, b[bp + bCol], s1);
                s2 = Math.fma(x, b[bp + 2 * bCol], s2);
                s3 = Math.fma(x, b[bp + 3 * bCol], s3);
            }
            int at = ci + j;
            put(c, at, s0, accumulate);
            put(c, at + 1, s1, accumulate);
            put(c, at + 2, s2, accumulate);
            put(c, at + 3, s3, accumulate);
        }
        for (; j < n; j++) {
            int b0 = bOff + j * bCol;
            float s = 0f;
            for (int p = 0; p < k; p++) {
                s = Math.fma(a[ai + p], b[b0 + p], s);
            }
            put(c, ci + j, s, accumulate);
        }
    }

    private static void put(float[] c, int at, float sum, boolean accumulate) {
        c[at] = accumulate ? c[at] + sum : sum;
    }

    /** f64 {@code C[m,n] (=|+=) A x B} with C row-major from {@code cOff}; m, n, k positive, bounds checked. */
    static void run(int m, int n, int k, double[] a, int aOff, int aRow, int aCol,
                    double[] b, int bOff, int bRow, int bCol, double[] c, int cOff, boolean accumulate) {
        if (bCol == 1) {
            for (int i = 0; i < m; i++) {
                row(n, k, a, aOff + i * aRow, aCol, b, bOff, bRow, c, cOff + i * n, accumulate);
            }
        } else if (aCol == 1 && bRow == 1 && m < 8) {
            for (int i = 0; i < m; i++) {
                dots(n, k, a, aOff + i * aRow, b, bOff, bCol, c, cOff + i * n, accumulate);
            }
        } else if (aCol == 1 && bRow == 1) {
            for (int j = 0; j < n; j++) {
                column(m, k, a, aOff, aRow, b, bOff + j * bCol, c, cOff + j, n, accumulate);
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
     * One row of C with B's rows contiguous: {@code C(i,j) (=|+=) sum_p A(i,p) B(p,j)}, A's row i from {@code ai}
     * with its steps {@code aCol} apart; eight, four, then single columns at a time, each one chain from C's value
     * (or zero) in the order of p.
     */
    private static void row(int n, int k, double[] a, int ai, int aCol, double[] b, int bOff, int bRow, double[] c,
                            int ci, boolean accumulate) {
        int j = 0;
        for (; j + 8 <= n; j += 8) {
            int at = ci + j;
            double s0 = accumulate ? c[at] : 0d, s1 = accumulate ? c[at + 1] : 0d;
            double s2 = accumulate ? c[at + 2] : 0d, s3 = accumulate ? c[at + 3] : 0d;
            double s4 = accumulate ? c[at + 4] : 0d, s5 = accumulate ? c[at + 5] : 0d;
            double s6 = accumulate ? c[at + 6] : 0d, s7 = accumulate ? c[at + 7] : 0d;
            for (int p = 0, bp = bOff + j; p < k; p++, bp += bRow) {
                double x = a[ai + p * aCol];
                s0 = Math.fma(x, b[bp], s0);
                s1 = Math.fma(x, b[bp + 1], s1);
                s2 = Math.fma(x, b[bp + 2], s2);
                s3 = Math.fma(x, b[bp + 3], s3);
                s4 = Math.fma(x, b[bp + 4], s4);
                s5 = Math.fma(x, b[bp + 5], s5);
                s6 = Math.fma(x, b[bp + 6], s6);
                s7 = Math.fma(x, b[bp + 7], s7);
            }
            c[at] = s0;
            c[at + 1] = s1;
            c[at + 2] = s2;
            c[at + 3] = s3;
            c[at + 4] = s4;
            c[at + 5] = s5;
            c[at + 6] = s6;
            c[at + 7] = s7;
        }
        for (; j + 4 <= n; j += 4) {
            int at = ci + j;
            double s0 = accumulate ? c[at] : 0d, s1 = accumulate ? c[at + 1] : 0d;
            double s2 = accumulate ? c[at + 2] : 0d, s3 = accumulate ? c[at + 3] : 0d;
            for (int p = 0, bp = bOff + j; p < k; p++, bp += bRow) {
                double x = a[ai + p * aCol];
                s0 = Math.fma(x, b[bp], s0);
                s1 = Math.fma(x, b[bp + 1], s1);
                s2 = Math.fma(x, b[bp + 2], s2);
                s3 = Math.fma(x, b[bp + 3], s3);
            }
            c[at] = s0;
            c[at + 1] = s1;
            c[at + 2] = s2;
            c[at + 3] = s3;
        }
        for (; j < n; j++) {
            double s = accumulate ? c[ci + j] : 0d;
            for (int p = 0, bp = bOff + j; p < k; p++, bp += bRow) {
                s = Math.fma(a[ai + p * aCol], b[bp], s);
            }
            c[ci + j] = s;
        }
    }

    /**
     * One column of C with the reduced dimension contiguous in both operands (the {@code x W^T} of a linear layer):
     * {@code C(i,j) (=|+=) A(i,:) . B(:,j)} for i < m, A's rows {@code aRow} apart, B's column j from {@code bj}, C's
     * column from {@code cj} with its rows {@code ldc} apart; eight, four, then single rows at a time, each a dot
     * product summed in one chain in the order of p and then added to C.
     */
    private static void column(int m, int k, double[] a, int aOff, int aRow, double[] b, int bj, double[] c, int cj,
                               int ldc, boolean accumulate) {
        int i = 0;
        for (; i + 8 <= m; i += 8) {
            int a0 = aOff + i * aRow;
            double s0 = 0d, s1 = 0d, s2 = 0d, s3 = 0d, s4 = 0d, s5 = 0d, s6 = 0d, s7 = 0d;
            for (int p = 0; p < k; p++) {
                double y = b[bj + p];
                int ap = a0 + p;
                s0 = Math.fma(a[ap], y, s0);
                s1 = Math.fma(a[ap + aRow], y, s1);
                s2 = Math.fma(a[ap + 2 * aRow], y, s2);
                s3 = Math.fma(a[ap + 3 * aRow], y, s3);
                s4 = Math.fma(a[ap + 4 * aRow], y, s4);
                s5 = Math.fma(a[ap + 5 * aRow], y, s5);
                s6 = Math.fma(a[ap + 6 * aRow], y, s6);
                s7 = Math.fma(a[ap + 7 * aRow], y, s7);
            }
            int at = cj + i * ldc;
            put(c, at, s0, accumulate);
            put(c, at + ldc, s1, accumulate);
            put(c, at + 2 * ldc, s2, accumulate);
            put(c, at + 3 * ldc, s3, accumulate);
            put(c, at + 4 * ldc, s4, accumulate);
            put(c, at + 5 * ldc, s5, accumulate);
            put(c, at + 6 * ldc, s6, accumulate);
            put(c, at + 7 * ldc, s7, accumulate);
        }
        for (; i + 4 <= m; i += 4) {
            int a0 = aOff + i * aRow;
            double s0 = 0d, s1 = 0d, s2 = 0d, s3 = 0d;
            for (int p = 0; p < k; p++) {
                double y = b[bj + p];
                int ap = a0 + p;
                s0 = Math.fma(a[ap], y, s0);
                s1 = Math.fma(a[ap + aRow], y, s1);
                s2 = Math.fma(a[ap + 2 * aRow], y, s2);
                s3 = Math.fma(a[ap + 3 * aRow], y, s3);
            }
            int at = cj + i * ldc;
            put(c, at, s0, accumulate);
            put(c, at + ldc, s1, accumulate);
            put(c, at + 2 * ldc, s2, accumulate);
            put(c, at + 3 * ldc, s3, accumulate);
        }
        for (; i < m; i++) {
            int a0 = aOff + i * aRow;
            double s = 0d;
            for (int p = 0; p < k; p++) {
                s = Math.fma(a[a0 + p], b[bj + p], s);
            }
            put(c, cj + i * ldc, s, accumulate);
        }
    }

    /**
     * One row of C with the reduced dimension contiguous in both operands, for products of fewer than eight rows (a
     * Linear layer's {@code x W^T} on one sample, where {@link #column} would run each element as a lone chain):
     * {@code C(i,j) (=|+=) A(i,:) . B(:,j)}, A's row from {@code ai}, B's columns from {@code bOff} with {@code bCol}
     * between them; eight, four, then single columns at a time, each a dot product summed in one chain in the order
     * of p and then added to C, as {@link #column} sums it.
     */
    private static void dots(int n, int k, double[] a, int ai, double[] b, int bOff, int bCol, double[] c, int ci,
                             boolean accumulate) {
        int j = 0;
        for (; j + 8 <= n; j += 8) {
            int b0 = bOff + j * bCol;
            double s0 = 0d, s1 = 0d, s2 = 0d, s3 = 0d, s4 = 0d, s5 = 0d, s6 = 0d, s7 = 0d;
            for (int p = 0; p < k; p++) {
                double x = a[ai + p];
                int bp = b0 + p;
                s0 = Math.fma(x, b[bp], s0);
                s1 = Math.fma(x, b[bp + bCol], s1);
                s2 = Math.fma(x, b[bp + 2 * bCol], s2);
                s3 = Math.fma(x, b[bp + 3 * bCol], s3);
                s4 = Math.fma(x, b[bp + 4 * bCol], s4);
                s5 = Math.fma(x, b[bp + 5 * bCol], s5);
                s6 = Math.fma(x, b[bp + 6 * bCol], s6);
                s7 = Math.fma(x, b[bp + 7 * bCol], s7);
            }
            int at = ci + j;
            put(c, at, s0, accumulate);
            put(c, at + 1, s1, accumulate);
            put(c, at + 2, s2, accumulate);
            put(c, at + 3, s3, accumulate);
            put(c, at + 4, s4, accumulate);
            put(c, at + 5, s5, accumulate);
            put(c, at + 6, s6, accumulate);
            put(c, at + 7, s7, accumulate);
        }
        for (; j + 4 <= n; j += 4) {
            int b0 = bOff + j * bCol;
            double s0 = 0d, s1 = 0d, s2 = 0d, s3 = 0d;
            for (int p = 0; p < k; p++) {
                double x = a[ai + p];
                int bp = b0 + p;
                s0 = Math.fma(x, b[bp], s0);
                s1 = Math.fma(x, b[bp + bCol], s1);
                s2 = Math.fma(x, b[bp + 2 * bCol], s2);
                s3 = Math.fma(x, b[bp + 3 * bCol], s3);
            }
            int at = ci + j;
            put(c, at, s0, accumulate);
            put(c, at + 1, s1, accumulate);
            put(c, at + 2, s2, accumulate);
            put(c, at + 3, s3, accumulate);
        }
        for (; j < n; j++) {
            int b0 = bOff + j * bCol;
            double s = 0d;
            for (int p = 0; p < k; p++) {
                s = Math.fma(a[ai + p], b[b0 + p], s);
            }
            put(c, ci + j, s, accumulate);
        }
    }

    private static void put(double[] c, int at, double sum, boolean accumulate) {
        c[at] = accumulate ? c[at] + sum : sum;
    }
}
