package dev.modelc.runtime.kernels;

/**
 * 2-D max and average pooling over {@code planes} planes of {@code h x w} (NCHW with N*C planes) and their
 * transposes, as the generated classes call them, with PyTorch's rules: each max window's gradient goes to its first
 * maximum, or to its last NaN when it holds any (NaN wins, padding never does); averages count padding in the
 * divisor ({@code count_include_pad}).
 * <p>Each kernel comes in an f32 and an f64 overload with the same parameters and the same loop: Java has no
 * generics over primitive arrays, and the generated classes call the overload of their dtype directly (a shared
 * {@code double[]} path would convert every f32 operand, and a boxed or interface-typed one would stop C2 from
 * compiling them as tight loops). {@code KernelTwinsTest} holds each pair to the same results.
 */
public final class Pooling {
    private static final JavaPoolRows ROWS = Kernels.selected().poolRows();

    private Pooling() {
    }

    // ---- float ----

    /**
     * Max pooling over {@code planes} planes of {@code h x w}; each output is its window's first maximum, or its last
     * NaN (NaN wins, padding never does). An empty window gives negative infinity.
     */
    public static void maxpool2d(float[] x, float[] out, int planes, int h, int w, int oh, int ow, int kh, int kw,
                                 int sh, int sw, int ph, int pw) {
        maxpool2d(x, out, null, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
    }

    /**
     * Max pooling that also records each window's first maximum (last NaN) as a position in {@code x} (-1 for an
     * empty window) in {@code argmax} (or not, when null), for the overloads of {@link #maxpool2dBackward} and
     * {@link #maxpool2dGather} that read it instead of searching every window again. Per output row, the windows
     * lying wholly inside the plane take a fast path (2 x 2 windows of column stride 2 straight-line code, others
     * {@link #firstMaxInside}) unless they hold a NaN; the rest, and windows with a NaN, take the general search.
     */
    public static void maxpool2d(float[] x, float[] out, int[] argmax, int planes, int h, int w, int oh, int ow, int kh,
                                 int kw, int sh, int sw, int ph, int pw) {
        maxpool2dPlanes(x, out, argmax, 0, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
    }

    /** {@link #maxpool2d} over planes {@code first <= p < end} only (for {@link Parallel}). */
    static void maxpool2dPlanes(float[] x, float[] out, int[] argmax, int first, int end, int h, int w, int oh, int ow,
                                int kh, int kw, int sh, int sw, int ph, int pw) {
        maxpool2dPlanes(ROWS, x, out, argmax, first, end, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
    }

    /** {@link #maxpool2dPlanes} with the 2 x 2 row loop of {@code loops} (tests drive both). */
    static void maxpool2dPlanes(JavaPoolRows loops, float[] x, float[] out, int[] argmax, int first, int end, int h,
                                int w, int oh, int ow, int kh, int kw, int sh, int sw, int ph, int pw) {
        int from = Math.min(ow, (pw + sw - 1) / sw);                      // first column with j0 >= 0
        int to = Math.max(from, w - kw + pw < 0 ? 0 : Math.min(ow, (w - kw + pw) / sw + 1)); // j0 + kw <= w below
        boolean pairs = kh == 2 && kw == 2 && sw == 2;
        if (pairs && sh == 2 && ph == 0 && pw == 0 && h == 2 * oh) {
            // No padding, so every window lies inside its plane, and planes of even height make the planes' rows
            // one sequence: output row r reads input rows 2r and 2r + 1 of the planes stacked, so all rows go in one
            // loop (an odd width only leaves each row's last column unread, as in the loop below).
            pairs(loops, x, out, argmax, first * oh * ow, first * h * w, (end - first) * h, w, 0, 0, ow, 0,
                    (end - first) * oh, ow);
            return;
        }
        for (int p = first; p < end; p++) {
            int xo = p * h * w;
            for (int oi = 0; oi < oh; oi++) {
                int o = (p * oh + oi) * ow;
                int i0 = oi * sh - ph;
                if (i0 < 0 || i0 + kh > h) {
                    edge(x, out, argmax, o, xo, h, w, i0, 0, ow, kh, kw, sw, pw);
                    continue;
                }
                edge(x, out, argmax, o, xo, h, w, i0, 0, from, kh, kw, sw, pw);
                if (pairs) {
                    pairs(loops, x, out, argmax, o, xo, h, w, i0, from, to, pw, 1, ow);
                } else {
                    for (int oj = from; oj < to; oj++) {
                        int at = firstMaxInside(x, xo + i0 * w + oj * sw - pw, w, kh, kw);
                        if (at < 0) {
                            at = (int) windowMax(x, xo, h, w, i0, oj * sw - pw, kh, kw, true);
                        }
                        out[o + oj] = x[at];
                        if (argmax != null) {
                            argmax[o + oj] = at;
                        }
                    }
                }
                edge(x, out, argmax, o, xo, h, w, i0, to, ow, kh, kw, sw, pw);
            }
        }
    }

    /**
     * Columns {@code from <= oj < to} of {@code rows} output rows ({@code ow} apart in out; input rows {@code i0},
     * {@code i0 + 2}, ...) of 2 x 2 windows at column stride 2, all inside the plane, a row at a time by
     * {@code rows} ({@link JavaPoolRows}, or its Vector API form); rows whose probe is NaN (a NaN, or infinities of
     * both signs) are done again by the general search.
     */
    private static void pairs(JavaPoolRows loops, float[] x, float[] out, int[] argmax, int o, int xo, int h, int w,
                              int i0, int from, int to, int pw, int rows, int ow) {
        float probe = loops.rows(x, out, argmax, xo + i0 * w + from * 2 - pw, o, rows, from, to, ow, w);
        if (probe != probe) { // a NaN, or infinities of both signs, somewhere in the rows: the general search
            for (int r = 0; r < rows; r++) {
                for (int oj = from; oj < to; oj++) {
                    int at = (int) windowMax(x, xo, h, w, i0 + 2 * r, oj * 2 - pw, 2, 2, true);
                    out[o + r * ow + oj] = x[at];
                    if (argmax != null) {
                        argmax[o + r * ow + oj] = at;
                    }
                }
            }
        }
    }

    /** Columns {@code from <= oj < to} of one output row by the general search (windows over the padding). */
    private static void edge(float[] x, float[] out, int[] argmax, int o, int xo, int h, int w, int i0, int from, int to,
                             int kh, int kw, int sw, int pw) {
        for (int oj = from; oj < to; oj++) {
            int at = (int) windowMax(x, xo, h, w, i0, oj * sw - pw, kh, kw, true);
            out[o + oj] = at >= 0 ? x[at] : Float.NEGATIVE_INFINITY;
            if (argmax != null) {
                argmax[o + oj] = at;
            }
        }
    }

    /**
     * Routes each output gradient to the position {@code argmax} recorded by {@link #maxpool2d} (nothing for -1);
     * adds into {@code out} (of {@code n} values) if asked, else overwrites it. Outputs are taken in order, so
     * overlapping windows add in the same order as the searching overload.
     */
    public static void maxpool2dBackward(float[] g, int[] argmax, float[] out, int n, int count, boolean accumulate) {
        maxpool2dBackward(g, argmax, out, 0, n, 0, count, accumulate);
    }

    /**
     * {@link #maxpool2dBackward} for the outputs {@code o0 <= o < o1}, whose recorded positions all lie in
     * {@code [x0, x1)}, the part of {@code out} it overwrites or adds to (whole planes, for {@link Parallel}).
     */
    static void maxpool2dBackward(float[] g, int[] argmax, float[] out, int x0, int x1, int o0, int o1,
                                  boolean accumulate) {
        if (!accumulate) {
            java.util.Arrays.fill(out, x0, x1, (float) 0);
        }
        for (int o = o0; o < o1; o++) {
            int at = argmax[o];
            if (at >= 0) {
                out[at] += g[o];
            }
        }
    }

    /** Reads {@code t} at each position {@code argmax} recorded by {@link #maxpool2d}, 0 for -1. */
    public static void maxpool2dGather(float[] t, int[] argmax, float[] out, int count) {
        for (int o = 0; o < count; o++) {
            int at = argmax[o];
            out[o] = at >= 0 ? t[at] : 0;
        }
    }

    /**
     * Routes each output gradient to its window's first maximum (last NaN) in {@code x}; adds into {@code out} if
     * asked.
     */
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
     * Reads {@code t} (of x's shape) at each window's first maximum (last NaN) in {@code x}: the adjoint of
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
        int best = JavaPoolRows.key(x[at]);
        float probe = 0f;
        for (int ki = 0; ki < kh; ki++) {
            int row = at + ki * w;
            for (int kj = 0; kj < kw; kj++) {
                float v = x[row + kj];
                probe += v;
                int k = JavaPoolRows.key(v);
                arg = k > best ? row + kj : arg;
                best = k > best ? k : best;
            }
        }
        return probe != probe ? -1 : arg;
    }

    /**
     * The first maximum of one window, or its last NaN: its value, or with {@code index} its position in x (-1 if
     * empty). PyTorch's CPU kernel takes {@code val > maxval || isnan(val)}, so ties keep the first and each NaN
     * replaces the one before.
     */
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
                if (arg < 0 || v > best || Double.isNaN(v)) { // PyTorch's test: a later NaN takes over
                    best = v;
                    arg = xo + i * w + j;
                }
            }
        }
        return index ? arg : best;
    }

    /**
     * Average pooling, padding counted in the divisor (PyTorch's default). As PyTorch's CPU kernel: each window
     * summed in the element type, row by row, then divided by {@code kh * kw} (so a float sum that overflows is
     * infinite, and every result has PyTorch's bits).
     */
    public static void avgpool2d(float[] x, float[] out, int planes, int h, int w, int oh, int ow, int kh, int kw,
                                 int sh, int sw, int ph, int pw) {
        float divisor = kh * kw;
        for (int p = 0; p < planes; p++) {
            int xo = p * h * w;
            int o = p * oh * ow;
            for (int oi = 0; oi < oh; oi++) {
                for (int oj = 0; oj < ow; oj++) {
                    float s = 0;
                    for (int ki = 0; ki < kh; ki++) {
                        int i = oi * sh - ph + ki;
                        if (i < 0 || i >= h) {
                            continue;
                        }
                        for (int kj = 0; kj < kw; kj++) {
                            int j = oj * sw - pw + kj;
                            if (j >= 0 && j < w) {
                                s += x[xo + i * w + j];
                            }
                        }
                    }
                    out[o++] = s / divisor;
                }
            }
        }
    }

    /**
     * The transpose of {@link #avgpool2d}: each output gradient divided by {@code kh * kw} in the element type and
     * added over its window, windows in order (PyTorch's CPU kernel, bit for bit).
     */
    public static void avgpool2dBackward(float[] g, float[] out, int planes, int h, int w, int oh, int ow, int kh, int kw,
                                         int sh, int sw, int ph, int pw, boolean accumulate) {
        float divisor = kh * kw;
        if (!accumulate) {
            java.util.Arrays.fill(out, 0, planes * h * w, (float) 0);
        }
        for (int p = 0; p < planes; p++) {
            int xo = p * h * w;
            int o = p * oh * ow;
            for (int oi = 0; oi < oh; oi++) {
                for (int oj = 0; oj < ow; oj++) {
                    float v = g[o++] / divisor;
                    for (int ki = 0; ki < kh; ki++) {
                        int i = oi * sh - ph + ki;
                        if (i < 0 || i >= h) {
                            continue;
                        }
                        for (int kj = 0; kj < kw; kj++) {
                            int j = oj * sw - pw + kj;
                            if (j >= 0 && j < w) {
                                out[xo + i * w + j] += v;
                            }
                        }
                    }
                }
            }
        }
    }

    // ---- double ----

    /**
     * Max pooling over {@code planes} planes of {@code h x w}; each output is its window's first maximum, or its last
     * NaN (NaN wins, padding never does). An empty window gives negative infinity.
     */
    public static void maxpool2d(double[] x, double[] out, int planes, int h, int w, int oh, int ow, int kh, int kw,
                                 int sh, int sw, int ph, int pw) {
        maxpool2d(x, out, null, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
    }

    /**
     * Max pooling that also records each window's first maximum (last NaN) as a position in {@code x} (-1 for an
     * empty window) in {@code argmax} (or not, when null), for the overloads of {@link #maxpool2dBackward} and
     * {@link #maxpool2dGather} that read it instead of searching every window again. Per output row, the windows
     * lying wholly inside the plane take a fast path (2 x 2 windows of column stride 2 straight-line code, others
     * {@link #firstMaxInside}) unless they hold a NaN; the rest, and windows with a NaN, take the general search.
     */
    public static void maxpool2d(double[] x, double[] out, int[] argmax, int planes, int h, int w, int oh, int ow, int kh,
                                 int kw, int sh, int sw, int ph, int pw) {
        maxpool2dPlanes(x, out, argmax, 0, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
    }

    /** {@link #maxpool2d} over planes {@code first <= p < end} only (for {@link Parallel}). */
    static void maxpool2dPlanes(double[] x, double[] out, int[] argmax, int first, int end, int h, int w, int oh, int ow,
                                int kh, int kw, int sh, int sw, int ph, int pw) {
        int from = Math.min(ow, (pw + sw - 1) / sw);                      // first column with j0 >= 0
        int to = Math.max(from, w - kw + pw < 0 ? 0 : Math.min(ow, (w - kw + pw) / sw + 1)); // j0 + kw <= w below
        boolean pairs = kh == 2 && kw == 2 && sw == 2;
        if (pairs && sh == 2 && ph == 0 && pw == 0 && h == 2 * oh) {
            // No padding, so every window lies inside its plane, and planes of even height make the planes' rows
            // one sequence: output row r reads input rows 2r and 2r + 1 of the planes stacked, so all rows go in one
            // loop (an odd width only leaves each row's last column unread, as in the loop below).
            pairs(x, out, argmax, first * oh * ow, first * h * w, (end - first) * h, w, 0, 0, ow, 0, (end - first) * oh,
                    ow);
            return;
        }
        for (int p = first; p < end; p++) {
            int xo = p * h * w;
            for (int oi = 0; oi < oh; oi++) {
                int o = (p * oh + oi) * ow;
                int i0 = oi * sh - ph;
                if (i0 < 0 || i0 + kh > h) {
                    edge(x, out, argmax, o, xo, h, w, i0, 0, ow, kh, kw, sw, pw);
                    continue;
                }
                edge(x, out, argmax, o, xo, h, w, i0, 0, from, kh, kw, sw, pw);
                if (pairs) {
                    pairs(x, out, argmax, o, xo, h, w, i0, from, to, pw, 1, ow);
                } else {
                    for (int oj = from; oj < to; oj++) {
                        int at = firstMaxInside(x, xo + i0 * w + oj * sw - pw, w, kh, kw);
                        if (at < 0) {
                            at = (int) windowMax(x, xo, h, w, i0, oj * sw - pw, kh, kw, true);
                        }
                        out[o + oj] = x[at];
                        if (argmax != null) {
                            argmax[o + oj] = at;
                        }
                    }
                }
                edge(x, out, argmax, o, xo, h, w, i0, to, ow, kh, kw, sw, pw);
            }
        }
    }

    /**
     * {@link #pairs(JavaPoolRows, float[], float[], int[], int, int, int, int, int, int, int, int, int, int)} in f64:
     * the rows by {@link JavaPoolRows#plainRows(double[], double[], int[], int, int, int, int, int, int, int)}, rows
     * whose probe is NaN again by the general search.
     */
    private static void pairs(double[] x, double[] out, int[] argmax, int o, int xo, int h, int w, int i0, int from,
                              int to, int pw, int rows, int ow) {
        double probe = JavaPoolRows.plainRows(x, out, argmax, xo + i0 * w + from * 2 - pw, o, rows, from, to, ow, w);
        if (probe != probe) { // a NaN, or infinities of both signs, somewhere in the rows: the general search
            for (int r = 0; r < rows; r++) {
                for (int oj = from; oj < to; oj++) {
                    int at = (int) windowMax(x, xo, h, w, i0 + 2 * r, oj * 2 - pw, 2, 2, true);
                    out[o + r * ow + oj] = x[at];
                    if (argmax != null) {
                        argmax[o + r * ow + oj] = at;
                    }
                }
            }
        }
    }

    /** Columns {@code from <= oj < to} of one output row by the general search (windows over the padding). */
    private static void edge(double[] x, double[] out, int[] argmax, int o, int xo, int h, int w, int i0, int from, int to,
                             int kh, int kw, int sw, int pw) {
        for (int oj = from; oj < to; oj++) {
            int at = (int) windowMax(x, xo, h, w, i0, oj * sw - pw, kh, kw, true);
            out[o + oj] = at >= 0 ? x[at] : Double.NEGATIVE_INFINITY;
            if (argmax != null) {
                argmax[o + oj] = at;
            }
        }
    }

    /**
     * Routes each output gradient to the position {@code argmax} recorded by {@link #maxpool2d} (nothing for -1);
     * adds into {@code out} (of {@code n} values) if asked, else overwrites it. Outputs are taken in order, so
     * overlapping windows add in the same order as the searching overload.
     */
    public static void maxpool2dBackward(double[] g, int[] argmax, double[] out, int n, int count, boolean accumulate) {
        maxpool2dBackward(g, argmax, out, 0, n, 0, count, accumulate);
    }

    /**
     * {@link #maxpool2dBackward} for the outputs {@code o0 <= o < o1}, whose recorded positions all lie in
     * {@code [x0, x1)}, the part of {@code out} it overwrites or adds to (whole planes, for {@link Parallel}).
     */
    static void maxpool2dBackward(double[] g, int[] argmax, double[] out, int x0, int x1, int o0, int o1,
                                  boolean accumulate) {
        if (!accumulate) {
            java.util.Arrays.fill(out, x0, x1, (double) 0);
        }
        for (int o = o0; o < o1; o++) {
            int at = argmax[o];
            if (at >= 0) {
                out[at] += g[o];
            }
        }
    }

    /** Reads {@code t} at each position {@code argmax} recorded by {@link #maxpool2d}, 0 for -1. */
    public static void maxpool2dGather(double[] t, int[] argmax, double[] out, int count) {
        for (int o = 0; o < count; o++) {
            int at = argmax[o];
            out[o] = at >= 0 ? t[at] : 0;
        }
    }

    /**
     * Routes each output gradient to its window's first maximum (last NaN) in {@code x}; adds into {@code out} if
     * asked.
     */
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
     * Reads {@code t} (of x's shape) at each window's first maximum (last NaN) in {@code x}: the adjoint of
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
        long best = JavaPoolRows.key(x[at]);
        double probe = 0d;
        for (int ki = 0; ki < kh; ki++) {
            int row = at + ki * w;
            for (int kj = 0; kj < kw; kj++) {
                double v = x[row + kj];
                probe += v;
                long k = JavaPoolRows.key(v);
                arg = k > best ? row + kj : arg;
                best = k > best ? k : best;
            }
        }
        return probe != probe ? -1 : arg;
    }

    /**
     * The first maximum of one window, or its last NaN: its value, or with {@code index} its position in x (-1 if
     * empty). PyTorch's CPU kernel takes {@code val > maxval || isnan(val)}, so ties keep the first and each NaN
     * replaces the one before.
     */
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
                if (arg < 0 || v > best || Double.isNaN(v)) { // PyTorch's test: a later NaN takes over
                    best = v;
                    arg = xo + i * w + j;
                }
            }
        }
        return index ? arg : best;
    }

    /**
     * Average pooling, padding counted in the divisor (PyTorch's default). As PyTorch's CPU kernel: each window
     * summed in the element type, row by row, then divided by {@code kh * kw} (so a float sum that overflows is
     * infinite, and every result has PyTorch's bits).
     */
    public static void avgpool2d(double[] x, double[] out, int planes, int h, int w, int oh, int ow, int kh, int kw,
                                 int sh, int sw, int ph, int pw) {
        double divisor = kh * kw;
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
                                s += x[xo + i * w + j];
                            }
                        }
                    }
                    out[o++] = s / divisor;
                }
            }
        }
    }

    /**
     * The transpose of {@link #avgpool2d}: each output gradient divided by {@code kh * kw} in the element type and
     * added over its window, windows in order (PyTorch's CPU kernel, bit for bit).
     */
    public static void avgpool2dBackward(double[] g, double[] out, int planes, int h, int w, int oh, int ow, int kh, int kw,
                                         int sh, int sw, int ph, int pw, boolean accumulate) {
        double divisor = kh * kw;
        if (!accumulate) {
            java.util.Arrays.fill(out, 0, planes * h * w, (double) 0);
        }
        for (int p = 0; p < planes; p++) {
            int xo = p * h * w;
            int o = p * oh * ow;
            for (int oi = 0; oi < oh; oi++) {
                for (int oj = 0; oj < ow; oj++) {
                    double v = g[o++] / divisor;
                    for (int ki = 0; ki < kh; ki++) {
                        int i = oi * sh - ph + ki;
                        if (i < 0 || i >= h) {
                            continue;
                        }
                        for (int kj = 0; kj < kw; kj++) {
                            int j = oj * sw - pw + kj;
                            if (j >= 0 && j < w) {
                                out[xo + i * w + j] += v;
                            }
                        }
                    }
                }
            }
        }
    }
}
