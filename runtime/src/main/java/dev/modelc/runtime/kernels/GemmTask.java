package dev.modelc.runtime.kernels;

import static dev.modelc.runtime.kernels.Parallel.chunk;
import static dev.modelc.runtime.kernels.Parallel.ROW_ALIGN;
import static dev.modelc.runtime.kernels.Parallel.COLUMN_ALIGN;

/**
 * A product as {@link Gemm} computes it, on strided views: {@code C[M, N] = A'[M, K] B'[K, N]}, split over the
 * columns or rows of C.
 */
final class GemmTask extends Task {
    Gemm kernel;
    boolean small;
    boolean columns;
    int parts;
    int chunk;
    int m;
    int n;
    int k;
    int aOff;
    int aRow;
    int aCol;
    int bOff;
    int bRow;
    int bCol;
    int cOff;
    int cRow;
    int cCol;
    boolean accumulate;
    float[] fa;
    float[] fb;
    float[] fc;
    double[] da;
    double[] db;
    double[] dc;
    /** B's panels packed whole ({@link Gemm#packWeight}) when not null: the product is then split over C's rows. */
    float[] fpacked;
    /** f64 {@link #fpacked}. */
    double[] dpacked;
    /** Whether the kernel computes {@code C^T = B^T A^T}: its A' is then the caller's B and its B' the caller's A. */
    private boolean swapped;
    /**
     * Whether {@code C^T} goes to each thread's scratch and is then transposed into C, as {@link Gemm#gemm} does on
     * one thread when {@link Gemm#transposesThroughScratch} says so (f32 only), split over the rows of {@code C^T}
     * (B's columns): each thread then packs all of A's m rows, where split the other way over C's columns each
     * packs its n / threads columns of the transposed B, so only when m threads < n (the wide MLP's
     * {@code [128, 784] x [784, 1024]}: 100 thousand elements packed per thread instead of 401 thousand; the MLP's
     * {@code [64, 784] x [784, 128]} packs 50 thousand either way and stays on the direct path, which measured 10%
     * faster for it). Either path gives each element of C the same chain as one thread.
     */
    private boolean scratch;

    /**
     * {@link #plan(Gemm, int, boolean, boolean, boolean, int, int, int, int, int, int, boolean)} for a product that
     * never goes through scratch: f64 (or a kernel whose {@link Gemm#transposesThroughScratch} is false).
     */
    boolean plan(Gemm kernel, int threads, boolean transA, boolean transB, int m, int n, int k, int aOff, int bOff,
                 int cOff, boolean accumulate) {
        return plan(kernel, threads, false, transA, transB, m, n, k, aOff, bOff, cOff, accumulate);
    }

    /**
     * Chooses the whole product's path as {@link Gemm#gemm} does for the element type ({@code f32} or f64), then the
     * split; false when it cannot be split (too few rows and columns).
     */
    boolean plan(Gemm kernel, int threads, boolean f32, boolean transA, boolean transB, int m, int n, int k, int aOff,
                 int bOff, int cOff, boolean accumulate) {
        this.kernel = kernel;
        this.k = k;
        this.cOff = cOff;
        this.accumulate = accumulate;
        fpacked = null;
        dpacked = null;
        int aRow = transA ? 1 : k, aCol = transA ? m : 1;
        int bRow = transB ? 1 : n, bCol = transB ? k : 1;
        small = SmallGemm.fits(m, n, k);
        scratch = f32 && !small && !Gemm.transposes(m, n) && (long) m * threads < n
                && kernel.transposesThroughScratch(transB, accumulate, m, n, k);
        swapped = !small && (Gemm.transposes(m, n) || scratch);
        if (swapped) {             // C^T = B^T A^T
            this.m = n;
            this.n = m;
            this.aOff = bOff;
            this.aRow = bCol;
            this.aCol = bRow;
            this.bOff = aOff;
            this.bRow = aCol;
            this.bCol = aRow;
            this.cRow = 1;
            this.cCol = n;
        } else {
            this.m = m;
            this.n = n;
            this.aOff = aOff;
            this.aRow = aRow;
            this.aCol = aCol;
            this.bOff = bOff;
            this.bRow = bRow;
            this.bCol = bCol;
            this.cRow = n;
            this.cCol = 1;
        }
        columns = !small && !scratch && this.n >= 2 * COLUMN_ALIGN;
        if (columns) {
            chunk = chunk(this.n, threads, COLUMN_ALIGN);
            parts = (this.n + chunk - 1) / chunk;
            return true;
        }
        if (this.m >= 2 * ROW_ALIGN) {
            chunk = chunk(this.m, threads, ROW_ALIGN);
            parts = (this.m + chunk - 1) / chunk;
            return true;
        }
        return false;
    }

    /**
     * A product {@code C = op(A) W^T} with W's panels packed whole ({@link Gemm#packWeight}), split over C's rows
     * (each thread reads every panel): false when there are too few rows. The caller sets A, C and the panels.
     */
    boolean planPacked(Gemm kernel, int threads, boolean transA, int m, int n, int k, boolean accumulate) {
        this.kernel = kernel;
        this.m = m;
        this.n = n;
        this.k = k;
        this.accumulate = accumulate;
        aOff = 0;
        aRow = transA ? 1 : k;
        aCol = transA ? m : 1;
        cOff = 0;
        cRow = n;
        cCol = 1;
        small = false;
        scratch = false;
        swapped = false;
        columns = false;
        fb = null;
        db = null;
        fpacked = null;
        dpacked = null;
        if (m < 2 * ROW_ALIGN) {
            return false;
        }
        chunk = chunk(m, threads, ROW_ALIGN);
        parts = (m + chunk - 1) / chunk;
        return true;
    }

    @Override
    void part(Workspace ws, int part) {
        int lo = part * chunk;
        int hi = Math.min(columns ? n : m, lo + chunk);
        if (fpacked != null) {
            kernel.runPacked(ws, hi - lo, n, k, fa, aOff + lo * aRow, aRow, aCol, fpacked, fc, cOff + lo * cRow,
                    cRow, cCol, accumulate);
        } else if (dpacked != null) {
            kernel.runPacked(ws, hi - lo, n, k, da, aOff + lo * aRow, aRow, aCol, dpacked, dc, cOff + lo * cRow,
                    cRow, cCol, accumulate);
        } else if (fa != null) {
            float[] a = swapped ? fb : fa, b = swapped ? fa : fb;
            if (small) {
                kernel.small(hi - lo, n, k, a, aOff + lo * aRow, aRow, aCol, b, bOff, bRow, bCol,
                        fc, cOff + lo * n, accumulate);
            } else if (scratch) {
                throughScratch(ws, a, b, lo, hi);
            } else if (columns) {
                kernel.run(ws, m, hi - lo, k, a, aOff, aRow, aCol, b, bOff + lo * bCol, bRow, bCol,
                        fc, cOff + lo * cCol, cRow, cCol, accumulate);
            } else {
                kernel.run(ws, hi - lo, n, k, a, aOff + lo * aRow, aRow, aCol, b, bOff, bRow, bCol,
                        fc, cOff + lo * cRow, cRow, cCol, accumulate);
            }
        } else {
            double[] a = swapped ? db : da, b = swapped ? da : db;
            if (small) {
                SmallGemm.run(hi - lo, n, k, a, aOff + lo * aRow, aRow, aCol, b, bOff, bRow, bCol,
                        dc, cOff + lo * n, accumulate);
            } else if (columns) {
                kernel.run(ws, m, hi - lo, k, a, aOff, aRow, aCol, b, bOff + lo * bCol, bRow, bCol,
                        dc, cOff + lo * cCol, cRow, cCol, accumulate);
            } else {
                kernel.run(ws, hi - lo, n, k, a, aOff + lo * aRow, aRow, aCol, b, bOff, bRow, bCol,
                        dc, cOff + lo * cRow, cRow, cCol, accumulate);
            }
        }
    }

    /**
     * The part's columns (or rows) of {@code C^T} into this thread's scratch, then transposed into C's rows (or
     * columns): with the split at multiples of the tile, each element is the one-thread path's (the kernel's own
     * split of {@code C^T} into panels is unchanged), and no thread reads another's scratch.
     */
    private void throughScratch(Workspace ws, float[] a, float[] b, int lo, int hi) {
        if (columns) {
            int w = hi - lo;
            float[] ct = ws.floats(Workspace.Slot.TRANSPOSED_C, m * w);
            kernel.run(ws, m, w, k, a, aOff, aRow, aCol, b, bOff + lo * bCol, bRow, bCol, ct, 0, w, 1, false);
            Movement.transpose2d(ct, m, w, fc, cOff + lo * m, m);
        } else {
            int h = hi - lo;
            float[] ct = ws.floats(Workspace.Slot.TRANSPOSED_C, h * n);
            kernel.run(ws, h, n, k, a, aOff + lo * aRow, aRow, aCol, b, bOff, bRow, bCol, ct, 0, n, 1, false);
            Movement.transpose2d(ct, h, n, fc, cOff + lo, m);
        }
    }
}
