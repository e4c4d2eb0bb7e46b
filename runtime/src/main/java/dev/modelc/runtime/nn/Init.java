package dev.modelc.runtime.nn;

import dev.modelc.runtime.random.Rng;
import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.Tensor;
import java.util.Arrays;

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
    public static void constant(float[] out, double value) { Arrays.fill(out, (float) value); }
    public static void constant(double[] out, double value) { Arrays.fill(out, value); }

    public static void uniform(float[] out, double low, double high, Rng rng) {
        checkUniform(low, high);
        rng.fillUniform(out, low, high);
    }

    public static void uniform(double[] out, double low, double high, Rng rng) {
        checkUniform(low, high);
        rng.fillUniform(out, low, high);
    }

    public static void normal(float[] out, double mean, double std, Rng rng) {
        checkStd(std);
        rng.fillNormal(out, mean, std);
    }

    public static void normal(double[] out, double mean, double std, Rng rng) {
        checkStd(std);
        rng.fillNormal(out, mean, std);
    }

    public static void kaimingUniform(float[] out, int[] shape, double a, String mode, String nonlinearity, Rng rng) {
        double bound = Math.sqrt(3.0) * kaimingStd(shape, a, mode, nonlinearity);
        rng.fillUniform(out, -bound, bound);
    }

    public static void kaimingUniform(double[] out, int[] shape, double a, String mode, String nonlinearity,
            Rng rng) {
        double bound = Math.sqrt(3.0) * kaimingStd(shape, a, mode, nonlinearity);
        rng.fillUniform(out, -bound, bound);
    }

    public static void kaimingNormal(float[] out, int[] shape, double a, String mode, String nonlinearity, Rng rng) {
        rng.fillNormal(out, 0, kaimingStd(shape, a, mode, nonlinearity));
    }

    public static void kaimingNormal(double[] out, int[] shape, double a, String mode, String nonlinearity, Rng rng) {
        rng.fillNormal(out, 0, kaimingStd(shape, a, mode, nonlinearity));
    }

    public static void xavierUniform(float[] out, int[] shape, double gain, Rng rng) {
        double bound = Math.sqrt(3.0) * xavierStd(shape, gain);
        rng.fillUniform(out, -bound, bound);
    }

    public static void xavierUniform(double[] out, int[] shape, double gain, Rng rng) {
        double bound = Math.sqrt(3.0) * xavierStd(shape, gain);
        rng.fillUniform(out, -bound, bound);
    }

    public static void xavierNormal(float[] out, int[] shape, double gain, Rng rng) {
        rng.fillNormal(out, 0, xavierStd(shape, gain));
    }

    public static void xavierNormal(double[] out, int[] shape, double gain, Rng rng) {
        rng.fillNormal(out, 0, xavierStd(shape, gain));
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

    private static void checkUniform(double low, double high) {
        if (low > high) {
            throw new IllegalArgumentException("uniform_ expects to return a [from, to) range, but found from=" + low
                    + " > to=" + high);
        }
    }

    private static void checkStd(double std) {
        if (std < 0) {
            throw new IllegalArgumentException("normal expects std >= 0.0, but found std " + std);
        }
    }
}
