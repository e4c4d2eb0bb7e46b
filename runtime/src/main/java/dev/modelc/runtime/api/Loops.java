package dev.modelc.runtime.api;

/**
 * The loops generated classes call for what is not an elementwise chain (those are emitted inline as fused
 * loops): reductions, broadcasts and permutes over shapes merged at compile time into at most four runs, log-softmax,
 * one-hot labels and pooling, each in an f32 and an f64 overload with the same parameters. Sizes are passed as
 * ints so that a call allocates nothing. The meaning of each matches the compiler's reference evaluator
 * (window ops: each output's first maximum, padding counted in averages), and reductions accumulate in double.
 */
public final class Loops {
    public static final int SUM = 0;
    public static final int MAX = 1;
    public static final int LOGSUMEXP = 2;

    private Loops() {
    }

    private static int stride(int axis, int d1, int d2, int d3) {
        return switch (axis) {
            case 0 -> d1 * d2 * d3;
            case 1 -> d2 * d3;
            case 2 -> d3;
            default -> 1;
        };
    }

    private static int dim(int axis, int d0, int d1, int d2, int d3) {
        return switch (axis) {
            case 0 -> d0;
            case 1 -> d1;
            case 2 -> d2;
            default -> d3;
        };
    }

    // ---- float ----

    /**
     * Sum, max or log-sum-exp (op {@link #SUM}, {@link #MAX}, {@link #LOGSUMEXP}) over the reduced runs of a shape
     * merged into four alternating runs {@code d0..d3} (size-1 runs pad); {@code firstReduced} says whether
     * {@code d0} is reduced. The result is laid out as the kept runs, row-major. Each output accumulates in double
     * in the operand's row-major order; with {@code accumulate} it is added to {@code out}.
     */
    public static void reduce(int op, float[] x, float[] out, int d0, int d1, int d2, int d3, boolean firstReduced,
                              boolean accumulate) {
        int s3 = 1, s2 = d3, s1 = d2 * d3, s0 = d1 * d2 * d3;
        int ka, kb, ska, skb, ra, rb, sra, srb;
        if (firstReduced) {
            ra = d0; sra = s0; ka = d1; ska = s1; rb = d2; srb = s2; kb = d3; skb = s3;
        } else {
            ka = d0; ska = s0; ra = d1; sra = s1; kb = d2; skb = s2; rb = d3; srb = s3;
        }
        int o = 0;
        for (int a = 0; a < ka; a++) {
            for (int b = 0; b < kb; b++) {
                int base = a * ska + b * skb;
                double r;
                if (op == SUM) {
                    r = 0;
                    for (int i = 0; i < ra; i++) {
                        for (int j = 0; j < rb; j++) {
                            r += x[base + i * sra + j * srb];
                        }
                    }
                } else {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < ra; i++) {
                        for (int j = 0; j < rb; j++) {
                            double v = x[base + i * sra + j * srb];
                            m = v > m || Double.isNaN(v) ? v : m;
                        }
                    }
                    if (op == MAX) {
                        r = m;
                    } else {
                        double shift = Double.isInfinite(m) ? 0 : m;
                        double s = 0;
                        for (int i = 0; i < ra; i++) {
                            for (int j = 0; j < rb; j++) {
                                s += Math.exp(x[base + i * sra + j * srb] - shift);
                            }
                        }
                        r = Math.log(s) + shift;
                    }
                }
                out[o] = accumulate ? (float) (out[o] + (float) r) : (float) r;
                o++;
            }
        }
    }

    /**
     * Broadcast: {@code out} has four alternating runs {@code d0..d3}, repeated runs ({@code firstRepeated} says
     * whether {@code d0} is one) take the same element of {@code x}, whose shape is the copied runs.
     */
    public static void broadcast(float[] x, float[] out, int d0, int d1, int d2, int d3, boolean firstRepeated,
                                 boolean accumulate) {
        // Only copied runs advance x: d1 and d3 when d0 is repeated, else d0 and d2.
        int sx0, sx1, sx2, sx3;
        if (firstRepeated) {
            sx3 = 1; sx2 = 0; sx1 = d3; sx0 = 0;
        } else {
            sx3 = 0; sx2 = 1; sx1 = 0; sx0 = d2;
        }
        int o = 0;
        for (int a = 0; a < d0; a++) {
            for (int b = 0; b < d1; b++) {
                for (int c = 0; c < d2; c++) {
                    int base = a * sx0 + b * sx1 + c * sx2;
                    if (accumulate) {
                        for (int e = 0; e < d3; e++) {
                            out[o + e] += x[base + e * sx3];
                        }
                    } else {
                        for (int e = 0; e < d3; e++) {
                            out[o + e] = x[base + e * sx3];
                        }
                    }
                    o += d3;
                }
            }
        }
    }

    /** Permute of a rank-4 tensor {@code x[d0, d1, d2, d3]}: out dim i is x dim {@code p_i}. */
    public static void permute(float[] x, float[] out, int d0, int d1, int d2, int d3, int p0, int p1, int p2, int p3,
                               boolean accumulate) {
        int st0 = stride(p0, d1, d2, d3), st1 = stride(p1, d1, d2, d3), st2 = stride(p2, d1, d2, d3),
                st3 = stride(p3, d1, d2, d3);
        int e0 = dim(p0, d0, d1, d2, d3), e1 = dim(p1, d0, d1, d2, d3), e2 = dim(p2, d0, d1, d2, d3),
                e3 = dim(p3, d0, d1, d2, d3);
        int o = 0;
        for (int a = 0; a < e0; a++) {
            for (int b = 0; b < e1; b++) {
                for (int c = 0; c < e2; c++) {
                    int base = a * st0 + b * st1 + c * st2;
                    for (int e = 0; e < e3; e++) {
                        float v = x[base + e * st3];
                        out[o] = accumulate ? (float) (out[o] + v) : v;
                        o++;
                    }
                }
            }
        }
    }

    /** 1 at the first maximal element (the first NaN, if any) along the middle of {@code [outer, n, inner]}. */
    public static void firstMax(float[] x, float[] out, int outer, int n, int inner) {
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                int base = a * n * inner + b;
                int best = 0;
                for (int i = 0; i < n; i++) {
                    float c = x[base + i * inner];
                    float m = x[base + best * inner];
                    if (c > m || (c != c && m == m)) {
                        best = i;
                    }
                    out[base + i * inner] = 0;
                }
                if (n > 0) {
                    out[base + best * inner] = 1;
                }
            }
        }
    }

    /** log_softmax over the middle of {@code [outer, n, inner]}, in double, rounded once. */
    public static void logSoftmax(float[] x, float[] out, int outer, int n, int inner) {
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                int base = a * n * inner + b;
                double m = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    double v = x[base + i * inner];
                    m = v > m || Double.isNaN(v) ? v : m;
                }
                double shift = Double.isInfinite(m) ? 0 : m;
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += Math.exp(x[base + i * inner] - shift);
                }
                double lse = Math.log(s) + shift;
                for (int i = 0; i < n; i++) {
                    out[base + i * inner] = (float) (x[base + i * inner] - lse);
                }
            }
        }
    }

    /** {@code out[i, c] = 1} where {@code labels[i] == c}, else 0; labels out of range fail with their position. */
    public static void oneHot(int[] labels, float[] out, int n, int classes) {
        for (int i = 0; i < n; i++) {
            int t = labels[i];
            if (t < 0 || t >= classes) {
                throw new IllegalArgumentException("label " + t + " at position " + i + " is out of range [0, "
                        + classes + ")");
            }
            int row = i * classes;
            for (int c = 0; c < classes; c++) {
                out[row + c] = 0;
            }
            out[row + t] = 1;
        }
    }

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

    /** The first maximum of one window: its value, or with {@code index} its position in x (-1 if empty). */
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

    /** {@code out[i] = v} for the first n elements. */
    public static void fill(float[] out, int n, double v) {
        java.util.Arrays.fill(out, 0, n, (float) v);
    }

    /** {@code out[i] += x[i]} for the first n elements (gradient accumulation). */
    public static void accumulate(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] += x[i];
        }
    }

    // ---- double ----

    /**
     * Sum, max or log-sum-exp (op {@link #SUM}, {@link #MAX}, {@link #LOGSUMEXP}) over the reduced runs of a shape
     * merged into four alternating runs {@code d0..d3} (size-1 runs pad); {@code firstReduced} says whether
     * {@code d0} is reduced. The result is laid out as the kept runs, row-major. Each output accumulates in double
     * in the operand's row-major order; with {@code accumulate} it is added to {@code out}.
     */
    public static void reduce(int op, double[] x, double[] out, int d0, int d1, int d2, int d3, boolean firstReduced,
                              boolean accumulate) {
        int s3 = 1, s2 = d3, s1 = d2 * d3, s0 = d1 * d2 * d3;
        int ka, kb, ska, skb, ra, rb, sra, srb;
        if (firstReduced) {
            ra = d0; sra = s0; ka = d1; ska = s1; rb = d2; srb = s2; kb = d3; skb = s3;
        } else {
            ka = d0; ska = s0; ra = d1; sra = s1; kb = d2; skb = s2; rb = d3; srb = s3;
        }
        int o = 0;
        for (int a = 0; a < ka; a++) {
            for (int b = 0; b < kb; b++) {
                int base = a * ska + b * skb;
                double r;
                if (op == SUM) {
                    r = 0;
                    for (int i = 0; i < ra; i++) {
                        for (int j = 0; j < rb; j++) {
                            r += x[base + i * sra + j * srb];
                        }
                    }
                } else {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < ra; i++) {
                        for (int j = 0; j < rb; j++) {
                            double v = x[base + i * sra + j * srb];
                            m = v > m || Double.isNaN(v) ? v : m;
                        }
                    }
                    if (op == MAX) {
                        r = m;
                    } else {
                        double shift = Double.isInfinite(m) ? 0 : m;
                        double s = 0;
                        for (int i = 0; i < ra; i++) {
                            for (int j = 0; j < rb; j++) {
                                s += Math.exp(x[base + i * sra + j * srb] - shift);
                            }
                        }
                        r = Math.log(s) + shift;
                    }
                }
                out[o] = accumulate ? (double) (out[o] + (double) r) : (double) r;
                o++;
            }
        }
    }

    /**
     * Broadcast: {@code out} has four alternating runs {@code d0..d3}, repeated runs ({@code firstRepeated} says
     * whether {@code d0} is one) take the same element of {@code x}, whose shape is the copied runs.
     */
    public static void broadcast(double[] x, double[] out, int d0, int d1, int d2, int d3, boolean firstRepeated,
                                 boolean accumulate) {
        // Only copied runs advance x: d1 and d3 when d0 is repeated, else d0 and d2.
        int sx0, sx1, sx2, sx3;
        if (firstRepeated) {
            sx3 = 1; sx2 = 0; sx1 = d3; sx0 = 0;
        } else {
            sx3 = 0; sx2 = 1; sx1 = 0; sx0 = d2;
        }
        int o = 0;
        for (int a = 0; a < d0; a++) {
            for (int b = 0; b < d1; b++) {
                for (int c = 0; c < d2; c++) {
                    int base = a * sx0 + b * sx1 + c * sx2;
                    if (accumulate) {
                        for (int e = 0; e < d3; e++) {
                            out[o + e] += x[base + e * sx3];
                        }
                    } else {
                        for (int e = 0; e < d3; e++) {
                            out[o + e] = x[base + e * sx3];
                        }
                    }
                    o += d3;
                }
            }
        }
    }

    /** Permute of a rank-4 tensor {@code x[d0, d1, d2, d3]}: out dim i is x dim {@code p_i}. */
    public static void permute(double[] x, double[] out, int d0, int d1, int d2, int d3, int p0, int p1, int p2, int p3,
                               boolean accumulate) {
        int st0 = stride(p0, d1, d2, d3), st1 = stride(p1, d1, d2, d3), st2 = stride(p2, d1, d2, d3),
                st3 = stride(p3, d1, d2, d3);
        int e0 = dim(p0, d0, d1, d2, d3), e1 = dim(p1, d0, d1, d2, d3), e2 = dim(p2, d0, d1, d2, d3),
                e3 = dim(p3, d0, d1, d2, d3);
        int o = 0;
        for (int a = 0; a < e0; a++) {
            for (int b = 0; b < e1; b++) {
                for (int c = 0; c < e2; c++) {
                    int base = a * st0 + b * st1 + c * st2;
                    for (int e = 0; e < e3; e++) {
                        double v = x[base + e * st3];
                        out[o] = accumulate ? (double) (out[o] + v) : v;
                        o++;
                    }
                }
            }
        }
    }

    /** 1 at the first maximal element (the first NaN, if any) along the middle of {@code [outer, n, inner]}. */
    public static void firstMax(double[] x, double[] out, int outer, int n, int inner) {
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                int base = a * n * inner + b;
                int best = 0;
                for (int i = 0; i < n; i++) {
                    double c = x[base + i * inner];
                    double m = x[base + best * inner];
                    if (c > m || (c != c && m == m)) {
                        best = i;
                    }
                    out[base + i * inner] = 0;
                }
                if (n > 0) {
                    out[base + best * inner] = 1;
                }
            }
        }
    }

    /** log_softmax over the middle of {@code [outer, n, inner]}, in double, rounded once. */
    public static void logSoftmax(double[] x, double[] out, int outer, int n, int inner) {
        for (int a = 0; a < outer; a++) {
            for (int b = 0; b < inner; b++) {
                int base = a * n * inner + b;
                double m = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    double v = x[base + i * inner];
                    m = v > m || Double.isNaN(v) ? v : m;
                }
                double shift = Double.isInfinite(m) ? 0 : m;
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += Math.exp(x[base + i * inner] - shift);
                }
                double lse = Math.log(s) + shift;
                for (int i = 0; i < n; i++) {
                    out[base + i * inner] = (double) (x[base + i * inner] - lse);
                }
            }
        }
    }

    /** {@code out[i, c] = 1} where {@code labels[i] == c}, else 0; labels out of range fail with their position. */
    public static void oneHot(int[] labels, double[] out, int n, int classes) {
        for (int i = 0; i < n; i++) {
            int t = labels[i];
            if (t < 0 || t >= classes) {
                throw new IllegalArgumentException("label " + t + " at position " + i + " is out of range [0, "
                        + classes + ")");
            }
            int row = i * classes;
            for (int c = 0; c < classes; c++) {
                out[row + c] = 0;
            }
            out[row + t] = 1;
        }
    }

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

    /** The first maximum of one window: its value, or with {@code index} its position in x (-1 if empty). */
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

    /** {@code out[i] = v} for the first n elements. */
    public static void fill(double[] out, int n, double v) {
        java.util.Arrays.fill(out, 0, n, (double) v);
    }

    /** {@code out[i] += x[i]} for the first n elements (gradient accumulation). */
    public static void accumulate(double[] x, double[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] += x[i];
        }
    }
}
