package dev.modelc.runtime.kernels;

/** Naive triple loops in double precision: the reference the kernels are compared with. */
final class Reference {

    private Reference() {
    }

    /** Element (i, p) of op(A) stored as described in {@link Gemm}. */
    static double a(double[] a, int off, boolean trans, int m, int k, int i, int p) {
        return trans ? a[off + p * m + i] : a[off + i * k + p];
    }

    /** Returns {@code [product, sum of |terms|]} per element of C, in one array of 2 * m * n. */
    static double[] gemm(boolean transA, boolean transB, int m, int n, int k,
                         double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, boolean accumulate) {
        double[] out = new double[2 * m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = accumulate ? c[cOff + i * n + j] : 0;
                double abs = Math.abs(sum);
                for (int p = 0; p < k; p++) {
                    double term = a(a, aOff, transA, m, k, i, p) * a(b, bOff, !transB, n, k, j, p);
                    sum += term;
                    abs += Math.abs(term);
                }
                out[2 * (i * n + j)] = sum;
                out[2 * (i * n + j) + 1] = abs;
            }
        }
        return out;
    }

    static double[] toDouble(float[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i];
        }
        return y;
    }
}
