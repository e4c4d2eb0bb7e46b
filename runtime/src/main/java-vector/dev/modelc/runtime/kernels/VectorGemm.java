package dev.modelc.runtime.kernels;

/**
 * The Vector API matrix product. Loaded by name from {@link Kernels}, and only when the JVM has the
 * {@code jdk.incubator.vector} module; see {@link VectorSgemm} for the algorithm.
 */
final class VectorGemm extends Gemm {

    private final JavaConvLoops convLoops;
    private final JavaLogistic logistic = new VectorLogistic();
    private final JavaMasks masks = new VectorMasks();
    private final JavaPoolRows poolRows =
            VectorPoolRows.fits() ? new VectorPoolRows(VectorPoolRows.rent()) : JavaPoolRows.INSTANCE;

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
    JavaPoolRows poolRows() {
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
