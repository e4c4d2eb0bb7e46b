package dev.modelc.runtime.nn;

import dev.modelc.runtime.random.Rng;
import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.Functional;
import dev.modelc.runtime.tensor.Tensor;

/**
 * {@code y = x W^T + b} with weight [out, in] and bias [out], initialized as PyTorch does: the weight by
 * kaiming_uniform(a = sqrt(5)) (uniform in ±1/sqrt(in)), then the bias uniform in ±1/sqrt(in), both from {@code rng}.
 */
public final class Linear extends Module {

    private final Parameter weight;
    private final Parameter bias;

    public Linear(int in, int out, Rng rng) {
        this(in, out, true, DType.F32, rng);
    }

    public Linear(int in, int out, boolean withBias, DType dtype, Rng rng) {
        int[] shape = {out, in};
        weight = registerParameter("weight", Init.kaimingUniform(dtype, shape, Math.sqrt(5), "fan_in", "leaky_relu",
                rng));
        bias = withBias ? registerParameter("bias", Init.defaultBias(dtype, out, Init.fans(shape)[0], rng)) : null;
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or {@code null} when built without one. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.linear(x, weight, bias);
    }
}
