package dev.modelc.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.runtime.random.Rng;
import org.junit.jupiter.api.Test;

/** PyTorch's fan, gain and bound rules, and the statistics of the filled values. */
class InitTest {

    @Test
    void fansFollowPyTorch() {
        assertArrayEquals(new int[] {4, 3}, Init.fans(new int[] {3, 4}));
        assertArrayEquals(new int[] {1 * 5 * 5, 6 * 5 * 5}, Init.fans(new int[] {6, 1, 5, 5}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Init.fans(new int[] {3}));
        assertTrue(e.getMessage().contains("fewer than 2 dimensions"));
        assertThrows(IllegalArgumentException.class, () -> Init.fan(new int[] {2, 2}, "fan_avg"));
    }

    @Test
    void gainTable() {
        assertEquals(1, Init.calculateGain("linear", null));
        assertEquals(1, Init.calculateGain("conv2d", null));
        assertEquals(1, Init.calculateGain("sigmoid", null));
        assertEquals(5.0 / 3, Init.calculateGain("tanh", null));
        assertEquals(Math.sqrt(2), Init.calculateGain("relu", null));
        assertEquals(Math.sqrt(2 / (1 + 0.01 * 0.01)), Init.calculateGain("leaky_relu", null));
        assertEquals(Math.sqrt(2.0 / 6), Init.calculateGain("leaky_relu", Math.sqrt(5)), 1e-15);
        assertEquals(0.75, Init.calculateGain("selu", null));
        assertThrows(IllegalArgumentException.class, () -> Init.calculateGain("swish", null));
    }

    @Test
    void kaimingUniformWithSqrt5IsUniformInOneOverSqrtFanIn() {
        int[] shape = {200, 50};
        float[] w = new float[200 * 50];
        Init.kaimingUniform(w, shape, Math.sqrt(5), "fan_in", "leaky_relu", new Rng(3));
        double bound = 1 / Math.sqrt(50);
        assertUniform(w, bound);
    }

    @Test
    void kaimingNormalAndXavierStatistics() {
        int[] shape = {300, 100};
        double[] w = new double[300 * 100];
        Init.kaimingNormal(w, shape, 0, "fan_out", "relu", new Rng(4));
        assertNormal(w, Math.sqrt(2) / Math.sqrt(300));
        Init.xavierNormal(w, shape, 2, new Rng(5));
        assertNormal(w, 2 * Math.sqrt(2.0 / 400));
        float[] f = new float[300 * 100];
        Init.xavierUniform(f, shape, 1, new Rng(6));
        assertUniform(f, Math.sqrt(3) * Math.sqrt(2.0 / 400));
    }

    @Test
    void plainInitializersAndTheirChecks() {
        double[] d = new double[4];
        Init.constant(d, 2.5);
        assertArrayEquals(new double[] {2.5, 2.5, 2.5, 2.5}, d);
        Init.ones(d);
        assertArrayEquals(new double[] {1, 1, 1, 1}, d);
        Init.zeros(d);
        assertArrayEquals(new double[4], d);
        double[] expected = new double[4];
        new Rng(8).fillUniform(expected, -1, 2);
        Init.uniform(d, -1, 2, new Rng(8));
        assertArrayEquals(expected, d);
        assertThrows(IllegalArgumentException.class, () -> Init.uniform(new double[1], 2, 1, new Rng(0)));
        assertThrows(IllegalArgumentException.class, () -> Init.normal(new double[1], 0, -1, new Rng(0)));
    }

    static void assertUniform(float[] w, double bound) {
        double max = 0;
        double mean = 0;
        for (float v : w) {
            assertTrue(Math.abs(v) <= bound, v + " outside ±" + bound);
            max = Math.max(max, Math.abs(v));
            mean += v / w.length;
        }
        assertTrue(max > 0.99 * bound, "values reach the bound");
        assertEquals(0, mean, 0.02 * bound);
    }

    static void assertNormal(double[] w, double std) {
        double mean = 0;
        double var = 0;
        for (double v : w) {
            mean += v / w.length;
        }
        for (double v : w) {
            var += (v - mean) * (v - mean) / w.length;
        }
        assertEquals(0, mean, 0.02 * std);
        assertEquals(std, Math.sqrt(var), 0.02 * std);
    }

    /**
     * The Java API refuses what a .mdl initializer may not have (InitializerChecker): numbers that are not finite or,
     * for a float[], beyond f32's range, and arguments whose draws can leave the array's type.
     */
    @Test
    void argumentsWhoseValuesWouldNotBeFiniteAreRefused() {
        float[] f = new float[4];
        double[] d = new double[4];
        int[] shape = {2, 2};
        assertRefused("constant: argument 'value' is 1.0E39, out of range for f32 (the largest is about 3.4e38): the "
                + "array would hold infinity", () -> Init.constant(f, 1e39));
        assertRefused("constant: argument 'value' must be a finite number, got NaN", () -> Init.constant(d, Double.NaN));
        assertRefused("uniform: argument 'low' must be a finite number, got NaN",
                () -> Init.uniform(d, Double.NaN, 1, new Rng(0)));
        assertRefused("uniform: argument 'high' is 1.0E39, out of range for f32",
                () -> Init.uniform(f, 0, 1e39, new Rng(0)));
        assertRefused("uniform: high - low (1.0E308 - -1.0E308) is beyond the range of a double",
                () -> Init.uniform(d, -1e308, 1e308, new Rng(0)));
        assertRefused("normal: argument 'std' must be a finite number, got Infinity",
                () -> Init.normal(d, 0, Double.POSITIVE_INFINITY, new Rng(0)));
        assertRefused("normal: std 4.0E37 can draw values up to 3.43e+38 (the generator's normal draws reach 8.5717 "
                + "standard deviations from the mean), beyond f32's range (the largest is about 3.4e38): the array "
                + "would hold infinity", () -> Init.normal(f, 0, 4e37, new Rng(0)));
        assertRefused("normal: argument 'mean' must be a finite number, got NaN",
                () -> Init.normal(f, Double.NaN, 1, new Rng(0)));
        assertRefused("kaiming_uniform: argument 'a' must be a finite number, got NaN",
                () -> Init.kaimingUniform(f, shape, Double.NaN, "fan_in", "leaky_relu", new Rng(0)));
        assertRefused("kaiming_normal: argument 'a' must be a finite number, got Infinity",
                () -> Init.kaimingNormal(d, shape, Double.POSITIVE_INFINITY, "fan_in", "leaky_relu", new Rng(0)));
        assertRefused("xavier_uniform: gain 3.0E38 gives the bound 3.67",
                () -> Init.xavierUniform(f, shape, 3e38, new Rng(0)));
        assertRefused("xavier_normal: gain 1.0E308 (std 7.0710678118654",
                () -> Init.xavierNormal(d, shape, 1e308, new Rng(0)));
        assertRefused("xavier_normal: argument 'gain' must be a finite number, got NaN",
                () -> Init.xavierNormal(d, shape, Double.NaN, new Rng(0)));
        // the largest arguments that fit are accepted, and an array that draws nothing needs no finite spread
        Init.normal(f, 0, 3.9e37, new Rng(0));
        Init.uniform(f, -Float.MAX_VALUE, Float.MAX_VALUE, new Rng(0));
        Init.xavierNormal(new float[0], new int[] {0, 0}, 1, new Rng(0));
        Init.constant(d, 1e300);
        for (double v : d) {
            assertEquals(1e300, v);
        }
    }

    private static void assertRefused(String start, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }
}
