package dev.modelc.runtime.kernels;

/**
 * exp, log, log1p, tanh and erf, and the sigmoid and binary cross entropy with logits built on them,
 * accurate to float precision and written without calls and with no branch (choices are made between bit patterns,
 * which C2 compiles to conditional moves), for the elementwise loops of f32 models.
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
 *   <li>tanh: {@code e / (e + 2)} with {@code e = e^(2|x|) - 1}, the sign of x copied; e from the exp split
 *       above, as {@code 2^k (e^r - 1) + (2^k - 1)} with {@code e^r - 1} summed from r (degree 9), so small x keep
 *       their precision; |x| is clamped to 20, where tanh is 1 in double.</li>
 *   <li>erf: for |x| <= 1, x times the Taylor series of erf(x)/x in x^2 to degree 11 (relative error below
 *       1.1e-10); for 1 < |x| <= 4, {@code 1 - e^(-x^2) h(1/x) / x}, where h, a fit of degree 11 in
 *       {@code t = (1/x - 0.625) / 0.375} to {@code x e^(x^2) erfc(x)} on Chebyshev nodes, is within 4.2e-10 of
 *       it (so erfc within that relative error); both are computed and one chosen; |x| is clamped to 4, past which
 *       erf rounds to 1 in float.</li>
 * </ol>
 *
 * <p>tanh and erf stand for {@code Math.tanh} (fdlibm in Java, 70-90 ns a call on the AVX2 EPYC) and
 * {@code Functions.erf} (a series summed until it converges, about 200 ns); these take 10-20 ns.
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
    /** erf(x) / x = 2/sqrt(pi) sum (-1)^n x^(2n) / (n! (2n + 1)): the coefficients of n = 0..11. */
    private static final double S0 = 1.1283791670955126;
    private static final double S1 = -0.37612638903183754;
    private static final double S2 = 0.11283791670955126;
    private static final double S3 = -0.026866170645131252;
    private static final double S4 = 0.005223977625442188;
    private static final double S5 = -0.0008548327023450852;
    private static final double S6 = 0.00012055332981789664;
    private static final double S7 = -1.492565035840625e-05;
    private static final double S8 = 1.6462114365889246e-06;
    private static final double S9 = -1.6365844691234924e-07;
    private static final double S10 = 1.4807192815879218e-08;
    private static final double S11 = -1.2290555301717926e-09;
    /** The fit of x e^(x^2) erfc(x) on 1 <= x <= 4, in powers of t = (1/x - 0.625) / 0.375, constant first. */
    private static final double E0 = 0.48952478779699715;
    private static final double E1 = -0.0643446201151657;
    private static final double E2 = -0.00018205606027799678;
    private static final double E3 = 0.003802279088249662;
    private static final double E4 = -0.0015431101446192156;
    private static final double E5 = 0.00036769691304382575;
    private static final double E6 = -2.858551804939943e-05;
    private static final double E7 = -2.50662513500211e-05;
    private static final double E8 = 1.8475063997429262e-05;
    private static final double E9 = -7.685971681242165e-06;
    private static final double E10 = 1.1923704859559082e-06;
    private static final double E11 = 2.691176187294256e-07;

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
        return choose(x >= 0, s, e * s);
    }

    /** The hyperbolic tangent, for a float-precision result. */
    public static double tanh(double x) {
        double e = expm1NonNegative(Math.min(2 * Math.abs(x), 40.0));
        return Math.copySign(e / (e + 2), x);
    }

    /** The error function, for a float-precision result. */
    public static double erf(double x) {
        double a = Math.min(Math.abs(x), 4.0);
        double a2 = a * a;
        double series = S11;
        series = Math.fma(series, a2, S10);
        series = Math.fma(series, a2, S9);
        series = Math.fma(series, a2, S8);
        series = Math.fma(series, a2, S7);
        series = Math.fma(series, a2, S6);
        series = Math.fma(series, a2, S5);
        series = Math.fma(series, a2, S4);
        series = Math.fma(series, a2, S3);
        series = Math.fma(series, a2, S2);
        series = Math.fma(series, a2, S1);
        series = Math.fma(series, a2, S0);
        double t = (1 / a - 0.625) / 0.375;
        double h = E11;
        h = Math.fma(h, t, E10);
        h = Math.fma(h, t, E9);
        h = Math.fma(h, t, E8);
        h = Math.fma(h, t, E7);
        h = Math.fma(h, t, E6);
        h = Math.fma(h, t, E5);
        h = Math.fma(h, t, E4);
        h = Math.fma(h, t, E3);
        h = Math.fma(h, t, E2);
        h = Math.fma(h, t, E1);
        h = Math.fma(h, t, E0);
        double r = choose(a <= 1, a * series, 1 - exp(-a2) * h / a);
        return Math.copySign(r, x);
    }

    /**
     * Binary cross entropy of logit x against target y, for a float-precision result: the stable
     * {@code (1 - y) x + max(-x, 0) + log1p(e^-|x|)}, the same value as {@code Functions.bceWithLogits}.
     */
    public static double bceWithLogits(double x, double y) {
        return (1 - y) * x + Math.max(-x, 0) + log1p(exp(-Math.abs(x)));
    }

    /** e^x - 1 for {@code 0 <= x <= 88} (NaN gives NaN), accurate relative to the result for small x too. */
    private static double expm1NonNegative(double x) {
        double k = Math.rint(x * LOG2E);
        double r = Math.fma(-k, LN2_LO, Math.fma(-k, LN2_HI, x));
        double p = 1.0 / 362880;
        p = Math.fma(p, r, 1.0 / 40320);
        p = Math.fma(p, r, 1.0 / 5040);
        p = Math.fma(p, r, 1.0 / 720);
        p = Math.fma(p, r, 1.0 / 120);
        p = Math.fma(p, r, 1.0 / 24);
        p = Math.fma(p, r, 1.0 / 6);
        p = Math.fma(p, r, 0.5);
        double q = Math.fma(p * r, r, r);                        // e^r - 1
        double scale = Double.longBitsToDouble(((long) k + 1023) << 52);
        return Math.fma(scale, q, scale - 1);
    }

    /** {@code c ? a : b}, chosen as bits (a conditional move, where a choice of doubles would be a branch). */
    private static double choose(boolean c, double a, double b) {
        return Double.longBitsToDouble(c ? Double.doubleToRawLongBits(a) : Double.doubleToRawLongBits(b));
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
