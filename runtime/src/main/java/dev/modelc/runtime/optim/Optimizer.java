package dev.modelc.runtime.optim;

import dev.modelc.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Updates a list of leaf tensors from their accumulated gradients. A parameter whose gradient is null (PyTorch's
 * {@code .grad} None: no backward pass has reached it since it was cleared) is skipped, as in PyTorch: its state
 * is neither created nor advanced (Adam's per-parameter step, SGD's momentum buffer), and it gets no weight decay.
 * A zero gradient is a gradient and counts. {@link #zeroGrad()} sets the gradients to null
 * ({@code set_to_none=True}, PyTorch 2's default); {@link #zeroGrad(boolean) zeroGrad(false)} zeroes them in place,
 * PyTorch 1.13's default.
 */
public abstract class Optimizer {

    protected final List<Tensor> params;

    protected Optimizer(List<? extends Tensor> params) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("optimizer got an empty parameter list");
        }
        for (Tensor p : params) {
            if (!p.isLeaf()) {
                throw new IllegalArgumentException("can't optimize a non-leaf Tensor");
            }
        }
        this.params = new ArrayList<>(params);
    }

    /** Applies one update to every parameter that has a gradient. */
    public abstract void step();

    /** {@link #zeroGrad(boolean) zeroGrad(true)}: every gradient becomes null. */
    public void zeroGrad() {
        zeroGrad(true);
    }

    /**
     * PyTorch's {@code zero_grad(set_to_none)}: with {@code setToNone} every gradient becomes null, so that
     * {@link #step} skips a parameter no backward pass reaches before it; otherwise each gradient is zeroed in place
     * ({@link Tensor#zeroGrad}; a null one stays null), and the next step counts the zeros as a gradient.
     */
    public void zeroGrad(boolean setToNone) {
        Tensor.zeroGrads(params, setToNone);
    }

    /** Python's {@code repr} of a float, so messages read as PyTorch's ({@code 1e-08}, {@code -0.1}, {@code 1.0}). */
    static String pyFloat(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0) {
            return 1 / value < 0 ? "-0.0" : "0.0";
        }
        java.math.BigDecimal exact = new java.math.BigDecimal(Double.toString(value));
        int exponent = exact.precision() - exact.scale() - 1;
        if (exponent >= -4 && exponent < 16) {
            String plain = exact.stripTrailingZeros().toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        String digits = exact.unscaledValue().abs().toString().replaceAll("0+$", "");
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (value < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                + String.format("%02d", Math.abs(exponent));
    }

    static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
