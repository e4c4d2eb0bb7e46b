package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A weight packed whole ({@link Gemm#packWeight}) multiplies as {@code x W^T} with the bits of the product that packs
 * W^T block by block ({@code transB}), f32 and f64, with and without a transposed A and accumulation, on one thread
 * and split over two and three (over C's rows; with too few rows, W itself split over C's columns). The shapes cross
 * the kernel's blocks of columns (512) and of k (256) with ragged ends. The plain Java kernel keeps no packed form.
 */
class PackedWeightTest {

    private static Team two;
    private static Team three;

    @BeforeAll
    static void start() {
        two = new Team(2, "packed-weight-test-2");
        three = new Team(3, "packed-weight-test-3");
    }

    @AfterAll
    static void stop() {
        two.close();
        three.close();
    }

    static List<Gemm> packingKernels() {
        return MatMulTest.kernels().filter(g -> g.packedWeightLength(64, 64) > 0).toList();
    }

    private static final int[][] SHAPES = {
        {64, 128, 784}, {128, 1024, 784}, {40, 600, 300}, {33, 1030, 513}, {16, 64, 300}, {9, 520, 260},
        {128, 1024, 1024}, {100, 97, 257}, {8, 700, 40}};

    @ParameterizedTest
    @MethodSource("packingKernels")
    void packedWeightsGiveTheBitsOfPackingOnTheFly(Gemm kernel) {
        Random random = new Random(21);
        Workspace serial = new Workspace();
        for (int[] s : SHAPES) {
            int m = s[0], n = s[1], k = s[2];
            assertTrue(MatMul.packsB(m, n, k), m + "x" + n + "x" + k + " packs its B");
            float[] w = MatMulTest.randomFloats(random, n * k);
            float[] packed = new float[kernel.packedWeightLength(n, k)];
            kernel.packWeight(w, n, k, packed);
            double[] wd = MatMulTest.randomDoubles(random, n * k);
            double[] packedD = new double[kernel.packedWeightLength(n, k)];
            kernel.packWeight(wd, n, k, packedD);
            for (int flags = 0; flags < 4; flags++) {
                boolean ta = (flags & 1) != 0, acc = (flags & 2) != 0;
                String what = kernel.name() + " " + m + "x" + n + "x" + k + " transA=" + ta + " accumulate=" + acc;
                float[] a = MatMulTest.randomFloats(random, m * k);
                float[] expected = MatMulTest.randomFloats(random, m * n);
                float[] start = expected.clone();
                kernel.gemm(serial, ta, true, m, n, k, a, 0, w, 0, expected, 0, acc);
                float[] c = start.clone();
                kernel.gemmPackedWeight(serial, ta, m, n, k, a, 0, packed, c, 0, acc);
                assertArrayEquals(expected, c, what);
                for (Team team : List.of(two, three)) {
                    Workspace ws = new Workspace();
                    ws.setTeam(team);
                    float[] split = start.clone();
                    Parallel.gemmPackedWeight(kernel, ws, ta, m, n, k, a, w, packed, split, acc);
                    assertArrayEquals(expected, split, what + " on " + team.threads() + " threads");
                }
                double[] ad = MatMulTest.randomDoubles(random, m * k);
                double[] expectedD = MatMulTest.randomDoubles(random, m * n);
                double[] startD = expectedD.clone();
                kernel.gemm(serial, ta, true, m, n, k, ad, 0, wd, 0, expectedD, 0, acc);
                double[] cd = startD.clone();
                kernel.gemmPackedWeight(serial, ta, m, n, k, ad, 0, packedD, cd, 0, acc);
                assertArrayEquals(expectedD, cd, "f64 " + what);
                Workspace ws = new Workspace();
                ws.setTeam(two);
                double[] splitD = startD.clone();
                Parallel.gemmPackedWeight(kernel, ws, ta, m, n, k, ad, wd, packedD, splitD, acc);
                assertArrayEquals(expectedD, splitD, "f64 " + what + " on 2 threads");
            }
        }
    }

    /**
     * Small f32 products that overwrite C have the same bits from W stored transposed ({@code transB}, scalar dot
     * chains) and from its row-major transpose (the Vector API's chains along rows): what lets predict on a batch of
     * one multiply by a kept {@code W^T} ({@link MatMul#smallFasterWithTranspose}).
     */
    @ParameterizedTest
    @MethodSource("dev.modelc.runtime.kernels.MatMulTest#kernels")
    void smallProductsByTheTransposeHaveTheBitsOfTheWeight(Gemm kernel) {
        Random random = new Random(23);
        Workspace ws = new Workspace();
        int[][] shapes = {{1, 128, 784}, {1, 1024, 784}, {1, 530, 600}, {3, 40, 60}, {7, 33, 20}, {1, 17, 5},
            {2, 64, 64}, {1, 10, 64}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            assertTrue(SmallGemm.fits(m, n, k), m + "x" + n + "x" + k + " is small");
            float[] w = MatMulTest.randomFloats(random, n * k);
            float[] t = new float[n * k];
            Movement.transpose2d(w, n, k, t, 0);
            for (boolean ta : new boolean[] {false, true}) {
                float[] a = MatMulTest.randomFloats(random, m * k);
                float[] expected = MatMulTest.randomFloats(random, m * n);
                float[] c = MatMulTest.randomFloats(random, m * n);
                kernel.gemm(ws, ta, true, m, n, k, a, 0, w, 0, expected, 0, false);
                kernel.gemm(ws, ta, false, m, n, k, a, 0, t, 0, c, 0, false);
                assertArrayEquals(expected, c, kernel.name() + " " + m + "x" + n + "x" + k + " transA=" + ta);
            }
        }
        assertEquals(kernel.name().equals("vector"), kernel.smallWantsRowMajorB(128), kernel.name());
    }

    @ParameterizedTest
    @MethodSource("packingKernels")
    void wrongSizesAreRefused(Gemm kernel) {
        float[] w = new float[64 * 300];
        float[] packed = new float[kernel.packedWeightLength(64, 300)];
        float[] a = new float[40 * 300];
        float[] c = new float[40 * 64];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kernel.gemmPackedWeight(new Workspace(), false, 40, 64, 300, a, 0,
                        new float[packed.length - 1], c, 0, false));
        assertTrue(e.getMessage().contains("packed weight of " + (packed.length - 1) + " elements"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> kernel.gemmPackedWeight(new Workspace(), false, 1, 64, 300, a, 0, packed, c, 0, false),
                "a product that does not pack its B");
        assertThrows(IllegalArgumentException.class, () -> MatMul.packWeight(w, 64, 299, packed));
    }

    @Test
    void thePlainJavaKernelKeepsNoPackedWeights() {
        Gemm plain = Kernels.plainJava();
        assertEquals(0, plain.packedWeightLength(128, 784));
        assertThrows(IllegalArgumentException.class, () -> plain.gemmPackedWeight(new Workspace(), false, 64, 128,
                784, new float[64 * 784], 0, new float[128 * 784], new float[64 * 128], 0, false));
    }
}
