package dev.modelc.runtime.numeric;

import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * Tape-free 2-D convolution (cross-correlation, groups = 1, dilation = 1) on NCHW data with weights
 * [out, in, kh, kw], written as direct loops in {@code double}, and its three gradients:
 * <ul>
 *   <li>{@link #conv2dGradInput}: {@code x_bar[n,c,ih,iw] = sum g[n,o,oh,ow] * w[o,c,ki,kj]} over the outputs whose
 *       window covers that input position ({@code ih = oh*sh - ph + ki});</li>
 *   <li>{@link #conv2dGradWeight}: {@code w_bar[o,c,ki,kj] = sum g[n,o,oh,ow] * x[n,c,ih,iw]};</li>
 * </ul>
 * Padded positions read as zero and receive no gradient. Inputs are never written. Each kernel works on plain
 * row-major {@code double[]} arrays with their shapes, so the IR evaluator calls it without a tensor; the
 * {@link Tensor} forms are the reference tensor library's adapters.
 */
public final class ConvKernels {

    private ConvKernels() {
    }

    /** The output shape, or an error in PyTorch's words when the operands do not fit. */
    public static int[] outputShape(int[] x, int[] w, SlidingWindow win) {
        if (x.length != 4) {
            throw new IllegalArgumentException("conv2d expects a 4-D input [N, C, H, W], got " + Arrays.toString(x));
        }
        if (w.length != 4) {
            throw new IllegalArgumentException("conv2d expects a 4-D weight [out, in, kh, kw], got "
                    + Arrays.toString(w));
        }
        if (x[1] != w[1]) {
            throw new IllegalArgumentException("Given groups=1, weight of size " + Arrays.toString(w)
                    + ", expected input" + Arrays.toString(x) + " to have " + w[1] + " channels, but got " + x[1]
                    + " channels instead");
        }
        win.checkFits(x[2], x[3]);
        return new int[] {x[0], w[0], win.outH(x[2]), win.outW(x[3])};
    }

    /** The window of a weight shape with the given stride and padding. */
    public static SlidingWindow window(int[] w, int sh, int sw, int ph, int pw) {
        return new SlidingWindow(w[2], w[3], sh, sw, ph, pw);
    }

    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int sh, int sw, int ph, int pw) {
        DType dtype = ElementwiseKernels.commonDType(x, w);
        int[] xs = x.shape();
        int[] ws = w.shape();
        SlidingWindow win = window(ws, sh, sw, ph, pw);
        int[] ys = outputShape(xs, ws, win);
        if (bias != null && (bias.dim() != 1 || bias.size(0) != ws[0])) {
            throw new IllegalArgumentException("conv2d bias must have shape [" + ws[0] + "], got "
                    + Arrays.toString(bias.shape()));
        }
        return Tensor.fromDoubles(dtype, ys, conv2d(x.doubles(), xs, w.doubles(), ws,
                bias == null ? null : bias.doubles(), sh, sw, ph, pw));
    }

    /** conv2d of {@code xv} (shape {@code xs}) with {@code wv} ({@code ws}) plus {@code bv} when not null. */
    public static double[] conv2d(double[] xv, int[] xs, double[] wv, int[] ws, double[] bv, int sh, int sw, int ph,
                                  int pw) {
        SlidingWindow win = window(ws, sh, sw, ph, pw);
        int[] ys = outputShape(xs, ws, win);
        double[] out = new double[Shapes.numel(ys)];
        Geometry gm = new Geometry(xs, ws, ys, win);
        for (int n = 0; n < ys[0]; n++) {
            for (int o = 0; o < ys[1]; o++) {
                for (int oh = 0; oh < ys[2]; oh++) {
                    for (int ow = 0; ow < ys[3]; ow++) {
                        double s = bv == null ? 0 : bv[o];
                        for (int c = 0; c < xs[1]; c++) {
                            for (int ki = 0; ki < win.kh(); ki++) {
                                int ih = oh * sh - ph + ki;
                                if (ih < 0 || ih >= xs[2]) {
                                    continue;
                                }
                                for (int kj = 0; kj < win.kw(); kj++) {
                                    int iw = ow * sw - pw + kj;
                                    if (iw >= 0 && iw < xs[3]) {
                                        s += xv[gm.x(n, c, ih, iw)] * wv[gm.w(o, c, ki, kj)];
                                    }
                                }
                            }
                        }
                        out[gm.y(n, o, oh, ow)] = s;
                    }
                }
            }
        }
        return out;
    }

    public static Tensor conv2dGradInput(Tensor g, Tensor w, int[] xShape, int sh, int sw, int ph, int pw) {
        return Tensor.fromDoubles(g.dtype(), xShape,
                conv2dGradInput(g.doubles(), g.shape(), w.doubles(), w.shape(), xShape, sh, sw, ph, pw));
    }

    public static Tensor conv2dGradWeight(Tensor g, Tensor x, int[] wShape, int sh, int sw, int ph, int pw) {
        return Tensor.fromDoubles(g.dtype(), wShape,
                conv2dGradWeight(g.doubles(), g.shape(), x.doubles(), x.shape(), wShape, sh, sw, ph, pw));
    }

    /** x_bar of shape {@code xs} from y_bar {@code gv} (shape {@code ys}) and the weight {@code wv} ({@code ws}). */
    public static double[] conv2dGradInput(double[] gv, int[] ys, double[] wv, int[] ws, int[] xs, int sh, int sw,
                                           int ph, int pw) {
        double[] out = new double[Shapes.numel(xs)];
        accumulate(gv, ys, wv, null, out, xs, ws, sh, sw, ph, pw);
        return out;
    }

    /** w_bar of shape {@code ws} from y_bar {@code gv} (shape {@code ys}) and the input {@code xv} ({@code xs}). */
    public static double[] conv2dGradWeight(double[] gv, int[] ys, double[] xv, int[] xs, int[] ws, int sh, int sw,
                                            int ph, int pw) {
        double[] out = new double[Shapes.numel(ws)];
        accumulate(gv, ys, null, xv, out, xs, ws, sh, sw, ph, pw);
        return out;
    }

    /** One loop nest for both gradients: writes x_bar when {@code wv} is given, w_bar when {@code xv} is given. */
    private static void accumulate(double[] gv, int[] ys, double[] wv, double[] xv, double[] out, int[] xs, int[] ws,
            int sh, int sw, int ph, int pw) {
        SlidingWindow win = window(ws, sh, sw, ph, pw);
        Geometry gm = new Geometry(xs, ws, ys, win);
        for (int n = 0; n < ys[0]; n++) {
            for (int o = 0; o < ys[1]; o++) {
                for (int oh = 0; oh < ys[2]; oh++) {
                    for (int ow = 0; ow < ys[3]; ow++) {
                        double go = gv[gm.y(n, o, oh, ow)];
                        for (int c = 0; c < xs[1]; c++) {
                            for (int ki = 0; ki < win.kh(); ki++) {
                                int ih = oh * sh - ph + ki;
                                if (ih < 0 || ih >= xs[2]) {
                                    continue;
                                }
                                for (int kj = 0; kj < win.kw(); kj++) {
                                    int iw = ow * sw - pw + kj;
                                    if (iw < 0 || iw >= xs[3]) {
                                        continue;
                                    }
                                    if (wv != null) {
                                        out[gm.x(n, c, ih, iw)] += go * wv[gm.w(o, c, ki, kj)];
                                    } else {
                                        out[gm.w(o, c, ki, kj)] += go * xv[gm.x(n, c, ih, iw)];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Flat offsets in the three NCHW arrays. */
    private record Geometry(int[] xs, int[] ws, int[] ys, SlidingWindow win) {
        int x(int n, int c, int h, int w) {
            return ((n * xs[1] + c) * xs[2] + h) * xs[3] + w;
        }

        int w(int o, int c, int i, int j) {
            return ((o * ws[1] + c) * ws[2] + i) * ws[3] + j;
        }

        int y(int n, int o, int h, int w) {
            return ((n * ys[1] + o) * ys[2] + h) * ys[3] + w;
        }
    }
}
