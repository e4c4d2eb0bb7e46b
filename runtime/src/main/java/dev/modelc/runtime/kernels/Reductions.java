package dev.modelc.runtime.kernels;

/**
 * Reductions the generated classes call: sum, max and log-sum-exp over a shape merged at compile time into at most
 * four alternating runs ({@link #reduce}), and the first-maximum mask along one axis ({@link #firstMax}) that routes
 * the gradient of {@code max(x, dim)}. Sizes are passed as ints so that a call allocates nothing. Each output
 * accumulates in double in the operand's row-major order; max propagates NaN and keeps the first of equal values.
 * The rank-general {@link #reduce(int, double[], int[], boolean[])} is the same meaning for the IR evaluator and the
 * reference tensor library, which hold every value as doubles and know shapes only at run time.
 * <p>Each kernel comes in an f32 and an f64 overload with the same parameters and the same loop: Java has no
 * generics over primitive arrays, and the generated classes call the overload of their dtype directly (a shared
 * {@code double[]} path would convert every f32 operand, and a boxed or interface-typed one would stop C2 from
 * compiling them as tight loops). {@code KernelTwinsTest} holds each pair to the same results.
 */
public final class Reductions {
    public static final int SUM = 0;
    public static final int MAX = 1;
    public static final int LOGSUMEXP = 2;

    /** How many neighbouring outputs a sum over strided runs computes at once ({@code sumColumns}). */
    private static final int COLUMNS = 8;

    private Reductions() {
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
        reduce(op, x, out, d0, d1, d2, d3, firstReduced, accumulate, 0, outputs(d0, d1, d2, d3, firstReduced));
    }

    /** {@link #reduce} for the outputs {@code o0 <= o < o1} only, each summed exactly as there (for {@link Parallel}). */
    static void reduce(int op, float[] x, float[] out, int d0, int d1, int d2, int d3, boolean firstReduced,
                       boolean accumulate, int o0, int o1) {
        int s3 = 1, s2 = d3, s1 = d2 * d3, s0 = d1 * d2 * d3;
        int kb, ska, skb, ra, rb, sra, srb;
        if (firstReduced) {
            ra = d0; sra = s0; ska = s1; rb = d2; srb = s2; kb = d3; skb = s3;
        } else {
            ska = s0; ra = d1; sra = s1; kb = d2; skb = s2; rb = d3; srb = s3;
        }
        if (o1 <= o0) {
            return;
        }
        int a = o0 / kb, b = o0 - a * kb;                         // kb > 0: there are outputs
        // Neighbouring outputs read neighbouring elements: several are summed at once.
        boolean columns = op == SUM && rb == 1 && (kb == 1 ? ska == 1 : skb == 1);
        for (int o = o0; o < o1; o++) {
            int base = a * ska + b * skb;
            if (columns && o + COLUMNS <= o1 && (kb == 1 || b + COLUMNS <= kb)) {
                sumColumns(x, base, ra, sra, out, o, accumulate);
                o += COLUMNS - 1;
                if (kb == 1) {
                    a += COLUMNS;
                } else if ((b += COLUMNS) == kb) {
                    b = 0;
                    a++;
                }
                continue;
            }
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
            put(out, o, r, accumulate);
            if (++b == kb) {
                b = 0;
                a++;
            }
        }
    }

    /**
     * {@link #COLUMNS} neighbouring sums of {@link #reduce} at once, outputs {@code o..o+COLUMNS-1} over the
     * elements {@code base + i * stride + c}, {@code i < n}: independent double sums, each added in the same order
     * as alone (a bias gradient, the sum over a batch's rows, ran as one dependent chain of adds per output).
     */
    private static void sumColumns(float[] x, int base, int n, int stride, float[] out, int o, boolean accumulate) {
        double r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, r6 = 0, r7 = 0;
        for (int i = 0; i < n; i++) {
            int at = base + i * stride;
            r0 += x[at];
            r1 += x[at + 1];
            r2 += x[at + 2];
            r3 += x[at + 3];
            r4 += x[at + 4];
            r5 += x[at + 5];
            r6 += x[at + 6];
            r7 += x[at + 7];
        }
        put(out, o, r0, accumulate);
        put(out, o + 1, r1, accumulate);
        put(out, o + 2, r2, accumulate);
        put(out, o + 3, r3, accumulate);
        put(out, o + 4, r4, accumulate);
        put(out, o + 5, r5, accumulate);
        put(out, o + 6, r6, accumulate);
        put(out, o + 7, r7, accumulate);
    }

    private static void put(float[] out, int o, double r, boolean accumulate) {
        out[o] = accumulate ? (float) (out[o] + (float) r) : (float) r;
    }

    /** The number of outputs of {@link #reduce} with these runs: the product of the kept ones. */
    static int outputs(int d0, int d1, int d2, int d3, boolean firstReduced) {
        return firstReduced ? d1 * d3 : d0 * d2;
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

    // ---- double ----

    /**
     * Sum, max or log-sum-exp (op {@link #SUM}, {@link #MAX}, {@link #LOGSUMEXP}) over the reduced runs of a shape
     * merged into four alternating runs {@code d0..d3} (size-1 runs pad); {@code firstReduced} says whether
     * {@code d0} is reduced. The result is laid out as the kept runs, row-major. Each output accumulates in double
     * in the operand's row-major order; with {@code accumulate} it is added to {@code out}.
     */
    public static void reduce(int op, double[] x, double[] out, int d0, int d1, int d2, int d3, boolean firstReduced,
                              boolean accumulate) {
        reduce(op, x, out, d0, d1, d2, d3, firstReduced, accumulate, 0, outputs(d0, d1, d2, d3, firstReduced));
    }

    /** {@link #reduce} for the outputs {@code o0 <= o < o1} only, each summed exactly as there (for {@link Parallel}). */
    static void reduce(int op, double[] x, double[] out, int d0, int d1, int d2, int d3, boolean firstReduced,
                       boolean accumulate, int o0, int o1) {
        int s3 = 1, s2 = d3, s1 = d2 * d3, s0 = d1 * d2 * d3;
        int kb, ska, skb, ra, rb, sra, srb;
        if (firstReduced) {
            ra = d0; sra = s0; ska = s1; rb = d2; srb = s2; kb = d3; skb = s3;
        } else {
            ska = s0; ra = d1; sra = s1; kb = d2; skb = s2; rb = d3; srb = s3;
        }
        if (o1 <= o0) {
            return;
        }
        int a = o0 / kb, b = o0 - a * kb;                         // kb > 0: there are outputs
        // Neighbouring outputs read neighbouring elements: several are summed at once.
        boolean columns = op == SUM && rb == 1 && (kb == 1 ? ska == 1 : skb == 1);
        for (int o = o0; o < o1; o++) {
            int base = a * ska + b * skb;
            if (columns && o + COLUMNS <= o1 && (kb == 1 || b + COLUMNS <= kb)) {
                sumColumns(x, base, ra, sra, out, o, accumulate);
                o += COLUMNS - 1;
                if (kb == 1) {
                    a += COLUMNS;
                } else if ((b += COLUMNS) == kb) {
                    b = 0;
                    a++;
                }
                continue;
            }
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
            put(out, o, r, accumulate);
            if (++b == kb) {
                b = 0;
                a++;
            }
        }
    }

    /**
     * {@link #COLUMNS} neighbouring sums of {@link #reduce} at once, outputs {@code o..o+COLUMNS-1} over the
     * elements {@code base + i * stride + c}, {@code i < n}: independent double sums, each added in the same order
     * as alone (a bias gradient, the sum over a batch's rows, ran as one dependent chain of adds per output).
     */
    private static void sumColumns(double[] x, int base, int n, int stride, double[] out, int o, boolean accumulate) {
        double r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, r6 = 0, r7 = 0;
        for (int i = 0; i < n; i++) {
            int at = base + i * stride;
            r0 += x[at];
            r1 += x[at + 1];
            r2 += x[at + 2];
            r3 += x[at + 3];
            r4 += x[at + 4];
            r5 += x[at + 5];
            r6 += x[at + 6];
            r7 += x[at + 7];
        }
        put(out, o, r0, accumulate);
        put(out, o + 1, r1, accumulate);
        put(out, o + 2, r2, accumulate);
        put(out, o + 3, r3, accumulate);
        put(out, o + 4, r4, accumulate);
        put(out, o + 5, r5, accumulate);
        put(out, o + 6, r6, accumulate);
        put(out, o + 7, r7, accumulate);
    }

    private static void put(double[] out, int o, double r, boolean accumulate) {
        out[o] = accumulate ? (double) (out[o] + (double) r) : (double) r;
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

    // ---- any rank, double ----

    /**
     * Sum, max or log-sum-exp of {@code x} (of {@code shape}) over the dimensions marked in {@code reduced}, laid out
     * as the keepdim shape; the same meaning as {@link #reduce(int, double[], double[], int, int, int, int, boolean,
     * boolean)}: each output accumulates in the operand's row-major order, max keeps the first of equal values and
     * propagates NaN, log-sum-exp subtracts the maximum (0 in place of an infinite one). An empty reduction gives 0
     * for a sum and negative infinity otherwise.
     */
    public static double[] reduce(int op, double[] x, int[] shape, boolean[] reduced) {
        int rank = shape.length;
        int[] step = new int[rank];
        int kept = 1;
        for (int d = rank - 1; d >= 0; d--) {
            step[d] = reduced[d] ? 0 : kept;
            kept *= reduced[d] ? 1 : shape[d];
        }
        double[] max = new double[kept];
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        double[] acc = new double[kept];
        int[] counter = new int[rank];
        int o = 0;
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            if (op == SUM) {
                acc[o] += v;
            } else {
                max[o] = v > max[o] || Double.isNaN(v) ? v : max[o];
            }
            o = advance(counter, shape, step, o);
        }
        if (op == SUM) {
            return acc;
        }
        if (op == MAX || x.length == 0) {
            return max;
        }
        java.util.Arrays.fill(counter, 0);
        o = 0;
        for (int i = 0; i < x.length; i++) {
            double m = Double.isInfinite(max[o]) ? 0 : max[o];
            acc[o] += Math.exp(x[i] - m);
            o = advance(counter, shape, step, o);
        }
        for (int k = 0; k < kept; k++) {
            acc[k] = Math.log(acc[k]) + (Double.isInfinite(max[k]) ? 0 : max[k]);
        }
        return acc;
    }

    /** Steps the row-major {@code counter} over {@code shape}; returns the output position {@code o} moved along. */
    private static int advance(int[] counter, int[] shape, int[] step, int o) {
        for (int d = shape.length - 1; d >= 0; d--) {
            counter[d]++;
            o += step[d];
            if (counter[d] < shape[d]) {
                return o;
            }
            o -= step[d] * counter[d];
            counter[d] = 0;
        }
        return o;
    }
}
