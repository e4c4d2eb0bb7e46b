package dev.modelc.runtime.tensor;

import dev.modelc.runtime.numeric.ConvKernels;
import dev.modelc.runtime.numeric.PoolKernels;
import dev.modelc.runtime.numeric.PoolKernels.MaxPoolResult;
import dev.modelc.runtime.numeric.SlidingWindow;

/**
 * The neural-network operations as functions, like {@code torch.nn.functional}: linear, conv2d, the 2-D pools, and
 * the language's builtins that are not methods of {@link Tensor}. Each records its gradient rule right below its
 * forward call; the conv and pool gradients are the differentiable helpers of {@link GradientOps}. Losses are in
 * {@link Losses}.
 */
public final class Functional {

    private Functional() {
    }

    /** {@code x @ weight^T + bias}: x [..., in], weight [out, in], bias [out] or {@code null}. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return MatrixOps.linear(x, weight, bias);
    }

    /** conv2d with equal stride and padding in both dimensions; {@code bias} may be {@code null}. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        return conv2d(x, weight, bias, stride, stride, padding, padding);
    }

    /** conv2d on NCHW {@code x} with weight [out, in, kh, kw]; {@code bias} [out] may be {@code null}. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int sh, int sw, int ph, int pw) {
        Tensor y = ConvKernels.conv2d(x, weight, bias, sh, sw, ph, pw);
        int[] xShape = x.shape();
        int[] wShape = weight.shape();
        return Node.record("ConvolutionBackward0", y, g -> new Tensor[] {
            GradientOps.conv2dGradInput(g, weight, xShape, sh, sw, ph, pw),
            GradientOps.conv2dGradWeight(g, x, wShape, sh, sw, ph, pw),
            bias == null ? null : g.sum(new int[] {0, 2, 3}, false)}, x, weight, bias);
    }

    /** Max pooling with a square window; {@code stride} defaults to the kernel size in the language. */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        return maxPool2d(x, SlidingWindow.square(kernel, stride, padding));
    }

    public static Tensor maxPool2d(Tensor x, SlidingWindow window) {
        MaxPoolResult r = PoolKernels.maxPool2d(x, window);
        int[] xShape = x.shape();
        int[] argmax = r.argmax();
        return Node.record("MaxPool2DWithIndicesBackward0", r.values(),
                g -> new Tensor[] {GradientOps.maxPool2dScatter(g, argmax, xShape)}, x);
    }

    /** Average pooling with a square window (padded zeros count in the divisor, as PyTorch's default). */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        return avgPool2d(x, SlidingWindow.square(kernel, stride, padding));
    }

    public static Tensor avgPool2d(Tensor x, SlidingWindow window) {
        Tensor y = PoolKernels.avgPool2d(x, window);
        int[] xShape = x.shape();
        return Node.record("AvgPool2DBackward0", y,
                g -> new Tensor[] {GradientOps.avgPool2dGrad(g, xShape, window)}, x);
    }

    /** {@code torch.sum(x, dims, keepdim)}; {@code dims} null means all. Same as the method. */
    public static Tensor sum(Tensor x, int[] dims, boolean keepdim) {
        return x.sum(dims, keepdim);
    }

    public static Tensor maximum(Tensor a, Tensor b) {
        return a.maximum(b);
    }

    public static Tensor minimum(Tensor a, Tensor b) {
        return a.minimum(b);
    }

    /**
     * F.embedding: rows of {@code weight [num, dim]} for an index of any shape (row-major values with their shape),
     * giving {@code [..., dim]}; row {@code paddingIdx} (or none when negative) gets no gradient.
     */
    public static Tensor embedding(int[] index, int[] indexShape, Tensor weight, int paddingIdx) {
        return IndexOps.embedding(index, indexShape, weight, paddingIdx);
    }

    /** F.one_hot as a float tensor of {@code dtype}: index shape + [classes]; no gradient. */
    public static Tensor oneHot(int[] index, int[] indexShape, int classes, DType dtype) {
        return IndexOps.oneHot(index, indexShape, classes, dtype);
    }

    /**
     * F.dropout: in training ({@code training}) each element zeroed with probability p and the others scaled by
     * {@code 1/(1-p)}, the mask of (seed, draw, site) from {@link dev.modelc.runtime.kernels.Dropout} (the generated
     * classes draw the same one); x itself in evaluation or for p = 0. The gradient is the mask's: the product's.
     */
    public static Tensor dropout(Tensor x, double p, int site, long seed, long draw, boolean training) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        }
        if (!training || p == 0) {
            return x;
        }
        int n = x.numel();
        Tensor mask;
        if (x.dtype() == DType.F32) {
            float[] m = new float[n];
            dev.modelc.runtime.kernels.Dropout.mask(m, n, p, site, seed, draw);
            mask = Tensor.of(m, x.shape());
        } else {
            double[] m = new double[n];
            dev.modelc.runtime.kernels.Dropout.mask(m, n, p, site, seed, draw);
            mask = Tensor.of(m, x.shape());
        }
        return x.mul(mask);
    }

    /**
     * torch.nn.functional.layer_norm over the last {@code normalized} dims: {@code (x - mean) / sqrt(var + eps)}
     * with the biased variance, then {@code * weight + bias} when they are not {@code null}. Written with tensor
     * ops, so its gradient is theirs.
     */
    public static Tensor layerNorm(Tensor x, int normalized, Tensor weight, Tensor bias, double eps) {
        int rank = x.shape().length;
        int[] dims = new int[normalized];
        for (int i = 0; i < normalized; i++) {
            dims[i] = rank - normalized + i;
        }
        Tensor centered = x.sub(x.mean(dims, true));
        Tensor variance = centered.mul(centered).mean(dims, true);
        Tensor y = centered.div(variance.add(eps).sqrt());
        if (weight != null) {
            y = y.mul(weight);
        }
        return bias == null ? y : y.add(bias);
    }

    /**
     * torch.nn.functional.batch_norm over x [N, C, *]: with {@code training} each channel is normalized with the
     * batch's mean and biased variance over N and * (the gradient flows through both), otherwise with the running
     * statistics ([C] vectors, read without gradient); then the per-channel weight and bias when not {@code null}.
     * The running statistics are not updated here: see {@link #batchNormRunningStats}.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double eps) {
        int[] channel = channelShape(x);
        Tensor y;
        if (training) {
            int[] dims = statisticDims(x);
            Tensor centered = x.sub(x.mean(dims, true));
            Tensor variance = centered.mul(centered).mean(dims, true);
            y = centered.div(variance.add(eps).sqrt());
        } else {
            y = x.sub(runningMean.detach().reshape(channel)).div(runningVar.detach().reshape(channel).add(eps).sqrt());
        }
        if (weight != null) {
            y = y.mul(weight.reshape(channel));
        }
        return bias == null ? y : y.add(bias.reshape(channel));
    }

    /**
     * The running statistics after a training batch_norm over x, as nn.BatchNorm updates them:
     * {@code (1 - momentum) * running + momentum * batch}, the batch variance unbiased ({@code n / (n - 1)} times the
     * biased one, n the elements per channel); {mean, var}, detached.
     */
    public static Tensor[] batchNormRunningStats(Tensor x, Tensor runningMean, Tensor runningVar, double momentum) {
        Tensor xs = x.detach();
        int[] dims = statisticDims(xs);
        int c = xs.shape()[1];
        long n = 1;
        for (int d : dims) {
            n *= xs.shape()[d];
        }
        Tensor mean = xs.mean(dims, true);
        Tensor centered = xs.sub(mean);
        Tensor unbiased = centered.mul(centered).mean(dims, false).mul((double) n).div((double) (n - 1));
        Tensor newMean = runningMean.detach().mul(1 - momentum).add(mean.reshape(c).mul(momentum));
        Tensor newVar = runningVar.detach().mul(1 - momentum).add(unbiased.mul(momentum));
        return new Tensor[] {newMean, newVar};
    }

    private static int[] statisticDims(Tensor x) {
        int[] dims = new int[x.shape().length - 1];
        for (int i = 0, k = 0; i < x.shape().length; i++) {
            if (i != 1) {
                dims[k++] = i;
            }
        }
        return dims;
    }

    private static int[] channelShape(Tensor x) {
        int[] channel = new int[x.shape().length];
        java.util.Arrays.fill(channel, 1);
        channel[1] = x.shape()[1];
        return channel;
    }

    /**
     * torch.nn.functional.group_norm: x [N, C, *] viewed as [N, groups, C / groups * prod(*)], each group
     * normalized as {@link #layerNorm} does, then the per-channel weight and bias when not {@code null}.
     */
    public static Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, double eps) {
        int[] shape = x.shape();
        int perGroup = 1;
        for (int i = 1; i < shape.length; i++) {
            perGroup *= shape[i];
        }
        perGroup /= groups;
        Tensor y = layerNorm(x.reshape(shape[0], groups, perGroup), 1, null, null, eps).reshape(shape);
        int[] channel = new int[shape.length - 1];
        java.util.Arrays.fill(channel, 1);
        channel[0] = shape[1];
        if (weight != null) {
            y = y.mul(weight.reshape(channel));
        }
        return bias == null ? y : y.add(bias.reshape(channel));
    }
}
