package dev.modelc.runtime.kernels;

/**
 * exp, log and log1p, and the sigmoid and binary cross entropy with logits built on them, accurate to float
 * precision and written without calls and with no branch but the final choice of a special value, for the
 * elementwise loops of f32 models.
 *
 * <p>The compiled f32 loops compute these functions by widening to double, calling {@code Math.exp} or
 * {@code Math.log} and rounding back to float; the double precision of those libm routines is wasted on a float
 * result. These take and return double like the functions they stand for (so the emitted code keeps its shape), but
 * stop the polynomials where the error is far below half a float ulp.
 *
 * <p>Accuracy, tested in {@code FloatMathTest} over all floats (every float in a stride through the whole range of
 * bit patterns, plus subnormals, +-0, +-inf, NaN and the overflow and underflow edges): for every float x,
 * {@code (float) exp(x)}, {@code (float) log(x)} and {@code (float) log1p(x)} are within 1 ulp of
 * {@code (float) Math.exp(x)}, {@code (float) Math.log(x)} and {@code (float) Math.log1p(x)}, and equal to them on
 * every special value. The relative error before rounding to float is below 1e-9 (exp) and 1e-10 (log).
 *
 * <p>Algorithms:
 * <ol>
 *   <li>exp: clamp x to [-104, 89] (beyond, the float result is 0 or infinity anyway; NaN passes through), split
 *       {@code x = k ln2 + r} with {@code |r| <= ln2 / 2} and k an integer, sum the Taylor series of e^r to degree
 *       8 (error below r^9 / 9! = 2e-10), and scale by 2^k built from its exponent bits.</li>
 *   <li>log: split a positive double into {@code 2^e m} with m in [sqrt(1/2), sqrt(2)), then
 *       {@code log m = 2 atanh(s)} with {@code s = (m - 1) / (m + 1)}, |s| < 0.172, summed to s^11 (error below
 *       s^13 / 13 relative to s, 5e-11). A float's subnormals are normal doubles, so they need no special path.</li>
 *   <li>log1p: {@code u = 1 + x} in double, then {@code log(u) * x / (u - 1)}, which corrects the rounding of u
 *       (and is x itself when u rounds to 1).</li>
 * </ol>
 */
public final class FloatMath {

    private static final double LOG2E = 1.4426950408889634;
    /** ln 2 split so that {@code k * LN2_HI} is exact for the k exp meets. */
    private static final double LN2_HI = 0.6931471803691238;
    private static final double LN2_LO = 1.9082149292705877e-10;
    private static final double LN2 = 0.6931471805599453;
    private static final long MANTISSA = 0x000f_ffff_ffff_ffffL;
    /** The bits of sqrt(1/2)'s mantissa (0x6a09e...), so that m lands in [sqrt(1/2), sqrt(2)). */
    private static final long SQRT_HALF_BITS = 0x3fe6_a09e_667f_3bcdL;

    private FloatMath() {
    }

    /** e^x, for a float-precision result. */
    public static double exp(double x) {
        double d = Math.max(Math.min(x, 89.0), -104.0);
        double k = Math.rint(d * LOG2E);
        double r = Math.fma(-k, LN2_LO, Math.fma(-k, LN2_HI, d));
        double p = 1.0 / 40320;
        p = Math.fma(p, r, 1.0 / 5040);
        p = Math.fma(p, r, 1.0 / 720);
        p = Math.fma(p, r, 1.0 / 120);
        p = Math.fma(p, r, 1.0 / 24);
        p = Math.fma(p, r, 1.0 / 6);
        p = Math.fma(p, r, 0.5);
        p = Math.fma(p, r, 1.0);
        p = Math.fma(p, r, 1.0);
        return p * Double.longBitsToDouble(((long) k + 1023) << 52);
    }

    /** The natural logarithm, for a float-precision result. */
    public static double log(double x) {
        double y = logPositive(x);
        return x > 0 && x < Double.POSITIVE_INFINITY ? y : special(x);
    }

    /** log(1 + x), for a float-precision result; accurate near 0, where log(1 + x) would lose x. */
    public static double log1p(double x) {
        double u = 1.0 + x;
        double y = u == 1.0 ? x : logPositive(u) * (x / (u - 1.0));
        return u > 0 && u < Double.POSITIVE_INFINITY ? y : special(u);
    }

    /** The logistic function, for a float-precision result. */
    public static double sigmoid(double x) {
        double e = exp(-Math.abs(x));
        double s = 1 / (1 + e);
        return x >= 0 ? s : e * s;
    }

    /**
     * Binary cross entropy of logit x against target y, for a float-precision result: the stable
     * {@code (1 - y) x + max(-x, 0) + log1p(e^-|x|)}, the same value as {@code Functions.bceWithLogits}.
     */
    public static double bceWithLogits(double x, double y) {
        return (1 - y) * x + Math.max(-x, 0) + log1p(exp(-Math.abs(x)));
    }

    /** log of a positive finite double (any other input gives a meaningless number). */
    private static double logPositive(double x) {
        long bits = Double.doubleToRawLongBits(x);
        // Exponent and mantissa of x / sqrt(1/2), so the mantissa m is in [sqrt(1/2), sqrt(2)).
        long shifted = bits - SQRT_HALF_BITS;
        long e = shifted >> 52;
        double m = Double.longBitsToDouble((shifted & MANTISSA) + SQRT_HALF_BITS);
        double s = (m - 1) / (m + 1);
        double s2 = s * s;
        double p = 2.0 / 11;
        p = Math.fma(p, s2, 2.0 / 9);
        p = Math.fma(p, s2, 2.0 / 7);
        p = Math.fma(p, s2, 2.0 / 5);
        p = Math.fma(p, s2, 2.0 / 3);
        p = Math.fma(p, s2, 2.0);
        return Math.fma(e, LN2, s * p);
    }

    /** log at 0, negative numbers, infinity and NaN (and at subnormal doubles, which no float widens to). */
    private static double special(double x) {
        return Math.log(x);
    }
}
