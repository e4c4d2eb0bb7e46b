package dev.modelc.runtime.tensor;

import dev.modelc.runtime.numeric.ElementwiseKernels;
import dev.modelc.runtime.numeric.LossKernels;
import dev.modelc.runtime.numeric.Reduction;

/**
 * The losses of the language with PyTorch's definitions (see {@link LossKernels} for the formulas and their
 * gradients; the rules here are the same formulas in recorded operations, so they can be differentiated again). Each
 * returns a scalar; {@code reduction} is {@link Reduction#MEAN} or {@link Reduction#SUM}. Class
 * labels are {@code int[]} arrays, one index in [0, C) per row, and never require grad.
 */
public final class Losses {

    /** PyTorch's binary_cross_entropy_backward floor, a float constant in f64 too: 1e-12 rounded to float. */
    private static final double BCE_EPSILON = (float) 1e-12;

    private Losses() {
    }

    public static Tensor mse(Tensor input, Tensor target, Reduction reduction) {
        Tensor y = LossKernels.mse(input, target, reduction);
        return Node.record("MseLossBackward0", y, g -> {
            Tensor gx = input.sub(target).mul(2).mul(g.mul(reduction.scale(input.numel())));
            return new Tensor[] {gx, gx.neg()};
        }, input, target);
    }

    public static Tensor l1(Tensor input, Tensor target, Reduction reduction) {
        Tensor y = LossKernels.l1(input, target, reduction);
        return Node.record("L1LossBackward0", y, g -> {
            Tensor sign = ElementwiseOps.sign(ElementwiseKernels.sub(input, target));
            Tensor gx = sign.mul(g.mul(reduction.scale(input.numel())));
            return new Tensor[] {gx, gx.neg()};
        }, input, target);
    }

    /** nll of log-probabilities [N, C] at the labels. */
    public static Tensor nll(Tensor logp, int[] target, Reduction reduction) {
        int[] labels = target.clone();
        Tensor y = LossKernels.nll(logp, labels, reduction);
        int[] shape = logp.shape();
        return Node.record("NllLossBackward0", y,
                g -> new Tensor[] {nllGrad(g, shape, labels, reduction)}, logp);
    }

    /** -g r scattered to the label of each row: linear in g, its adjoint gathers the label entries back. */
    private static Tensor nllGrad(Tensor g, int[] shape, int[] labels, Reduction reduction) {
        return Node.record("NllLossBackwardBackward0", LossKernels.nllGrad(g, shape, labels, reduction, g.dtype()),
                gg -> {
                    // only a second derivative needs the label mask; a first-order backward costs just the kernel
                    Tensor picks = LossKernels.scatterRows(ones(labels.length), shape, labels, g.dtype());
                    return new Tensor[] {gg.mul(picks).sum().mul(-reduction.scale(labels.length))};
                }, g);
    }

    private static double[] ones(int n) {
        double[] v = new double[n];
        java.util.Arrays.fill(v, 1);
        return v;
    }

    /** Cross entropy of logits [N, C] at the labels: nll of log_softmax along dimension 1. */
    public static Tensor crossEntropy(Tensor logits, int[] target, Reduction reduction) {
        LossKernels.checkLabels(logits.shape(), target);
        return nll(logits.logSoftmax(1), target, reduction);
    }

    /** Binary cross entropy of probabilities in [0, 1], logs clamped at -100. */
    public static Tensor bce(Tensor p, Tensor target, Reduction reduction) {
        Tensor y = LossKernels.bce(p, target, reduction);
        return Node.record("BinaryCrossEntropyBackward0", y, g -> new Tensor[] {
            bceGradInput(g.mul(reduction.scale(p.numel())), p, target),
            g.mul(reduction.scale(p.numel())).mul(clampedLog(one(p).sub(p)).sub(clampedLog(p)))}, p, target);
    }

    /** s (p - y) / max(p (1 - p), 1e-12). */
    private static Tensor bceGradInput(Tensor s, Tensor p, Tensor target) {
        Tensor variance = p.mul(one(p).sub(p)).maximum(Tensor.scalar(BCE_EPSILON, p.dtype()));
        return s.mul(p.sub(target)).div(variance);
    }

    /** max(log(v), -100), PyTorch's clamp of bce's logs. */
    private static Tensor clampedLog(Tensor v) {
        return v.log().maximum(Tensor.scalar(-100, v.dtype()));
    }

    private static Tensor one(Tensor t) {
        return Tensor.scalar(1, t.dtype());
    }

    /** Binary cross entropy of logits, in the stable form max(x, 0) - x y + log1p(exp(-|x|)). */
    public static Tensor bceWithLogits(Tensor x, Tensor target, Reduction reduction) {
        Tensor y = LossKernels.bceWithLogits(x, target, reduction);
        return Node.record("BinaryCrossEntropyWithLogitsBackward0", y, g -> new Tensor[] {
            g.mul(reduction.scale(x.numel())).mul(x.sigmoid().sub(target)),
            g.mul(reduction.scale(x.numel())).mul(x).neg()}, x, target);
    }
}
