package dev.modelc.runtime.kernels;

/**
 * One implementation of general matrix multiplication, {@code C (=|+=) op(A) x op(B)}, in f32 and f64.
 *
 * <p>Operands are row-major matrices stored contiguously in a whole array from an offset: {@code op(A)} is
 * {@code m x k}, {@code op(B)} is {@code k x n} and {@code C} is {@code m x n}. With {@code transA} the array holds
 * A's transpose ({@code k x m}, row-major); with {@code transB} it holds B's transpose ({@code n x k}). With
 * {@code accumulate} the product is added to C, otherwise it replaces C (so C may hold garbage, including NaN).
 *
 * <p>There are two implementations, plain Java and the Vector API; {@link MatMul} calls the one chosen at class
 * initialization by {@link Kernels}. The public methods check the arguments, send matrix-vector, vector-matrix and
 * very small products to {@link SmallGemm} (no packing), and pick the better orientation for the rest; the
 * subclasses work on strided views: element {@code (i, j)} of a matrix is at {@code offset + i * rowStride + j *
 * columnStride}.
 */
public abstract class Gemm {

    /** Below this many output columns a product with more rows is computed transposed: {@code C^T = B^T A^T}. */
    private static final int NARROW = 32;

    Gemm() {
    }

    /** Whether a product too large for {@link SmallGemm} is computed as {@code C^T = B^T A^T}. */
    static boolean transposes(int m, int n) {
        return n < NARROW && n < m;
    }

    /**
     * Whether a product with B stored transposed (a Linear layer's {@code x W^T}) is computed as {@code C^T = B^T
     * A^T} into scratch and then transposed into C. The blocked kernels copy B into panels, for a transposed B a
     * strided copy of {@code n k} elements; computed transposed, they copy A's columns instead ({@code m k}) and C is
     * transposed ({@code m n}): far fewer when A has fewer rows than B has columns (the MLP's {@code 64 x 784} batch
     * by a {@code 128 x 784} weight: 58 thousand elements against 100 thousand). Every element of C is the same sum
     * in the same order either way, so the bits are the same; only a product that overwrites C qualifies (adding a
     * finished sum to C would round differently from adding each block's partial sum in turn). The kernels that
     * read A in place take it (the Vector API's 512-bit f32 tiles: the MLP's product 104-109 -> 92 µs on the Zen 5
     * machine); with A packed it gained nothing (256-bit tiles), and the plain Java kernel, whose rows of C are then
     * the batch's 64 instead of the weight's 128 or 1,024 columns, lost 15-40% (docs/kernels.md).
     */
    boolean transposesThroughScratch(boolean transB, boolean accumulate, int m, int n, int k) {
        return false;
    }

    /** The part of {@link #transposesThroughScratch} that does not depend on the kernel. */
    static boolean copiesLessTransposed(boolean transB, boolean accumulate, int m, int n, int k) {
        return transB && !accumulate && (long) m * (k + n) < (long) n * k;
    }

    /**
     * An f32 product {@link SmallGemm#fits} takes, on the strided views with C row-major: {@link SmallGemm}'s loops,
     * or the Vector API's form of one of them with the same bits.
     */
    void small(int m, int n, int k, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int bRow, int bCol,
               float[] c, int cOff, boolean accumulate) {
        SmallGemm.run(m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, accumulate);
    }

    /**
     * Whether {@link #small} computes an f32 product of {@code n} columns in vectors when B's rows are contiguous and
     * in scalar chains when B is stored transposed, so that a caller able to keep B's row-major transpose (predict's
     * weights) gains by passing it. Both forms sum each element in one chain in the order of k, from zero, so a
     * product that overwrites C has the same bits either way.
     */
    boolean smallWantsRowMajorB(int n) {
        return false;
    }

    /** {@code "java"} or {@code "vector"}. */
    public abstract String name();

    /** The loops of the stride-1 convolutions ({@link DirectConv}) that go with this implementation. */
    JavaConvLoops convLoops() {
        return JavaConvLoops.INSTANCE;
    }

    /** The fused logistic loops ({@link Logistic}) that go with this implementation. */
    JavaLogistic logistic() {
        return JavaLogistic.INSTANCE;
    }

    /** The gradient-mask loops ({@link Masks}) that go with this implementation. */
    JavaMasks masks() {
        return JavaMasks.INSTANCE;
    }

    /** The chunk sums of the f32 sums over contiguous runs ({@link Reductions}) that go with this implementation. */
    JavaChunkSums chunkSums() {
        return JavaChunkSums.INSTANCE;
    }

    /** The 2 x 2 max-pooling row loop ({@link Pooling}) that goes with this implementation. */
    JavaPoolRows poolRows() {
        return JavaPoolRows.INSTANCE;
    }

    /** f32 {@code C[m,n] (=|+=) op(A)[m,k] x op(B)[k,n]}; see the class comment for the layout. */
    public final void gemm(Workspace ws, boolean transA, boolean transB, int m, int n, int k,
                           float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        product(ws, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate, true);
    }

    /** As {@link #gemm}, but never through {@link SmallGemm}: lets tests reach the packed kernels at any size. */
    final void gemmPacked(Workspace ws, boolean transA, boolean transB, int m, int n, int k,
                          float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        product(ws, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate, false);
    }

    private void product(Workspace ws, boolean transA, boolean transB, int m, int n, int k,
                         float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate,
                         boolean small) {
        GemmChecks.check(m, n, k, transA, transB, a == null ? -1 : a.length, aOff,
                b == null ? -1 : b.length, bOff, c == null ? -1 : c.length, cOff, ws);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOff + i * n, cOff + i * n + n, 0f);
                }
            }
            return;
        }
        int aRow = transA ? 1 : k, aCol = transA ? m : 1;
        int bRow = transB ? 1 : n, bCol = transB ? k : 1;
        if (small && SmallGemm.fits(m, n, k)) {
            small(m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, accumulate);
        } else if (transposes(m, n)) {
            run(ws, n, m, k, b, bOff, bCol, bRow, a, aOff, aCol, aRow, c, cOff, 1, n, accumulate);
        } else if (transposesThroughScratch(transB, accumulate, m, n, k)) {
            float[] ct = ws.floats(Workspace.Slot.TRANSPOSED_C, n * m);
            run(ws, n, m, k, b, bOff, bCol, bRow, a, aOff, aCol, aRow, ct, 0, m, 1, false);
            Movement.transpose2d(ct, n, m, c, cOff);
        } else {
            run(ws, m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, n, 1, accumulate);
        }
    }

    /** f64 {@code C[m,n] (=|+=) op(A)[m,k] x op(B)[k,n]}; see the class comment for the layout. */
    public final void gemm(Workspace ws, boolean transA, boolean transB, int m, int n, int k,
                           double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, boolean accumulate) {
        product(ws, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate, true);
    }

    /** As {@link #gemm}, but never through {@link SmallGemm}: lets tests reach the packed kernels at any size. */
    final void gemmPacked(Workspace ws, boolean transA, boolean transB, int m, int n, int k,
                          double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, boolean accumulate) {
        product(ws, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate, false);
    }

    private void product(Workspace ws, boolean transA, boolean transB, int m, int n, int k,
                         double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, boolean accumulate,
                         boolean small) {
        GemmChecks.check(m, n, k, transA, transB, a == null ? -1 : a.length, aOff,
                b == null ? -1 : b.length, bOff, c == null ? -1 : c.length, cOff, ws);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOff + i * n, cOff + i * n + n, 0d);
                }
            }
            return;
        }
        int aRow = transA ? 1 : k, aCol = transA ? m : 1;
        int bRow = transB ? 1 : n, bCol = transB ? k : 1;
        if (small && SmallGemm.fits(m, n, k)) {
            SmallGemm.run(m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, accumulate);
        } else if (transposes(m, n)) {
            run(ws, n, m, k, b, bOff, bCol, bRow, a, aOff, aCol, aRow, c, cOff, 1, n, accumulate);
        } else {
            run(ws, m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, n, 1, accumulate);
        }
    }

    /**
     * The length of a weight's panels ({@link #packWeight}): the whole B of a product {@code x W^T} with W {@code n x
     * k}, packed as the blocked kernel packs it block by block; 0 when this kernel has no such form (plain Java), and
     * then a caller keeps {@code W^T} row-major instead, which the kernel packs by sequential copies.
     */
    int packedWeightLength(int n, int k) {
        return 0;
    }

    /** Packs W ({@code n x k}, row-major) into {@code packed} ({@link #packedWeightLength}) as B = W^T. */
    void packWeight(float[] w, int n, int k, float[] packed) {
        throw new UnsupportedOperationException(name() + " kernel keeps no packed weights");
    }

    /** f64 {@link #packWeight(float[], int, int, float[])}. */
    void packWeight(double[] w, int n, int k, double[] packed) {
        throw new UnsupportedOperationException(name() + " kernel keeps no packed weights");
    }

    /**
     * {@code C (=|+=) op(A) W^T} with W given as its panels ({@link #packWeight}), for sizes {@link MatMul#packsB}
     * accepts: the same bits as {@link #gemm} with {@code transB} and W, without packing.
     */
    final void gemmPackedWeight(Workspace ws, boolean transA, int m, int n, int k, float[] a, int aOff,
                                float[] packed, float[] c, int cOff, boolean accumulate) {
        checkPacked(ws, transA, m, n, k, a == null ? -1 : a.length, aOff, packed == null ? -1 : packed.length,
                c == null ? -1 : c.length, cOff);
        runPacked(ws, m, n, k, a, aOff, transA ? 1 : k, transA ? m : 1, packed, c, cOff, n, 1, accumulate);
    }

    /** f64 {@link #gemmPackedWeight(Workspace, boolean, int, int, int, float[], int, float[], float[], int, boolean)}. */
    final void gemmPackedWeight(Workspace ws, boolean transA, int m, int n, int k, double[] a, int aOff,
                                double[] packed, double[] c, int cOff, boolean accumulate) {
        checkPacked(ws, transA, m, n, k, a == null ? -1 : a.length, aOff, packed == null ? -1 : packed.length,
                c == null ? -1 : c.length, cOff);
        runPacked(ws, m, n, k, a, aOff, transA ? 1 : k, transA ? m : 1, packed, c, cOff, n, 1, accumulate);
    }

    void checkPacked(Workspace ws, boolean transA, int m, int n, int k, int aLength, int aOff, int packedLength,
                     int cLength, int cOff) {
        if (!MatMul.packsB(m, n, k)) {
            throw new IllegalArgumentException("matmul: a product of m=" + m + " n=" + n + " k=" + k
                    + " does not pack its B, so it takes no packed weight");
        }
        GemmChecks.check(m, n, k, transA, true, aLength, aOff, n * k, 0, cLength, cOff, ws);
        int needed = packedWeightLength(n, k);
        if (needed == 0 || packedLength < needed) {
            throw new IllegalArgumentException("matmul: packed weight of " + packedLength + " elements, the "
                    + name() + " kernel needs " + needed + " for n=" + n + " k=" + k);
        }
    }

    /** {@link #run} with B's panels packed whole ({@link #packWeight}); m, n and k positive, indices in bounds. */
    void runPacked(Workspace ws, int m, int n, int k, float[] a, int aOff, int aRow, int aCol, float[] packed,
                   float[] c, int cOff, int cRow, int cCol, boolean accumulate) {
        throw new UnsupportedOperationException(name() + " kernel keeps no packed weights");
    }

    /** f64 {@link #runPacked(Workspace, int, int, int, float[], int, int, int, float[], float[], int, int, int, boolean)}. */
    void runPacked(Workspace ws, int m, int n, int k, double[] a, int aOff, int aRow, int aCol, double[] packed,
                   double[] c, int cOff, int cRow, int cCol, boolean accumulate) {
        throw new UnsupportedOperationException(name() + " kernel keeps no packed weights");
    }

    /** Strided f32 product; m, n and k are positive and every index is in bounds. */
    abstract void run(Workspace ws, int m, int n, int k,
                      float[] a, int aOff, int aRow, int aCol,
                      float[] b, int bOff, int bRow, int bCol,
                      float[] c, int cOff, int cRow, int cCol, boolean accumulate);

    /** Strided f64 product; m, n and k are positive and every index is in bounds. */
    abstract void run(Workspace ws, int m, int n, int k,
                      double[] a, int aOff, int aRow, int aCol,
                      double[] b, int bOff, int bRow, int bCol,
                      double[] c, int cOff, int cRow, int cCol, boolean accumulate);
}
