package dev.modelc.runtime.nn;

import dev.modelc.runtime.random.Rng;
import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.Tensor;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Locale;

/**
 * PyTorch's {@code torch.nn.init} on plain arrays, so that this runtime and generated model classes start from the
 * same parameters: every method fills {@code float[]} or {@code double[]} in row-major order from an {@link Rng}
 * (see there for how values are drawn), given the parameter's shape where the fans matter.
 *
 * <p>Fans: {@code fan_in = shape[1] * receptive}, {@code fan_out = shape[0] * receptive}, {@code receptive} being
 * the product of {@code shape[2:]} (1 for a matrix); fewer than 2 dimensions is an error. Gains
 * ({@link #calculateGain}): linear, conv and sigmoid 1, tanh 5/3, relu sqrt(2), leaky_relu
 * sqrt(2 / (1 + slope^2)) (slope 0.01 when not given), selu 3/4.
 * kaiming: {@code std = gain / sqrt(fan)} with the gain of {@code (nonlinearity, a)}; uniform in ±sqrt(3)·std or
 * normal(0, std). xavier: {@code std = gain * sqrt(2 / (fan_in + fan_out))}; uniform in ±sqrt(3)·std or normal(0, std).
 *
 * <p>Arguments are checked as the compiler checks a {@code .mdl} initializer's: every number must be finite and, to
 * fill a {@code float[]}, within f32's range, and the values the arguments can draw must fit the array's type (a
 * normal draw reaches {@link Rng#GAUSSIAN_MAX} standard deviations from the mean); otherwise an
 * {@code IllegalArgumentException} names the initializer, the argument and the value, instead of an array holding
 * infinity or NaN.
 */
public final class Init {

    private Init() {
    }

    // ------------------------------------------------------------------------------------ rules

    /** {@code {fan_in, fan_out}} of a parameter shape. */
    public static int[] fans(int[] shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("Fan in and fan out can not be computed for tensor with fewer than 2"
                    + " dimensions");
        }
        int receptive = 1;
        for (int i = 2; i < shape.length; i++) {
            receptive *= shape[i];
        }
        return new int[] {shape[1] * receptive, shape[0] * receptive};
    }

    /** The fan selected by {@code mode} ({@code "fan_in"} or {@code "fan_out"}). */
    public static int fan(int[] shape, String mode) {
        switch (mode) {
            case "fan_in":
                return fans(shape)[0];
            case "fan_out":
                return fans(shape)[1];
            default:
                throw new IllegalArgumentException("Mode " + mode + " not supported, please use one of fan_in, fan_out");
        }
    }

    /** PyTorch's {@code calculate_gain}; {@code param} is the leaky_relu slope ({@code null}: 0.01). */
    public static double calculateGain(String nonlinearity, Double param) {
        switch (nonlinearity) {
            case "linear": case "conv1d": case "conv2d": case "conv3d":
            case "conv_transpose1d": case "conv_transpose2d": case "conv_transpose3d": case "sigmoid":
                return 1;
            case "tanh":
                return 5.0 / 3;
            case "relu":
                return Math.sqrt(2.0);
            case "leaky_relu":
                double slope = param == null ? 0.01 : param;
                return Math.sqrt(2.0 / (1 + slope * slope));
            case "selu":
                return 3.0 / 4;
            default:
                throw new IllegalArgumentException("Unsupported nonlinearity " + nonlinearity);
        }
    }

    /** The standard deviation kaiming_uniform/kaiming_normal use. */
    public static double kaimingStd(int[] shape, double a, String mode, String nonlinearity) {
        return calculateGain(nonlinearity, a) / Math.sqrt(fan(shape, mode));
    }

    /** The standard deviation xavier_uniform/xavier_normal use. */
    public static double xavierStd(int[] shape, double gain) {
        int[] f = fans(shape);
        return gain * Math.sqrt(2.0 / (f[0] + f[1]));
    }

    // ------------------------------------------------------------------------------------ filling arrays

    public static void zeros(float[] out) { Arrays.fill(out, 0f); }
    public static void zeros(double[] out) { Arrays.fill(out, 0.0); }
    public static void ones(float[] out) { Arrays.fill(out, 1f); }
    public static void ones(double[] out) { Arrays.fill(out, 1.0); }

    public static void constant(float[] out, double value) {
        checkNumber("constant", "value", value, true);
        Arrays.fill(out, (float) value);
    }

    public static void constant(double[] out, double value) {
        checkNumber("constant", "value", value, false);
        Arrays.fill(out, value);
    }

    public static void uniform(float[] out, double low, double high, Rng rng) {
        checkUniform(low, high, true);
        rng.fillUniform(out, low, high);
    }

    public static void uniform(double[] out, double low, double high, Rng rng) {
        checkUniform(low, high, false);
        rng.fillUniform(out, low, high);
    }

    public static void normal(float[] out, double mean, double std, Rng rng) {
        checkNumber("normal", "std", std, true);
        checkNormal("normal", mean, std, "std " + std, true);
        rng.fillNormal(out, mean, std);
    }

    public static void normal(double[] out, double mean, double std, Rng rng) {
        checkNumber("normal", "std", std, false);
        checkNormal("normal", mean, std, "std " + std, false);
        rng.fillNormal(out, mean, std);
    }

    public static void kaimingUniform(float[] out, int[] shape, double a, String mode, String nonlinearity, Rng rng) {
        checkNumber("kaiming_uniform", "a", a, true);
        double bound = Math.sqrt(3.0) * kaimingStd(shape, a, mode, nonlinearity);
        rng.fillUniform(out, -bound, bound);
    }

    public static void kaimingUniform(double[] out, int[] shape, double a, String mode, String nonlinearity,
            Rng rng) {
        checkNumber("kaiming_uniform", "a", a, false);
        double bound = Math.sqrt(3.0) * kaimingStd(shape, a, mode, nonlinearity);
        rng.fillUniform(out, -bound, bound);
    }

    public static void kaimingNormal(float[] out, int[] shape, double a, String mode, String nonlinearity, Rng rng) {
        checkNumber("kaiming_normal", "a", a, true);
        rng.fillNormal(out, 0, kaimingStd(shape, a, mode, nonlinearity));
    }

    public static void kaimingNormal(double[] out, int[] shape, double a, String mode, String nonlinearity, Rng rng) {
        checkNumber("kaiming_normal", "a", a, false);
        rng.fillNormal(out, 0, kaimingStd(shape, a, mode, nonlinearity));
    }

    public static void xavierUniform(float[] out, int[] shape, double gain, Rng rng) {
        checkNumber("xavier_uniform", "gain", gain, true);
        double bound = Math.sqrt(3.0) * xavierStd(shape, gain);
        checkBound("xavier_uniform", bound, "gain " + gain, out.length, true);
        rng.fillUniform(out, -bound, bound);
    }

    public static void xavierUniform(double[] out, int[] shape, double gain, Rng rng) {
        checkNumber("xavier_uniform", "gain", gain, false);
        double bound = Math.sqrt(3.0) * xavierStd(shape, gain);
        checkBound("xavier_uniform", bound, "gain " + gain, out.length, false);
        rng.fillUniform(out, -bound, bound);
    }

    public static void xavierNormal(float[] out, int[] shape, double gain, Rng rng) {
        checkNumber("xavier_normal", "gain", gain, true);
        double std = xavierStd(shape, gain);
        if (out.length > 0) {
            checkNormal("xavier_normal", 0, std, "gain " + gain + " (std " + std + ")", true);
        }
        rng.fillNormal(out, 0, std);
    }

    public static void xavierNormal(double[] out, int[] shape, double gain, Rng rng) {
        checkNumber("xavier_normal", "gain", gain, false);
        double std = xavierStd(shape, gain);
        if (out.length > 0) {
            checkNormal("xavier_normal", 0, std, "gain " + gain + " (std " + std + ")", false);
        }
        rng.fillNormal(out, 0, std);
    }

    // ------------------------------------------------------------------------------------ tensors for modules

    /** A new tensor filled by kaiming_uniform. */
    public static Tensor kaimingUniform(DType dtype, int[] shape, double a, String mode, String nonlinearity, Rng rng) {
        Tensor t = Tensor.zeros(dtype, shape);
        if (dtype == DType.F32) {
            kaimingUniform(t.floatData(), shape, a, mode, nonlinearity, rng);
        } else {
            kaimingUniform(t.doubleData(), shape, a, mode, nonlinearity, rng);
        }
        return t;
    }

    /** The default bias of Linear and Conv2d: uniform in ±1/sqrt(fanIn) (all zero when fanIn is 0). */
    public static Tensor defaultBias(DType dtype, int size, int fanIn, Rng rng) {
        double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        Tensor t = Tensor.zeros(dtype, size);
        if (dtype == DType.F32) {
            rng.fillUniform(t.floatData(), -bound, bound);
        } else {
            rng.fillUniform(t.doubleData(), -bound, bound);
        }
        return t;
    }

    private static void checkUniform(double low, double high, boolean f32) {
        checkNumber("uniform", "low", low, f32);
        checkNumber("uniform", "high", high, f32);
        if (low > high) {
            throw new IllegalArgumentException("uniform_ expects to return a [from, to) range, but found from=" + low
                    + " > to=" + high);
        }
        if (Double.isInfinite(high - low)) {
            // values are drawn as low + (high - low) u: infinite for every u > 0, NaN for u = 0
            throw new IllegalArgumentException("uniform: high - low (" + high + " - " + low + ") is beyond the "
                    + "range of a double (the largest is about 1.8e308), so the values drawn as low + (high - low) * u "
                    + "would be infinite; narrow the bounds");
        }
    }

    /**
     * Checks that {@code mean + std * z} fits the array's type for every draw {@code z} the generator can make (at
     * most {@link Rng#GAUSSIAN_MAX} standard deviations); {@code cause} names what sets the spread.
     */
    private static void checkNormal(String what, double mean, double std, String cause, boolean f32) {
        checkNumber(what, "mean", mean, f32);
        if (!Double.isFinite(std)) {
            throw new IllegalArgumentException(what + ": " + cause + " is not a finite standard deviation");
        }
        if (std < 0) {
            throw new IllegalArgumentException("normal expects std >= 0.0, but found std " + std);
        }
        double largest = Math.max(Math.abs(mean + std * Rng.GAUSSIAN_MAX), Math.abs(mean - std * Rng.GAUSSIAN_MAX));
        if (!fits(largest, f32)) {
            BigDecimal exact = new BigDecimal(std).multiply(new BigDecimal(Rng.GAUSSIAN_MAX))
                    .add(new BigDecimal(Math.abs(mean)));
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: %s can draw values up to %.3g (the "
                    + "generator's normal draws reach %.4f standard deviations from the mean), beyond %s: the array "
                    + "would hold infinity", what, cause, exact, Rng.GAUSSIAN_MAX, rangeText(f32)));
        }
    }

    /** Checks that uniform values in ±bound fit the array's type, when it has any. */
    private static void checkBound(String what, double bound, String cause, int length, boolean f32) {
        if (length > 0 && !fits(bound, f32)) {
            throw new IllegalArgumentException(what + ": " + cause + " gives the bound " + bound + ", beyond "
                    + rangeText(f32) + ": the array would hold infinity");
        }
    }

    /** A number argument must be finite and, for a {@code float[]}, within f32's range, as in a .mdl file. */
    private static void checkNumber(String what, String arg, double value, boolean f32) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(what + ": argument '" + arg + "' must be a finite number, got " + value);
        }
        if (f32 && Math.abs(value) > Float.MAX_VALUE) {
            throw new IllegalArgumentException(what + ": argument '" + arg + "' is " + value + ", out of range for "
                    + "f32 (the largest is about 3.4e38): the array would hold infinity");
        }
    }

    /** Whether a value of this magnitude stays finite in the array's type (an f32 value is rounded to float). */
    private static boolean fits(double magnitude, boolean f32) {
        return f32 ? Float.isFinite((float) magnitude) : Double.isFinite(magnitude);
    }

    private static String rangeText(boolean f32) {
        return f32 ? "f32's range (the largest is about 3.4e38)" : "f64's range (the largest is about 1.8e308)";
    }
}
