package dev.modelc.runtime.numeric;

import dev.modelc.runtime.api.Functions;

import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;

/**
 * Tape-free losses with PyTorch's definitions; each returns a scalar tensor and each gradient helper takes the scalar
 * output gradient {@code g} and returns the gradient of one operand. Per element, with {@code r = 1/count} for
 * {@code mean} and 1 for {@code sum}:
 * <pre>
 *   mse              (x - y)^2                                   x_bar = 2 (x - y) g r,  y_bar = -x_bar
 *   l1               |x - y|                                     x_bar = sign(x - y) g r, y_bar = -x_bar
 *   nll              -logp[n, t_n]  (count = N)                  logp_bar[n, t_n] = -g r (a scatter of label rows)
 *   bce              -(y clog(p) + (1 - y) clog(1 - p))          p_bar = g r (p - y) / max(p (1 - p), 1e-12)
 *                    clog(v) = max(log(v), -100)                 y_bar = g r (clog(1 - p) - clog(p))
 *   bce_with_logits  max(x, 0) - x y + log1p(exp(-|x|))          x_bar = g r (sigmoid(x) - y), y_bar = -g r x
 * </pre>
 * cross_entropy is nll of log_softmax along dimension 1. Labels are plain {@code int[]} arrays (the language's
 * {@code i32} tensors), one class index in [0, C) per row.
 */
public final class LossKernels {

    private LossKernels() {
    }

    public static Tensor mse(Tensor x, Tensor y, Reduction r) {
        return reduceZip("mse_loss", x, y, r, (a, b) -> (a - b) * (a - b));
    }

    public static Tensor l1(Tensor x, Tensor y, Reduction r) {
        return reduceZip("l1_loss", x, y, r, (a, b) -> Math.abs(a - b));
    }

    public static Tensor bce(Tensor p, Tensor y, Reduction r) {
        double[] pv = p.doubles();
        for (double v : pv) {
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException(Functions.BCE_RANGE + v);
            }
        }
        return reduceZip("binary_cross_entropy", p, y, r,
                ScalarMath::bce);
    }

    public static Tensor bceWithLogits(Tensor x, Tensor y, Reduction r) {
        return reduceZip("binary_cross_entropy_with_logits", x, y, r,
                (a, b) -> Math.max(a, 0) - a * b + Math.log1p(Math.exp(-Math.abs(a))));
    }

    /** nll of log-probabilities {@code logp} [N, C] at {@code target} [N]. */
    public static Tensor nll(Tensor logp, int[] target, Reduction r) {
        double[] picked = gatherRows(logp, target);
        double s = 0;
        for (double v : picked) {
            s -= v;
        }
        return Tensor.scalar(s * r.scale(target.length), logp.dtype());
    }

    public static Tensor nllGrad(Tensor g, int[] logpShape, int[] target, Reduction r, DType dtype) {
        double[] rows = new double[target.length];
        Arrays.fill(rows, -g.item() * r.scale(target.length));
        return scatterRows(rows, logpShape, target, dtype);
    }

    /** {@code x[n, target[n]]} for each row n of x [N, C], after checking the labels. */
    public static double[] gatherRows(Tensor x, int[] target) {
        int[] shape = x.shape();
        checkLabels(shape, target);
        double[] v = x.doubles();
        double[] out = new double[target.length];
        for (int n = 0; n < target.length; n++) {
            out[n] = v[n * shape[1] + target[n]];
        }
        return out;
    }

    /** A zero [N, C] tensor with {@code rows[n]} written at {@code [n, target[n]]}. */
    public static Tensor scatterRows(double[] rows, int[] shape, int[] target, DType dtype) {
        checkLabels(shape, target);
        double[] out = new double[shape[0] * shape[1]];
        for (int n = 0; n < target.length; n++) {
            out[n * shape[1] + target[n]] = rows[n];
        }
        return Tensor.fromDoubles(dtype, shape, out);
    }

    /** Checks logits/log-probabilities [N, C] against N labels in [0, C), with PyTorch's messages. */
    public static void checkLabels(int[] shape, int[] target) {
        if (shape.length != 2) {
            throw new IllegalArgumentException("expected input of shape [N, C], got " + Arrays.toString(shape));
        }
        if (shape[0] != target.length) {
            throw new IllegalArgumentException("Expected input batch_size (" + shape[0] + ") to match target batch_size ("
                    + target.length + ").");
        }
        for (int t : target) {
            if (t < 0 || t >= shape[1]) {
                throw new IndexOutOfBoundsException("Target " + t + " is out of bounds.");
            }
        }
    }

    private static Tensor reduceZip(String name, Tensor x, Tensor y, Reduction r, DoubleBinaryOperator f) {
        if (!Arrays.equals(x.shape(), y.shape())) {
            throw new IllegalArgumentException(name + ": input " + Arrays.toString(x.shape()) + " and target "
                    + Arrays.toString(y.shape()) + " must have the same shape");
        }
        Tensor each = ElementwiseKernels.zip(x, y, f);
        double s = 0;
        for (double v : each.doubles()) {
            s += v;
        }
        return Tensor.scalar(s * r.scale(x.numel()), each.dtype());
    }
}
