package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code VectorTransposes.square}: every element of a square block lands transposed, bit for bit (a NaN as some NaN:
 * the Vector API's Java fallback, run before C2 compiles the method, makes NaNs canonical), at any offsets and
 * strides, and nothing outside the block's rows is written. Reached by reflection, since the class is compiled
 * only with the Vector API's source root; skipped where the JVM has no {@code jdk.incubator.vector} or its vectors
 * are narrower than 512 bits (the products' packing then never calls it).
 */
class VectorTransposesTest {

    @Test
    void floatSquaresLandTransposed() throws Exception {
        assumeTrue(forType("forFloat", 16), "no 512-bit f32 vectors here");
        assertFalse(forType("forFloat", 8), "8 lanes are not a square it moves");
        squaresLandTransposed(float.class, 16, new int[][] {{0, 16, 0, 16}, {5, 37, 3, 32}, {19, 784, 11, 48}}, 3);
    }

    @Test
    void doubleSquaresLandTransposed() throws Exception {
        assumeTrue(forType("forDouble", 8), "no 512-bit f64 vectors here");
        squaresLandTransposed(double.class, 8, new int[][] {{0, 8, 0, 8}, {3, 29, 1, 16}, {7, 300, 5, 24}}, 4);
    }

    /** Each layout is {from, stride, to, outStride}; the input holds any bits, NaNs and infinities included. */
    private static void squaresLandTransposed(Class<?> element, int n, int[][] layouts, long seed) throws Exception {
        Class<?> arrays = Array.newInstance(element, 0).getClass();
        Method square =
                method(vectorTransposes(), "square", arrays, int.class, int.class, arrays, int.class, int.class);
        boolean f32 = element == float.class;
        Random random = new Random(seed);
        for (int[] layout : layouts) {
            int from = layout[0], stride = layout[1], to = layout[2], outStride = layout[3];
            Object in = Array.newInstance(element, from + (n - 1) * stride + n + 7);
            for (int i = 0; i < Array.getLength(in); i++) {
                Array.set(in, i, f32 ? (Object) Float.intBitsToFloat(random.nextInt())
                        : (Object) Double.longBitsToDouble(random.nextLong()));
            }
            Object out = Array.newInstance(element, to + (n - 1) * outStride + n + 9);
            for (int i = 0; i < Array.getLength(out); i++) {
                Array.set(out, i, f32 ? (Object) (-7f) : (Object) (-7d));
            }
            square.invoke(null, in, from, stride, out, to, outStride);
            for (int q = 0; q < n; q++) {
                for (int r = 0; r < n; r++) {
                    assertEquals(bits(Array.get(in, from + r * stride + q)),
                            bits(Array.get(out, to + q * outStride + r)), element + " row " + r + ", column " + q);
                }
            }
            for (int i = 0; i < Array.getLength(out); i++) {
                int rel = i - to;
                boolean inBlock = rel >= 0 && rel % outStride < n && rel / outStride < n;
                if (!inBlock) {
                    assertEquals(-7d, ((Number) Array.get(out, i)).doubleValue(), "written outside the block at " + i);
                }
            }
        }
    }

    /** A value's bits, every NaN the same. */
    private static long bits(Object value) {
        return value instanceof Float f ? Float.floatToIntBits(f) : Double.doubleToLongBits((Double) value);
    }

    private static boolean forType(String name, int lanes) throws Exception {
        return (boolean) method(vectorTransposes(), name, int.class).invoke(null, lanes);
    }

    /**
     * The products that pack a B stored transposed (a Linear layer's {@code x W^T}, directly and through scratch,
     * f32 and f64, with ragged panels and steps of k) give the same bits with the squares as with the scalar pack:
     * the rents of both twins set to 0 (squares from the first call), then to never.
     */
    @Test
    void productsGiveTheSameBitsWithAndWithoutTheSquares() throws Exception {
        assumeTrue(forType("forFloat", 16), "no 512-bit vectors here");
        Gemm kernel = Kernels.vectorApi().orElseThrow();
        Object[] rents = {rent("VectorSgemm"), rent("VectorDgemm")};
        Method reset = rents[0].getClass().getDeclaredMethod("reset", long.class);
        reset.setAccessible(true);
        Workspace ws = new Workspace();
        Random random = new Random(6);
        // m, n, k, then 1 where a full panel of the packed B reaches the squares in f32 and in f64 (in f32, 5 x 200
        // x 33 runs as C^T = W x^T through scratch, whose packed x^T has panels of 5 columns: the scalar pack alone)
        int[][] shapes = {{64, 128, 784, 1, 1}, {128, 64, 300, 1, 1}, {33, 47, 70, 1, 1}, {16, 32, 16, 1, 1},
            {5, 200, 33, 0, 1}};
        try {
            for (int[] s : shapes) {
                int m = s[0], n = s[1], k = s[2];
                float[] a = new float[m * k];
                float[] w = new float[n * k];
                for (int i = 0; i < a.length; i++) a[i] = (float) random.nextGaussian();
                for (int i = 0; i < w.length; i++) w[i] = (float) random.nextGaussian();
                double[] ad = new double[a.length];
                double[] wd = new double[w.length];
                for (int i = 0; i < a.length; i++) ad[i] = random.nextGaussian();
                for (int i = 0; i < w.length; i++) wd[i] = random.nextGaussian();
                float[][] c32 = new float[2][m * n];
                double[][] c64 = new double[2][m * n];
                for (int way = 0; way < 2; way++) {
                    for (Object r : rents) {
                        reset.invoke(r, way == 0 ? 0L : Long.MAX_VALUE);
                    }
                    kernel.gemmPacked(ws, false, true, m, n, k, a, 0, w, 0, c32[way], 0, false);
                    kernel.gemmPacked(ws, false, true, m, n, k, ad, 0, wd, 0, c64[way], 0, false);
                }
                // the never-bought rents counted the panels that would have gone through the squares
                String shape = m + "x" + n + "x" + k;
                assertEquals(s[3] == 1, plainUnits(rents[0]) > 0, shape + ": f32 panels at the squares");
                assertEquals(s[4] == 1, plainUnits(rents[1]) > 0, shape + ": f64 panels at the squares");
                org.junit.jupiter.api.Assertions.assertArrayEquals(c32[1], c32[0], m + "x" + n + "x" + k);
                org.junit.jupiter.api.Assertions.assertArrayEquals(c64[1], c64[0], m + "x" + n + "x" + k + " f64");
            }
        } finally {                                     // back to the rent this JVM was started with
            Method squares = rents[0].getClass().getDeclaredMethod("squares");
            Method units = rents[0].getClass().getDeclaredMethod("rent");
            squares.setAccessible(true);
            units.setAccessible(true);
            for (Object r : rents) {
                reset.invoke(r, units.invoke(squares.invoke(null)));
            }
        }
    }

    /** The units a rent has let the scalar pack take since its last reset. */
    private static long plainUnits(Object rent) throws Exception {
        java.lang.reflect.Field f = rent.getClass().getDeclaredField("plainUnits");
        f.setAccessible(true);
        return f.getLong(rent);
    }

    private static Object rent(String kernelClass) throws Exception {
        java.lang.reflect.Field f = Class.forName("dev.modelc.runtime.kernels." + kernelClass)
                .getDeclaredField("SQUARES_RENT");
        f.setAccessible(true);
        return f.get(null);
    }

    private static Class<?> vectorTransposes() throws ClassNotFoundException {
        assumeTrue(Kernels.vectorApi().isPresent(), "the JVM has no jdk.incubator.vector");
        return Class.forName("dev.modelc.runtime.kernels.VectorTransposes");
    }

    private static Method method(Class<?> c, String name, Class<?>... types) throws NoSuchMethodException {
        Method m = c.getDeclaredMethod(name, types);
        m.setAccessible(true);
        return m;
    }
}
