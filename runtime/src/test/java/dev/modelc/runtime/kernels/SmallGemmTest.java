package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The unpacked path for thin and small products ({@link SmallGemm}) against the naive double-precision loop, in
 * every transposition and with and without accumulation; and the packed kernels on the small sizes that
 * {@link Gemm#gemm} no longer sends them, so both paths stay covered.
 */
class SmallGemmTest {

    private static final double F32_EPS = 0x1p-23;
    private static final double F64_EPS = 0x1p-52;

    /** {m, n, k}: vectors both ways, k = 1, odd sizes, and thin products far above the small volume. */
    private static final int[][] SIZES = {
        {1, 1, 1}, {1, 7, 1}, {7, 1, 1}, {1, 1, 13}, {1, 20, 256}, {256, 1, 20}, {1, 33, 5}, {31, 1, 3},
        {3, 5, 1}, {17, 19, 1}, {5, 9, 3}, {2, 3, 2}, {7, 13, 11}, {64, 10, 12}, {1, 1000, 300}, {600, 1, 700},
        {1, 3, 4097}, {9, 1, 2},
    };

    interface Product32 {
        void gemm(Workspace ws, boolean ta, boolean tb, int m, int n, int k, float[] a, int aOff, float[] b,
                  int bOff, float[] c, int cOff, boolean acc);
    }

    interface Product64 {
        void gemm(Workspace ws, boolean ta, boolean tb, int m, int n, int k, double[] a, int aOff, double[] b,
                  int bOff, double[] c, int cOff, boolean acc);
    }

    @Test
    void thinAndSmallShapesTakeTheUnpackedPath() {
        assertTrue(SmallGemm.fits(1, 4096, 4096));
        assertTrue(SmallGemm.fits(4096, 1, 4096));
        assertTrue(SmallGemm.fits(16, 16, 32));
        assertFalse(SmallGemm.fits(64, 128, 784));
        assertFalse(SmallGemm.fits(2, 4096, 4096));
    }

    @Test
    void aRowAloneGivesTheBitsOfTheWholeProduct() {
        // x W^T with k contiguous in both: eight rows and more run a column's rows side by side, fewer than eight
        // run a row's columns side by side; each element is the same chain either way, so a row computed alone (one
        // sample) has the bits it has inside a batch.
        Random random = new Random(15);
        int m = 11, n = 13, k = 37;
        float[] a = new float[m * k], b = new float[n * k], whole = new float[m * n], rows = new float[m * n];
        double[] ad = new double[m * k], bd = new double[n * k], wholeD = new double[m * n], rowsD = new double[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextFloat() - 0.5f;
            ad[i] = a[i];
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = random.nextFloat() - 0.5f;
            bd[i] = b[i];
        }
        SmallGemm.run(m, n, k, a, 0, k, 1, b, 0, 1, k, whole, 0, false);
        SmallGemm.run(m, n, k, ad, 0, k, 1, bd, 0, 1, k, wholeD, 0, false);
        for (int i = 0; i < m; i++) {
            SmallGemm.run(1, n, k, a, i * k, k, 1, b, 0, 1, k, rows, i * n, false);
            SmallGemm.run(1, n, k, ad, i * k, k, 1, bd, 0, 1, k, rowsD, i * n, false);
        }
        for (int i = 0; i < m * n; i++) {
            if (Float.floatToRawIntBits(whole[i]) != Float.floatToRawIntBits(rows[i]) || wholeD[i] != rowsD[i]) {
                fail("element " + i + ": " + whole[i] + " in the whole product, " + rows[i] + " row by row ("
                        + wholeD[i] + ", " + rowsD[i] + " in f64)");
            }
        }
    }

    @Test
    void smallPathMatchesReferenceInEveryTransposition() {
        Random random = new Random(11);
        for (int[] s : SIZES) {
            for (int flags = 0; flags < 8; flags++) {
                boolean ta = (flags & 1) != 0, tb = (flags & 2) != 0, acc = (flags & 4) != 0;
                check32("small", SmallGemmTest::small32, random, s[0], s[1], s[2], ta, tb, acc);
                check64("small", SmallGemmTest::small64, random, s[0], s[1], s[2], ta, tb, acc);
            }
        }
    }

    @Test
    void smallPathOnRandomSizes() {
        Random random = new Random(12);
        for (int t = 0; t < 200; t++) {
            int m = 1 + random.nextInt(24), n = 1 + random.nextInt(24), k = 1 + random.nextInt(40);
            boolean ta = random.nextBoolean(), tb = random.nextBoolean(), acc = random.nextBoolean();
            check32("small", SmallGemmTest::small32, random, m, n, k, ta, tb, acc);
            check64("small", SmallGemmTest::small64, random, m, n, k, ta, tb, acc);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.modelc.runtime.kernels.MatMulTest#kernels")
    void throughTheKernelThinShapesMatchReference(Gemm kernel) {
        Random random = new Random(13);
        Workspace ws = new Workspace();
        for (int[] s : SIZES) {
            for (int flags = 0; flags < 8; flags++) {
                boolean ta = (flags & 1) != 0, tb = (flags & 2) != 0, acc = (flags & 4) != 0;
                check32(kernel.name(), kernel::gemm, ws, random, s[0], s[1], s[2], ta, tb, acc);
                check64(kernel.name(), kernel::gemm, ws, random, s[0], s[1], s[2], ta, tb, acc);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.modelc.runtime.kernels.MatMulTest#kernels")
    void eachKernelsSmallPathGivesSmallGemmsBits(Gemm kernel) {
        // The Vector API's rows of C (B's rows contiguous, a vector of columns or more) are SmallGemm's chains lane
        // for lane: the same bits, with every column count around the vector widths (the last vector moved back to
        // end at n), groups of eight vectors and more, strided A, several rows and accumulation into C.
        Random random = new Random(16);
        int[] columns = {1, 7, 8, 15, 16, 17, 20, 31, 32, 33, 48, 63, 64, 65, 100, 127, 128, 129, 136, 200, 257};
        for (int n : columns) {
            for (int t = 0; t < 6; t++) {
                int m = t < 3 ? 1 : 1 + random.nextInt(3);
                int k = 1 + random.nextInt(t % 2 == 0 ? 300 : 9);
                if (!SmallGemm.fits(m, n, k)) {
                    m = 1;
                }
                int aCol = random.nextBoolean() ? 1 : m;
                int aRow = aCol == 1 ? k : 1;
                boolean acc = random.nextBoolean();
                int aOff = random.nextInt(3), bOff = random.nextInt(3), cOff = random.nextInt(3);
                float[][] abc = operands(random, m, n, k, aOff, bOff, cOff, acc);
                float[] a = abc[0], b = abc[1], c = abc[2];
                float[] expected = c.clone();
                SmallGemm.run(m, n, k, a, aOff, aRow, aCol, b, bOff, n, 1, expected, cOff, acc);
                kernel.small(m, n, k, a, aOff, aRow, aCol, b, bOff, n, 1, c, cOff, acc);
                for (int i = 0; i < c.length; i++) {
                    if (Float.floatToRawIntBits(c[i]) != Float.floatToRawIntBits(expected[i])) {
                        fail(kernel.name() + " " + m + " x " + n + " x " + k + (aCol == 1 ? "" : ", A transposed")
                                + (acc ? ", accumulating" : "") + ": index " + i + " is " + c[i] + ", SmallGemm "
                                + expected[i]);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.modelc.runtime.kernels.MatMulTest#kernels")
    void packedKernelsStillMatchReferenceOnSmallSizes(Gemm kernel) {
        Random random = new Random(14);
        Workspace ws = new Workspace();
        for (int[] s : SIZES) {
            if ((long) s[0] * s[1] * s[2] > 100_000) {
                continue;
            }
            for (int flags = 0; flags < 8; flags++) {
                boolean ta = (flags & 1) != 0, tb = (flags & 2) != 0, acc = (flags & 4) != 0;
                check32(kernel.name() + " packed", kernel::gemmPacked, ws, random, s[0], s[1], s[2], ta, tb, acc);
                check64(kernel.name() + " packed", kernel::gemmPacked, ws, random, s[0], s[1], s[2], ta, tb, acc);
            }
        }
    }

    /** SmallGemm.run with the strides {@link Gemm} derives from the flags. */
    private static void small32(Workspace ws, boolean ta, boolean tb, int m, int n, int k, float[] a, int aOff,
                                float[] b, int bOff, float[] c, int cOff, boolean acc) {
        SmallGemm.run(m, n, k, a, aOff, ta ? 1 : k, ta ? m : 1, b, bOff, tb ? 1 : n, tb ? k : 1, c, cOff, acc);
    }

    private static void small64(Workspace ws, boolean ta, boolean tb, int m, int n, int k, double[] a, int aOff,
                                double[] b, int bOff, double[] c, int cOff, boolean acc) {
        SmallGemm.run(m, n, k, a, aOff, ta ? 1 : k, ta ? m : 1, b, bOff, tb ? 1 : n, tb ? k : 1, c, cOff, acc);
    }

    private static void check32(String what, Product32 product, Random random, int m, int n, int k,
                                boolean ta, boolean tb, boolean acc) {
        check32(what, product, new Workspace(), random, m, n, k, ta, tb, acc);
    }

    private static void check64(String what, Product64 product, Random random, int m, int n, int k,
                                boolean ta, boolean tb, boolean acc) {
        check64(what, product, new Workspace(), random, m, n, k, ta, tb, acc);
    }

    private static void check32(String what, Product32 product, Workspace ws, Random random, int m, int n, int k,
                                boolean ta, boolean tb, boolean acc) {
        int aOff = random.nextInt(3), bOff = random.nextInt(3), cOff = random.nextInt(3);
        float[][] abc = operands(random, m, n, k, aOff, bOff, cOff, acc);
        float[] a = abc[0], b = abc[1], c = abc[2];
        float[] before = c.clone();
        double[] ref = Reference.gemm(ta, tb, m, n, k, Reference.toDouble(a), aOff, Reference.toDouble(b), bOff,
                Reference.toDouble(c), cOff, acc);
        product.gemm(ws, ta, tb, m, n, k, a, aOff, b, bOff, c, cOff, acc);
        for (int i = 0; i < before.length; i++) {
            boolean inside = i >= cOff && i < cOff + m * n;
            if (inside) {
                int e = i - cOff;
                double tolerance = (k + 2) * F32_EPS * ref[2 * e + 1] + 1e-30;
                if (!(Math.abs(c[i] - ref[2 * e]) <= tolerance)) {
                    fail(describe(what, "f32", m, n, k, ta, tb, acc) + ": element " + e + " is " + c[i]
                            + ", expected " + ref[2 * e]);
                }
            } else if (Float.floatToRawIntBits(before[i]) != Float.floatToRawIntBits(c[i])) {
                fail(describe(what, "f32", m, n, k, ta, tb, acc) + ": wrote outside C at index " + i);
            }
        }
    }

    /**
     * Random A, B and C for an f32 {@code m x n x k} product from the given offsets, two spare elements after each; C
     * NaN where the product overwrites it (so that a result left unwritten shows).
     */
    private static float[][] operands(Random random, int m, int n, int k, int aOff, int bOff, int cOff, boolean acc) {
        float[] a = MatMulTest.randomFloats(random, aOff + m * k + 2);
        float[] b = MatMulTest.randomFloats(random, bOff + k * n + 2);
        float[] c = MatMulTest.randomFloats(random, cOff + m * n + 2);
        if (!acc) {
            java.util.Arrays.fill(c, cOff, cOff + m * n, Float.NaN);
        }
        return new float[][] {a, b, c};
    }

    private static void check64(String what, Product64 product, Workspace ws, Random random, int m, int n, int k,
                                boolean ta, boolean tb, boolean acc) {
        int aOff = random.nextInt(3), bOff = random.nextInt(3), cOff = random.nextInt(3);
        double[] a = MatMulTest.randomDoubles(random, aOff + m * k + 2);
        double[] b = MatMulTest.randomDoubles(random, bOff + k * n + 2);
        double[] c = MatMulTest.randomDoubles(random, cOff + m * n + 2);
        if (!acc) {
            java.util.Arrays.fill(c, cOff, cOff + m * n, Double.NaN);
        }
        double[] before = c.clone();
        double[] ref = Reference.gemm(ta, tb, m, n, k, a, aOff, b, bOff, c, cOff, acc);
        product.gemm(ws, ta, tb, m, n, k, a, aOff, b, bOff, c, cOff, acc);
        for (int i = 0; i < before.length; i++) {
            boolean inside = i >= cOff && i < cOff + m * n;
            if (inside) {
                int e = i - cOff;
                double tolerance = (k + 2) * F64_EPS * ref[2 * e + 1] + 1e-300;
                if (!(Math.abs(c[i] - ref[2 * e]) <= tolerance)) {
                    fail(describe(what, "f64", m, n, k, ta, tb, acc) + ": element " + e + " is " + c[i]
                            + ", expected " + ref[2 * e]);
                }
            } else if (Double.doubleToRawLongBits(before[i]) != Double.doubleToRawLongBits(c[i])) {
                fail(describe(what, "f64", m, n, k, ta, tb, acc) + ": wrote outside C at index " + i);
            }
        }
    }

    private static String describe(String what, String dtype, int m, int n, int k, boolean ta, boolean tb,
                                   boolean acc) {
        return what + " " + dtype + " m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb
                + " accumulate=" + acc;
    }
}
