package dev.modelc.runtime.random;

/**
 * The project's one random generator, specified exactly so that any implementation reproduces it from a seed.
 *
 * <p><b>Algorithm:</b> SplitMix64. The state is a 64-bit integer, initially the seed. Each {@link #nextLong()} adds
 * the constant {@code 0x9E3779B97F4A7C15} to the state (wrapping) and returns the state mixed as
 * <pre>
 *   z = state
 *   z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9
 *   z = (z ^ (z >>> 27)) * 0x94D049BB133111EB
 *   return z ^ (z >>> 31)
 * </pre>
 * (unsigned shifts, wrapping 64-bit multiplication). Seed 0 gives {@code 0xE220A8397B1DCDAF} first.
 *
 * <p><b>Doubles</b> in [0, 1): the top 53 bits, {@code (nextLong() >>> 11) * 2^-53}.
 * <b>Floats</b> in [0, 1): the top 24 bits, {@code (nextLong() >>> 40) * 2^-24}.
 *
 * <p><b>Filling arrays</b> (what tensors and initializers use): elements are drawn in row-major order, one double
 * each for uniform values, {@code low + (high - low) * u} computed in double; an {@code f32} array stores that value
 * rounded to float (and, should rounding reach {@code high}, the largest float below it), so {@code f32} and
 * {@code f64} parameters from the same seed agree to float rounding.
 *
 * <p><b>Normals</b> by Box-Muller on pairs of doubles: with {@code u1, u2} drawn in that order,
 * {@code r = sqrt(-2 ln(1 - u1))}, {@code z0 = r cos(2 pi u2)}, {@code z1 = r sin(2 pi u2)}. When filling, elements
 * {@code 2i} and {@code 2i+1} take {@code z0} and {@code z1} of the i-th pair; an odd last element takes {@code z0}
 * of one more pair. {@link #nextGaussian()} draws a fresh pair and returns its {@code z0}. Values are
 * {@code mean + std * z}.
 */
public final class Rng {

    /**
     * The largest magnitude a standard normal draw can have: Box-Muller's radius at the largest {@code u1},
     * {@code 1 - 2^-53}, that is {@code sqrt(-2 ln 2^-53)} = 8.5717 (times a cosine or sine of at most 1). So
     * {@code mean + std * z} stays within {@code mean ± 8.5717 std}; a check that a normal initializer's values fit
     * a dtype uses this bound.
     */
    public static final double GAUSSIAN_MAX = Math.sqrt(-2 * Math.log(0x1.0p-53));

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    public long nextLong() {
        state += GOLDEN;
        long z = state;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A double in [0, 1) from the top 53 bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** A float in [0, 1) from the top 24 bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** A standard normal value: z0 of a fresh Box-Muller pair. */
    public double nextGaussian() {
        double u1 = nextDouble();
        double u2 = nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    public void fillUniform(double[] out, double low, double high) {
        for (int i = 0; i < out.length; i++) {
            out[i] = low + (high - low) * nextDouble();
        }
    }

    public void fillUniform(float[] out, double low, double high) {
        float top = (float) high;
        for (int i = 0; i < out.length; i++) {
            float v = (float) (low + (high - low) * nextDouble());
            out[i] = v >= top && low < high ? Math.nextDown(top) : v;
        }
    }

    public void fillNormal(double[] out, double mean, double std) {
        double[] pair = new double[2];
        for (int i = 0; i < out.length; i += 2) {
            nextPair(pair);
            out[i] = mean + std * pair[0];
            if (i + 1 < out.length) {
                out[i + 1] = mean + std * pair[1];
            }
        }
    }

    public void fillNormal(float[] out, double mean, double std) {
        double[] pair = new double[2];
        for (int i = 0; i < out.length; i += 2) {
            nextPair(pair);
            out[i] = (float) (mean + std * pair[0]);
            if (i + 1 < out.length) {
                out[i + 1] = (float) (mean + std * pair[1]);
            }
        }
    }

    private void nextPair(double[] pair) {
        double u1 = nextDouble();
        double u2 = nextDouble();
        double r = Math.sqrt(-2 * Math.log(1 - u1));
        pair[0] = r * Math.cos(2 * Math.PI * u2);
        pair[1] = r * Math.sin(2 * Math.PI * u2);
    }
}
