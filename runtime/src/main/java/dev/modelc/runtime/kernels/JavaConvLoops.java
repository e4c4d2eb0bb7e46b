package dev.modelc.runtime.kernels;

import dev.modelc.runtime.kernels.Workspace.Slot;

/**
 * Plain-Java inner loops of the stride-1 convolutions of {@link DirectConv}, and the choice of which passes run
 * there; {@code VectorConvLoops} replaces the f32 ones when the Vector API kernel is in use
 * ({@link Gemm#convLoops()}).
 *
 * <p>Both loops read a band of zero-padded input planes (channels of {@code plane} values, rows {@code wp} wide)
 * through the "wide grid": output position {@code q} stands for the input window whose top-left corner is at
 * {@code q} in the plane, so kernel element {@code p = (c, ki, kj)} of every output reads the source at the same
 * shift {@code c * plane + ki * wp + kj}. Unfolding is then one copy of {@code length} values per kernel element
 * into a zero-based row (instead of one short copy per kernel element and output row):
 * <ul>
 *   <li>{@link #correlate} is the product {@code out[o, q] = bias[o] + sum_p w[o, p] * src[shift(p) + q]}, computed
 *       by the register blocks of {@link JavaSgemm} on the copied rows;</li>
 *   <li>the weight gradient {@code dw[o, p] = sum_q dy[o, q] * src[shift(p) + q]} is a long reduction, which C2
 *       does not vectorize. So it is kept element-wise: one partial sum per (o, p) and position, added to over the
 *       whole batch by a loop of two output channels and one kernel element (five loads, two stores, two fused
 *       multiply-adds: small enough to vectorize), and summed along the positions once at the end.</li>
 * </ul>
 * {@code out} and {@code dy} rows hold {@code length} values; positions of the wide grid that are not outputs
 * (the last {@code kw - 1} of every row) are computed and ignored, or zero in {@code dy}.
 *
 * <p>Each loop has an f32 and an f64 twin written out: the f32 ones are the hot path of the generated training step
 * and are overridden one by one by {@code VectorConvLoops}, whose Vector API code has no f64 counterpart; a shared
 * generic form is impossible over primitive arrays, and one over {@code double[]} would convert every f32 operand.
 * The twins accumulate in their own precision; {@code KernelTwinsTest} holds them to the same results within f32
 * rounding of the products.
 */
class JavaConvLoops {

    static final JavaConvLoops INSTANCE = new JavaConvLoops();

    JavaConvLoops() {
    }

    // Which pass runs where was chosen by timing both paths, with each implementation, on stride-1 shapes of 1 to
    // 64 channels, 3x3 and 5x5 kernels and 8x8 to 32x32 images.

    /** Whether the forward pass of {@code s} runs in {@link DirectConv}: stride 1 with a kernel of at most
     *  {@link JavaSgemm#KC} elements, the reduced dimension the product's register blocks run through in one go. */
    boolean suitsForward(Conv2dShape s) {
        return DirectConv.applies(s) && s.patchSize() <= JavaSgemm.KC;
    }

    /** Whether the input gradient runs in {@link DirectConv}: stride 1 with few output channels (the unfolded
     *  product's reduced dimension); with more, copying the runs of the padded gradient costs more than it saves. */
    boolean suitsInputGradient(Conv2dShape s) {
        return DirectConv.applies(s) && s.outChannels() <= 8;
    }

    /** Whether the weight gradient runs in {@link DirectConv}: stride 1 with few weights, because every weight
     *  keeps a row of partial sums that each image reads and writes. */
    boolean suitsWeightGradient(Conv2dShape s) {
        return DirectConv.applies(s) && s.outChannels() * s.patchSize() <= 1024;
    }

    /**
     * Whether the first n values are finite ({@link Convolution#allFinite}), asked of a whole batch's input before
     * each weight gradient; the Vector API loops check it in vectors.
     */
    boolean allFinite(float[] a, int n) {
        return Convolution.allFinite(a, n);
    }

    /** {@code out[o][q] = bias[o] (or 0) + sum_p w[o * patch + p] * src[srcOff + shift(p) + q]} for q < length. */
    void correlate(Workspace ws, int channels, int plane, int wp, int kh, int kw, float[] src, int srcOff,
                   int length, float[] w, int outC, float[] bias, float[][] out) {
        int patch = channels * kh * kw;
        float[][] cols = ws.floatRows(Slot.ROWS_B, patch, length);
        slices(channels, plane, wp, kh, kw, src, srcOff, length, cols);
        for (int o = 0; o < outC; o++) {
            java.util.Arrays.fill(out[o], 0, length, bias == null ? 0f : bias[o]);
        }
        int o = 0;
        for (; o + 4 <= outC; o += 4) {
            JavaSgemm.block4(w, o * patch, patch, 1, patch, length, cols, out, o);
        }
        if (o + 2 <= outC) {
            JavaSgemm.block2(w, o * patch, patch, 1, patch, length, cols, out[o], out[o + 1]);
            o += 2;
        }
        if (o < outC) {
            JavaSgemm.block1(w, o * patch, 1, patch, length, cols, out[o]);
        }
    }

    /** Starts a weight gradient: clears the partial sums of {@code outC x patch} weights over up to maxLength. */
    void weightGradientStart(Workspace ws, int outC, int patch, int maxLength) {
        float[][] sums = ws.floatRows(Slot.SUMS, outC * patch, maxLength);
        for (int r = 0; r < outC * patch; r++) {
            java.util.Arrays.fill(sums[r], 0, maxLength, 0f);
        }
    }

    /** Adds {@code dy[o][q] * src[srcOff + shift(p) + q]} for q < length to the partial sums of (o, p). */
    void weightGradientAdd(Workspace ws, int channels, int plane, int wp, int kh, int kw, float[] src, int srcOff,
                           int length, float[][] dy, int outC) {
        int patch = channels * kh * kw;
        float[][] cols = ws.floatRows(Slot.ROWS_B, patch, length);
        float[][] sums = ws.floatRows(Slot.SUMS, outC * patch, length);
        slices(channels, plane, wp, kh, kw, src, srcOff, length, cols);
        for (int p = 0; p < patch; p++) {
            float[] x = cols[p];
            int o = 0;
            for (; o + 2 <= outC; o += 2) {
                multiplyAdd2(sums[o * patch + p], sums[(o + 1) * patch + p], dy[o], dy[o + 1], x, length);
            }
            if (o < outC) {
                multiplyAdd1(sums[o * patch + p], dy[o], x, length);
            }
        }
    }

    /** {@code dw (=|+=)} the partial sums summed along the positions. */
    void weightGradientFinish(Workspace ws, int outC, int patch, int maxLength, float[] dw, boolean accumulate) {
        float[][] sums = ws.floatRows(Slot.SUMS, outC * patch, maxLength);
        for (int r = 0; r < outC * patch; r++) {
            float sum = Epilogue.sum(sums[r], 0, maxLength);
            dw[r] = accumulate ? dw[r] + sum : sum;
        }
    }

    /** f64 correlate; see the f32 overload. */
    void correlate(Workspace ws, int channels, int plane, int wp, int kh, int kw, double[] src, int srcOff,
                   int length, double[] w, int outC, double[] bias, double[][] out) {
        int patch = channels * kh * kw;
        double[][] cols = ws.doubleRows(Slot.ROWS_B, patch, length);
        slices(channels, plane, wp, kh, kw, src, srcOff, length, cols);
        for (int o = 0; o < outC; o++) {
            java.util.Arrays.fill(out[o], 0, length, bias == null ? 0d : bias[o]);
        }
        int o = 0;
        for (; o + 4 <= outC; o += 4) {
            JavaDgemm.block4(w, o * patch, patch, 1, patch, length, cols, out, o);
        }
        if (o + 2 <= outC) {
            JavaDgemm.block2(w, o * patch, patch, 1, patch, length, cols, out[o], out[o + 1]);
            o += 2;
        }
        if (o < outC) {
            JavaDgemm.block1(w, o * patch, 1, patch, length, cols, out[o]);
        }
    }

    /** f64 weightGradientStart; see the f32 one. */
    void weightGradientStartF64(Workspace ws, int outC, int patch, int maxLength) {
        double[][] sums = ws.doubleRows(Slot.SUMS, outC * patch, maxLength);
        for (int r = 0; r < outC * patch; r++) {
            java.util.Arrays.fill(sums[r], 0, maxLength, 0d);
        }
    }

    /** f64 weightGradientAdd; see the f32 overload. */
    void weightGradientAdd(Workspace ws, int channels, int plane, int wp, int kh, int kw, double[] src, int srcOff,
                           int length, double[][] dy, int outC) {
        int patch = channels * kh * kw;
        double[][] cols = ws.doubleRows(Slot.ROWS_B, patch, length);
        double[][] sums = ws.doubleRows(Slot.SUMS, outC * patch, length);
        slices(channels, plane, wp, kh, kw, src, srcOff, length, cols);
        for (int p = 0; p < patch; p++) {
            double[] x = cols[p];
            int o = 0;
            for (; o + 2 <= outC; o += 2) {
                multiplyAdd2(sums[o * patch + p], sums[(o + 1) * patch + p], dy[o], dy[o + 1], x, length);
            }
            if (o < outC) {
                multiplyAdd1(sums[o * patch + p], dy[o], x, length);
            }
        }
    }

    /** f64 weightGradientFinish; see the f32 overload. */
    void weightGradientFinish(Workspace ws, int outC, int patch, int maxLength, double[] dw, boolean accumulate) {
        double[][] sums = ws.doubleRows(Slot.SUMS, outC * patch, maxLength);
        for (int r = 0; r < outC * patch; r++) {
            double sum = Epilogue.sum(sums[r], 0, maxLength);
            dw[r] = accumulate ? dw[r] + sum : sum;
        }
    }

    /** Row p of {@code rows} = the {@code length} source values at shift(p), for p = (c, ki, kj) in order. */
    private static void slices(int channels, int plane, int wp, int kh, int kw, float[] src, int srcOff, int length,
                               float[][] rows) {
        int p = 0;
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < kh; ki++) {
                int from = srcOff + c * plane + ki * wp;
                for (int kj = 0; kj < kw; kj++) {
                    System.arraycopy(src, from + kj, rows[p++], 0, length);
                }
            }
        }
    }

    private static void slices(int channels, int plane, int wp, int kh, int kw, double[] src, int srcOff, int length,
                               double[][] rows) {
        int p = 0;
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < kh; ki++) {
                int from = srcOff + c * plane + ki * wp;
                for (int kj = 0; kj < kw; kj++) {
                    System.arraycopy(src, from + kj, rows[p++], 0, length);
                }
            }
        }
    }

    private static void multiplyAdd2(float[] s0, float[] s1, float[] d0, float[] d1, float[] x, int length) {
        for (int q = 0; q < length; q++) {
            float v = x[q];
            s0[q] = Math.fma(d0[q], v, s0[q]);
            s1[q] = Math.fma(d1[q], v, s1[q]);
        }
    }

    private static void multiplyAdd1(float[] s0, float[] d0, float[] x, int length) {
        for (int q = 0; q < length; q++) {
            s0[q] = Math.fma(d0[q], x[q], s0[q]);
        }
    }

    private static void multiplyAdd2(double[] s0, double[] s1, double[] d0, double[] d1, double[] x, int length) {
        for (int q = 0; q < length; q++) {
            double v = x[q];
            s0[q] = Math.fma(d0[q], v, s0[q]);
            s1[q] = Math.fma(d1[q], v, s1[q]);
        }
    }

    private static void multiplyAdd1(double[] s0, double[] d0, double[] x, int length) {
        for (int q = 0; q < length; q++) {
            s0[q] = Math.fma(d0[q], x[q], s0[q]);
        }
    }
}
