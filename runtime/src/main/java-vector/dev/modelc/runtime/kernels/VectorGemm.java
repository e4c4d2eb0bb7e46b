package dev.modelc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * The Vector API matrix product. Loaded by name from {@link Kernels}, and only when the JVM has the
 * {@code jdk.incubator.vector} module; see {@link VectorSgemm} for the algorithm.
 */
final class VectorGemm extends Gemm {

    private final JavaConvLoops convLoops;
    private final JavaLogistic logistic = new VectorLogistic();
    private final JavaMasks masks = new VectorMasks();
    private final JavaChunkSums chunkSums = new VectorChunkSums();
    /** Made at the first {@link #poolRows()}: a JVM that never pools never initializes a pooling block class. */
    private JavaPoolRows poolRows;

    /**
     * The max-pooling rows for the preferred vectors: {@link VectorPoolRows}' 256-bit blocks with AVX2 (AVX alone has
     * no 256-bit integer vectors), {@link VectorPoolRows512}'s 512-bit ones with AVX-512, else the plain loop. Each
     * runs beside matrix products of its own width: on JDK 17 a 256-bit form beside the 512-bit products made the
     * products' compiled tile box its vectors (the Vector API's shared code then sees two vector classes). Decided
     * here, before either class is initialized, since each makes vector constants of its width when it is, and only
     * when something pools (the constants' making runs the Vector API's shared code for masks and shuffles, which
     * the products' compiled code has no need to have seen).
     */
    private static JavaPoolRows poolRows(int floatBits, int intBits) {
        if (floatBits == 256 && intBits == 256) {
            return new VectorPoolRows(WarmupRent.poolOutputs());
        }
        if (floatBits == 512 && intBits == 512) {
            return new VectorPoolRows512(WarmupRent.poolOutputs());
        }
        return JavaPoolRows.INSTANCE;
    }

    VectorGemm() {
        if (VectorSgemm.lanes() < 2 || VectorDgemm.lanes() < 2) {
            throw new UnsupportedOperationException("the preferred vector shape has a single lane");
        }
        convLoops = VectorConvLoops.fits() ? new VectorConvLoops() : JavaConvLoops.INSTANCE;
    }

    @Override
    JavaConvLoops convLoops() {
        return convLoops;
    }

    @Override
    JavaLogistic logistic() {
        return logistic;
    }

    @Override
    JavaMasks masks() {
        return masks;
    }

    @Override
    JavaChunkSums chunkSums() {
        return chunkSums;
    }

    @Override
    synchronized JavaPoolRows poolRows() {
        if (poolRows == null) {
            poolRows = poolRows(FloatVector.SPECIES_PREFERRED.vectorBitSize(),
                    IntVector.SPECIES_PREFERRED.vectorBitSize());
        }
        return poolRows;
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    boolean transposesThroughScratch(boolean transB, boolean accumulate, int m, int n, int k) {
        return VectorSgemm.WIDE && copiesLessTransposed(transB, accumulate, m, n, k);
    }

    @Override
    boolean smallWantsRowMajorB(int n) {
        return n >= VectorSmallGemm.lanes();
    }

    @Override
    void small(int m, int n, int k, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int bRow, int bCol,
               float[] c, int cOff, boolean accumulate) {
        VectorSmallGemm.run(m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, accumulate);
    }

    @Override
    int packedWeightLength(int n, int k) {
        return VectorSgemm.packedLength(n, k);
    }

    @Override
    void packWeight(float[] w, int n, int k, float[] packed) {
        VectorSgemm.packWhole(w, 0, 1, k, n, k, packed);
    }

    @Override
    void packWeight(double[] w, int n, int k, double[] packed) {
        VectorDgemm.packWhole(w, 0, 1, k, n, k, packed);
    }

    @Override
    void runPacked(Workspace ws, int m, int n, int k, float[] a, int aOff, int aRow, int aCol, float[] packed,
                   float[] c, int cOff, int cRow, int cCol, boolean accumulate) {
        VectorSgemm.run(ws, m, n, k, a, aOff, aRow, aCol, null, 0, 0, 0, packed, c, cOff, cRow, cCol, accumulate);
    }

    @Override
    void runPacked(Workspace ws, int m, int n, int k, double[] a, int aOff, int aRow, int aCol, double[] packed,
                   double[] c, int cOff, int cRow, int cCol, boolean accumulate) {
        VectorDgemm.run(ws, m, n, k, a, aOff, aRow, aCol, null, 0, 0, 0, packed, c, cOff, cRow, cCol, accumulate);
    }

    @Override
    void run(Workspace ws, int m, int n, int k, float[] a, int aOff, int aRow, int aCol,
             float[] b, int bOff, int bRow, int bCol, float[] c, int cOff, int cRow, int cCol, boolean accumulate) {
        VectorSgemm.run(ws, m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, cRow, cCol, accumulate);
    }

    @Override
    void run(Workspace ws, int m, int n, int k, double[] a, int aOff, int aRow, int aCol,
             double[] b, int bOff, int bRow, int bCol, double[] c, int cOff, int cRow, int cCol,
             boolean accumulate) {
        VectorDgemm.run(ws, m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, cRow, cCol, accumulate);
    }
}
