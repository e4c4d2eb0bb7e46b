package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.modelc.runtime.io.ArrayData;
import org.junit.jupiter.api.Test;

/**
 * The one scan for a NaN or an infinity that a compiled model's anomaly checks and {@link ArrayData#firstNonFinite}
 * share: the first one among the first n elements, at every position of arrays longer than an unrolled loop's
 * stride, and the words {@code ArrayData} puts around it.
 */
class FiniteScanTest {
    private static final double[] NON_FINITE = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};

    @Test
    void findsTheFirstNonFiniteValueAmongTheFirstN() {
        for (int length = 0; length <= 37; length++) {
            for (int at = 0; at < length; at++) {
                for (double bad : NON_FINITE) {
                    float[] f = finiteFloats(length);
                    double[] d = finiteDoubles(length);
                    f[at] = (float) bad;
                    d[at] = bad;
                    if (at + 3 < length) {
                        f[at + 3] = Float.NaN;      // a later one is not the first
                        d[at + 3] = Double.NaN;
                    }
                    String where = length + " elements, " + bad + " at " + at;
                    assertEquals(at, FiniteScan.firstNonFinite(f, length), where);
                    assertEquals(at, FiniteScan.firstNonFinite(d, length), where);
                    assertEquals(at, FiniteScan.firstNonFinite((Object) f, length), where);
                    assertEquals(at, FiniteScan.firstNonFinite((Object) d, length), where);
                    assertEquals(-1, FiniteScan.firstNonFinite(f, at), where + ", only the first " + at);
                    assertEquals(-1, FiniteScan.firstNonFinite((Object) d, at), where + ", only the first " + at);
                }
            }
            assertEquals(-1, FiniteScan.firstNonFinite(finiteFloats(length), length));
            assertEquals(-1, FiniteScan.firstNonFinite(finiteDoubles(length), length));
        }
        assertEquals(-1, FiniteScan.firstNonFinite(new int[] {Integer.MAX_VALUE}, 1));
        assertEquals(-1, FiniteScan.firstNonFinite(new long[] {Long.MIN_VALUE}, 1));
    }

    /** The largest, smallest and signed-zero values, and ordinary ones: finite, all of them. */
    private static float[] finiteFloats(int n) {
        float[] edge = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -0f, 0.5f, -3f};
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = edge[i % edge.length];
        }
        return f;
    }

    private static double[] finiteDoubles(int n) {
        double[] edge = {Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, -0d, 0.5, (double) Float.MAX_VALUE * 2};
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = edge[i % edge.length];
        }
        return d;
    }

    @Test
    void arrayDataNamesTheFirstWithItsIndex() {
        float[] pixels = new float[6];
        pixels[4] = Float.NaN;
        pixels[5] = Float.POSITIVE_INFINITY;
        assertEquals("holds NaN at element 4 (index [1, 1])", ArrayData.of("x", pixels, 2, 3).firstNonFinite());
        assertEquals("holds -Infinity at element 2",
                ArrayData.of("y", new double[] {1, 2, Double.NEGATIVE_INFINITY}, 3).firstNonFinite());
        assertEquals("holds Infinity at element 0 (index [0, 0, 0])",
                ArrayData.of("z", new double[] {Double.POSITIVE_INFINITY}, 1, 1, 1).firstNonFinite());
        assertNull(ArrayData.of("x", new float[] {Float.MAX_VALUE, -0f}, 2).firstNonFinite());
        assertNull(ArrayData.of("t", new int[] {1, 2}, 2).firstNonFinite());
    }
}
