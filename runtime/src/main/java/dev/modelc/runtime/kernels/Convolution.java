package dev.modelc.runtime.kernels;

import dev.modelc.runtime.kernels.Workspace.Slot;

/**
 * 2-D convolution (NCHW, stride, padding, no dilation or groups) and its gradients, built on the matrix products
 * of {@link Gemm} and the stride-1 loops of {@link DirectConv}.
 *
 * <p>Per image, the input is unfolded into the workspace ({@link Im2col}) and the convolution is one product:
 * <pre>
 *   forward         y[n]  =  W [oc, c*kh*kw]  x  col[n] [c*kh*kw, oh*ow]   (+ bias per output channel)
 *   input gradient  dx[n] += fold( W^T  x  dy[n] )
 *   weight gradient dW    += dy[n]  x  col[n]^T
 *   bias gradient   db    += sum of dy[n] over positions
 * </pre>
 * A 1x1 kernel with stride 1 and no padding skips the unfolding. Most other stride-1 convolutions do not unfold at
 * all: {@link DirectConv} runs them as loops over shifted runs of the padded image, because with few channels the
 * products are too thin (6 x 576 x 25 per image for a 1 to 6 channel 5x5 convolution of a 28x28 image) to outweigh
 * unfolding and packing; the weight gradient, a reduction over all positions, is where that matters most. Which
 * pass goes where depends on the shape and on the kernel in use ({@link Gemm#convLoops()}). The f32 passes take the
 * {@link Kernels#selected() selected} implementation's loops, f64 ones the plain-Java loops.
 *
 * <p>Arrays are whole tensors from index 0 in the shapes {@link Conv2dShape} describes. With {@code accumulate} a
 * gradient is added to the array (PyTorch's accumulation into {@code .grad}); otherwise it replaces it.
 */
public final class Convolution {

    private Convolution() {
    }

    /** {@code y = conv2d(x, w) + bias}; {@code bias} (one per output channel) may be null. */
    public static void forward(Workspace ws, Conv2dShape s, float[] x, float[] w, float[] bias, float[] y) {
        forward(Kernels.SELECTED, ws, s, x, w, bias, y);
    }

    static void forward(Gemm kernel, Workspace ws, Conv2dShape s, float[] x, float[] w, float[] bias, float[] y) {
        Conv2dChecks.forward(s, len(x), len(w), bias == null ? -2 : bias.length, len(y));
        JavaConvLoops loops = kernel.convLoops();
        if (loops.suitsForward(s)) {
            DirectConv.forward(loops, ws, s, x, w, bias, y);
        } else {
            unfoldedForward(kernel, ws, s, x, w, bias, y);
        }
    }

    /** The forward pass through the unfolded input (any stride); arguments already checked. */
    static void unfoldedForward(Gemm kernel, Workspace ws, Conv2dShape s, float[] x, float[] w, float[] bias,
                                float[] y) {
        unfoldedForward(kernel, ws, s, x, w, bias, y, 0, s.batch());
    }

    /** Images {@code first <= n < end} of the batch only; arguments already checked. */
    static void unfoldedForward(Gemm kernel, Workspace ws, Conv2dShape s, float[] x, float[] w, float[] bias,
                                float[] y, int first, int end) {
        int positions = s.outHeight() * s.outWidth(), patch = s.patchSize();
        float[] col = s.isPointwise() ? null : ws.floats(Slot.COLUMNS, patch * positions);
        for (int n = first; n < end; n++) {
            int yOff = n * s.outImageSize();
            if (col == null) {
                kernel.gemm(ws, false, false, s.outChannels(), positions, patch, w, 0, x, n * s.imageSize(),
                        y, yOff, false);
            } else {
                Im2col.unfold(s, x, n * s.imageSize(), col);
                kernel.gemm(ws, false, false, s.outChannels(), positions, patch, w, 0, col, 0, y, yOff, false);
            }
            if (bias != null) {
                Epilogue.addBiasPerRow(y, yOff, s.outChannels(), positions, bias);
            }
        }
    }

    /** f64 forward; see the f32 overload. */
    public static void forward(Workspace ws, Conv2dShape s, double[] x, double[] w, double[] bias, double[] y) {
        forward(Kernels.SELECTED, ws, s, x, w, bias, y);
    }

    static void forward(Gemm kernel, Workspace ws, Conv2dShape s, double[] x, double[] w, double[] bias, double[] y) {
        Conv2dChecks.forward(s, len(x), len(w), bias == null ? -2 : bias.length, len(y));
        if (JavaConvLoops.INSTANCE.suitsForward(s)) {
            DirectConv.forward(JavaConvLoops.INSTANCE, ws, s, x, w, bias, y);
        } else {
            unfoldedForward(kernel, ws, s, x, w, bias, y);
        }
    }

    /** f64 version; see the f32 overload. */
    static void unfoldedForward(Gemm kernel, Workspace ws, Conv2dShape s, double[] x, double[] w, double[] bias,
                                double[] y) {
        unfoldedForward(kernel, ws, s, x, w, bias, y, 0, s.batch());
    }

    /** Images {@code first <= n < end} of the batch only; arguments already checked. */
    static void unfoldedForward(Gemm kernel, Workspace ws, Conv2dShape s, double[] x, double[] w, double[] bias,
                                double[] y, int first, int end) {
        int positions = s.outHeight() * s.outWidth(), patch = s.patchSize();
        double[] col = s.isPointwise() ? null : ws.doubles(Slot.COLUMNS, patch * positions);
        for (int n = first; n < end; n++) {
            int yOff = n * s.outImageSize();
            if (col == null) {
                kernel.gemm(ws, false, false, s.outChannels(), positions, patch, w, 0, x, n * s.imageSize(),
                        y, yOff, false);
            } else {
                Im2col.unfold(s, x, n * s.imageSize(), col);
                kernel.gemm(ws, false, false, s.outChannels(), positions, patch, w, 0, col, 0, y, yOff, false);
            }
            if (bias != null) {
                Epilogue.addBiasPerRow(y, yOff, s.outChannels(), positions, bias);
            }
        }
    }

    /** {@code dx (=|+=) d conv2d / dx} given the output gradient {@code dy}. */
    public static void backwardInput(Workspace ws, Conv2dShape s, float[] dy, float[] w, float[] dx,
                                     boolean accumulate) {
        backwardInput(Kernels.SELECTED, ws, s, dy, w, dx, accumulate);
    }

    static void backwardInput(Gemm kernel, Workspace ws, Conv2dShape s, float[] dy, float[] w, float[] dx,
                              boolean accumulate) {
        Conv2dChecks.backwardInput(s, len(dy), len(w), len(dx));
        JavaConvLoops loops = kernel.convLoops();
        if (loops.suitsInputGradient(s) && allFinite(w, s.weightSize())) {
            DirectConv.backwardInput(loops, ws, s, dy, w, dx, accumulate);
        } else {
            unfoldedBackwardInput(kernel, ws, s, dy, w, dx, accumulate);
        }
    }

    /** The input gradient through the unfolded matrix (any stride); arguments already checked. */
    static void unfoldedBackwardInput(Gemm kernel, Workspace ws, Conv2dShape s, float[] dy, float[] w, float[] dx,
                                      boolean accumulate) {
        unfoldedBackwardInput(kernel, ws, s, dy, w, dx, accumulate, 0, s.batch());
    }

    /** Images {@code first <= n < end} of the batch only; arguments already checked. */
    static void unfoldedBackwardInput(Gemm kernel, Workspace ws, Conv2dShape s, float[] dy, float[] w, float[] dx,
                                      boolean accumulate, int first, int end) {
        int positions = s.outHeight() * s.outWidth(), patch = s.patchSize();
        if (s.isPointwise()) {
            for (int n = first; n < end; n++) {
                kernel.gemm(ws, true, false, patch, positions, s.outChannels(), w, 0, dy, n * s.outImageSize(),
                        dx, n * s.imageSize(), accumulate);
            }
            return;
        }
        if (!accumulate) {
            java.util.Arrays.fill(dx, first * s.imageSize(), end * s.imageSize(), 0f);
        }
        float[] col = ws.floats(Slot.COLUMNS, patch * positions);
        for (int n = first; n < end; n++) {
            kernel.gemm(ws, true, false, patch, positions, s.outChannels(), w, 0, dy, n * s.outImageSize(),
                    col, 0, false);
            Im2col.foldAdd(s, col, dx, n * s.imageSize());
        }
    }

    /** f64 input gradient; see the f32 overload. */
    public static void backwardInput(Workspace ws, Conv2dShape s, double[] dy, double[] w, double[] dx,
                                     boolean accumulate) {
        backwardInput(Kernels.SELECTED, ws, s, dy, w, dx, accumulate);
    }

    static void backwardInput(Gemm kernel, Workspace ws, Conv2dShape s, double[] dy, double[] w, double[] dx,
                              boolean accumulate) {
        Conv2dChecks.backwardInput(s, len(dy), len(w), len(dx));
        if (JavaConvLoops.INSTANCE.suitsInputGradient(s) && allFinite(w, s.weightSize())) {
            DirectConv.backwardInput(JavaConvLoops.INSTANCE, ws, s, dy, w, dx, accumulate);
        } else {
            unfoldedBackwardInput(kernel, ws, s, dy, w, dx, accumulate);
        }
    }

    /** f64 version; see the f32 overload. */
    static void unfoldedBackwardInput(Gemm kernel, Workspace ws, Conv2dShape s, double[] dy, double[] w, double[] dx,
                                      boolean accumulate) {
        unfoldedBackwardInput(kernel, ws, s, dy, w, dx, accumulate, 0, s.batch());
    }

    /** Images {@code first <= n < end} of the batch only; arguments already checked. */
    static void unfoldedBackwardInput(Gemm kernel, Workspace ws, Conv2dShape s, double[] dy, double[] w, double[] dx,
                                      boolean accumulate, int first, int end) {
        int positions = s.outHeight() * s.outWidth(), patch = s.patchSize();
        if (s.isPointwise()) {
            for (int n = first; n < end; n++) {
                kernel.gemm(ws, true, false, patch, positions, s.outChannels(), w, 0, dy, n * s.outImageSize(),
                        dx, n * s.imageSize(), accumulate);
            }
            return;
        }
        if (!accumulate) {
            java.util.Arrays.fill(dx, first * s.imageSize(), end * s.imageSize(), 0d);
        }
        double[] col = ws.doubles(Slot.COLUMNS, patch * positions);
        for (int n = first; n < end; n++) {
            kernel.gemm(ws, true, false, patch, positions, s.outChannels(), w, 0, dy, n * s.outImageSize(),
                    col, 0, false);
            Im2col.foldAdd(s, col, dx, n * s.imageSize());
        }
    }

    /** {@code dw (=|+=) d conv2d / dw} given the input {@code x} and the output gradient {@code dy}. */
    public static void backwardWeight(Workspace ws, Conv2dShape s, float[] x, float[] dy, float[] dw,
                                      boolean accumulate) {
        backwardWeight(Kernels.SELECTED, ws, s, x, dy, dw, accumulate);
    }

    static void backwardWeight(Gemm kernel, Workspace ws, Conv2dShape s, float[] x, float[] dy, float[] dw,
                               boolean accumulate) {
        Conv2dChecks.backwardWeight(s, len(x), len(dy), len(dw));
        JavaConvLoops loops = kernel.convLoops();
        if (loops.suitsWeightGradient(s) && loops.allFinite(x, s.batch() * s.imageSize())) {
            DirectConv.backwardWeight(loops, ws, s, x, dy, dw, accumulate);
        } else {
            unfoldedBackwardWeight(kernel, ws, s, x, dy, dw, accumulate);
        }
    }

    /** The weight gradient through the unfolded input (any stride); arguments already checked. */
    static void unfoldedBackwardWeight(Gemm kernel, Workspace ws, Conv2dShape s, float[] x, float[] dy, float[] dw,
                                       boolean accumulate) {
        unfoldedBackwardWeight(kernel, ws, s, x, dy, dw, accumulate, 0, s.batch());
    }

    /** Images {@code first <= n < end} of the batch only; arguments already checked. */
    static void unfoldedBackwardWeight(Gemm kernel, Workspace ws, Conv2dShape s, float[] x, float[] dy, float[] dw,
                                       boolean accumulate, int first, int end) {
        int positions = s.outHeight() * s.outWidth(), patch = s.patchSize();
        if (end == first && !accumulate) {
            java.util.Arrays.fill(dw, 0, s.weightSize(), 0f);
        }
        float[] col = s.isPointwise() ? null : ws.floats(Slot.COLUMNS, patch * positions);
        for (int n = first; n < end; n++) {
            float[] b = x;
            int bOff = n * s.imageSize();
            if (col != null) {
                Im2col.unfold(s, x, bOff, col);
                b = col;
                bOff = 0;
            }
            kernel.gemm(ws, false, true, s.outChannels(), patch, positions, dy, n * s.outImageSize(), b, bOff,
                    dw, 0, accumulate || n > first);
        }
    }

    /** f64 weight gradient; see the f32 overload. */
    public static void backwardWeight(Workspace ws, Conv2dShape s, double[] x, double[] dy, double[] dw,
                                      boolean accumulate) {
        backwardWeight(Kernels.SELECTED, ws, s, x, dy, dw, accumulate);
    }

    static void backwardWeight(Gemm kernel, Workspace ws, Conv2dShape s, double[] x, double[] dy, double[] dw,
                               boolean accumulate) {
        Conv2dChecks.backwardWeight(s, len(x), len(dy), len(dw));
        if (JavaConvLoops.INSTANCE.suitsWeightGradient(s) && allFinite(x, s.batch() * s.imageSize())) {
            DirectConv.backwardWeight(JavaConvLoops.INSTANCE, ws, s, x, dy, dw, accumulate);
        } else {
            unfoldedBackwardWeight(kernel, ws, s, x, dy, dw, accumulate);
        }
    }

    /** f64 version; see the f32 overload. */
    static void unfoldedBackwardWeight(Gemm kernel, Workspace ws, Conv2dShape s, double[] x, double[] dy,
                                       double[] dw, boolean accumulate) {
        unfoldedBackwardWeight(kernel, ws, s, x, dy, dw, accumulate, 0, s.batch());
    }

    /** Images {@code first <= n < end} of the batch only; arguments already checked. */
    static void unfoldedBackwardWeight(Gemm kernel, Workspace ws, Conv2dShape s, double[] x, double[] dy,
                                       double[] dw, boolean accumulate, int first, int end) {
        int positions = s.outHeight() * s.outWidth(), patch = s.patchSize();
        if (end == first && !accumulate) {
            java.util.Arrays.fill(dw, 0, s.weightSize(), 0d);
        }
        double[] col = s.isPointwise() ? null : ws.doubles(Slot.COLUMNS, patch * positions);
        for (int n = first; n < end; n++) {
            double[] b = x;
            int bOff = n * s.imageSize();
            if (col != null) {
                Im2col.unfold(s, x, bOff, col);
                b = col;
                bOff = 0;
            }
            kernel.gemm(ws, false, true, s.outChannels(), patch, positions, dy, n * s.outImageSize(), b, bOff,
                    dw, 0, accumulate || n > first);
        }
    }

    /** {@code db (=|+=)} the sum of {@code dy} over the batch and the output positions, per output channel. */
    public static void backwardBias(Conv2dShape s, float[] dy, float[] db, boolean accumulate) {
        Conv2dChecks.backwardBias(s, len(dy), len(db));
        int positions = s.outHeight() * s.outWidth();
        for (int o = 0; o < s.outChannels(); o++) {
            float sum = 0f;
            for (int n = 0; n < s.batch(); n++) {
                sum += Epilogue.sum(dy, n * s.outImageSize() + o * positions, positions);
            }
            db[o] = accumulate ? db[o] + sum : sum;
        }
    }

    /** f64 bias gradient; see the f32 overload. */
    public static void backwardBias(Conv2dShape s, double[] dy, double[] db, boolean accumulate) {
        Conv2dChecks.backwardBias(s, len(dy), len(db));
        int positions = s.outHeight() * s.outWidth();
        for (int o = 0; o < s.outChannels(); o++) {
            double sum = 0d;
            for (int n = 0; n < s.batch(); n++) {
                sum += Epilogue.sum(dy, n * s.outImageSize() + o * positions, positions);
            }
            db[o] = accumulate ? db[o] + sum : sum;
        }
    }

    // ---- image ranges, for Parallel: the path is chosen once for the whole batch, each part runs its images ----

    /** Whether the forward pass of this shape runs the direct loops (f32 with the kernel's loops, f64 plain). */
    static boolean forwardDirect(Gemm kernel, Conv2dShape s, boolean f32) {
        return (f32 ? kernel.convLoops() : JavaConvLoops.INSTANCE).suitsForward(s);
    }

    /** Whether the input gradient runs the direct loops, given the whole weight. */
    static boolean inputGradientDirect(Gemm kernel, Conv2dShape s, float[] w) {
        return kernel.convLoops().suitsInputGradient(s) && allFinite(w, s.weightSize());
    }

    static boolean inputGradientDirect(Conv2dShape s, double[] w) {
        return JavaConvLoops.INSTANCE.suitsInputGradient(s) && allFinite(w, s.weightSize());
    }

    /** Whether the weight gradient runs the direct loops, given the whole batch's input. */
    static boolean weightGradientDirect(Gemm kernel, Conv2dShape s, float[] x) {
        JavaConvLoops loops = kernel.convLoops();
        return loops.suitsWeightGradient(s) && loops.allFinite(x, s.batch() * s.imageSize());
    }

    static boolean weightGradientDirect(Conv2dShape s, double[] x) {
        return JavaConvLoops.INSTANCE.suitsWeightGradient(s) && allFinite(x, s.batch() * s.imageSize());
    }

    static void forwardImages(Gemm kernel, Workspace ws, Conv2dShape s, float[] x, float[] w, float[] bias, float[] y,
                              boolean direct, int first, int end) {
        if (direct) {
            DirectConv.forward(kernel.convLoops(), ws, s, x, w, bias, y, first, end);
        } else {
            unfoldedForward(kernel, ws, s, x, w, bias, y, first, end);
        }
    }

    static void forwardImages(Gemm kernel, Workspace ws, Conv2dShape s, double[] x, double[] w, double[] bias,
                              double[] y, boolean direct, int first, int end) {
        if (direct) {
            DirectConv.forward(JavaConvLoops.INSTANCE, ws, s, x, w, bias, y, first, end);
        } else {
            unfoldedForward(kernel, ws, s, x, w, bias, y, first, end);
        }
    }

    static void inputGradientImages(Gemm kernel, Workspace ws, Conv2dShape s, float[] dy, float[] w, float[] dx,
                                    boolean accumulate, boolean direct, int first, int end) {
        if (direct) {
            DirectConv.backwardInput(kernel.convLoops(), ws, s, dy, w, dx, accumulate, first, end);
        } else {
            unfoldedBackwardInput(kernel, ws, s, dy, w, dx, accumulate, first, end);
        }
    }

    static void inputGradientImages(Gemm kernel, Workspace ws, Conv2dShape s, double[] dy, double[] w, double[] dx,
                                    boolean accumulate, boolean direct, int first, int end) {
        if (direct) {
            DirectConv.backwardInput(JavaConvLoops.INSTANCE, ws, s, dy, w, dx, accumulate, first, end);
        } else {
            unfoldedBackwardInput(kernel, ws, s, dy, w, dx, accumulate, first, end);
        }
    }

    static void weightGradientImages(Gemm kernel, Workspace ws, Conv2dShape s, float[] x, float[] dy, float[] dw,
                                     boolean accumulate, boolean direct, int first, int end) {
        if (direct) {
            DirectConv.backwardWeight(kernel.convLoops(), ws, s, x, dy, dw, accumulate, first, end);
        } else {
            unfoldedBackwardWeight(kernel, ws, s, x, dy, dw, accumulate, first, end);
        }
    }

    static void weightGradientImages(Gemm kernel, Workspace ws, Conv2dShape s, double[] x, double[] dy, double[] dw,
                                     boolean accumulate, boolean direct, int first, int end) {
        if (direct) {
            DirectConv.backwardWeight(JavaConvLoops.INSTANCE, ws, s, x, dy, dw, accumulate, first, end);
        } else {
            unfoldedBackwardWeight(kernel, ws, s, x, dy, dw, accumulate, first, end);
        }
    }

    private static int len(float[] a) {
        return a == null ? -1 : a.length;
    }

    private static int len(double[] a) {
        return a == null ? -1 : a.length;
    }

    /**
     * Whether the first n values are finite. The direct gradients multiply the zeros around each padded image by the
     * other operand; with an infinity or NaN there they would put NaN where PyTorch's products have no term at all,
     * so such operands take the unfolded path.
     */
    static boolean allFinite(float[] a, int n) {
        // x * 0 is NaN exactly for a NaN or an infinity, else a zero, so the probes stay zero unless one is not
        // finite, whatever the order of the adds: four chains instead of one waiting on each add's latency.
        float p0 = 0f, p1 = 0f, p2 = 0f, p3 = 0f;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            p0 += a[i] * 0f;
            p1 += a[i + 1] * 0f;
            p2 += a[i + 2] * 0f;
            p3 += a[i + 3] * 0f;
        }
        for (; i < n; i++) {
            p0 += a[i] * 0f;
        }
        return p0 + p1 + p2 + p3 == 0f;
    }

    /** Whether the first n values are finite; see the f32 overload. */
    static boolean allFinite(double[] a, int n) {
        // x * 0 is NaN exactly for a NaN or an infinity, else a zero, so the probes stay zero unless one is not
        // finite, whatever the order of the adds: four chains instead of one waiting on each add's latency.
        double p0 = 0d, p1 = 0d, p2 = 0d, p3 = 0d;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            p0 += a[i] * 0d;
            p1 += a[i + 1] * 0d;
            p2 += a[i + 2] * 0d;
            p3 += a[i + 3] * 0d;
        }
        for (; i < n; i++) {
            p0 += a[i] * 0d;
        }
        return p0 + p1 + p2 + p3 == 0d;
    }
}
