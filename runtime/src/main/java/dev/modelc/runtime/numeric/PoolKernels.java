package dev.modelc.runtime.numeric;

import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * Tape-free 2-D max and average pooling on NCHW data, with PyTorch's rules: padding at most half the kernel; max
 * pooling pads with -infinity and, on ties, picks the first maximal position in row-major window order, but the last
 * NaN of a window holding any (PyTorch's CPU kernel takes {@code val > maxval || isnan(val)}); that position alone
 * receives the gradient; average pooling counts padded zeros in the divisor ({@code count_include_pad=True}),
 * so every window divides by {@code kh * kw}. Each kernel works on plain row-major {@code double[]} arrays with their
 * shapes, so the IR evaluator calls it without a tensor; the {@link Tensor} forms are the reference tensor library's
 * adapters, and average pooling's sum and gradient in f32 there are float sums as in PyTorch's CPU kernel.
 */
public final class PoolKernels {

    /** Max-pooling values and, for each output element, the flat input position it came from. */
    public record MaxPoolResult(Tensor values, int[] argmax) {
    }

    private PoolKernels() {
    }

    /** The output shape of pooling {@code x} [N, C, H, W] with {@code win}, checking PyTorch's constraints. */
    public static int[] outputShape(int[] x, SlidingWindow win) {
        if (x.length != 4) {
            throw new IllegalArgumentException("pooling expects a 4-D input [N, C, H, W], got " + Arrays.toString(x));
        }
        if (2 * win.ph() > win.kh() || 2 * win.pw() > win.kw()) {
            throw new IllegalArgumentException("pad should be at most half of effective kernel size, but got pad="
                    + Math.max(win.ph(), win.pw()) + ", kernel_size=" + Math.max(win.kh(), win.kw())
                    + " and dilation=1");
        }
        win.checkFits(x[2], x[3]);
        return new int[] {x[0], x[1], win.outH(x[2]), win.outW(x[3])};
    }

    public static MaxPoolResult maxPool2d(Tensor x, SlidingWindow win) {
        int[] ys = outputShape(x.shape(), win);
        int[] argmax = new int[Shapes.numel(ys)];
        double[] out = maxPool2d(x.doubles(), x.shape(), win, argmax);
        return new MaxPoolResult(Tensor.fromDoubles(x.dtype(), ys, out), argmax);
    }

    /**
     * Max pooling of {@code v} (shape {@code xs}); records in {@code argmax}, which has the output's length, the flat
     * input position each output came from.
     */
    public static double[] maxPool2d(double[] v, int[] xs, SlidingWindow win, int[] argmax) {
        int[] ys = outputShape(xs, win);
        double[] out = new double[Shapes.numel(ys)];
        int o = 0;
        for (int plane = 0; plane < xs[0] * xs[1]; plane++) {
            int base = plane * xs[2] * xs[3];
            for (int oh = 0; oh < ys[2]; oh++) {
                for (int ow = 0; ow < ys[3]; ow++, o++) {
                    double best = Double.NEGATIVE_INFINITY;
                    int at = -1;
                    for (int ki = 0; ki < win.kh(); ki++) {
                        int ih = oh * win.sh() - win.ph() + ki;
                        for (int kj = 0; kj < win.kw(); kj++) {
                            int iw = ow * win.sw() - win.pw() + kj;
                            if (ih < 0 || ih >= xs[2] || iw < 0 || iw >= xs[3]) {
                                continue;
                            }
                            int i = base + ih * xs[3] + iw;
                            if (at < 0 || v[i] > best || Double.isNaN(v[i])) { // a later NaN takes over
                                best = v[i];
                                at = i;
                            }
                        }
                    }
                    out[o] = best;
                    argmax[o] = at;
                }
            }
        }
        return out;
    }

    /** Scatters {@code g} to the positions recorded in {@code argmax}. */
    public static Tensor maxPool2dGrad(Tensor g, int[] argmax, int[] xShape) {
        return Tensor.fromDoubles(g.dtype(), xShape, maxPool2dGrad(g.doubles(), argmax, Shapes.numel(xShape)));
    }

    /** Scatters {@code gv} into an input-sized array of {@code inputs} zeros at the positions in {@code argmax}. */
    public static double[] maxPool2dGrad(double[] gv, int[] argmax, int inputs) {
        double[] out = new double[inputs];
        for (int i = 0; i < gv.length; i++) {
            out[argmax[i]] += gv[i];
        }
        return out;
    }

    /** {@code t} (of the input's shape) read at the positions recorded in {@code argmax}: the adjoint of the scatter. */
    public static Tensor maxPool2dGather(Tensor t, int[] argmax, int[] yShape) {
        return Tensor.fromDoubles(t.dtype(), yShape, maxPool2dGather(t.doubles(), argmax));
    }

    /** {@code tv} read at the positions in {@code argmax}. */
    public static double[] maxPool2dGather(double[] tv, int[] argmax) {
        double[] out = new double[argmax.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = tv[argmax[i]];
        }
        return out;
    }

    public static Tensor avgPool2d(Tensor x, SlidingWindow win) {
        int[] ys = outputShape(x.shape(), win);
        if (x.dtype() != DType.F32) {
            return Tensor.fromDoubles(x.dtype(), ys, avgPool2d(x.doubles(), x.shape(), win));
        }
        // As PyTorch's CPU kernel: each window summed in float, then divided in float.
        double[] v = x.doubles();
        float[] sums = new float[Shapes.numel(ys)];
        forEachTap(x.shape(), ys, win, (o, i) -> sums[o] += (float) v[i]);
        float divisor = win.kh() * win.kw();
        double[] out = new double[sums.length];
        for (int o = 0; o < out.length; o++) {
            out[o] = sums[o] / divisor;
        }
        return Tensor.fromDoubles(DType.F32, ys, out);
    }

    /** Average pooling of {@code v} (shape {@code xs}), summed and divided in double. */
    public static double[] avgPool2d(double[] v, int[] xs, SlidingWindow win) {
        int[] ys = outputShape(xs, win);
        double[] out = new double[Shapes.numel(ys)];
        double divisor = win.kh() * win.kw();
        forEachTap(xs, ys, win, (o, i) -> out[o] += v[i]);
        for (int o = 0; o < out.length; o++) {
            out[o] /= divisor;
        }
        return out;
    }

    /**
     * Each input position in a window gets that window's gradient divided by {@code kh * kw}; in f32 divided and
     * added in float, windows in order, as PyTorch's CPU kernel.
     */
    public static Tensor avgPool2dGrad(Tensor g, int[] xShape, SlidingWindow win) {
        if (g.dtype() != DType.F32) {
            return Tensor.fromDoubles(g.dtype(), xShape, avgPool2dGrad(g.doubles(), g.shape(), xShape, win));
        }
        double[] gv = g.doubles();
        float divisor = win.kh() * win.kw();
        float[] sums = new float[Shapes.numel(xShape)];
        forEachTap(xShape, g.shape(), win, (o, i) -> sums[i] += (float) gv[o] / divisor);
        double[] out = new double[sums.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = sums[i];
        }
        return Tensor.fromDoubles(DType.F32, xShape, out);
    }

    /** x_bar of shape {@code xs} from y_bar {@code gv} of shape {@code ys}. */
    public static double[] avgPool2dGrad(double[] gv, int[] ys, int[] xs, SlidingWindow win) {
        double[] out = new double[Shapes.numel(xs)];
        double divisor = win.kh() * win.kw();
        forEachTap(xs, ys, win, (o, i) -> out[i] += gv[o] / divisor);
        return out;
    }

    private interface Tap {
        void at(int output, int input);
    }

    /** Calls {@code tap} for every (output, in-bounds input) pair of every window. */
    private static void forEachTap(int[] xs, int[] ys, SlidingWindow win, Tap tap) {
        int o = 0;
        for (int plane = 0; plane < xs[0] * xs[1]; plane++) {
            int base = plane * xs[2] * xs[3];
            for (int oh = 0; oh < ys[2]; oh++) {
                for (int ow = 0; ow < ys[3]; ow++, o++) {
                    for (int ki = 0; ki < win.kh(); ki++) {
                        int ih = oh * win.sh() - win.ph() + ki;
                        for (int kj = 0; kj < win.kw(); kj++) {
                            int iw = ow * win.sw() - win.pw() + kj;
                            if (ih >= 0 && ih < xs[2] && iw >= 0 && iw < xs[3]) {
                                tap.at(o, base + ih * xs[3] + iw);
                            }
                        }
                    }
                }
            }
        }
    }
}
