package dev.modelc.runtime.kernels;

import dev.modelc.runtime.kernels.Workspace.Slot;

/**
 * Stride-1 convolutions without an unfolded matrix: {@link Convolution} uses these for the small-channel shapes where
 * products of the unfolded input are too thin to run fast ({@link JavaConvLoops#suitsForward} and its siblings
 * decide, per pass and implementation).
 *
 * <p>Each image is copied into zero-padded planes ({@code hp x wp}), and outputs are computed on the "wide grid"
 * of the padded width: output row y, column x is position {@code q = y * wp + x}, and the input of kernel element
 * (c, ki, kj) for every output is the plane value at {@code q} shifted by {@code c * plane + ki * wp + kj}. The
 * last {@code kw - 1} positions of each wide row are not outputs; they are computed and dropped (forward), or
 * given a zero output gradient (weight gradient). The loops over these shifted runs are {@link JavaConvLoops} or
 * its Vector API subclass. The output rows are processed in bands of at most about {@link #BAND} positions so that
 * the rows a loop touches stay in cache.
 *
 * <ul>
 *   <li>forward: {@code y[o] = bias[o] + sum_p w[o, p] * shifted(p)}, then the wide rows are copied out;</li>
 *   <li>input gradient: the same correlation run on the output gradient padded by {@code k - 1} on each side,
 *       with the kernel flipped and its channel axes swapped, cropped to the unpadded input;</li>
 *   <li>weight gradient: {@code dw[o, p] = sum_q dy[o, q] * shifted(p)[q]} over every band of every image.</li>
 * </ul>
 */
final class DirectConv {

    /** Wide rows are allocated to a multiple of this many values and padded planes are followed by this many
     *  zeros, so vector loops may run past a row's length to a whole number of vectors. */
    static final int ROUND = 64;
    /** A band of output rows spans at most about this many wide positions. */
    static final int BAND = 768;

    private DirectConv() {
    }

    /** Whether a convolution can run here: stride 1, and not a plain product (1x1 kernel, no padding). */
    static boolean applies(Conv2dShape s) {
        return s.strideH() == 1 && s.strideW() == 1 && !s.isPointwise();
    }

    static void forward(JavaConvLoops loops, Workspace ws, Conv2dShape s, float[] x, float[] w, float[] bias,
                        float[] y) {
        forward(loops, ws, s, x, w, bias, y, 0, s.batch());
    }

    /** Images {@code first <= n < end} of the batch only (the others are neither read nor written). */
    static void forward(JavaConvLoops loops, Workspace ws, Conv2dShape s, float[] x, float[] w, float[] bias,
                        float[] y, int first, int end) {
        int wp = s.width() + 2 * s.padW(), plane = (s.height() + 2 * s.padH()) * wp;
        int oh = s.outHeight(), ow = s.outWidth(), band = bandRows(oh, wp, ow), oc = s.outChannels();
        float[] xp = ws.floats(Slot.PADDED, s.inChannels() * plane + ROUND);
        java.util.Arrays.fill(xp, 0, s.inChannels() * plane + ROUND, 0f);
        float[][] out = ws.floatRows(Slot.WIDE, oc, round(wideLength(band, wp, ow)));
        for (int n = first; n < end; n++) {
            pad(s, x, n * s.imageSize(), xp);
            int yOff = n * oc * oh * ow;
            for (int y0 = 0; y0 < oh; y0 += band) {
                int rows = Math.min(band, oh - y0);
                loops.correlate(ws, s.inChannels(), plane, wp, s.kernelHeight(), s.kernelWidth(), xp, y0 * wp,
                        wideLength(rows, wp, ow), w, oc, bias, out);
                for (int o = 0; o < oc; o++) {
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(out[o], r * wp, y, yOff + (o * oh + y0 + r) * ow, ow);
                    }
                }
            }
        }
    }

    static void forward(JavaConvLoops loops, Workspace ws, Conv2dShape s, double[] x, double[] w, double[] bias,
                        double[] y) {
        forward(loops, ws, s, x, w, bias, y, 0, s.batch());
    }

    /** Images {@code first <= n < end} of the batch only (the others are neither read nor written). */
    static void forward(JavaConvLoops loops, Workspace ws, Conv2dShape s, double[] x, double[] w, double[] bias,
                        double[] y, int first, int end) {
        int wp = s.width() + 2 * s.padW(), plane = (s.height() + 2 * s.padH()) * wp;
        int oh = s.outHeight(), ow = s.outWidth(), band = bandRows(oh, wp, ow), oc = s.outChannels();
        double[] xp = ws.doubles(Slot.PADDED, s.inChannels() * plane + ROUND);
        java.util.Arrays.fill(xp, 0, s.inChannels() * plane + ROUND, 0d);
        double[][] out = ws.doubleRows(Slot.WIDE, oc, round(wideLength(band, wp, ow)));
        for (int n = first; n < end; n++) {
            pad(s, x, n * s.imageSize(), xp);
            int yOff = n * oc * oh * ow;
            for (int y0 = 0; y0 < oh; y0 += band) {
                int rows = Math.min(band, oh - y0);
                loops.correlate(ws, s.inChannels(), plane, wp, s.kernelHeight(), s.kernelWidth(), xp, y0 * wp,
                        wideLength(rows, wp, ow), w, oc, bias, out);
                for (int o = 0; o < oc; o++) {
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(out[o], r * wp, y, yOff + (o * oh + y0 + r) * ow, ow);
                    }
                }
            }
        }
    }

    static void backwardInput(JavaConvLoops loops, Workspace ws, Conv2dShape s, float[] dy, float[] w, float[] dx,
                              boolean accumulate) {
        backwardInput(loops, ws, s, dy, w, dx, accumulate, 0, s.batch());
    }

    /** Images {@code first <= n < end} of the batch only (the others are neither read nor written). */
    static void backwardInput(JavaConvLoops loops, Workspace ws, Conv2dShape s, float[] dy, float[] w, float[] dx,
                              boolean accumulate, int first, int end) {
        int kh = s.kernelHeight(), kw = s.kernelWidth(), oh = s.outHeight(), ow = s.outWidth();
        int oc = s.outChannels(), cin = s.inChannels(), h = s.height(), wd = s.width();
        int gw = ow + 2 * (kw - 1), plane = (oh + 2 * (kh - 1)) * gw, wp = wd + 2 * s.padW();
        int band = bandRows(h, gw, wp), flipped = oc * kh * kw;
        float[] g = ws.floats(Slot.PADDED, oc * plane + ROUND);
        java.util.Arrays.fill(g, 0, oc * plane + ROUND, 0f);
        float[] wf = ws.floats(Slot.WEIGHTS, cin * flipped);
        for (int c = 0; c < cin; c++) {
            for (int o = 0; o < oc; o++) {
                for (int i = 0; i < kh * kw; i++) {
                    wf[c * flipped + o * kh * kw + i] = w[(o * cin + c) * kh * kw + kh * kw - 1 - i];
                }
            }
        }
        float[][] out = ws.floatRows(Slot.WIDE, cin, round(wideLength(band, gw, wp)));
        for (int n = first; n < end; n++) {
            int dyOff = n * oc * oh * ow, dxOff = n * cin * h * wd;
            for (int o = 0; o < oc; o++) {
                for (int r = 0; r < oh; r++) {
                    System.arraycopy(dy, dyOff + (o * oh + r) * ow, g,
                            o * plane + (r + kh - 1) * gw + kw - 1, ow);
                }
            }
            for (int y0 = 0; y0 < h; y0 += band) {
                int rows = Math.min(band, h - y0);
                loops.correlate(ws, oc, plane, gw, kh, kw, g, (y0 + s.padH()) * gw, wideLength(rows, gw, wp), wf,
                        cin, null, out);
                for (int c = 0; c < cin; c++) {
                    float[] row = out[c];
                    for (int r = 0; r < rows; r++) {
                        int from = r * gw + s.padW(), to = dxOff + (c * h + y0 + r) * wd;
                        if (accumulate) {
                            for (int i = 0; i < wd; i++) {
                                dx[to + i] += row[from + i];
                            }
                        } else {
                            System.arraycopy(row, from, dx, to, wd);
                        }
                    }
                }
            }
        }
    }

    static void backwardInput(JavaConvLoops loops, Workspace ws, Conv2dShape s, double[] dy, double[] w,
                              double[] dx, boolean accumulate) {
        backwardInput(loops, ws, s, dy, w, dx, accumulate, 0, s.batch());
    }

    /** Images {@code first <= n < end} of the batch only (the others are neither read nor written). */
    static void backwardInput(JavaConvLoops loops, Workspace ws, Conv2dShape s, double[] dy, double[] w,
                              double[] dx, boolean accumulate, int first, int end) {
        int kh = s.kernelHeight(), kw = s.kernelWidth(), oh = s.outHeight(), ow = s.outWidth();
        int oc = s.outChannels(), cin = s.inChannels(), h = s.height(), wd = s.width();
        int gw = ow + 2 * (kw - 1), plane = (oh + 2 * (kh - 1)) * gw, wp = wd + 2 * s.padW();
        int band = bandRows(h, gw, wp), flipped = oc * kh * kw;
        double[] g = ws.doubles(Slot.PADDED, oc * plane + ROUND);
        java.util.Arrays.fill(g, 0, oc * plane + ROUND, 0d);
        double[] wf = ws.doubles(Slot.WEIGHTS, cin * flipped);
        for (int c = 0; c < cin; c++) {
            for (int o = 0; o < oc; o++) {
                for (int i = 0; i < kh * kw; i++) {
                    wf[c * flipped + o * kh * kw + i] = w[(o * cin + c) * kh * kw + kh * kw - 1 - i];
                }
            }
        }
        double[][] out = ws.doubleRows(Slot.WIDE, cin, round(wideLength(band, gw, wp)));
        for (int n = first; n < end; n++) {
            int dyOff = n * oc * oh * ow, dxOff = n * cin * h * wd;
            for (int o = 0; o < oc; o++) {
                for (int r = 0; r < oh; r++) {
                    System.arraycopy(dy, dyOff + (o * oh + r) * ow, g,
                            o * plane + (r + kh - 1) * gw + kw - 1, ow);
                }
            }
            for (int y0 = 0; y0 < h; y0 += band) {
                int rows = Math.min(band, h - y0);
                loops.correlate(ws, oc, plane, gw, kh, kw, g, (y0 + s.padH()) * gw, wideLength(rows, gw, wp), wf,
                        cin, null, out);
                for (int c = 0; c < cin; c++) {
                    double[] row = out[c];
                    for (int r = 0; r < rows; r++) {
                        int from = r * gw + s.padW(), to = dxOff + (c * h + y0 + r) * wd;
                        if (accumulate) {
                            for (int i = 0; i < wd; i++) {
                                dx[to + i] += row[from + i];
                            }
                        } else {
                            System.arraycopy(row, from, dx, to, wd);
                        }
                    }
                }
            }
        }
    }

    static void backwardWeight(JavaConvLoops loops, Workspace ws, Conv2dShape s, float[] x, float[] dy, float[] dw,
                               boolean accumulate) {
        backwardWeight(loops, ws, s, x, dy, dw, accumulate, 0, s.batch());
    }

    /** Images {@code first <= n < end} of the batch only (the others are neither read nor written). */
    static void backwardWeight(JavaConvLoops loops, Workspace ws, Conv2dShape s, float[] x, float[] dy, float[] dw,
                               boolean accumulate, int first, int end) {
        int wp = s.width() + 2 * s.padW(), plane = (s.height() + 2 * s.padH()) * wp;
        int oh = s.outHeight(), ow = s.outWidth(), band = bandRows(oh, wp, ow), oc = s.outChannels();
        int longest = wideLength(band, wp, ow);
        float[] xp = ws.floats(Slot.PADDED, s.inChannels() * plane + ROUND);
        java.util.Arrays.fill(xp, 0, s.inChannels() * plane + ROUND, 0f);
        float[][] g = ws.floatRows(Slot.WIDE, oc, round(longest));
        loops.weightGradientStart(ws, oc, s.patchSize(), longest);
        for (int n = first; n < end; n++) {
            pad(s, x, n * s.imageSize(), xp);
            int dyOff = n * oc * oh * ow;
            for (int y0 = 0; y0 < oh; y0 += band) {
                int rows = Math.min(band, oh - y0), length = wideLength(rows, wp, ow);
                for (int o = 0; o < oc; o++) {
                    java.util.Arrays.fill(g[o], 0, round(length), 0f);
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(dy, dyOff + (o * oh + y0 + r) * ow, g[o], r * wp, ow);
                    }
                }
                loops.weightGradientAdd(ws, s.inChannels(), plane, wp, s.kernelHeight(), s.kernelWidth(), xp,
                        y0 * wp, length, g, oc);
            }
        }
        loops.weightGradientFinish(ws, oc, s.patchSize(), longest, dw, accumulate);
    }

    static void backwardWeight(JavaConvLoops loops, Workspace ws, Conv2dShape s, double[] x, double[] dy,
                               double[] dw, boolean accumulate) {
        backwardWeight(loops, ws, s, x, dy, dw, accumulate, 0, s.batch());
    }

    /** Images {@code first <= n < end} of the batch only (the others are neither read nor written). */
    static void backwardWeight(JavaConvLoops loops, Workspace ws, Conv2dShape s, double[] x, double[] dy,
                               double[] dw, boolean accumulate, int first, int end) {
        int wp = s.width() + 2 * s.padW(), plane = (s.height() + 2 * s.padH()) * wp;
        int oh = s.outHeight(), ow = s.outWidth(), band = bandRows(oh, wp, ow), oc = s.outChannels();
        int longest = wideLength(band, wp, ow);
        double[] xp = ws.doubles(Slot.PADDED, s.inChannels() * plane + ROUND);
        java.util.Arrays.fill(xp, 0, s.inChannels() * plane + ROUND, 0d);
        double[][] g = ws.doubleRows(Slot.WIDE, oc, round(longest));
        loops.weightGradientStartF64(ws, oc, s.patchSize(), longest);
        for (int n = first; n < end; n++) {
            pad(s, x, n * s.imageSize(), xp);
            int dyOff = n * oc * oh * ow;
            for (int y0 = 0; y0 < oh; y0 += band) {
                int rows = Math.min(band, oh - y0), length = wideLength(rows, wp, ow);
                for (int o = 0; o < oc; o++) {
                    java.util.Arrays.fill(g[o], 0, round(length), 0d);
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(dy, dyOff + (o * oh + y0 + r) * ow, g[o], r * wp, ow);
                    }
                }
                loops.weightGradientAdd(ws, s.inChannels(), plane, wp, s.kernelHeight(), s.kernelWidth(), xp,
                        y0 * wp, length, g, oc);
            }
        }
        loops.weightGradientFinish(ws, oc, s.patchSize(), longest, dw, accumulate);
    }

    /** Copies image {@code x[xOff..]} into the middle of its zero-bordered planes {@code xp}. */
    private static void pad(Conv2dShape s, float[] x, int xOff, float[] xp) {
        int h = s.height(), w = s.width(), wp = w + 2 * s.padW(), plane = (h + 2 * s.padH()) * wp;
        if (s.padH() == 0 && s.padW() == 0) {
            System.arraycopy(x, xOff, xp, 0, s.imageSize());
            return;
        }
        for (int c = 0; c < s.inChannels(); c++) {
            for (int iy = 0; iy < h; iy++) {
                System.arraycopy(x, xOff + (c * h + iy) * w, xp, c * plane + (iy + s.padH()) * wp + s.padW(), w);
            }
        }
    }

    private static void pad(Conv2dShape s, double[] x, int xOff, double[] xp) {
        int h = s.height(), w = s.width(), wp = w + 2 * s.padW(), plane = (h + 2 * s.padH()) * wp;
        if (s.padH() == 0 && s.padW() == 0) {
            System.arraycopy(x, xOff, xp, 0, s.imageSize());
            return;
        }
        for (int c = 0; c < s.inChannels(); c++) {
            for (int iy = 0; iy < h; iy++) {
                System.arraycopy(x, xOff + (c * h + iy) * w, xp, c * plane + (iy + s.padH()) * wp + s.padW(), w);
            }
        }
    }

    /** Output rows per band: as many as fit in {@link #BAND} wide positions, spread evenly over the bands. */
    static int bandRows(int rows, int wp, int ow) {
        int most = Math.max(1, Math.min(rows, (BAND - ow) / wp + 1));
        int bands = (rows + most - 1) / most;
        return (rows + bands - 1) / bands;
    }

    /** Wide positions of {@code rows} output rows: all but the last span the padded width. */
    static int wideLength(int rows, int wp, int ow) {
        return (rows - 1) * wp + ow;
    }

    static int round(int length) {
        return (length + ROUND - 1) / ROUND * ROUND;
    }
}
