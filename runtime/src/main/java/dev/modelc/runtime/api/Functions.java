package dev.modelc.runtime.api;

/**
 * Scalar functions that fused elementwise loops call where the JDK has none or where PyTorch's definition needs a
 * branch (C2 inlines them). Each has the same definition as the compiler's reference evaluator, in double; the exact
 * ones (comparisons, select, sign) also in float, so f32 loops do not convert.
 *
 * <p>Where a comparison chooses a value, it chooses an int or a long and the result is made from its bits: x86 has
 * no conditional move of a float, so C2 compiles {@code c != 0 ? a : b} of doubles as a branch, which a mask close
 * to random (leaky_relu's, maximum's) mispredicts about every other element, while a choice of longs becomes a
 * {@code cmov}.
 */
public final class Functions {
    private static final long ONE_D = Double.doubleToRawLongBits(1d);
    private static final long MINUS_ONE_D = Double.doubleToRawLongBits(-1d);
    private static final int ONE_F = Float.floatToRawIntBits(1f);
    private static final int MINUS_ONE_F = Float.floatToRawIntBits(-1f);

    private Functions() {
    }

    /**
     * The logistic function in double, 0 where PyTorch's {@code 1 / (1 + exp(-x))} overflows {@code exp(-x)} to
     * infinity ({@code -x} above log of the largest double, {@link #SIGMOID_ZERO_F64}); above it a subnormal double.
     */
    public static double sigmoid(double x) {
        if (x < SIGMOID_ZERO_F64) {
            return 0;
        }
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }

    /**
     * {@code x ** e} for a number {@code e}, as PyTorch's pow with a scalar exponent: {@code sqrt(x)} for 0.5 and
     * {@code 1 / sqrt(x)} for -0.5 (its kernel's special cases, which differ from {@code pow} at -infinity, NaN
     * against infinity and 0, and at -0.0, -0.0 and -infinity against +0.0 and +infinity), else {@link Math#pow}.
     */
    public static double powScalar(double x, double e) {
        if (e == 0.5) {
            return Math.sqrt(x);
        }
        return e == -0.5 ? 1 / Math.sqrt(x) : Math.pow(x, e);
    }

    /** {@code -log(Double.MAX_VALUE)}: below it PyTorch's f64 sigmoid is 0. */
    public static final double SIGMOID_ZERO_F64 = -Math.log(Double.MAX_VALUE);

    /** {@code x > 0 ? x : x * slope}, as {@code x} times 1 or the slope (exact: {@code x * 1} is {@code x}). */
    public static double leakyRelu(double x, double slope) {
        return x * Double.longBitsToDouble(x > 0 ? ONE_D : Double.doubleToRawLongBits(slope));
    }

    /**
     * {@link #leakyRelu(double, double)} in float, as PyTorch's f32 kernel: {@code x} times 1 or the slope rounded to
     * float, in float.
     */
    public static float leakyRelu(float x, float slope) {
        return x * Float.intBitsToFloat(x > 0 ? ONE_F : Float.floatToRawIntBits(slope));
    }

    /** PyTorch's softplus: linear above the threshold. */
    public static double softplus(double x, double beta, double threshold) {
        double bx = x * beta;
        return bx > threshold ? x : Math.log1p(Math.exp(bx)) / beta;
    }

    /** Binary cross entropy of a probability p, each log clamped at -100 as PyTorch. */
    public static double bce(double p, double y) {
        return -(y * Math.max(Math.log(p), -100) + (1 - y) * Math.max(Math.log(1 - p), -100));
    }

    /** PyTorch's refusal of a bce input outside [0, 1] (NaN included), which the offending value follows. */
    public static final String BCE_RANGE = "all elements of input should be between 0 and 1, got ";

    /**
     * {@link #bce(double, double)} as the generated loops call it: an input {@code p} outside [0, 1], NaN included,
     * fails as PyTorch's binary_cross_entropy does, after {@code site} (the call's place in the .mdl source).
     */
    public static double bce(double p, double y, String site) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(site + ": " + BCE_RANGE + p);
        }
        return bce(p, y);
    }

    /** PyTorch's stable form: (1 - y) x + m + log(e^-m + e^(-x - m)), m = max(-x, 0). */
    public static double bceWithLogits(double x, double y) {
        double m = Math.max(-x, 0);
        return (1 - y) * x + m + Math.log(Math.exp(-m) + Math.exp(-x - m));
    }

    /** -1, 0 or 1, and 0 for NaN, as PyTorch's sign ({@link Math#signum} gives NaN there, and -0 for -0). */
    public static double sign(double x) {
        return Double.longBitsToDouble(x > 0 ? ONE_D : x < 0 ? MINUS_ONE_D : 0L);
    }

    /** {@link #sign(double)} in float. */
    public static float sign(float x) {
        return Float.intBitsToFloat(x > 0 ? ONE_F : x < 0 ? MINUS_ONE_F : 0);
    }

    public static double greater(double a, double b) {
        return Double.longBitsToDouble(a > b ? ONE_D : 0L);
    }

    public static float greater(float a, float b) {
        return Float.intBitsToFloat(a > b ? ONE_F : 0);
    }

    public static double equal(double a, double b) {
        return Double.longBitsToDouble(a == b ? ONE_D : 0L);
    }

    public static float equal(float a, float b) {
        return Float.intBitsToFloat(a == b ? ONE_F : 0);
    }

    /**
     * torch.where for one element: {@code a} where the mask {@code c} is nonzero (NaN included), else {@code b}; the
     * bits of the one selected, blended by an all-ones or all-zeros mask.
     */
    public static double select(double c, double a, double b) {
        long m = c != 0 ? -1L : 0L;
        return Double.longBitsToDouble(Double.doubleToRawLongBits(a) & m | Double.doubleToRawLongBits(b) & ~m);
    }

    /** {@link #select(double, double, double)} in float. */
    public static float select(float c, float a, float b) {
        int m = c != 0 ? -1 : 0;
        return Float.intBitsToFloat(Float.floatToRawIntBits(a) & m | Float.floatToRawIntBits(b) & ~m);
    }

    /** The error function: Taylor series below 2.5, the continued fraction of erfc above. */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        double r = ax < 2.5 ? erfSeries(ax) : 1 - erfcFraction(ax);
        return Math.copySign(r, x);   // -0 for -0, as C's erf and PyTorch
    }

    private static double erfSeries(double x) {
        double term = x;
        double sum = x;
        double x2 = x * x;
        for (int n = 1; n < 200; n++) {
            term *= -x2 / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    /** erfc(x) = e^(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + ...))), by the modified Lentz method. */
    private static double erfcFraction(double x) {
        if (x > 27) {
            return 0;
        }
        double tiny = 1e-300;
        double f = x;
        double c = x;
        double d = 0;
        for (int k = 1; k < 500; k++) {
            double a = k / 2.0;
            d = x + a * d;
            d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
            c = x + a / c;
            if (Math.abs(c) < tiny) {
                c = tiny;
            }
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }
}
