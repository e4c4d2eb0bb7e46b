package dev.modelc.runtime.kernels;

/**
 * exp, log, log1p, tanh and erf, and the sigmoid and binary cross entropy with logits built on them,
 * accurate to float precision and written without calls and with no branch (choices are made between bit patterns,
 * which C2 compiles to conditional moves), for the elementwise loops of f32 models.
 *
 * <p>The compiled f32 loops compute these functions by widening to double, calling {@code Math.exp} or
 * {@code Math.log} and rounding back to float; the double precision of those libm routines is wasted on a float
 * result. These take and return double like the functions they stand for (so the emitted code keeps its shape), but
 * stop the polynomials where the error is far below half a float ulp. erf and {@link #expf(float)} are the
 * exceptions: they take and return float and are float arithmetic (expf but for its scale 2^k), so that C2
 * vectorizes their array loops.
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
 *   <li>erf ({@link #erf(float)}, float in and out, within 2 ulps of the exact erf): float arithmetic only, so that
 *       C2 vectorizes its array loop; see the method.</li>
 * </ol>
 *
 * <p>tanh and erf stand for {@code Math.tanh} (fdlibm in Java, 70-90 ns a call on the AVX2 EPYC) and
 * {@code Functions.erf} (a series summed until it converges, about 200 ns); tanh takes 10-20 ns, erf about as much
 * alone and 1-2 ns an element in its array loop, where C2 vectorizes it.
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
    /** 2/sqrt(pi), erf's slope at 0, as a float and the float nearest the rest. */
    private static final float C0_HI = 1.128379226e+00f;
    private static final float C0_LO = -5.863538277e-08f;
    /** (erf(a) / a - 2/sqrt(pi)) / a^2 on 0 <= a <= 1, a fit in powers of a^2, constant first. */
    private static final float P0 = -3.761263788e-01f;
    private static final float P1 = 1.128378808e-01f;
    private static final float P2 = -2.686579153e-02f;
    private static final float P3 = 5.222073756e-03f;
    private static final float P4 = -8.499501855e-04f;
    private static final float P5 = 1.137889194e-04f;
    private static final float P6 = -9.991484148e-06f;
    /** erfc(a) on 1 <= a <= 4, a fit in powers of a - 2.5, constant first (absolute error 4e-9). */
    private static final float Q0 = 4.069523711e-04f;
    private static final float Q1 = -2.178278519e-03f;
    private static final float Q2 = 5.445688497e-03f;
    private static final float Q3 = -8.350212127e-03f;
    private static final float Q4 = 8.622604422e-03f;
    private static final float Q5 = -6.116587669e-03f;
    private static final float Q6 = 2.797554713e-03f;
    private static final float Q7 = -5.445338320e-04f;
    private static final float Q8 = -2.587301133e-04f;
    private static final float Q9 = 2.534241648e-04f;
    private static final float Q10 = -8.110047202e-05f;
    private static final float Q11 = -7.756445484e-06f;
    private static final float Q12 = 1.571927169e-05f;
    private static final float Q13 = -3.462653694e-06f;
    private static final float Q14 = -8.901371302e-07f;
    private static final float Q15 = 3.512991498e-07f;
    /** Elements of a block of the array loops, erf's and expf's. */
    static final int BLOCK = 256;
    /** Four blocks a thread: three for an array loop's pieces, one for its caller (LogSoftmax's row maxima). */
    private static final ThreadLocal<float[][]> BLOCKS = ThreadLocal.withInitial(() -> new float[4][BLOCK]);

    private FloatMath() {
    }

    /** This thread's four blocks of {@link #BLOCK} floats, for the array loops' scratch. */
    static float[][] blocks() {
        return BLOCKS.get();
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

    /**
     * e^x of a float, within one ulp of the exact value (0.94 measured over every float), in float arithmetic but for
     * the scale 2^k: x clamped to [-104, 89] (past which e^x is 0 or infinity in float), {@code k = rint(x log2 e)}
     * by the 1.5 x 2^23 rounding trick, {@code r = x - k ln 2} in two parts, e^r by its Taylor polynomial of degree 7,
     * then times 2^(k/2) and 2^(k - k/2), each a normal float, so a subnormal result rounds once. NaN gives NaN.
     * C2 vectorizes the float parts in a loop over arrays ({@link #expf(float[], float[], int, int, float[], float[],
     * float[])}); on JDK 17 it leaves the scale's bit operations scalar.
     */
    public static float expf(float x) {
        float d = expArgument(x);
        float t = expShifted(d);
        return expScale(expPolynomial(d, t), t);
    }

    /**
     * {@code out[i] = expf(x[i])} for {@code from <= i < to}, the same bits as {@link #expf(float)}: the pieces run as
     * separate loops over blocks of {@link #BLOCK} elements copied into {@code xs} and computed in {@code ts}
     * and {@code ps} (each at least that long), as {@link #erf(float[], float[], int, int, float[], float[], float[])}
     * does. out may be x.
     */
    static void expf(float[] x, float[] out, int from, int to, float[] xs, float[] ts, float[] ps) {
        for (int block = from; block < to; block += BLOCK) {
            int n = Math.min(BLOCK, to - block);
            System.arraycopy(x, block, xs, 0, n);
            for (int i = 0; i < n; i++) {
                ts[i] = expShifted(expArgument(xs[i]));
            }
            for (int i = 0; i < n; i++) {
                ps[i] = expPolynomial(expArgument(xs[i]), ts[i]);
            }
            for (int i = 0; i < n; i++) {
                ps[i] = expScale(ps[i], ts[i]);
            }
            System.arraycopy(ps, 0, out, block, n);
        }
    }

    private static float expArgument(float x) {
        return Math.max(Math.min(x, 89f), -104f);
    }

    /** {@code 1.5 x 2^23 + d log2 e}: the float nearest, whose low mantissa bits hold {@code k = rint(d log2 e)}. */
    private static float expShifted(float d) {
        return Math.fma(d, LOG2E_F, ROUND_F);
    }

    /** e^r for {@code r = d - k ln 2}, k from {@link #expShifted}'s value. */
    private static float expPolynomial(float d, float t) {
        float k = t - ROUND_F;
        float r = Math.fma(k, -LN2_LO_F, Math.fma(k, -LN2_HI_F, d));
        float p = 1f / 5040;
        p = Math.fma(p, r, 1f / 720);
        p = Math.fma(p, r, 1f / 120);
        p = Math.fma(p, r, 1f / 24);
        p = Math.fma(p, r, 1f / 6);
        p = Math.fma(p, r, 0.5f);
        p = Math.fma(p, r, 1f);
        return Math.fma(p, r, 1f);
    }

    /** p times 2^k, k from {@link #expShifted}'s value, as two powers of two that are normal floats. */
    private static float expScale(float p, float t) {
        int k = Float.floatToRawIntBits(t) - ROUND_BITS;
        int half = k >> 1;
        return p * Float.intBitsToFloat((half + 127) << 23) * Float.intBitsToFloat((k - half + 127) << 23);
    }

    /*
     * The float exp's constants, shared with VectorLogistic's lane form of the same split.
     * 1.5 x 2^23: adding it rounds a float of magnitude below 2^22 to an integer, left in the low mantissa bits.
     */
    static final float ROUND_F = 12582912f;
    static final int ROUND_BITS = Float.floatToRawIntBits(ROUND_F);
    static final float LOG2E_F = 1.44269504f;
    /** ln 2 split so that {@code k * LN2_HI_F} is exact for every k expf meets (|k| <= 150). */
    static final float LN2_HI_F = 0.693359375f;
    static final float LN2_LO_F = -2.12194440e-4f;

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

    /**
     * The largest float x whose f32 sigmoid is 0: PyTorch computes {@code 1 / (1 + exp(-x))} in float, where
     * {@code exp(-x)} overflows to infinity from {@code -x = 88.72283935546875} (the float just above log of the
     * largest float) on; above it the result is a subnormal float, as here.
     */
    public static final float SIGMOID_ZERO = -88.72283935546875f;

    /** The logistic function, for a float-precision result: 0 at or below {@link #SIGMOID_ZERO}, as PyTorch's. */
    public static double sigmoid(double x) {
        if (x <= SIGMOID_ZERO) {
            return 0;
        }
        double e = exp(-Math.abs(x));
        double s = 1 / (1 + e);
        return choose(x >= 0, s, e * s);
    }

    /** The hyperbolic tangent, for a float-precision result. */
    public static double tanh(double x) {
        double e = expm1NonNegative(Math.min(2 * Math.abs(x), 40.0));
        return Math.copySign(e / (e + 2), x);
    }

    /**
     * The error function of a float, within 2 ulps of the exact erf (1.3 measured), in float arithmetic only: fused
     * multiply-adds, min, max, abs and one division, with no branch, no conversion and no bit operation, which is
     * what C2 vectorizes in a loop over arrays ({@link #erf(float[], float[], int, int, float[], float[], float[])}). For
     * {@code a = min(|x|, 4)}: below 1, {@code a (2/sqrt(pi) + a^2 P(a^2))}; above, {@code 1 - Q(a - 2.5)}, Q a fit of
     * erfc; both are computed and one kept by a factor of exactly 0 or 1 ({@link #above}); the sign is x's, by
     * {@code xc / a} with x clamped to [-4, 4], so -0 gives -0 and NaN gives NaN. erf rounds to +-1 in float past 3.92.
     */
    public static float erf(float x) {
        float a = erfArgument(x);
        return erfCombine(x, erfSmall(a), erfcBottom(erfcTop(a), a));
    }

    /**
     * {@code out[i] = erf(x[i])} for {@code from <= i < to}, the same bits as {@link #erf(float)}: the pieces run as
     * separate loops over blocks of {@link #BLOCK} elements copied into {@code xs} and computed in {@code small}
     * and {@code large} (each at least that long), since C2 unrolls, and so vectorizes, only loops with small
     * bodies, and only loops whose arrays are all indexed alike. out may be x.
     */
    static void erf(float[] x, float[] out, int from, int to, float[] xs, float[] small, float[] large) {
        for (int block = from; block < to; block += BLOCK) {
            int n = Math.min(BLOCK, to - block);
            System.arraycopy(x, block, xs, 0, n);
            for (int i = 0; i < n; i++) {
                small[i] = erfSmall(erfArgument(xs[i]));
            }
            for (int i = 0; i < n; i++) {
                large[i] = erfcTop(erfArgument(xs[i]));
            }
            for (int i = 0; i < n; i++) {
                large[i] = erfcBottom(large[i], erfArgument(xs[i]));
            }
            for (int i = 0; i < n; i++) {
                small[i] = erfCombine(xs[i], small[i], large[i]);
            }
            System.arraycopy(small, 0, out, block, n);
        }
    }

    private static float erfArgument(float x) {
        return Math.min(Math.abs(x), 4f);
    }

    /** erf(a) for 0 <= a <= 1: the constant term as two floats, so that the product a 2/sqrt(pi) rounds once. */
    private static float erfSmall(float a) {
        float t = a * a;
        float p = P6;
        p = Math.fma(p, t, P5);
        p = Math.fma(p, t, P4);
        p = Math.fma(p, t, P3);
        p = Math.fma(p, t, P2);
        p = Math.fma(p, t, P1);
        p = Math.fma(p, t, P0);
        return Math.fma(a, C0_HI, Math.fma(a, C0_LO, a * t * p));
    }

    /** The first half of erfc's polynomial in a - 2.5 (Horner's steps down to Q8). */
    private static float erfcTop(float a) {
        float u = a - 2.5f;
        float q = Q15;
        q = Math.fma(q, u, Q14);
        q = Math.fma(q, u, Q13);
        q = Math.fma(q, u, Q12);
        q = Math.fma(q, u, Q11);
        q = Math.fma(q, u, Q10);
        q = Math.fma(q, u, Q9);
        return Math.fma(q, u, Q8);
    }

    /** The rest of the polynomial, from {@link #erfcTop}'s value: erfc(a) for 1 <= a <= 4. */
    private static float erfcBottom(float q, float a) {
        float u = a - 2.5f;
        q = Math.fma(q, u, Q7);
        q = Math.fma(q, u, Q6);
        q = Math.fma(q, u, Q5);
        q = Math.fma(q, u, Q4);
        q = Math.fma(q, u, Q3);
        q = Math.fma(q, u, Q2);
        q = Math.fma(q, u, Q1);
        return Math.fma(q, u, Q0);
    }

    /** The piece that holds for x's magnitude, with x's sign: {@code small} below 1, {@code 1 - erfc} above. */
    private static float erfCombine(float x, float small, float erfc) {
        float a = erfArgument(x);
        float s = above(a, 1f);
        float r = (1f - s) * small + s * (1f - erfc);
        float xc = Math.max(Math.min(x, 4f), -4f);
        return r * (xc / Math.max(a, Float.MIN_VALUE));
    }

    /**
     * 1 where {@code a > c} and 0 where {@code a <= c} (NaN for NaN), for {@code 1 <= c <= 4} and {@code 0 <= a <= 4}:
     * a float above c is at least 2^-23 above it, which the factor 2^24 takes past 1.
     */
    private static float above(float a, float c) {
        return Math.min(Math.max((a - c) * 0x1p24f, 0f), 1f);
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
