package dev.modelc.runtime.kernels;

import dev.modelc.runtime.kernels.Workspace.Slot;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API f64 matrix product: packed panels and a register tile of {@link #MR} rows by two vectors.
 *
 * <p>Algorithm (the classic blocked product; see docs/kernels.md):
 * <ol>
 *   <li>Split columns into blocks of {@link #NC}, the reduced dimension into blocks of {@link #KC} and rows into
 *       blocks of {@link #MC}.</li>
 *   <li>Pack the {@code KC x NC} block of B into panels {@link #NR} columns wide ({@code p}-major inside a panel)
 *       (padding with zeros); for the packed-A tile, full panels of a row-major B are read in place instead when
 *       {@code kc <= }{@link #B_IN_PLACE_K} and its rows are not a multiple of 32 elements apart. With 512-bit
 *       vectors ({@link #WIDE}) a row-major A is read in place, {@link #MR} rows at a time, since the tile only
 *       broadcasts its elements one by one, and only a last panel of fewer than {@link #MR} rows is packed, padded
 *       with zeros. A transposed A and, with narrower vectors, every A is
 *       packed, {@link #MR} rows interleaved a step of k at a time, so that a step's values are neighbours and
 *       the tile's indices are the loop counter times a constant plus an invariant.</li>
 *   <li>For every (A panel, B panel) pair, keep an {@code MR x NR} tile of C in vector registers: per step of k
 *       load {@code NR / L} vectors of B, broadcast {@code MR} values of A, do {@code MR NR / L} fused
 *       multiply-adds.</li>
 *   <li>Store or add the tile into C; tiles on the ragged edge (or a transposed C) go through a small scratch tile.</li>
 * </ol>
 * Only {@code DoubleVector} basics that exist unchanged from JDK 17 to 25 are used.
 *
 * <p>This file has a twin for the other element type, identical but for the type names; {@code GemmTwinsTest}
 * checks that the one is the other with the types replaced, and that both give the same numbers on the same
 * inputs. Why two copies and not one source: Java generics cannot range over primitive arrays, so one source would
 * put an accessor call or a boxed value in the innermost loops, which C2 then no longer unrolls and vectorizes; a
 * build-time generator would take one twin out of the source tree readers and IDEs see, and add a step to the
 * build of the Vector API source root, for about 200 lines that rarely change.
 */
final class VectorDgemm {

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /**
     * Whether vectors are 512 bits wide. The tile is then eight rows by two vectors (16 accumulators of the 32
     * registers of AVX-512), reading full panels of A in place. With 256-bit vectors and 16 registers (AVX2) it is
     * four rows by two vectors (8 accumulators, two of B, four broadcasts at most) over a packed A: C2 then keeps
     * every value in a register and proves every index in bounds before the loop, where a tile of four by three
     * filled all 16 registers and ran at one of two speeds per JVM, depending on whether C2's register allocation
     * spilled (docs/kernels.md).
     */
    static final boolean WIDE = S.vectorBitSize() >= 512;
    static final int MR = WIDE ? 8 : 4;
    static final int NR = 2 * L;
    static final int KC = 256;
    static final int MC = 128;
    static final int NC = 512;
    /**
     * Whether {@link #packTransposed} may move full panels of a B whose steps of k are contiguous in squares of
     * {@code L x L} through vector registers ({@link VectorTransposes}: 512-bit vectors), once {@link #SQUARES_RENT}
     * is paid.
     */
    private static final boolean SQUARES = VectorTransposes.forDouble(L);
    /** The squares' warm-up rent in elements packed ({@link WarmupRent#squares}). */
    static final WarmupRent SQUARES_RENT = WarmupRent.squares();
    /** The longest k for which full panels of a row-major B are read in place instead of packed. */
    static final int B_IN_PLACE_K = 128;

    private VectorDgemm() {
    }

    static int lanes() {
        return L;
    }

    static void run(Workspace ws, int m, int n, int k,
                    double[] a, int aOff, int aRow, int aCol,
                    double[] b, int bOff, int bRow, int bCol,
                    double[] c, int cOff, int cRow, int cCol, boolean accumulate) {
        run(ws, m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, null, c, cOff, cRow, cCol, accumulate);
    }

    /**
     * The length of the panels {@link #packWhole} writes for a {@code k x n} B: every block of {@link #NC} columns
     * and {@link #KC} steps of k, packed as {@link #run} packs it.
     */
    static int packedLength(int n, int k) {
        int length = 0;
        for (int jc = 0; jc < n; jc += NC) {
            length += k * roundUp(Math.min(NC, n - jc), NR);
        }
        return length;
    }

    /**
     * B ({@code k x n}, element (p, j) at {@code b[bOff + p * bRow + j * bCol]}) packed whole: the blocks {@link #run}
     * packs one at a time, columns' blocks outermost, each block's steps of k next, each block as {@link #packB}
     * writes it. {@link #run} given these panels multiplies by them without packing, with the same bits.
     */
    static void packWhole(double[] b, int bOff, int bRow, int bCol, int n, int k, double[] packed) {
        int at = 0;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(b, bOff + pc * bRow + jc * bCol, bRow, bCol, kc, nc, packed, at, false);
                at += kc * roundUp(nc, NR);
            }
        }
    }

    /**
     * {@link #run(Workspace, int, int, int, double[], int, int, int, double[], int, int, int, double[], int, int, int,
     * boolean)}, but with B's panels {@code packed} by {@link #packWhole} when not null (B itself is not read then).
     */
    static void run(Workspace ws, int m, int n, int k,
                    double[] a, int aOff, int aRow, int aCol,
                    double[] b, int bOff, int bRow, int bCol, double[] packed,
                    double[] c, int cOff, int cRow, int cCol, boolean accumulate) {
        int kcMax = Math.min(k, KC);
        double[] bp = packed != null ? packed : ws.doubles(Slot.PACK_B, kcMax * roundUp(Math.min(n, NC), NR));
        double[] ap = ws.doubles(Slot.PACK_A, kcMax * roundUp(Math.min(m, MC), MR));
        double[] tile = ws.doubles(Slot.TILE, MR * NR);
        int block = 0;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                // Full panels of a row-major B are read in place by the packed-A tile when k is short (the
                // weight gradient dY^T x: x's rows, 64 or 128 of them, stay in L1 across the row tiles).
                boolean bInPlace = packed == null && WIDE && bCol == 1 && aCol != 1 && kc <= B_IN_PLACE_K
                        && bRow % 32 != 0;
                int bpOff = packed != null ? block : 0;
                block += kc * roundUp(nc, NR);
                if (packed == null) {
                    packB(b, bOff + pc * bRow + jc * bCol, bRow, bCol, kc, nc, bp, 0, bInPlace);
                }
                boolean add = accumulate || pc > 0;
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    int full = WIDE && aCol == 1 ? mc / MR * MR : 0;
                    // A in one block (k <= KC, m <= MC) is packed for the first block of columns and kept
                    if (full < mc && (jc == 0 || k > KC || m > MC)) {
                        packA(a, aOff + (ic + full) * aRow + pc * aCol, aRow, aCol, mc - full, kc, ap);
                    }
                    for (int jr = 0; jr < nc; jr += NR) {
                        int cols = Math.min(NR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            int rows = Math.min(MR, mc - ir);
                            int cBase = cOff + (ic + ir) * cRow + (jc + jr) * cCol;
                            // With WIDE, the full panels of a row-major A are read in place, the rest packed.
                            boolean inPlace = ir < full;
                            double[] as = inPlace ? a : ap;
                            int ao = inPlace ? aOff + (ic + ir) * aRow + pc : (ir - full) * kc;
                            boolean bFull = bInPlace && cols == NR;
                            double[] bs = bFull ? b : bp;
                            int bo = bFull ? bOff + pc * bRow + jc + jr : bpOff + jr * kc;
                            int ldb = bFull ? bRow : NR;
                            if (rows == MR && cols == NR && cCol == 1) {
                                tile(inPlace, as, ao, aRow, bs, bo, ldb, kc, c, cBase, cRow, add);
                            } else {
                                tile(inPlace, as, ao, aRow, bs, bo, ldb, kc, tile, 0, NR, false);
                                merge(tile, c, cBase, cRow, cCol, rows, cols, add);
                            }
                        }
                    }
                }
            }
        }
    }

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }

    /**
     * Panel {@code jr / NR} holds element (p, col) at {@code bpOff + jr * kc + p * NR + col}. Full panels of a
     * row-major B are copied in vectors, a step of k at a time (a {@code System.arraycopy} of {@code NR} values costs
     * a call).
     */
    private static void packB(double[] b, int base, int bRow, int bCol, int kc, int nc, double[] bp, int bpOff,
                              boolean fullInPlace) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int panel = bpOff + jr * kc;
            if (fullInPlace && cols == NR) {
                continue;
            }
            if (bCol == 1 && cols == NR) {
                for (int p = 0; p < kc; p++) {
                    int from = base + p * bRow + jr;
                    int to = panel + p * NR;
                    DoubleVector.fromArray(S, b, from).intoArray(bp, to);
                    DoubleVector.fromArray(S, b, from + L).intoArray(bp, to + L);
                }
            } else if (bCol == 1) {
                for (int p = 0; p < kc; p++) {
                    int to = panel + p * NR;
                    System.arraycopy(b, base + p * bRow + jr, bp, to, cols);
                    java.util.Arrays.fill(bp, to + cols, to + NR, 0d);
                }
            } else {
                packTransposed(b, base + jr * bCol, bRow, bCol, kc, cols, bp, panel);
            }
        }
    }

    /**
     * One panel of a B whose columns are the contiguous runs (B stored transposed, a Linear layer's weight): eight
     * steps of k at a time, so that each column gives eight neighbouring loads and each step's row of the panel is
     * written in one sweep (column by column, all k of a column first, wrote one panel row per element and ran
     * about 1.5 times slower; four steps at a time ran about 1.3 times slower than eight). A full panel whose steps
     * of k are contiguous (a Linear layer's input {@code x^T} where the product runs as {@code C^T = W x^T}) goes
     * {@code L} steps at a time through {@link VectorTransposes#square} first, with {@link #SQUARES} and the rent
     * paid.
     */
    private static void packTransposed(double[] b, int base, int bRow, int bCol, int kc, int cols, double[] bp,
                                       int panel) {
        int p = 0;
        if (SQUARES && bRow == 1 && cols == NR && kc >= L && !SQUARES_RENT.renting(kc * NR)) {
            int squares = kc / L * L;
            for (int h = 0; h < NR; h += L) {             // L columns' runs read in sequence
                for (int q = 0; q < squares; q += L) {
                    VectorTransposes.square(b, base + h * bCol + q, bCol, bp, panel + q * NR + h, NR);
                }
            }
            p = squares;
        }
        for (; p + 8 <= kc; p += 8) {
            int to = panel + p * NR;
            for (int col = 0; col < cols; col++) {
                int from = base + col * bCol + p * bRow;
                double v0 = b[from];
                double v1 = b[from + bRow];
                double v2 = b[from + 2 * bRow];
                double v3 = b[from + 3 * bRow];
                double v4 = b[from + 4 * bRow];
                double v5 = b[from + 5 * bRow];
                double v6 = b[from + 6 * bRow];
                double v7 = b[from + 7 * bRow];
                int at = to + col;
                bp[at] = v0;
                bp[at + NR] = v1;
                bp[at + 2 * NR] = v2;
                bp[at + 3 * NR] = v3;
                bp[at + 4 * NR] = v4;
                bp[at + 5 * NR] = v5;
                bp[at + 6 * NR] = v6;
                bp[at + 7 * NR] = v7;
            }
            for (int col = cols; col < NR; col++) {
                for (int q = 0; q < 8; q++) {
                    bp[to + q * NR + col] = 0d;
                }
            }
        }
        for (; p < kc; p++) {
            int to = panel + p * NR;
            for (int col = 0; col < cols; col++) {
                bp[to + col] = b[base + col * bCol + p * bRow];
            }
            for (int col = cols; col < NR; col++) {
                bp[to + col] = 0d;
            }
        }
    }

    /**
     * Panel {@code ir / MR} holds element (row, p) at {@code ir * kc + p * MR + row}: all rows of A without
     * {@link #WIDE} or with A transposed, the ragged last rows otherwise. A full panel of a row-major A is copied a row
     * at a time (reads in sequence, a loop C2 unrolls); other full panels a step of k at a time, {@code MR} values
     * each.
     */
    private static void packA(double[] a, int base, int aRow, int aCol, int mc, int kc, double[] ap) {
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            int panel = ir * kc;
            if (rows == MR && aCol == 1) {
                for (int r = 0; r < MR; r++) {
                    int from = base + (ir + r) * aRow;
                    for (int p = 0; p < kc; p++) {
                        ap[panel + p * MR + r] = a[from + p];
                    }
                }
            } else if (rows == MR && aRow == 1) {        // A transposed: a step's rows are neighbours
                for (int p = 0; p < kc; p++) {
                    int from = base + ir + p * aCol;
                    int to = panel + p * MR;
                    for (int r = 0; r < MR; r++) {
                        ap[to + r] = a[from + r];
                    }
                }
            } else if (rows == MR) {
                for (int p = 0; p < kc; p++) {
                    int from = base + ir * aRow + p * aCol;
                    int to = panel + p * MR;
                    for (int r = 0; r < MR; r++) {
                        ap[to + r] = a[from + r * aRow];
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int from = base + ir * aRow + p * aCol;
                    int to = panel + p * MR;
                    for (int r = 0; r < rows; r++) {
                        ap[to + r] = a[from + r * aRow];
                    }
                    for (int r = rows; r < MR; r++) {
                        ap[to + r] = 0d;
                    }
                }
            }
        }
    }

    private static void merge(double[] tile, double[] c, int base, int cRow, int cCol, int rows, int cols,
                              boolean add) {
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < cols; col++) {
                int at = base + r * cRow + col * cCol;
                double v = tile[r * NR + col];
                c[at] = add ? c[at] + v : v;
            }
        }
    }

    /**
     * C's {@code MR x NR} tile at {@code cBase} (rows {@code ldc} apart), stored or added when {@code add}, from
     * {@code kc} steps of the A panel and of B's packed panel from {@code bo}. Element (row r, step p) of A is at
     * {@code as[ao + p + r * aRow]} {@code inPlace}, else at {@code as[ao + p * MR + r]} (the packed panel). Step
     * {@code p}'s vectors of B start at {@code bp[bo + p * ldb]}: {@code ldb} is {@link #NR} in a packed panel, B's
     * row length where the packed-A tile reads it in place (the in-place-A tile takes packed panels only).
     * {@link #WIDE} is a constant, so C2 keeps only its calls (without it A is always packed).
     */
    private static void tile(boolean inPlace, double[] as, int ao, int aRow, double[] bp, int bo, int ldb, int kc,
                             double[] c, int cBase, int ldc, boolean add) {
        if (WIDE && inPlace) {
            tile8x2(as, ao, aRow, bp, bo, kc, c, cBase, ldc, add);
        } else if (WIDE) {
            tile8x2Packed(as, ao, bp, bo, ldb, kc, c, cBase, ldc, add);
        } else {
            tile4x2(as, ao, bp, bo, kc, c, cBase, ldc, add);
        }
    }

    /**
     * The 8-row, 2-vector tile of {@link #tile} over {@link #MR} rows of a row-major A read in place, {@code aRow}
     * apart. A transposed A is packed for {@link #tile8x2Packed} instead: read in place, each step of k took a new
     * cache line, a row of {@code dY} away, and the MLP's weight gradient {@code 128 x 784 x 64} ran 79.3 µs against
     * 72.4 packed (docs/kernels.md).
     */
    private static void tile8x2(double[] as, int ao, int aRow, double[] bp, int bo, int kc,
                                double[] c, int cBase, int ldc, boolean add) {
        DoubleVector c00 = DoubleVector.zero(S), c01 = DoubleVector.zero(S);
        DoubleVector c10 = DoubleVector.zero(S), c11 = DoubleVector.zero(S);
        DoubleVector c20 = DoubleVector.zero(S), c21 = DoubleVector.zero(S);
        DoubleVector c30 = DoubleVector.zero(S), c31 = DoubleVector.zero(S);
        DoubleVector c40 = DoubleVector.zero(S), c41 = DoubleVector.zero(S);
        DoubleVector c50 = DoubleVector.zero(S), c51 = DoubleVector.zero(S);
        DoubleVector c60 = DoubleVector.zero(S), c61 = DoubleVector.zero(S);
        DoubleVector c70 = DoubleVector.zero(S), c71 = DoubleVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * NR;
            int ai = ao + p;
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bi);
            DoubleVector b1 = DoubleVector.fromArray(S, bp, bi + L);
            DoubleVector x = DoubleVector.broadcast(S, as[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = DoubleVector.broadcast(S, as[ai + 1 * aRow]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = DoubleVector.broadcast(S, as[ai + 2 * aRow]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = DoubleVector.broadcast(S, as[ai + 3 * aRow]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = DoubleVector.broadcast(S, as[ai + 4 * aRow]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = DoubleVector.broadcast(S, as[ai + 5 * aRow]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = DoubleVector.broadcast(S, as[ai + 6 * aRow]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = DoubleVector.broadcast(S, as[ai + 7 * aRow]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        // Stores are written out here, not in a helper: a vector passed to a method C2 does not inline, or merged
        // from two branches, is boxed on JDK 17, which costs an allocation and most of the speed.
        int at0 = cBase;
        int at1 = cBase + ldc;
        int at2 = cBase + 2 * ldc;
        int at3 = cBase + 3 * ldc;
        int at4 = cBase + 4 * ldc;
        int at5 = cBase + 5 * ldc;
        int at6 = cBase + 6 * ldc;
        int at7 = cBase + 7 * ldc;
        if (add) {
            c00.add(DoubleVector.fromArray(S, c, at0)).intoArray(c, at0);
            c01.add(DoubleVector.fromArray(S, c, at0 + L)).intoArray(c, at0 + L);
            c10.add(DoubleVector.fromArray(S, c, at1)).intoArray(c, at1);
            c11.add(DoubleVector.fromArray(S, c, at1 + L)).intoArray(c, at1 + L);
            c20.add(DoubleVector.fromArray(S, c, at2)).intoArray(c, at2);
            c21.add(DoubleVector.fromArray(S, c, at2 + L)).intoArray(c, at2 + L);
            c30.add(DoubleVector.fromArray(S, c, at3)).intoArray(c, at3);
            c31.add(DoubleVector.fromArray(S, c, at3 + L)).intoArray(c, at3 + L);
            c40.add(DoubleVector.fromArray(S, c, at4)).intoArray(c, at4);
            c41.add(DoubleVector.fromArray(S, c, at4 + L)).intoArray(c, at4 + L);
            c50.add(DoubleVector.fromArray(S, c, at5)).intoArray(c, at5);
            c51.add(DoubleVector.fromArray(S, c, at5 + L)).intoArray(c, at5 + L);
            c60.add(DoubleVector.fromArray(S, c, at6)).intoArray(c, at6);
            c61.add(DoubleVector.fromArray(S, c, at6 + L)).intoArray(c, at6 + L);
            c70.add(DoubleVector.fromArray(S, c, at7)).intoArray(c, at7);
            c71.add(DoubleVector.fromArray(S, c, at7 + L)).intoArray(c, at7 + L);
        } else {
            c00.intoArray(c, at0);
            c01.intoArray(c, at0 + L);
            c10.intoArray(c, at1);
            c11.intoArray(c, at1 + L);
            c20.intoArray(c, at2);
            c21.intoArray(c, at2 + L);
            c30.intoArray(c, at3);
            c31.intoArray(c, at3 + L);
            c40.intoArray(c, at4);
            c41.intoArray(c, at4 + L);
            c50.intoArray(c, at5);
            c51.intoArray(c, at5 + L);
            c60.intoArray(c, at6);
            c61.intoArray(c, at6 + L);
            c70.intoArray(c, at7);
            c71.intoArray(c, at7 + L);
        }
    }

    /** The 8-row, 2-vector tile of {@link #tile} over a packed panel of A. */
    private static void tile8x2Packed(double[] as, int ao, double[] bp, int bo, int ldb, int kc,
                                double[] c, int cBase, int ldc, boolean add) {
        DoubleVector c00 = DoubleVector.zero(S), c01 = DoubleVector.zero(S);
        DoubleVector c10 = DoubleVector.zero(S), c11 = DoubleVector.zero(S);
        DoubleVector c20 = DoubleVector.zero(S), c21 = DoubleVector.zero(S);
        DoubleVector c30 = DoubleVector.zero(S), c31 = DoubleVector.zero(S);
        DoubleVector c40 = DoubleVector.zero(S), c41 = DoubleVector.zero(S);
        DoubleVector c50 = DoubleVector.zero(S), c51 = DoubleVector.zero(S);
        DoubleVector c60 = DoubleVector.zero(S), c61 = DoubleVector.zero(S);
        DoubleVector c70 = DoubleVector.zero(S), c71 = DoubleVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * ldb;
            int ai = ao + p * MR;
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bi);
            DoubleVector b1 = DoubleVector.fromArray(S, bp, bi + L);
            DoubleVector x = DoubleVector.broadcast(S, as[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = DoubleVector.broadcast(S, as[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = DoubleVector.broadcast(S, as[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = DoubleVector.broadcast(S, as[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = DoubleVector.broadcast(S, as[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = DoubleVector.broadcast(S, as[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = DoubleVector.broadcast(S, as[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = DoubleVector.broadcast(S, as[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        // Stores are written out here, not in a helper: a vector passed to a method C2 does not inline, or merged
        // from two branches, is boxed on JDK 17, which costs an allocation and most of the speed.
        int at0 = cBase;
        int at1 = cBase + ldc;
        int at2 = cBase + 2 * ldc;
        int at3 = cBase + 3 * ldc;
        int at4 = cBase + 4 * ldc;
        int at5 = cBase + 5 * ldc;
        int at6 = cBase + 6 * ldc;
        int at7 = cBase + 7 * ldc;
        if (add) {
            c00.add(DoubleVector.fromArray(S, c, at0)).intoArray(c, at0);
            c01.add(DoubleVector.fromArray(S, c, at0 + L)).intoArray(c, at0 + L);
            c10.add(DoubleVector.fromArray(S, c, at1)).intoArray(c, at1);
            c11.add(DoubleVector.fromArray(S, c, at1 + L)).intoArray(c, at1 + L);
            c20.add(DoubleVector.fromArray(S, c, at2)).intoArray(c, at2);
            c21.add(DoubleVector.fromArray(S, c, at2 + L)).intoArray(c, at2 + L);
            c30.add(DoubleVector.fromArray(S, c, at3)).intoArray(c, at3);
            c31.add(DoubleVector.fromArray(S, c, at3 + L)).intoArray(c, at3 + L);
            c40.add(DoubleVector.fromArray(S, c, at4)).intoArray(c, at4);
            c41.add(DoubleVector.fromArray(S, c, at4 + L)).intoArray(c, at4 + L);
            c50.add(DoubleVector.fromArray(S, c, at5)).intoArray(c, at5);
            c51.add(DoubleVector.fromArray(S, c, at5 + L)).intoArray(c, at5 + L);
            c60.add(DoubleVector.fromArray(S, c, at6)).intoArray(c, at6);
            c61.add(DoubleVector.fromArray(S, c, at6 + L)).intoArray(c, at6 + L);
            c70.add(DoubleVector.fromArray(S, c, at7)).intoArray(c, at7);
            c71.add(DoubleVector.fromArray(S, c, at7 + L)).intoArray(c, at7 + L);
        } else {
            c00.intoArray(c, at0);
            c01.intoArray(c, at0 + L);
            c10.intoArray(c, at1);
            c11.intoArray(c, at1 + L);
            c20.intoArray(c, at2);
            c21.intoArray(c, at2 + L);
            c30.intoArray(c, at3);
            c31.intoArray(c, at3 + L);
            c40.intoArray(c, at4);
            c41.intoArray(c, at4 + L);
            c50.intoArray(c, at5);
            c51.intoArray(c, at5 + L);
            c60.intoArray(c, at6);
            c61.intoArray(c, at6 + L);
            c70.intoArray(c, at7);
            c71.intoArray(c, at7 + L);
        }
    }

    /**
     * The 4-row, 2-vector tile of {@link #tile}, over a packed A panel. Every index is a constant times the loop
     * counter plus an invariant, with constants that are powers of two ({@code MR}, {@code NR}), so that C2 checks
     * the bounds once before the loop (a constant such as 24 is rewritten into two shifts and an add, which its
     * range-check elimination does not recognize).
     */
    private static void tile4x2(double[] ap, int ao, double[] bp, int bo, int kc,
                                double[] c, int cBase, int ldc, boolean add) {
        DoubleVector c00 = DoubleVector.zero(S), c01 = DoubleVector.zero(S);
        DoubleVector c10 = DoubleVector.zero(S), c11 = DoubleVector.zero(S);
        DoubleVector c20 = DoubleVector.zero(S), c21 = DoubleVector.zero(S);
        DoubleVector c30 = DoubleVector.zero(S), c31 = DoubleVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * NR;
            int ai = ao + p * MR;
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bi);
            DoubleVector b1 = DoubleVector.fromArray(S, bp, bi + L);
            DoubleVector x = DoubleVector.broadcast(S, ap[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = DoubleVector.broadcast(S, ap[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = DoubleVector.broadcast(S, ap[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = DoubleVector.broadcast(S, ap[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        // Stores are written out here, not in a helper: a vector passed to a method C2 does not inline, or merged
        // from two branches, is boxed on JDK 17, which costs an allocation and most of the speed.
        int at0 = cBase;
        int at1 = cBase + ldc;
        int at2 = cBase + 2 * ldc;
        int at3 = cBase + 3 * ldc;
        if (add) {
            c00.add(DoubleVector.fromArray(S, c, at0)).intoArray(c, at0);
            c01.add(DoubleVector.fromArray(S, c, at0 + L)).intoArray(c, at0 + L);
            c10.add(DoubleVector.fromArray(S, c, at1)).intoArray(c, at1);
            c11.add(DoubleVector.fromArray(S, c, at1 + L)).intoArray(c, at1 + L);
            c20.add(DoubleVector.fromArray(S, c, at2)).intoArray(c, at2);
            c21.add(DoubleVector.fromArray(S, c, at2 + L)).intoArray(c, at2 + L);
            c30.add(DoubleVector.fromArray(S, c, at3)).intoArray(c, at3);
            c31.add(DoubleVector.fromArray(S, c, at3 + L)).intoArray(c, at3 + L);
        } else {
            c00.intoArray(c, at0);
            c01.intoArray(c, at0 + L);
            c10.intoArray(c, at1);
            c11.intoArray(c, at1 + L);
            c20.intoArray(c, at2);
            c21.intoArray(c, at2 + L);
            c30.intoArray(c, at3);
            c31.intoArray(c, at3 + L);
        }
    }
}
