package dev.modelc.runtime.kernels;

import dev.modelc.runtime.kernels.Workspace.Slot;

/**
 * Plain-Java f32 matrix product in the loop shape HotSpot's C2 auto-vectorizes.
 *
 * <p>Algorithm (see docs/kernels.md):
 * <ol>
 *   <li>Split the columns into blocks of {@link #NC} and the reduced dimension into blocks of {@link #KC}.</li>
 *   <li>Copy each {@code KC x NC} block of B into separate zero-based rows ({@code float[][]}), so every array in
 *       the hot loop is indexed by the same loop variable.</li>
 *   <li>For each group of four rows of C, copy the rows' block into four zero-based scratch rows (or zero them),
 *       then for every two steps of k add {@code a[r,p] * b[p,:] + a[r,p+1] * b[p+1,:]} to each row: one loop of
 *       6 loads, 4 stores and 8 {@code Math.fma}, small enough for C2 to unroll and vectorize (the same sum written
 *       with separate multiplies and adds was measured not to vectorize, at a quarter of the speed).</li>
 *   <li>Copy the rows back. Two or three leftover rows use a two-row loop, then a one-row loop; an odd last
 *       k uses a one-step loop.</li>
 * </ol>
 *
 * <p>This file has a twin for the other element type, identical but for the type names; {@code GemmTwinsTest}
 * checks that the one is the other with the types replaced, and that both give the same numbers on the same
 * inputs. Why two copies and not one source: Java generics cannot range over primitive arrays, so one source would
 * put an accessor call or a boxed value in the innermost loops, which C2 then no longer unrolls and vectorizes; a
 * build-time generator would take one twin out of the source tree readers and IDEs see, and add a step to the
 * build of the Vector API source root, for about 200 lines that rarely change.
 */
final class JavaSgemm {

    static final int KC = 256;
    static final int NC = 512;
    private static final int MR = 4;

    private JavaSgemm() {
    }

    static void run(Workspace ws, int m, int n, int k,
                    float[] a, int aOff, int aRow, int aCol,
                    float[] b, int bOff, int bRow, int bCol,
                    float[] c, int cOff, int cRow, int cCol, boolean accumulate) {
        float[][] bRows = ws.floatRows(Slot.ROWS_B, Math.min(k, KC), Math.min(n, NC));
        float[][] cRows = ws.floatRows(Slot.ROWS_C, MR, Math.min(n, NC));
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(b, bOff + pc * bRow + jc * bCol, bRow, bCol, kc, nc, bRows);
                boolean add = accumulate || pc > 0;
                for (int i = 0; i < m; i += MR) {
                    int rows = Math.min(MR, m - i);
                    int cBase = cOff + i * cRow + jc * cCol;
                    int aBase = aOff + i * aRow + pc * aCol;
                    loadC(c, cBase, cRow, cCol, rows, nc, cRows, add);
                    if (rows == MR) {
                        block4(a, aBase, aRow, aCol, kc, nc, bRows, cRows, 0);
                    } else {
                        int r = 0;
                        if (rows >= 2) {
                            block2(a, aBase, aRow, aCol, kc, nc, bRows, cRows[0], cRows[1]);
                            r = 2;
                        }
                        if (r < rows) {
                            block1(a, aBase + r * aRow, aCol, kc, nc, bRows, cRows[r]);
                        }
                    }
                    storeC(c, cBase, cRow, cCol, rows, nc, cRows);
                }
            }
        }
    }

    private static void packB(float[] b, int base, int bRow, int bCol, int kc, int nc, float[][] rows) {
        if (bCol == 1) {
            for (int p = 0; p < kc; p++) {
                System.arraycopy(b, base + p * bRow, rows[p], 0, nc);
            }
        } else {
            // B stored transposed (a Linear layer's weight): four steps of k at a time, four neighbouring loads per
            // column, so that each row is written in one sweep
            int p = 0;
            for (; p + 4 <= kc; p += 4) {
                float[] r0 = rows[p], r1 = rows[p + 1], r2 = rows[p + 2], r3 = rows[p + 3];
                for (int j = 0; j < nc; j++) {
                    int from = base + j * bCol + p * bRow;
                    r0[j] = b[from];
                    r1[j] = b[from + bRow];
                    r2[j] = b[from + 2 * bRow];
                    r3[j] = b[from + 3 * bRow];
                }
            }
            for (; p < kc; p++) {
                float[] r = rows[p];
                for (int j = 0; j < nc; j++) {
                    r[j] = b[base + j * bCol + p * bRow];
                }
            }
        }
    }

    private static void loadC(float[] c, int base, int cRow, int cCol, int rows, int nc, float[][] cRows,
                              boolean add) {
        for (int r = 0; r < rows; r++) {
            float[] row = cRows[r];
            int from = base + r * cRow;
            if (!add) {
                java.util.Arrays.fill(row, 0, nc, 0f);
            } else if (cCol == 1) {
                System.arraycopy(c, from, row, 0, nc);
            } else {
                for (int j = 0; j < nc; j++) {
                    row[j] = c[from + j * cCol];
                }
            }
        }
    }

    private static void storeC(float[] c, int base, int cRow, int cCol, int rows, int nc, float[][] cRows) {
        for (int r = 0; r < rows; r++) {
            float[] row = cRows[r];
            int to = base + r * cRow;
            if (cCol == 1) {
                System.arraycopy(row, 0, c, to, nc);
            } else {
                for (int j = 0; j < nc; j++) {
                    c[to + j * cCol] = row[j];
                }
            }
        }
    }

    /**
     * Adds {@code A[4 rows, kc] x bRows[kc, nc]} to rows {@code r0..r0+3} of {@code cRows}; also used by
     * {@link JavaConvLoops}. (The rows are unpacked here: passing four row arrays made the products 30% slower.)
     */
    static void block4(float[] a, int aBase, int aRow, int aCol, int kc, int nc, float[][] bRows,
                       float[][] cRows, int r0) {
        float[] c0 = cRows[r0], c1 = cRows[r0 + 1], c2 = cRows[r0 + 2], c3 = cRows[r0 + 3];
        int p = 0;
        for (; p + 1 < kc; p += 2) {
            int x = aBase + p * aCol;
            int y = x + aCol;
            rows4x2(c0, c1, c2, c3, bRows[p], bRows[p + 1], nc,
                    a[x], a[y], a[x + aRow], a[y + aRow],
                    a[x + 2 * aRow], a[y + 2 * aRow], a[x + 3 * aRow], a[y + 3 * aRow]);
        }
        if (p < kc) {
            int x = aBase + p * aCol;
            rows4x1(c0, c1, c2, c3, bRows[p], nc, a[x], a[x + aRow], a[x + 2 * aRow], a[x + 3 * aRow]);
        }
    }

    static void block2(float[] a, int aBase, int aRow, int aCol, int kc, int nc, float[][] bRows,
                       float[] c0, float[] c1) {
        int p = 0;
        for (; p + 1 < kc; p += 2) {
            int x = aBase + p * aCol;
            int y = x + aCol;
            float a00 = a[x], a01 = a[y], a10 = a[x + aRow], a11 = a[y + aRow];
            float[] b0 = bRows[p], b1 = bRows[p + 1];
            for (int j = 0; j < nc; j++) {
                float x0 = b0[j], x1 = b1[j];
                c0[j] = Math.fma(a01, x1, Math.fma(a00, x0, c0[j]));
                c1[j] = Math.fma(a11, x1, Math.fma(a10, x0, c1[j]));
            }
        }
        if (p < kc) {
            int x = aBase + p * aCol;
            float a0 = a[x], a1 = a[x + aRow];
            float[] b0 = bRows[p];
            for (int j = 0; j < nc; j++) {
                float x0 = b0[j];
                c0[j] = Math.fma(a0, x0, c0[j]);
                c1[j] = Math.fma(a1, x0, c1[j]);
            }
        }
    }

    static void block1(float[] a, int aBase, int aCol, int kc, int nc, float[][] bRows, float[] c0) {
        int p = 0;
        for (; p + 1 < kc; p += 2) {
            int x = aBase + p * aCol;
            float a0 = a[x], a1 = a[x + aCol];
            float[] b0 = bRows[p], b1 = bRows[p + 1];
            for (int j = 0; j < nc; j++) {
                c0[j] = Math.fma(a1, b1[j], Math.fma(a0, b0[j], c0[j]));
            }
        }
        if (p < kc) {
            float a0 = a[aBase + p * aCol];
            float[] b0 = bRows[p];
            for (int j = 0; j < nc; j++) {
                c0[j] = Math.fma(a0, b0[j], c0[j]);
            }
        }
    }

    private static void rows4x2(float[] c0, float[] c1, float[] c2, float[] c3, float[] b0, float[] b1, int nc,
                                float a00, float a01, float a10, float a11,
                                float a20, float a21, float a30, float a31) {
        for (int j = 0; j < nc; j++) {
            float x0 = b0[j], x1 = b1[j];
            c0[j] = Math.fma(a01, x1, Math.fma(a00, x0, c0[j]));
            c1[j] = Math.fma(a11, x1, Math.fma(a10, x0, c1[j]));
            c2[j] = Math.fma(a21, x1, Math.fma(a20, x0, c2[j]));
            c3[j] = Math.fma(a31, x1, Math.fma(a30, x0, c3[j]));
        }
    }

    private static void rows4x1(float[] c0, float[] c1, float[] c2, float[] c3, float[] b0, int nc,
                                float a0, float a1, float a2, float a3) {
        for (int j = 0; j < nc; j++) {
            float x0 = b0[j];
            c0[j] = Math.fma(a0, x0, c0[j]);
            c1[j] = Math.fma(a1, x0, c1[j]);
            c2[j] = Math.fma(a2, x0, c2[j]);
            c3[j] = Math.fma(a3, x0, c3[j]);
        }
    }
}
