package dev.modelc.runtime.kernels;

/**
 * The matrix products generated model classes call: {@code C[m,n] (=|+=) op(A)[m,k] x op(B)[k,n]} in f32 and f64.
 *
 * <p>Layout: every operand is a row-major matrix stored contiguously in an array from an offset. With
 * {@code transA} the array holds A transposed ({@code [k, m]}), with {@code transB} it holds B transposed
 * ({@code [n, k]}); so a Linear layer {@code x W^T} is {@code gemm(ws, false, true, batch, out, in, x, 0, W, 0, y,
 * 0, false)}, and the backward products {@code A^T G} and {@code G B^T} are the other two flags. Without
 * {@code accumulate} C is overwritten (its old contents are never read); with it the product is added.
 *
 * <p>Scratch memory comes from the caller's {@link Workspace}, so repeated calls with the same sizes allocate
 * nothing. The implementation (Vector API or plain Java) is fixed when {@link Kernels} is initialized.
 */
public final class MatMul {

    private static final Gemm KERNEL = Kernels.SELECTED;

    private MatMul() {
    }

    /** The name of the kernel in use, {@code "vector"} or {@code "java"}. */
    public static String kernelName() {
        return KERNEL.name();
    }

    /**
     * Whether a product of these sizes (all positive) runs through a blocked kernel that copies B into panels before
     * multiplying, in the orientation asked for. Such a product gives the same bits whether B is passed transposed
     * ({@code transB}) or as the transpose's row-major copy: the panels hold the same values either way. Products
     * that do not pack (the small ones, and those computed as {@code C^T = B^T A^T}) read B where it lies.
     */
    public static boolean packsB(int m, int n, int k) {
        return m > 0 && n > 0 && k > 0 && !SmallGemm.fits(m, n, k) && !Gemm.transposes(m, n);
    }

    /**
     * Whether an f32 product {@code x W^T} of these sizes (all positive) is a small one ({@link SmallGemm}) that the
     * kernel in use computes in vectors from the rows of a row-major {@code W^T} and in scalar chains from W itself:
     * with C overwritten, the two give the same bits, so a caller that keeps {@code W^T} (predict on a batch of one)
     * passes it instead.
     */
    public static boolean smallFasterWithTranspose(int m, int n, int k) {
        return m > 0 && n > 0 && k > 0 && SmallGemm.fits(m, n, k) && KERNEL.smallWantsRowMajorB(n);
    }

    /**
     * The length of a weight W ({@code n x k}) packed whole into the panels the blocked kernel multiplies by, as the
     * B = W^T of {@code x W^T} ({@link #packWeight}); 0 when the kernel in use keeps no such form (plain Java).
     */
    public static int packedWeightLength(int n, int k) {
        return KERNEL.packedWeightLength(n, k);
    }

    /** Packs W ({@code n x k}, row-major) into {@code packed} of {@link #packedWeightLength} elements. */
    public static void packWeight(float[] w, int n, int k, float[] packed) {
        checkPackWeight(w == null ? -1 : w.length, n, k, packed == null ? -1 : packed.length);
        KERNEL.packWeight(w, n, k, packed);
    }

    /** f64 {@link #packWeight(float[], int, int, float[])}. */
    public static void packWeight(double[] w, int n, int k, double[] packed) {
        checkPackWeight(w == null ? -1 : w.length, n, k, packed == null ? -1 : packed.length);
        KERNEL.packWeight(w, n, k, packed);
    }

    private static void checkPackWeight(int wLength, int n, int k, int packedLength) {
        int needed = KERNEL.packedWeightLength(n, k);
        if (n <= 0 || k <= 0 || wLength != n * k || needed == 0 || packedLength < needed) {
            throw new IllegalArgumentException("packWeight: W of " + wLength + " elements as [n=" + n + ", k=" + k
                    + "] into " + packedLength + " elements (the " + KERNEL.name() + " kernel needs " + needed + ")");
        }
    }

    /**
     * f32 {@code C[m,n] (=|+=) op(A) W^T} with W ({@code n x k}) packed by {@link #packWeight}, for sizes
     * {@link #packsB} accepts: the same bits as {@link #gemm} with {@code transB} and W.
     */
    public static void gemmPackedWeight(Workspace ws, boolean transA, int m, int n, int k, float[] a, int aOff,
                                        float[] packed, float[] c, int cOff, boolean accumulate) {
        KERNEL.gemmPackedWeight(ws, transA, m, n, k, a, aOff, packed, c, cOff, accumulate);
    }

    /** f64 {@link #gemmPackedWeight(Workspace, boolean, int, int, int, float[], int, float[], float[], int, boolean)}. */
    public static void gemmPackedWeight(Workspace ws, boolean transA, int m, int n, int k, double[] a, int aOff,
                                        double[] packed, double[] c, int cOff, boolean accumulate) {
        KERNEL.gemmPackedWeight(ws, transA, m, n, k, a, aOff, packed, c, cOff, accumulate);
    }

    /** f32 {@code C[m,n] (=|+=) op(A) x op(B)}. */
    public static void gemm(Workspace ws, boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        KERNEL.gemm(ws, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    /** f64 {@code C[m,n] (=|+=) op(A) x op(B)}. */
    public static void gemm(Workspace ws, boolean transA, boolean transB, int m, int n, int k,
                            double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, boolean accumulate) {
        KERNEL.gemm(ws, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    /**
     * f32 batched product: for {@code i < batch}, matrix i of each operand starts at {@code off + i * stride}.
     * A stride of 0 reuses one matrix for the whole batch (a shared weight).
     */
    public static void gemmBatched(Workspace ws, int batch, boolean transA, boolean transB, int m, int n, int k,
                                   float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                                   float[] c, int cOff, int cStride, boolean accumulate) {
        checkBatch(batch, aStride, bStride, cStride, m, n);
        for (int i = 0; i < batch; i++) {
            KERNEL.gemm(ws, transA, transB, m, n, k, a, aOff + i * aStride, b, bOff + i * bStride,
                    c, cOff + i * cStride, accumulate);
        }
    }

    /** f64 batched product; see the f32 overload. */
    public static void gemmBatched(Workspace ws, int batch, boolean transA, boolean transB, int m, int n, int k,
                                   double[] a, int aOff, int aStride, double[] b, int bOff, int bStride,
                                   double[] c, int cOff, int cStride, boolean accumulate) {
        checkBatch(batch, aStride, bStride, cStride, m, n);
        for (int i = 0; i < batch; i++) {
            KERNEL.gemm(ws, transA, transB, m, n, k, a, aOff + i * aStride, b, bOff + i * bStride,
                    c, cOff + i * cStride, accumulate);
        }
    }

    private static void checkBatch(int batch, int aStride, int bStride, int cStride, int m, int n) {
        if (batch < 0 || aStride < 0 || bStride < 0 || cStride < 0) {
            throw new IllegalArgumentException("batched matmul: batch and strides must not be negative, got batch="
                    + batch + " strides " + aStride + ", " + bStride + ", " + cStride);
        }
        if (batch > 1 && cStride < (long) m * n) {
            throw new IllegalArgumentException("batched matmul: output stride " + cStride
                    + " is smaller than one output matrix [" + m + ", " + n + "]");
        }
    }
}
