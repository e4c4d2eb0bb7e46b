package dev.modelc.runtime.kernels;

/**
 * 2-D max and average pooling over {@code planes} planes of {@code h x w} (NCHW with N*C planes) and their
 * transposes, as the generated classes call them, with PyTorch's rules: each max window's gradient goes to its first
 * maximum (NaN wins, padding never does); averages count padding in the divisor ({@code count_include_pad}).
 * <p>Each kernel comes in an f32 and an f64 overload with the same parameters and the same loop: Java has no
 * generics over primitive arrays, and the generated classes call the overload of their dtype directly (a shared
 * {@code double[]} path would convert every f32 operand, and a boxed or interface-typed one would stop C2 from
 * compiling them as tight loops). {@code KernelTwinsTest} holds each pair to the same results.
 */
public final class Pooling {
    private Pooling() {
    }

    // ---- float ----

    /**
     * Max pooling over {@code planes} planes of {@code h x w}; each output is its window's first maximum (NaN wins,
     * padding never does). An empty window gives negative infinity.
     */
    public static void maxpool2d(float[] x, float[] out, int planes, int h, int w, int oh, int ow, int kh, int kw,
                                 int sh, int sw, int ph, int pw) {
        for (int p = 0; p < planes; p++) {
            int xo = p * h * w;
            int o = p * oh * ow;
            for (int oi = 0; oi < oh; oi++) {
                int i0 = oi * sh - ph;
                boolean rowsInside = i0 >= 0 && i0 + kh <= h;
                for (int oj = 0; oj < ow; oj++) {
                    int j0 = oj * sw - pw;
                    int at = rowsInside && j0 >= 0 && j0 + kw <= w ? firstMaxInside(x, xo + i0 * w + j0, w, kh, kw)
                            : -1;
                    out[o++] = at >= 0 ? x[at] : (float) windowMax(x, xo, h, w, i0, j0, kh, kw, false);
                }
            }
        }
    }

    /** Routes each output gradient to its window's first maximum in {@code x}; adds into {@code out} if asked. */
    public static void maxpool2dBackward(float[] g, float[] x, float[] out, int planes, int h, int w, int oh, int ow,
                                         int kh, int kw, int sh, int sw, int ph, int pw, boolean accumulate) {
        if (!accumulate) {
            java.util.Arrays.fill(out, 0, planes * h * w, (float) 0);
        }
        for (int p = 0; p < planes; p++) {
            int xo = p * h * w;
            int o = p * oh * ow;
            for (int oi = 0; oi < oh; oi++) {
                int i0 = oi * sh - ph;
                boolean rowsInside = i0 >= 0 && i0 + kh <= h;
                for (int oj = 0; oj < ow; oj++) {
                    int j0 = oj * sw - pw;
                    int at = rowsInside && j0 >= 0 && j0 + kw <= w ? firstMaxInside(x, xo + i0 * w + j0, w, kh, kw)
                            : -1;
                    if (at < 0) {
                        at = (int) windowMax(x, xo, h, w, i0, j0, kh, kw, true);
                    }
                    if (at >= 0) {
                        out[at] += g[o];
                    }
                    o++;
                }
            }
        }
    }

    /**
     * Reads {@code t} (of x's shape) at each window's first maximum in {@code x}: the adjoint of
     * {@link #maxpool2dBackward} in its gradient, 0 for an empty window.
     */
    public static void maxpool2dGather(float[] t, float[] x, float[] out, int planes, int h, int w, int oh, int ow,
                                       int kh, int kw, int sh, int sw, int ph, int pw) {
        for (int p = 0; p < planes; p++) {
            int xo = p * h * w;
            int o = p * oh * ow;
            for (int oi = 0; oi < oh; oi++) {
                int i0 = oi * sh - ph;
                boolean rowsInside = i0 >= 0 && i0 + kh <= h;
                for (int oj = 0; oj < ow; oj++) {
                    int j0 = oj * sw - pw;
                    int at = rowsInside && j0 >= 0 && j0 + kw <= w ? firstMaxInside(x, xo + i0 * w + j0, w, kh, kw)
                            : -1;
                    if (at < 0) {
                        at = (int) windowMax(x, xo, h, w, i0, j0, kh, kw, true);
                    }
                    out[o++] = at >= 0 ? t[at] : 0;
                }
            }
        }
    }

    /**
     * The position of the first maximum of a window lying wholly inside its plane, from {@code at} in rows of
     * {@code w}; -1 when the window holds a NaN (the caller takes the general path). Values are compared as
     * order-preserving integer keys (-0 taken as +0, as {@code >} does), which HotSpot selects with conditional
     * moves instead of branches that data-dependent comparisons would mispredict.
     */
    private static int firstMaxInside(float[] x, int at, int w, int kh, int kw) {
        int arg = at;
        int best = key(x[at]);
        float probe = 0f;
        for (int ki = 0; ki < kh; ki++) {
            int row = at + ki * w;
            for (int kj = 0; kj < kw; kj++) {
                float v = x[row + kj];
                probe += v;
                int k = key(v);
                arg = k > best ? row + kj : arg;
                best = k > best ? k : best;
            }
        }
        return probe != probe ? -1 : arg;
    }

    /** An integer that orders as the non-NaN value v does, with -0 equal to +0. */
    private static int key(float v) {
        int b = Float.floatToRawIntBits(v + 0f);
        return b ^ ((b >> 31) & 0x7fffffff);
    }

    /** The first maximum of one window: its value, or with {@code index} its position in x (-1 if empty). */
    private static double windowMax(float[] x, int xo, int h, int w, int i0, int j0, int kh, int kw, boolean index) {
        double best = Double.NEGATIVE_INFINITY;
        int arg = -1;
        for (int ki = 0; ki < kh; ki++) {
            int i = i0 + ki;
            if (i < 0 || i >= h) {
                continue;
            }
            for (int kj = 0; kj < kw; kj++) {
                int j = j0 + kj;
                if (j < 0 || j >= w) {
                    continue;
                }
                double v = x[xo + i * w + j];
                if (arg < 0 || (!Double.isNaN(best) && (v > best || Double.isNaN(v)))) {
                    best = v;
                    arg = xo + i * w + j;
                }
            }
        }
        return index ? arg : best;
    }

    /** Average pooling, padding counted in the divisor (PyTorch's default). */
    public static void avgpool2d(float[] x, float[] out, int planes, int h, int w, int oh, int ow, int kh, int kw,
                                 int sh, int sw, int ph, int pw) {
        double inv = 1.0 / (kh * kw);
        for (int p = 0; p < planes; p++) {
            int xo = p * h * w;
            int o = p * oh * ow;
            for (int oi = 0; oi < oh; oi++) {
                for (int oj = 0; oj < ow; oj++) {
                    double s = 0;
                    for (int ki = 0; ki < kh; ki++) {
                        int i = oi * sh - ph + ki;
                        if (i < 0 || i >= h) {
                            continue;
                        }
                        for (int kj = 0; kj < kw; kj++) {
                            int j = oj * sw - pw + kj;
                            if (j >= 0 && j < w) {
                                s += x[xo + i * w + j] * inv;
                            }
                        }
                    }
                    out[o++] = (float) s;
                }
            }
        }
    }

    /** The transpose of {@link #avgpool2d}: each output gradient spread over its window. */
    public static void avgpool2dBackward(float[] g, float[] out, int planes, int h, int w, int oh, int ow, int kh, int kw,
                                         int sh, int sw, int ph, int pw, boolean accumulate) {
        double inv = 1.0 / (kh * kw);
        if (!accumulate) {
            java.util.Arrays.fill(out, 0, planes * h * w, (float) 0);
        }
        for (int p = 0; p < planes; p++) {
            int xo = p * h * w;
            int o = p * oh * ow;
            for (int oi = 0; oi < oh; oi++) {
                for (int oj = 0; oj < ow; oj++) {
                    double v = g[o++] * inv;
                    for (int ki = 0; ki < kh; ki++) {
                        int i = oi * sh - ph + ki;
                        if (i < 0 || i >= h) {
                            continue;
                        }
                        for (int kj = 0; kj < kw; kj++) {
                            int j = oj * sw - pw + kj;
                            if (j >= 0 && j < w) {
                                out[xo + i * w + j] = (float) (out[xo + i * w + j] + v);
                            }
                        }
                    }
                }
            }
        }
    }

    // ---- double ----

    /**
     * Max pooling over {@code planes} planes of {@code h x w}; each output is its window's first maximum (NaN wins,
     * padding never does). An empty window gives negative infinity.
     */
    public static void maxpool2d(double[] x, double[] out, int planes, int h, int w, int oh, int ow, int kh, int kw,
                                 int sh, int sw, int ph, int pw) {
        for (int p = 0; p < planes; p++) {
            int xo = p * h * w;
            int o = p * oh * ow;
            for (int oi = 0; oi < oh; oi++) {
                int i0 = oi * sh - ph;
                boolean rowsInside = i0 >= 0 && i0 + kh <= h;
                for (int oj = 0; oj < ow; oj++) {
                    int j0 = oj * sw - pw;
                    int at = rowsInside && j0 >= 0 && j0 + kw <= w ? firstMaxInside(x, xo + i0 * w + j0, w, kh, kw)
                            : -1;
                    out[o++] = at >= 0 ? x[at] : windowMax(x, xo, h, w, i0, j0, kh, kw, false);
                }
            }
        }
    }

    /** Routes each output gradient to its window's first maximum in {@code x}; adds into {@code out} if asked. */
    public static void maxpool2dBackward(double[] g, double[] x, double[] out, int planes, int h, int w, int oh, int ow,
                                         int kh, int kw, int sh, int sw, int ph, int pw, boolean accumulate) {
        if (!accumulate) {
            java.util.Arrays.fill(out, 0, planes * h * w, (double) 0);
        }
        for (int p = 0; p < planes; p++) {
            int xo = p * h * w;
            int o = p * oh * ow;
            for (int oi = 0; oi < oh; oi++) {
                int i0 = oi * sh - ph;
                boolean rowsInside = i0 >= 0 && i0 + kh <= h;
                for (int oj = 0; oj < ow; oj++) {
                    int j0 = oj * sw - pw;
                    int at = rowsInside && j0 >= 0 && j0 + kw <= w ? firstMaxInside(x, xo + i0 * w + j0, w, kh, kw)
                            : -1;
                    if (at < 0) {
                        at = (int) windowMax(x, xo, h, w, i0, j0, kh, kw, true);
                    }
                    if (at >= 0) {
                        out[at] += g[o];
                    }
                    o++;
                }
            }
        }
    }

    /**
     * Reads {@code t} (of x's shape) at each window's first maximum in {@code x}: the adjoint of
     * {@link #maxpool2dBackward} in its gradient, 0 for an empty window.
     */
    public static void maxpool2dGather(double[] t, double[] x, double[] out, int planes, int h, int w, int oh, int ow,
                                       int kh, int kw, int sh, int sw, int ph, int pw) {
        for (int p = 0; p < planes; p++) {
            int xo = p * h * w;
            int o = p * oh * ow;
            for (int oi = 0; oi < oh; oi++) {
                int i0 = oi * sh - ph;
                boolean rowsInside = i0 >= 0 && i0 + kh <= h;
                for (int oj = 0; oj < ow; oj++) {
                    int j0 = oj * sw - pw;
                    int at = rowsInside && j0 >= 0 && j0 + kw <= w ? firstMaxInside(x, xo + i0 * w + j0, w, kh, kw)
                            : -1;
                    if (at < 0) {
                        at = (int) windowMax(x, xo, h, w, i0, j0, kh, kw, true);
                    }
                    out[o++] = at >= 0 ? t[at] : 0;
                }
            }
        }
    }

    /**
     * The position of the first maximum of a window lying wholly inside its plane, from {@code at} in rows of
     * {@code w}; -1 when the window holds a NaN (the caller takes the general path). Values are compared as
     * order-preserving integer keys (-0 taken as +0, as {@code >} does), which HotSpot selects with conditional
     * moves instead of branches that data-dependent comparisons would mispredict.
     */
    private static int firstMaxInside(double[] x, int at, int w, int kh, int kw) {
        int arg = at;
        long best = key(x[at]);
        double probe = 0d;
        for (int ki = 0; ki < kh; ki++) {
            int row = at + ki * w;
            for (int kj = 0; kj < kw; kj++) {
                double v = x[row + kj];
                probe += v;
                long k = key(v);
                arg = k > best ? row + kj : arg;
                best = k > best ? k : best;
            }
        }
        return probe != probe ? -1 : arg;
    }

    /** An integer that orders as the non-NaN value v does, with -0 equal to +0. */
    private static long key(double v) {
        long b = Double.doubleToRawLongBits(v + 0d);
        return b ^ ((b >> 63) & 0x7fffffffffffffffL);
    }

    /** The first maximum of one window: its value, or with {@code index} its position in x (-1 if empty). */
    private static double windowMax(double[] x, int xo, int h, int w, int i0, int j0, int kh, int kw, boolean index) {
        double best = Double.NEGATIVE_INFINITY;
        int arg = -1;
        for (int ki = 0; ki < kh; ki++) {
            int i = i0 + ki;
            if (i < 0 || i >= h) {
                continue;
            }
            for (int kj = 0; kj < kw; kj++) {
                int j = j0 + kj;
                if (j < 0 || j >= w) {
                    continue;
                }
                double v = x[xo + i * w + j];
                if (arg < 0 || (!Double.isNaN(best) && (v > best || Double.isNaN(v)))) {
                    best = v;
                    arg = xo + i * w + j;
                }
            }
        }
        return index ? arg : best;
    }

    /** Average pooling, padding counted in the divisor (PyTorch's default). */
    public static void avgpool2d(double[] x, double[] out, int planes, int h, int w, int oh, int ow, int kh, int kw,
                                 int sh, int sw, int ph, int pw) {
        double inv = 1.0 / (kh * kw);
        for (int p = 0; p < planes; p++) {
            int xo = p * h * w;
            int o = p * oh * ow;
            for (int oi = 0; oi < oh; oi++) {
                for (int oj = 0; oj < ow; oj++) {
                    double s = 0;
                    for (int ki = 0; ki < kh; ki++) {
                        int i = oi * sh - ph + ki;
                        if (i < 0 || i >= h) {
                            continue;
                        }
                        for (int kj = 0; kj < kw; kj++) {
                            int j = oj * sw - pw + kj;
                            if (j >= 0 && j < w) {
                                s += x[xo + i * w + j] * inv;
                            }
                        }
                    }
                    out[o++] = (double) s;
                }
            }
        }
    }

    /** The transpose of {@link #avgpool2d}: each output gradient spread over its window. */
    public static void avgpool2dBackward(double[] g, double[] out, int planes, int h, int w, int oh, int ow, int kh, int kw,
                                         int sh, int sw, int ph, int pw, boolean accumulate) {
        double inv = 1.0 / (kh * kw);
        if (!accumulate) {
            java.util.Arrays.fill(out, 0, planes * h * w, (double) 0);
        }
        for (int p = 0; p < planes; p++) {
            int xo = p * h * w;
            int o = p * oh * ow;
            for (int oi = 0; oi < oh; oi++) {
                for (int oj = 0; oj < ow; oj++) {
                    double v = g[o++] * inv;
                    for (int ki = 0; ki < kh; ki++) {
                        int i = oi * sh - ph + ki;
                        if (i < 0 || i >= h) {
                            continue;
                        }
                        for (int kj = 0; kj < kw; kj++) {
                            int j = oj * sw - pw + kj;
                            if (j >= 0 && j < w) {
                                out[xo + i * w + j] = (double) (out[xo + i * w + j] + v);
                            }
                        }
                    }
                }
            }
        }
    }
}
