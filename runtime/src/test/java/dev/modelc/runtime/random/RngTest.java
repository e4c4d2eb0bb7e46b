package dev.modelc.runtime.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The generator's documented values: SplitMix64's published outputs for seed 0, and the derived doubles and normals. */
class RngTest {

    @Test
    void firstValuesOfSeedZeroAreSplitMix64s() {
        Rng rng = new Rng(0);
        assertEquals(0xE220A8397B1DCDAFL, rng.nextLong());
        assertEquals(0x6E789E6AA1B965F4L, rng.nextLong());
        assertEquals(0x06C45D188009454FL, rng.nextLong());
        assertEquals(0xF88BB8A8724C81ECL, rng.nextLong());
    }

    @Test
    void doublesAndFloatsTakeTheTopBits() {
        Rng rng = new Rng(0);
        assertEquals(0.8833108082136426, rng.nextDouble(), 0);
        assertEquals(0.43152799704850997, rng.nextDouble(), 0);
        assertEquals((0x06C45D188009454FL >>> 40) * 0x1.0p-24f, rng.nextFloat(), 0);
    }

    @Test
    void normalsAreBoxMullerPairsInOrder() {
        double u1 = 0.8833108082136426;
        double u2 = 0.43152799704850997;
        double r = Math.sqrt(-2 * Math.log(1 - u1));
        double[] out = new double[3];
        Rng rng = new Rng(0);
        rng.fillNormal(out, 1, 2);
        assertEquals(1 + 2 * r * Math.cos(2 * Math.PI * u2), out[0], 1e-15);
        assertEquals(1 + 2 * r * Math.sin(2 * Math.PI * u2), out[1], 1e-15);
        Rng third = new Rng(0);
        third.nextLong();
        third.nextLong();
        assertEquals(third.nextGaussian(), (out[2] - 1) / 2, 1e-15, "an odd last element takes z0 of a fresh pair");
        assertEquals(new Rng(0).nextGaussian(), (out[0] - 1) / 2, 1e-15);
    }

    @Test
    void floatFillsAreRoundedDoubleFills() {
        double[] d = new double[16];
        float[] f = new float[16];
        new Rng(9).fillUniform(d, -2, 3);
        new Rng(9).fillUniform(f, -2, 3);
        for (int i = 0; i < d.length; i++) {
            assertEquals((float) d[i], f[i]);
        }
        float[] same = new float[16];
        new Rng(9).fillUniform(same, -2, 3);
        assertArrayEquals(f, same);
    }

    @Test
    void uniformAndNormalStatistics() {
        int n = 200_000;
        double[] u = new double[n];
        double[] z = new double[n];
        new Rng(1).fillUniform(u, 0, 1);
        new Rng(2).fillNormal(z, 0, 1);
        double mu = 0;
        double mz = 0;
        double vz = 0;
        for (int i = 0; i < n; i++) {
            assertTrue(u[i] >= 0 && u[i] < 1);
            mu += u[i] / n;
            mz += z[i] / n;
        }
        for (double v : z) {
            vz += (v - mz) * (v - mz) / n;
        }
        assertEquals(0.5, mu, 0.005);
        assertEquals(0, mz, 0.01);
        assertEquals(1, vz, 0.01);
    }

    /** The bound the compiler checks normal initializers against is the radius at the largest draw of u1. */
    @Test
    void gaussianMaxIsTheRadiusAtTheLargestUniformDraw() {
        double largestU1 = ((1L << 53) - 1) * 0x1.0p-53;
        assertEquals(Math.sqrt(-2 * Math.log(1 - largestU1)), Rng.GAUSSIAN_MAX, 0);
        assertEquals(8.5717, Rng.GAUSSIAN_MAX, 1e-4);
        Rng rng = new Rng(7);
        for (int i = 0; i < 100_000; i++) {
            assertTrue(Math.abs(rng.nextGaussian()) <= Rng.GAUSSIAN_MAX);
        }
    }
}
