package dev.modelc.runtime.nn;

import dev.modelc.runtime.random.Rng;
import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.Functional;
import dev.modelc.runtime.tensor.Tensor;

/**
 * A 2-D convolution over NCHW input with weight [out, in, k, k] and bias [out], initialized as PyTorch does:
 * kaiming_uniform(a = sqrt(5)) for the weight, then the bias uniform in ±1/sqrt(in * k * k).
 */
public final class Conv2d extends Module {

    private final Parameter weight;
    private final Parameter bias;
    private final int stride;
    private final int padding;

    public Conv2d(int in, int out, int kernel, Rng rng) {
        this(in, out, kernel, 1, 0, true, DType.F32, rng);
    }

    public Conv2d(int in, int out, int kernel, int stride, int padding, boolean withBias, DType dtype, Rng rng) {
        int[] shape = {out, in, kernel, kernel};
        this.stride = stride;
        this.padding = padding;
        weight = registerParameter("weight", Init.kaimingUniform(dtype, shape, Math.sqrt(5), "fan_in", "leaky_relu",
                rng));
        bias = withBias ? registerParameter("bias", Init.defaultBias(dtype, out, Init.fans(shape)[0], rng)) : null;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.conv2d(x, weight, bias, stride, padding);
    }
}
