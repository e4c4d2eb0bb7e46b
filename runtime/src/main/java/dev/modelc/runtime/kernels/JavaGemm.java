package dev.modelc.runtime.kernels;

/** The plain-Java matrix product (works on every JVM); see {@link JavaSgemm} for the loop shape. */
final class JavaGemm extends Gemm {

    @Override
    public String name() {
        return "java";
    }

    @Override
    void run(Workspace ws, int m, int n, int k, float[] a, int aOff, int aRow, int aCol,
             float[] b, int bOff, int bRow, int bCol, float[] c, int cOff, int cRow, int cCol, boolean accumulate) {
        JavaSgemm.run(ws, m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, cRow, cCol, accumulate);
    }

    @Override
    void run(Workspace ws, int m, int n, int k, double[] a, int aOff, int aRow, int aCol,
             double[] b, int bOff, int bRow, int bCol, double[] c, int cOff, int cRow, int cCol,
             boolean accumulate) {
        JavaDgemm.run(ws, m, n, k, a, aOff, aRow, aCol, b, bOff, bRow, bCol, c, cOff, cRow, cCol, accumulate);
    }
}
