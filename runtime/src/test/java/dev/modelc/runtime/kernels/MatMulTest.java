package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kernel against the naive reference, on edge sizes, all transposition flags, f32 and f64. */
class MatMulTest {

    private static final double F32_EPS = 0x1p-23;
    private static final double F64_EPS = 0x1p-52;

    /** Sizes around the register tiles (4, 8), vector widths (16, 32) and blocks (256 for k). */
    private static final int[][] SIZES = {
        {0, 3, 4}, {3, 0, 4}, {3, 4, 0}, {1, 1, 1}, {1, 7, 1}, {7, 1, 5}, {2, 3, 2}, {4, 4, 4}, {5, 9, 3},
        {8, 32, 8}, {9, 33, 7}, {3, 17, 65}, {17, 5, 11}, {64, 10, 84}, {13, 70, 2}, {31, 47, 29},
        {6, 576, 25}, {40, 16, 300}, {20, 530, 9}, {65, 65, 257}, {133, 530, 260},
    };

    static Stream<Gemm> kernels() {
        List<Gemm> list = new ArrayList<>();
        list.add(Kernels.plainJava());
        Kernels.vectorApi().ifPresent(list::add);
        return list.stream();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void f32MatchesReference(Gemm kernel) {
        Random random = new Random(42);
        Workspace ws = new Workspace();
        for (int[] s : SIZES) {
            for (int flags = 0; flags < 8; flags++) {
                check32(kernel, ws, random, s[0], s[1], s[2], (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0,
                        false);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void f64MatchesReference(Gemm kernel) {
        Random random = new Random(43);
        Workspace ws = new Workspace();
        for (int[] s : SIZES) {
            for (int flags = 0; flags < 8; flags++) {
                check64(kernel, ws, random, s[0], s[1], s[2], (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0,
                        false);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void randomSizesMatchReference(Gemm kernel) {
        Random random = new Random(7);
        Workspace ws = new Workspace();
        for (int t = 0; t < 60; t++) {
            int m = 1 + random.nextInt(40), n = 1 + random.nextInt(80), k = 1 + random.nextInt(40);
            boolean ta = random.nextBoolean(), tb = random.nextBoolean(), acc = random.nextBoolean();
            check32(kernel, ws, random, m, n, k, ta, tb, acc, false);
            check64(kernel, ws, random, m, n, k, ta, tb, acc, false);
        }
    }

    /** The packed kernels below the sizes {@link SmallGemm} takes: ragged panels, tiles and blocks of every kind. */
    @ParameterizedTest
    @MethodSource("kernels")
    void packedKernelsMatchReferenceAtSmallSizes(Gemm kernel) {
        Random random = new Random(11);
        Workspace ws = new Workspace();
        for (int t = 0; t < 120; t++) {
            int m = 1 + random.nextInt(140), n = 1 + random.nextInt(70), k = 1 + random.nextInt(300);
            boolean ta = random.nextBoolean(), tb = random.nextBoolean(), acc = random.nextBoolean();
            check32(kernel, ws, random, m, n, k, ta, tb, acc, true);
            check64(kernel, ws, random, m, n, k, ta, tb, acc, true);
        }
    }

    /** One random product against the reference; {@code packed} goes through {@link Gemm#gemmPacked}. */
    private static void check32(Gemm kernel, Workspace ws, Random random, int m, int n, int k,
                                boolean transA, boolean transB, boolean accumulate, boolean packed) {
        int aOff = random.nextInt(3), bOff = random.nextInt(3), cOff = random.nextInt(3);
        float[] a = randomFloats(random, aOff + m * k + 2);
        float[] b = randomFloats(random, bOff + k * n + 2);
        float[] c = randomFloats(random, cOff + m * n + 2);
        if (!accumulate) {
            java.util.Arrays.fill(c, cOff, cOff + m * n, Float.NaN);
        }
        float[] before = c.clone();
        double[] ref = Reference.gemm(transA, transB, m, n, k, Reference.toDouble(a), aOff, Reference.toDouble(b),
                bOff, Reference.toDouble(c), cOff, accumulate);
        if (packed) {
            kernel.gemmPacked(ws, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
        } else {
            kernel.gemm(ws, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
        }
        for (int i = 0; i < m * n; i++) {
            double tolerance = (k + 2) * F32_EPS * ref[2 * i + 1] + 1e-30;
            double error = Math.abs(c[cOff + i] - ref[2 * i]);
            if (!(error <= tolerance)) {
                fail(describe(kernel, "f32", m, n, k, transA, transB, accumulate) + ": element " + i + " is "
                        + c[cOff + i] + ", expected " + ref[2 * i]);
            }
        }
        assertUntouchedOutside(before, c, cOff, m * n, describe(kernel, "f32", m, n, k, transA, transB, accumulate));
    }

    private static void check64(Gemm kernel, Workspace ws, Random random, int m, int n, int k,
                                boolean transA, boolean transB, boolean accumulate, boolean packed) {
        int aOff = random.nextInt(3), bOff = random.nextInt(3), cOff = random.nextInt(3);
        double[] a = randomDoubles(random, aOff + m * k + 2);
        double[] b = randomDoubles(random, bOff + k * n + 2);
        double[] c = randomDoubles(random, cOff + m * n + 2);
        if (!accumulate) {
            java.util.Arrays.fill(c, cOff, cOff + m * n, Double.NaN);
        }
        double[] ref = Reference.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
        if (packed) {
            kernel.gemmPacked(ws, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
        } else {
            kernel.gemm(ws, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
        }
        for (int i = 0; i < m * n; i++) {
            double tolerance = (k + 2) * F64_EPS * ref[2 * i + 1] + 1e-300;
            double error = Math.abs(c[cOff + i] - ref[2 * i]);
            if (!(error <= tolerance)) {
                fail(describe(kernel, "f64", m, n, k, transA, transB, accumulate) + ": element " + i + " is "
                        + c[cOff + i] + ", expected " + ref[2 * i]);
            }
        }
    }

    private static void assertUntouchedOutside(float[] before, float[] after, int off, int size, String what) {
        for (int i = 0; i < before.length; i++) {
            if ((i < off || i >= off + size) && Float.floatToRawIntBits(before[i]) != Float.floatToRawIntBits(after[i])) {
                fail(what + ": wrote outside C at index " + i);
            }
        }
    }

    private static String describe(Gemm kernel, String dtype, int m, int n, int k, boolean ta, boolean tb,
                                   boolean acc) {
        return kernel.name() + " " + dtype + " m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb
                + " accumulate=" + acc;
    }

    static float[] randomFloats(Random random, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = random.nextFloat() * 2 - 1;
        }
        return x;
    }

    static double[] randomDoubles(Random random, int size) {
        double[] x = new double[size];
        for (int i = 0; i < size; i++) {
            x[i] = random.nextDouble() * 2 - 1;
        }
        return x;
    }

    @Test
    void batchedMatchesOneCallPerMatrixWithSharedWeight() {
        Random random = new Random(3);
        Workspace ws = new Workspace();
        int batch = 3, m = 5, n = 6, k = 7;
        float[] a = randomFloats(random, batch * m * k);
        float[] w = randomFloats(random, n * k);
        float[] c = new float[batch * m * n];
        float[] expected = new float[batch * m * n];
        MatMul.gemmBatched(ws, batch, false, true, m, n, k, a, 0, m * k, w, 0, 0, c, 0, m * n, false);
        for (int i = 0; i < batch; i++) {
            Kernels.selected().gemm(ws, false, true, m, n, k, a, i * m * k, w, 0, expected, i * m * n, false);
        }
        assertTrue(java.util.Arrays.equals(expected, c));
        double[] ad = randomDoubles(random, batch * m * k), bd = randomDoubles(random, batch * k * n);
        double[] cd = new double[batch * m * n];
        MatMul.gemmBatched(ws, batch, false, false, m, n, k, ad, 0, m * k, bd, 0, k * n, cd, 0, m * n, false);
        double[] ref = Reference.gemm(false, false, m, n, k, ad, 2 * m * k, bd, 2 * k * n, cd, 0, false);
        for (int i = 0; i < m * n; i++) {
            assertEquals(ref[2 * i], cd[2 * m * n + i], 1e-12);
        }
    }

    @Test
    void wrongArgumentsAreReportedWithSizes() {
        Workspace ws = new Workspace();
        IllegalArgumentException short_ = assertThrows(IllegalArgumentException.class,
                () -> MatMul.gemm(ws, false, true, 2, 3, 4, new float[8], 0, new float[11], 0, new float[6], 0, false));
        assertEquals("matmul: operand B [n=3, k=4] needs 12 elements from offset 0 but its array has length 11",
                short_.getMessage());
        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class,
                () -> MatMul.gemm(ws, false, false, 1, 1, 1, new double[1], 0, new double[1], 0, null, 0, true));
        assertEquals("matmul: operand C [m=1, n=1] is null", nul.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> MatMul.gemm(ws, false, false, -1, 1, 1, new float[1], 0, new float[1], 0, new float[1], 0, true));
        assertThrows(IllegalArgumentException.class,
                () -> MatMul.gemm(null, false, false, 1, 1, 1, new float[1], 0, new float[1], 0, new float[1], 0, true));
    }

    /**
     * {@code x W^T} computed transposed through scratch ({@link Gemm#transposesThroughScratch}) gives the bits of the
     * same product with W's transpose passed as a row-major B, the orientation it replaces; so does every shape
     * around it, taken or not.
     */
    @ParameterizedTest
    @MethodSource("kernels")
    void transposedThroughScratchGivesTheBitsOfTheOtherOrientation(Gemm kernel) {
        Random random = new Random(5);
        Workspace ws = new Workspace();
        int[][] shapes = {{64, 128, 784}, {6, 576, 25}, {16, 48, 40}, {9, 33, 300}, {33, 40, 70}, {40, 33, 70},
            {128, 1024, 300}};
        int taken = 0;
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            taken += kernel.transposesThroughScratch(true, false, m, n, k) ? 1 : 0;
            float[] a = new float[m * k];
            float[] w = new float[n * k];
            double[] ad = new double[m * k];
            double[] wd = new double[n * k];
            for (int i = 0; i < a.length; i++) ad[i] = a[i] = (float) random.nextGaussian();
            for (int i = 0; i < w.length; i++) wd[i] = w[i] = (float) random.nextGaussian();
            float[] wt = new float[k * n];
            double[] wtd = new double[k * n];
            for (int j = 0; j < n; j++) {
                for (int p = 0; p < k; p++) {
                    wt[p * n + j] = w[j * k + p];
                    wtd[p * n + j] = wd[j * k + p];
                }
            }
            float[] viaTranspose = new float[m * n];
            float[] plain = new float[m * n];
            kernel.gemm(ws, false, true, m, n, k, a, 0, w, 0, viaTranspose, 0, false);
            kernel.gemm(ws, false, false, m, n, k, a, 0, wt, 0, plain, 0, false);
            org.junit.jupiter.api.Assertions.assertArrayEquals(plain, viaTranspose, m + "x" + n + "x" + k);
            double[] viaTransposeD = new double[m * n];
            double[] plainD = new double[m * n];
            kernel.gemm(ws, false, true, m, n, k, ad, 0, wd, 0, viaTransposeD, 0, false);
            kernel.gemm(ws, false, false, m, n, k, ad, 0, wtd, 0, plainD, 0, false);
            org.junit.jupiter.api.Assertions.assertArrayEquals(plainD, viaTransposeD, m + "x" + n + "x" + k + " f64");
        }
        if (kernel.transposesThroughScratch(true, false, 64, 128, 784)) {
            assertTrue(taken >= 4 && taken < shapes.length, "the shapes take the path and leave it: " + taken);
        } else {
            assertEquals(0, taken, kernel.name() + " never takes it");
        }
    }
}
