package dev.modelc.runtime.kernels;

import dev.modelc.runtime.kernels.Workspace.Slot;

/**
 * 2-D convolution (NCHW, stride, padding, no dilation or groups) and its gradients, built on {@link MatMul}.
 *
 * <p>Per image, the input is unfolded into the workspace ({@link Im2col}) and the convolution is one product:
 * <pre>
 *   forward         y[n]  =  W [oc, c*kh*kw]  x  col[n] [c*kh*kw, oh*ow]   (+ bias per output channel)
 *   input gradient  dx[n] += fold( W^T  x  dy[n] )
 *   weight gradient dW    += dy[n]  x  col[n]^T
 *   bias gradient   db    += sum of dy[n] over positions
 * </pre>
 * A 1x1 kernel with stride 1 and no padding skips the unfolding. Arrays are whole tensors from index 0 in the
 * shapes {@link Conv2dShape} describes. With {@code accumulate} a gradient is added to the array (PyTorch's
 * accumulation into {@code .grad}); otherwise it replaces it.
 */
public final class Conv2d {

    private Conv2d() {
    }

    /** {@code y = conv2d(x, w) + bias}; {@code bias} (one per output channel) may be null. */
    public static void forward(Workspace ws, Conv2dShape s, float[] x, float[] w, float[] bias, float[] y) {
        Conv2dChecks.forward(s, len(x), len(w), bias == null ? -2 : bias.length, len(y));
        int positions = s.outHeight() * s.outWidth(), patch = s.patchSize();
        float[] col = s.isPointwise() ? null : ws.floats(Slot.COLUMNS, patch * positions);
        for (int n = 0; n < s.batch(); n++) {
            int yOff = n * s.outImageSize();
            if (col == null) {
                MatMul.gemm(ws, false, false, s.outChannels(), positions, patch, w, 0, x, n * s.imageSize(),
                        y, yOff, false);
            } else {
                Im2col.unfold(s, x, n * s.imageSize(), col);
                MatMul.gemm(ws, false, false, s.outChannels(), positions, patch, w, 0, col, 0, y, yOff, false);
            }
            if (bias != null) {
                Epilogue.addBiasPerRow(y, yOff, s.outChannels(), positions, bias);
            }
        }
    }

    /** f64 forward; see the f32 overload. */
    public static void forward(Workspace ws, Conv2dShape s, double[] x, double[] w, double[] bias, double[] y) {
        Conv2dChecks.forward(s, len(x), len(w), bias == null ? -2 : bias.length, len(y));
        int positions = s.outHeight() * s.outWidth(), patch = s.patchSize();
        double[] col = s.isPointwise() ? null : ws.doubles(Slot.COLUMNS, patch * positions);
        for (int n = 0; n < s.batch(); n++) {
            int yOff = n * s.outImageSize();
            if (col == null) {
                MatMul.gemm(ws, false, false, s.outChannels(), positions, patch, w, 0, x, n * s.imageSize(),
                        y, yOff, false);
            } else {
                Im2col.unfold(s, x, n * s.imageSize(), col);
                MatMul.gemm(ws, false, false, s.outChannels(), positions, patch, w, 0, col, 0, y, yOff, false);
            }
            if (bias != null) {
                Epilogue.addBiasPerRow(y, yOff, s.outChannels(), positions, bias);
            }
        }
    }

    /** {@code dx (=|+=) d conv2d / dx} given the output gradient {@code dy}. */
    public static void backwardInput(Workspace ws, Conv2dShape s, float[] dy, float[] w, float[] dx,
                                     boolean accumulate) {
        Conv2dChecks.backwardInput(s, len(dy), len(w), len(dx));
        int positions = s.outHeight() * s.outWidth(), patch = s.patchSize();
        if (s.isPointwise()) {
            for (int n = 0; n < s.batch(); n++) {
                MatMul.gemm(ws, true, false, patch, positions, s.outChannels(), w, 0, dy, n * s.outImageSize(),
                        dx, n * s.imageSize(), accumulate);
            }
            return;
        }
        if (!accumulate) {
            java.util.Arrays.fill(dx, 0, s.batch() * s.imageSize(), 0f);
        }
        float[] col = ws.floats(Slot.COLUMNS, patch * positions);
        for (int n = 0; n < s.batch(); n++) {
            MatMul.gemm(ws, true, false, patch, positions, s.outChannels(), w, 0, dy, n * s.outImageSize(),
                    col, 0, false);
            Im2col.foldAdd(s, col, dx, n * s.imageSize());
        }
    }

    /** f64 input gradient; see the f32 overload. */
    public static void backwardInput(Workspace ws, Conv2dShape s, double[] dy, double[] w, double[] dx,
                                     boolean accumulate) {
        Conv2dChecks.backwardInput(s, len(dy), len(w), len(dx));
        int positions = s.outHeight() * s.outWidth(), patch = s.patchSize();
        if (s.isPointwise()) {
            for (int n = 0; n < s.batch(); n++) {
                MatMul.gemm(ws, true, false, patch, positions, s.outChannels(), w, 0, dy, n * s.outImageSize(),
                        dx, n * s.imageSize(), accumulate);
            }
            return;
        }
        if (!accumulate) {
            java.util.Arrays.fill(dx, 0, s.batch() * s.imageSize(), 0d);
        }
        double[] col = ws.doubles(Slot.COLUMNS, patch * positions);
        for (int n = 0; n < s.batch(); n++) {
            MatMul.gemm(ws, true, false, patch, positions, s.outChannels(), w, 0, dy, n * s.outImageSize(),
                    col, 0, false);
            Im2col.foldAdd(s, col, dx, n * s.imageSize());
        }
    }

    /** {@code dw (=|+=) d conv2d / dw} given the input {@code x} and the output gradient {@code dy}. */
    public static void backwardWeight(Workspace ws, Conv2dShape s, float[] x, float[] dy, float[] dw,
                                      boolean accumulate) {
        Conv2dChecks.backwardWeight(s, len(x), len(dy), len(dw));
        int positions = s.outHeight() * s.outWidth(), patch = s.patchSize();
        if (s.batch() == 0 && !accumulate) {
            java.util.Arrays.fill(dw, 0, s.weightSize(), 0f);
        }
        float[] col = s.isPointwise() ? null : ws.floats(Slot.COLUMNS, patch * positions);
        for (int n = 0; n < s.batch(); n++) {
            float[] b = x;
            int bOff = n * s.imageSize();
            if (col != null) {
                Im2col.unfold(s, x, bOff, col);
                b = col;
                bOff = 0;
            }
            MatMul.gemm(ws, false, true, s.outChannels(), patch, positions, dy, n * s.outImageSize(), b, bOff,
                    dw, 0, accumulate || n > 0);
        }
    }

    /** f64 weight gradient; see the f32 overload. */
    public static void backwardWeight(Workspace ws, Conv2dShape s, double[] x, double[] dy, double[] dw,
                                      boolean accumulate) {
        Conv2dChecks.backwardWeight(s, len(x), len(dy), len(dw));
        int positions = s.outHeight() * s.outWidth(), patch = s.patchSize();
        if (s.batch() == 0 && !accumulate) {
            java.util.Arrays.fill(dw, 0, s.weightSize(), 0d);
        }
        double[] col = s.isPointwise() ? null : ws.doubles(Slot.COLUMNS, patch * positions);
        for (int n = 0; n < s.batch(); n++) {
            double[] b = x;
            int bOff = n * s.imageSize();
            if (col != null) {
                Im2col.unfold(s, x, bOff, col);
                b = col;
                bOff = 0;
            }
            MatMul.gemm(ws, false, true, s.outChannels(), patch, positions, dy, n * s.outImageSize(), b, bOff,
                    dw, 0, accumulate || n > 0);
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

    private static int len(float[] a) {
        return a == null ? -1 : a.length;
    }

    private static int len(double[] a) {
        return a == null ? -1 : a.length;
    }
}
