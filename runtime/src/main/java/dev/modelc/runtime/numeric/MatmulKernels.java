package dev.modelc.runtime.numeric;

import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * Tape-free {@code torch.matmul}: a 1-D left operand is promoted to a row [1, k] and a 1-D right operand to a column
 * [k, 1], the promoted dimension being removed from the result; leading (batch) dimensions broadcast; the inner
 * dimensions must agree. Sums are accumulated in {@code double} and rounded once for {@code f32}. Inputs are never
 * written. The gradient of {@code c = a @ b} is {@code g @ b^T} summed to a's shape and {@code a^T @ g} summed to b's
 * shape, on the promoted operands; {@code MatrixOps} composes it from this kernel. The loop works on plain
 * {@code double[]} arrays with their shapes (the IR evaluator's values); the {@link Tensor} form adapts it.
 */
public final class MatmulKernels {

    private MatmulKernels() {
    }

    /** The shape {@code a} takes for the product: 1-D becomes [1, k]. */
    public static int[] promotedLeft(int[] a) {
        return a.length == 1 ? new int[] {1, a[0]} : a;
    }

    /** The shape {@code b} takes for the product: 1-D becomes [k, 1]. */
    public static int[] promotedRight(int[] b) {
        return b.length == 1 ? new int[] {b[0], 1} : b;
    }

    /** The result shape of {@code a @ b}, or an error naming both shapes. */
    public static int[] resultShape(int[] a, int[] b) {
        if (a.length == 0 || b.length == 0) {
            throw new IllegalArgumentException("both arguments to matmul need to be at least 1D, but they are "
                    + a.length + "D and " + b.length + "D");
        }
        int[] pa = promotedLeft(a);
        int[] pb = promotedRight(b);
        int k = pa[pa.length - 1];
        if (k != pb[pb.length - 2]) {
            throw new IllegalArgumentException("matmul: shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                    + " cannot be multiplied (inner dimensions " + k + " and " + pb[pb.length - 2] + " differ)");
        }
        int[] batch = Broadcasting.shape(Arrays.copyOf(pa, pa.length - 2), Arrays.copyOf(pb, pb.length - 2));
        int n = pa[pa.length - 2];
        int m = pb[pb.length - 1];
        int[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = n;
        out[batch.length + 1] = m;
        if (b.length == 1) {
            out = remove(out, out.length - 1);
        }
        if (a.length == 1) {
            out = remove(out, out.length - (b.length == 1 ? 1 : 2));
        }
        return out;
    }

    /** {@code a @ b} with torch.matmul semantics. */
    public static Tensor matmul(Tensor a, Tensor b) {
        DType dtype = ElementwiseKernels.commonDType(a, b);
        int[] resultShape = resultShape(a.shape(), b.shape());
        return Tensor.fromDoubles(dtype, resultShape, matmul(a.doubles(), a.shape(), b.doubles(), b.shape()));
    }

    /** {@code va @ vb} (shapes {@code as} and {@code bs}) with torch.matmul semantics, unrounded. */
    public static double[] matmul(double[] va, int[] as, double[] vb, int[] bs) {
        resultShape(as, bs);
        int[] pa = promotedLeft(as);
        int[] pb = promotedRight(bs);
        int n = pa[pa.length - 2];
        int k = pa[pa.length - 1];
        int m = pb[pb.length - 1];
        int[] batchA = Arrays.copyOf(pa, pa.length - 2);
        int[] batchB = Arrays.copyOf(pb, pb.length - 2);
        int[] batch = Broadcasting.shape(batchA, batchB);
        int[] mapA = Broadcasting.indexMap(batchA, batch);
        int[] mapB = Broadcasting.indexMap(batchB, batch);
        double[] out = new double[mapA.length * n * m];
        double[] row = new double[m];
        for (int bi = 0; bi < mapA.length; bi++) {
            int offA = mapA[bi] * n * k;
            int offB = mapB[bi] * k * m;
            int offC = bi * n * m;
            for (int i = 0; i < n; i++) {
                Arrays.fill(row, 0.0);
                for (int p = 0; p < k; p++) {
                    double aip = va[offA + i * k + p];
                    int rowB = offB + p * m;
                    for (int j = 0; j < m; j++) {
                        row[j] += aip * vb[rowB + j];
                    }
                }
                System.arraycopy(row, 0, out, offC + i * m, m);
            }
        }
        return out;
    }

    private static int[] remove(int[] shape, int index) {
        int[] out = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != index) {
                out[j++] = shape[i];
            }
        }
        return out;
    }
}
