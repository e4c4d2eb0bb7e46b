package dev.modelc.runtime.tensor;

import dev.modelc.runtime.numeric.LossKernels;
import dev.modelc.runtime.numeric.Reduction;

/**
 * The losses of the language with PyTorch's definitions (see {@link LossKernels} for the formulas and their
 * gradients). Each returns a scalar; {@code reduction} is {@link Reduction#MEAN} or {@link Reduction#SUM}. Class
 * labels are {@code int[]} arrays, one index in [0, C) per row, and never require grad.
 */
public final class Losses {

    private Losses() {
    }

    public static Tensor mse(Tensor input, Tensor target, Reduction reduction) {
        Tensor y = LossKernels.mse(input, target, reduction);
        return Node.record("MseLossBackward0", y, g -> {
            Tensor gx = LossKernels.mseGrad(g, input, target, reduction);
            return new Tensor[] {gx, gx.neg()};
        }, input, target);
    }

    public static Tensor l1(Tensor input, Tensor target, Reduction reduction) {
        Tensor y = LossKernels.l1(input, target, reduction);
        return Node.record("L1LossBackward0", y, g -> {
            Tensor gx = LossKernels.l1Grad(g, input, target, reduction);
            return new Tensor[] {gx, gx.neg()};
        }, input, target);
    }

    /** nll of log-probabilities [N, C] at the labels. */
    public static Tensor nll(Tensor logp, int[] target, Reduction reduction) {
        int[] labels = target.clone();
        Tensor y = LossKernels.nll(logp, labels, reduction);
        int[] shape = logp.shape();
        return Node.record("NllLossBackward0", y,
                g -> new Tensor[] {LossKernels.nllGrad(g, shape, labels, reduction, logp.dtype())}, logp);
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
            LossKernels.bceGradInput(g, p, target, reduction),
            LossKernels.bceGradTarget(g, p, target, reduction)}, p, target);
    }

    /** Binary cross entropy of logits, in the stable form max(x, 0) - x y + log1p(exp(-|x|)). */
    public static Tensor bceWithLogits(Tensor x, Tensor target, Reduction reduction) {
        Tensor y = LossKernels.bceWithLogits(x, target, reduction);
        return Node.record("BinaryCrossEntropyWithLogitsBackward0", y, g -> new Tensor[] {
            LossKernels.bceWithLogitsGradInput(g, x, target, reduction),
            LossKernels.bceWithLogitsGradTarget(g, x, target, reduction)}, x, target);
    }
}
