package dev.modelc.runtime.tensor;

import dev.modelc.runtime.numeric.ReductionKernels;
import dev.modelc.runtime.numeric.Shapes;
import dev.modelc.runtime.numeric.SoftmaxKernels;

/**
 * Differentiable reductions, softmax and log_softmax; {@code dims == null} means every dimension. Rules are written in
 * recorded operations: softmax {@code y (g - sum(g y))}, log_softmax {@code g - exp(y) sum(g)}, logsumexp
 * {@code g exp(x - y)}, each sum along the reduced dimensions and broadcast back.
 */
final class ReductionOps {

    private ReductionOps() {
    }

    static Tensor sum(Tensor x, int[] dims, boolean keepdim) {
        int[] shape = x.shape();
        Tensor y = ReductionKernels.sum(x, dims, keepdim);
        return Node.record("SumBackward" + (dims == null ? 0 : 1), y,
                g -> new Tensor[] {GradientOps.expandBack(g, shape, dims)}, x);
    }

    static Tensor mean(Tensor x, int[] dims, boolean keepdim) {
        int[] shape = x.shape();
        Tensor y = ReductionKernels.mean(x, dims, keepdim);
        int count = x.numel() / Math.max(1, y.numel());
        return Node.record("MeanBackward" + (dims == null ? 0 : 1), y, g -> new Tensor[] {
            GradientOps.expandBack(g, shape, dims).div(Tensor.scalar(count, g.dtype()))}, x);
    }

    /**
     * torch.max: over every dimension ({@code dims == null}) tied maxima, or the NaNs when the max is NaN, share the
     * gradient and the other elements get 0 ("MaxBackward1", {@code evenly_distribute_backward}); over given dims the
     * gradient goes to the first maximal element of each group (the first NaN), as {@code torch.max(x, dim)}.
     */
    static Tensor max(Tensor x, int[] dims, boolean keepdim) {
        Tensor y = ReductionKernels.max(x, dims, keepdim);
        if (dims == null) {
            return Node.record("MaxBackward1", y, g -> new Tensor[] {GradientOps.evenMaxGrad(g, x, y, null)}, x);
        }
        return Node.record("MaxBackward0", y, g -> new Tensor[] {GradientOps.maxFirstGrad(g, x, y, dims)}, x);
    }

    /**
     * torch.amax: tied maxima share the gradient equally, multiplied by their mask, so a group whose max is NaN gets
     * NaN throughout.
     */
    static Tensor amax(Tensor x, int[] dims, boolean keepdim) {
        Tensor y = ReductionKernels.max(x, dims, keepdim);
        return Node.record("AmaxBackward0", y, g -> new Tensor[] {GradientOps.amaxGrad(g, x, y, dims)}, x);
    }

    static Tensor logsumexp(Tensor x, int[] dims, boolean keepdim) {
        Tensor y = ReductionKernels.logsumexp(x, dims, keepdim);
        return Node.record("LogsumexpBackward0", y,
                g -> new Tensor[] {GradientOps.expandBack(g, x.shape(), dims)
                        .mul(x.sub(GradientOps.expandBack(y, x.shape(), dims)).exp())}, x);
    }

    static Tensor softmax(Tensor x, int dim) {
        Shapes.wrapDim(dim, x.dim());
        Tensor y = SoftmaxKernels.softmax(x, dim);
        return Node.record("SoftmaxBackward0", y,
                g -> new Tensor[] {y.mul(g.sub(g.mul(y).sum(new int[] {dim}, true)))}, x);
    }

    static Tensor logSoftmax(Tensor x, int dim) {
        Shapes.wrapDim(dim, x.dim());
        Tensor y = SoftmaxKernels.logSoftmax(x, dim);
        return Node.record("LogSoftmaxBackward0", y,
                g -> new Tensor[] {g.sub(y.exp().mul(g.sum(new int[] {dim}, true)))}, x);
    }
}
