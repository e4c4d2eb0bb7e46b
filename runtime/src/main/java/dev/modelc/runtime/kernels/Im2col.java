package dev.modelc.runtime.kernels;

/**
 * Unfolds one NCHW image into the {@code [inChannels * kh * kw, outHeight * outWidth]} matrix whose product with
 * the weight matrix is the convolution, and folds such a matrix back (adding overlapping patches) for the input
 * gradient. Padding reads as zero. Row {@code (c * kh + i) * kw + j} holds input channel c shifted by (i, j).
 */
final class Im2col {

    private Im2col() {
    }

    static void unfold(Conv2dShape s, float[] x, int xOff, float[] col) {
        int oh = s.outHeight(), ow = s.outWidth(), positions = oh * ow;
        for (int c = 0; c < s.inChannels(); c++) {
            for (int ki = 0; ki < s.kernelHeight(); ki++) {
                for (int kj = 0; kj < s.kernelWidth(); kj++) {
                    int row = ((c * s.kernelHeight() + ki) * s.kernelWidth() + kj) * positions;
                    int first = firstValid(s.padW() - kj, s.strideW()), last = lastValid(s, kj, ow);
                    for (int y = 0; y < oh; y++) {
                        int iy = y * s.strideH() - s.padH() + ki;
                        int to = row + y * ow;
                        if (iy < 0 || iy >= s.height() || first >= last) {
                            java.util.Arrays.fill(col, to, to + ow, 0f);
                            continue;
                        }
                        int from = xOff + (c * s.height() + iy) * s.width() - s.padW() + kj;
                        if (first > 0) {
                            java.util.Arrays.fill(col, to, to + first, 0f);
                        }
                        if (s.strideW() == 1) {
                            System.arraycopy(x, from + first, col, to + first, last - first);
                        } else {
                            for (int xo = first; xo < last; xo++) {
                                col[to + xo] = x[from + xo * s.strideW()];
                            }
                        }
                        if (last < ow) {
                            java.util.Arrays.fill(col, to + last, to + ow, 0f);
                        }
                    }
                }
            }
        }
    }

    static void unfold(Conv2dShape s, double[] x, int xOff, double[] col) {
        int oh = s.outHeight(), ow = s.outWidth(), positions = oh * ow;
        for (int c = 0; c < s.inChannels(); c++) {
            for (int ki = 0; ki < s.kernelHeight(); ki++) {
                for (int kj = 0; kj < s.kernelWidth(); kj++) {
                    int row = ((c * s.kernelHeight() + ki) * s.kernelWidth() + kj) * positions;
                    int first = firstValid(s.padW() - kj, s.strideW()), last = lastValid(s, kj, ow);
                    for (int y = 0; y < oh; y++) {
                        int iy = y * s.strideH() - s.padH() + ki;
                        int to = row + y * ow;
                        if (iy < 0 || iy >= s.height() || first >= last) {
                            java.util.Arrays.fill(col, to, to + ow, 0d);
                            continue;
                        }
                        int from = xOff + (c * s.height() + iy) * s.width() - s.padW() + kj;
                        if (first > 0) {
                            java.util.Arrays.fill(col, to, to + first, 0d);
                        }
                        if (s.strideW() == 1) {
                            System.arraycopy(x, from + first, col, to + first, last - first);
                        } else {
                            for (int xo = first; xo < last; xo++) {
                                col[to + xo] = x[from + xo * s.strideW()];
                            }
                        }
                        if (last < ow) {
                            java.util.Arrays.fill(col, to + last, to + ow, 0d);
                        }
                    }
                }
            }
        }
    }

    /** Adds the unfolded gradient {@code col} back into image {@code dx} at {@code dxOff}. */
    static void foldAdd(Conv2dShape s, float[] col, float[] dx, int dxOff) {
        int oh = s.outHeight(), ow = s.outWidth(), positions = oh * ow;
        for (int c = 0; c < s.inChannels(); c++) {
            for (int ki = 0; ki < s.kernelHeight(); ki++) {
                for (int kj = 0; kj < s.kernelWidth(); kj++) {
                    int row = ((c * s.kernelHeight() + ki) * s.kernelWidth() + kj) * positions;
                    int first = firstValid(s.padW() - kj, s.strideW()), last = lastValid(s, kj, ow);
                    for (int y = 0; y < oh; y++) {
                        int iy = y * s.strideH() - s.padH() + ki;
                        if (iy < 0 || iy >= s.height()) {
                            continue;
                        }
                        int from = row + y * ow;
                        int to = dxOff + (c * s.height() + iy) * s.width() - s.padW() + kj;
                        for (int xo = first; xo < last; xo++) {
                            dx[to + xo * s.strideW()] += col[from + xo];
                        }
                    }
                }
            }
        }
    }

    /** Adds the unfolded gradient {@code col} back into image {@code dx} at {@code dxOff}. */
    static void foldAdd(Conv2dShape s, double[] col, double[] dx, int dxOff) {
        int oh = s.outHeight(), ow = s.outWidth(), positions = oh * ow;
        for (int c = 0; c < s.inChannels(); c++) {
            for (int ki = 0; ki < s.kernelHeight(); ki++) {
                for (int kj = 0; kj < s.kernelWidth(); kj++) {
                    int row = ((c * s.kernelHeight() + ki) * s.kernelWidth() + kj) * positions;
                    int first = firstValid(s.padW() - kj, s.strideW()), last = lastValid(s, kj, ow);
                    for (int y = 0; y < oh; y++) {
                        int iy = y * s.strideH() - s.padH() + ki;
                        if (iy < 0 || iy >= s.height()) {
                            continue;
                        }
                        int from = row + y * ow;
                        int to = dxOff + (c * s.height() + iy) * s.width() - s.padW() + kj;
                        for (int xo = first; xo < last; xo++) {
                            dx[to + xo * s.strideW()] += col[from + xo];
                        }
                    }
                }
            }
        }
    }

    /** The first output column whose input column {@code xo * stride - shift} is not negative. */
    private static int firstValid(int shift, int stride) {
        return shift <= 0 ? 0 : (shift + stride - 1) / stride;
    }

    /** One past the last output column whose input column {@code xo * stride - padW + kj} is inside the image. */
    private static int lastValid(Conv2dShape s, int kj, int ow) {
        int limit = s.width() + s.padW() - kj;
        if (limit <= 0) {
            return 0;
        }
        return Math.min(ow, (limit - 1) / s.strideW() + 1);
    }
}
