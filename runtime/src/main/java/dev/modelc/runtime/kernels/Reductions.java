package dev.modelc.runtime.kernels;

/**
 * Reductions the generated classes call: sum, max and log-sum-exp over a shape merged at compile time into at most
 * four alternating runs ({@link #reduce}), or into more, passed as an int array the class keeps
 * ({@link #reduce(int, float[], float[], int[], boolean, boolean)}), and the first-maximum mask along one axis
 * ({@link #firstMax}) that routes the gradient of {@code max(x, dim)}. Sizes are passed as ints (or that kept array)
 * so that a call allocates nothing. Each output
 * accumulates in double in the operand's row-major order, except f32 sums over contiguous runs of at least
 * {@link #CHUNKED_RUN} elements, which add float sums of chunks in double ({@link #chunkedSums}); max propagates NaN
 * and keeps the first of equal values.
 * The rank-general {@link #reduce(int, double[], int[], boolean[])} is the same meaning for the IR evaluator and the
 * reference tensor library, which hold every value as doubles and know shapes only at run time.
 * <p>Each kernel comes in an f32 and an f64 overload with the same parameters and the same loop: Java has no
 * generics over primitive arrays, and the generated classes call the overload of their dtype directly (a shared
 * {@code double[]} path would convert every f32 operand, and a boxed or interface-typed one would stop C2 from
 * compiling them as tight loops). {@code KernelTwinsTest} holds each pair to the same results, and
 * {@code AnyRankKernelsTest} the any-rank ones.
 */
public final class Reductions {
    public static final int SUM = 0;
    public static final int MAX = 1;
    public static final int LOGSUMEXP = 2;

    private Reductions() {
    }

    // ---- float ----

    /**
     * Sum, max or log-sum-exp (op {@link #SUM}, {@link #MAX}, {@link #LOGSUMEXP}) over the reduced runs of a shape
     * merged into four alternating runs {@code d0..d3} (size-1 runs pad); {@code firstReduced} says whether
     * {@code d0} is reduced. The result is laid out as the kept runs, row-major. Each output accumulates in double
     * in the operand's row-major order (a sum over contiguous runs of at least {@link #CHUNKED_RUN} elements adds
     * float sums of chunks of them: {@link #chunkedSums}); with {@code accumulate} it is added to {@code out}.
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
        // The same elements in the same order as one run where they form one: a single reduced run, or runs that
        // follow each other (a [B, 1] column summed over B was 256 inner loops of one element each).
        if (rb == 1) {
            rb = ra;
            srb = sra;
            ra = 1;
        } else if (srb == 1 && sra == rb) {
            rb *= ra;
            ra = 1;
        }
        if (op == SUM) {
            if (srb == 1 && rb >= CHUNKED_RUN) {
                chunkedSums(x, out, ska, skb, kb, ra, sra, rb, accumulate, o0, o1);
            } else if (o1 - o0 == 1) {
                sum(x, out, base(o0, kb, ska, skb), o0, ra, sra, rb, srb, accumulate);
            } else {
                sums(x, out, ska, skb, kb, ra, sra, rb, srb, accumulate, o0, o1);
            }
            return;
        }
        int a = o0 / kb, b = o0 - a * kb;                         // kb > 0: there are outputs
        for (int o = o0; o < o1; o++) {
            int base = a * ska + b * skb;
            double m = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < ra; i++) {
                for (int j = 0; j < rb; j++) {
                    double v = x[base + i * sra + j * srb];
                    m = v > m || Double.isNaN(v) ? v : m;
                }
            }
            double r;
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
            out[o] = accumulate ? (float) (out[o] + (float) r) : (float) r;
            if (++b == kb) {
                b = 0;
                a++;
            }
        }
    }

    /** The shortest contiguous reduced run whose f32 sums go by {@link #chunkedSums}. */
    static final int CHUNKED_RUN = 64;
    /** The elements of a run summed in float before their total is added in double. */
    static final int CHUNK = 256;

    /**
     * The float sum of a chunk ({@link JavaChunkSums}), in lanes with the Vector API kernel; chosen at the first
     * chunked sum, so that the IR evaluator and the reference library, which sum in double, select no kernel.
     */
    private static final class Chunks {
        static final JavaChunkSums SUMS = Kernels.selected().chunkSums();
    }

    /**
     * The sums of {@link #reduce} whose reduced elements are contiguous runs of at least {@link #CHUNKED_RUN} (a
     * convolution's bias gradient: 576 positions of each of 64 images for each of 6 channels in the CNN), an output
     * at a time: each run in chunks of {@link #CHUNK} elements, a chunk summed in sixteen float chains
     * ({@link JavaChunkSums}; with the Vector API kernel the chains are vector lanes, the same additions in the same
     * order), and the chunks' totals added in double in the operand's order. One double chain per output spent a
     * conversion and a dependent add on every element (82 µs for the CNN's bias gradient on one core of a Zen 5
     * EPYC); eight float chains, scalar, took 42 µs; sixteen in lanes take 17 µs. A chunk's float sum is within
     * about 20 roundings of its exact sum, so each output is within about 20 float roundings of the sum of its
     * elements' magnitudes ({@code ReductionsTest}); the order depends on the shape alone, so any
     * split of the outputs ({@link Parallel}) gives the same bits.
     */
    private static void chunkedSums(float[] x, float[] out, int ska, int skb, int kb, int ra, int sra, int rb,
                                    boolean accumulate, int o0, int o1) {
        for (int o = o0; o < o1; o++) {
            int p = base(o, kb, ska, skb);
            double r = 0;
            for (int i = 0; i < ra; i++) {
                int q = p + i * sra;
                for (int c = q; c < q + rb; c += CHUNK) {
                    r += Chunks.SUMS.chunk(x, c, Math.min(c + CHUNK, q + rb));
                }
            }
            store(out, o, r, accumulate);
        }
    }

    /** Where output {@code o}'s reduced elements start: its kept coordinates {@code (o / kb, o % kb)} times strides. */
    private static int base(int o, int kb, int ska, int skb) {
        int a = o / kb;
        return a * ska + (o - a * kb) * skb;
    }

    /** The number of outputs of {@link #reduce} with these runs: the product of the kept ones. */
    static int outputs(int d0, int d1, int d2, int d3, boolean firstReduced) {
        return firstReduced ? d1 * d3 : d0 * d2;
    }

    /** The sum of {@link #reduce} for one output (from {@code p}) in one chain, in the operand's order. */
    private static void sum(float[] x, float[] out, int p, int o, int ra, int sra, int rb, int srb, boolean accumulate) {
        double r = 0;
        for (int i = 0; i < ra; i++) {
            int q = p + i * sra;
            if (srb == 1) {
                for (int j = q; j < q + rb; j++) {
                    r += x[j];
                }
            } else {
                for (int j = 0; j < rb; j++) {
                    r += x[q + j * srb];
                }
            }
        }
        store(out, o, r, accumulate);
    }

    /**
     * The sums of {@link #reduce}, eight outputs at a time: every output reads its reduced elements at the same
     * offsets from its own base, so eight independent double chains share one loop (one chain waits on each add's
     * latency; eight keep both adders busy). Each output still adds its elements in row-major order, so the results
     * are those of one output at a time, bit for bit. A last block of five to seven repeats its last output in the
     * spare chains and stores only its own; one of at most four goes to {@link #sums4}.
     */
    private static void sums(float[] x, float[] out, int ska, int skb, int kb, int ra, int sra, int rb, int srb,
                             boolean accumulate, int o0, int o1) {
        int last = o1 - 1;
        for (int o = o0; o < o1; o += 8) {
            if (o1 - o <= 4) {
                sums4(x, out, ska, skb, kb, ra, sra, rb, srb, accumulate, o, o1);
                return;
            }
            int p0 = base(o, kb, ska, skb);
            int p1 = base(Math.min(o + 1, last), kb, ska, skb);
            int p2 = base(Math.min(o + 2, last), kb, ska, skb);
            int p3 = base(Math.min(o + 3, last), kb, ska, skb);
            int p4 = base(Math.min(o + 4, last), kb, ska, skb);
            int p5 = base(Math.min(o + 5, last), kb, ska, skb);
            int p6 = base(Math.min(o + 6, last), kb, ska, skb);
            int p7 = base(Math.min(o + 7, last), kb, ska, skb);
            double r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, r6 = 0, r7 = 0;
            for (int i = 0; i < ra; i++) {
                int q = i * sra;
                if (srb == 1) {                                   // a contiguous run: checks hoisted
                    for (int j = q; j < q + rb; j++) {
                        r0 += x[p0 + j];
                        r1 += x[p1 + j];
                        r2 += x[p2 + j];
                        r3 += x[p3 + j];
                        r4 += x[p4 + j];
                        r5 += x[p5 + j];
                        r6 += x[p6 + j];
                        r7 += x[p7 + j];
                    }
                } else {
                    for (int j = 0; j < rb; j++) {
                        int e = q + j * srb;
                        r0 += x[p0 + e];
                        r1 += x[p1 + e];
                        r2 += x[p2 + e];
                        r3 += x[p3 + e];
                        r4 += x[p4 + e];
                        r5 += x[p5 + e];
                        r6 += x[p6 + e];
                        r7 += x[p7 + e];
                    }
                }
            }
            store(out, o, r0, accumulate);
            store(out, o + 1, last, r1, accumulate);
            store(out, o + 2, last, r2, accumulate);
            store(out, o + 3, last, r3, accumulate);
            store(out, o + 4, last, r4, accumulate);
            store(out, o + 5, last, r5, accumulate);
            store(out, o + 6, last, r6, accumulate);
            store(out, o + 7, last, r7, accumulate);
        }
    }

    /**
     * {@link #sums} for a block of at most four outputs, in four chains: eight chains would load and add every
     * element of the block's last output five more times (two threads that split six outputs each did the work of
     * six).
     */
    private static void sums4(float[] x, float[] out, int ska, int skb, int kb, int ra, int sra, int rb, int srb,
                              boolean accumulate, int o, int o1) {
        int last = o1 - 1;
        int p0 = base(o, kb, ska, skb);
        int p1 = base(Math.min(o + 1, last), kb, ska, skb);
        int p2 = base(Math.min(o + 2, last), kb, ska, skb);
        int p3 = base(Math.min(o + 3, last), kb, ska, skb);
        double r0 = 0, r1 = 0, r2 = 0, r3 = 0;
        for (int i = 0; i < ra; i++) {
            int q = i * sra;
            if (srb == 1) {
                for (int j = q; j < q + rb; j++) {
                    r0 += x[p0 + j];
                    r1 += x[p1 + j];
                    r2 += x[p2 + j];
                    r3 += x[p3 + j];
                }
            } else {
                for (int j = 0; j < rb; j++) {
                    int e = q + j * srb;
                    r0 += x[p0 + e];
                    r1 += x[p1 + e];
                    r2 += x[p2 + e];
                    r3 += x[p3 + e];
                }
            }
        }
        store(out, o, r0, accumulate);
        store(out, o + 1, last, r1, accumulate);
        store(out, o + 2, last, r2, accumulate);
        store(out, o + 3, last, r3, accumulate);
    }

    private static void store(float[] out, int o, int last, double r, boolean accumulate) {
        if (o <= last) {
            store(out, o, r, accumulate);
        }
    }

    private static void store(float[] out, int o, double r, boolean accumulate) {
        out[o] = accumulate ? (float) (out[o] + (float) r) : (float) r;
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

    /**
     * {@link #reduce} over any number of alternating runs, for a reduction whose dims do not merge into four:
     * {@code runs} outermost first, {@code firstReduced} whether {@code runs[0]} is reduced. The same meaning, each
     * output accumulated in double in the operand's row-major order (an f32 sum too, with no chunks), max propagating
     * NaN, log-sum-exp shifted by the max; the result laid out as the kept runs, row-major, written or with
     * {@code accumulate} added. An output's kept position is decoded from its index, its reduced runs walked by
     * recursion, so a call allocates nothing; it runs on the calling thread ({@link Parallel} does not split it).
     */
    public static void reduce(int op, float[] x, float[] out, int[] runs, boolean firstReduced, boolean accumulate) {
        int outputs = 1;
        for (int k = firstReduced ? 1 : 0; k < runs.length; k += 2) {
            outputs *= runs[k];
        }
        int first = firstReduced ? 0 : 1;                         // the first reduced run; they alternate
        for (int o = 0; o < outputs; o++) {
            int p = keptBase(o, runs, firstReduced);
            double r;
            if (op == SUM) {
                r = fold(SUM, x, runs, first, p, 0, 0);
            } else {
                double m = fold(MAX, x, runs, first, p, Double.NEGATIVE_INFINITY, 0);
                double shift = Double.isInfinite(m) ? 0 : m;
                r = op == MAX ? m : Math.log(fold(LOGSUMEXP, x, runs, first, p, 0, shift)) + shift;
            }
            store(out, o, r, accumulate);
        }
    }

    /**
     * Folds the reduced runs {@code k, k + 2, ...} from position {@code p} into {@code acc}, in row-major order:
     * {@link #SUM} adds, {@link #MAX} keeps the larger (or NaN), {@link #LOGSUMEXP} adds {@code exp(v - shift)}.
     */
    private static double fold(int op, float[] x, int[] runs, int k, int p, double acc, double shift) {
        if (k >= runs.length) {                                   // no reduced run left: one element
            return fold(op, acc, x[p], shift);
        }
        int n = runs[k];
        int stride = 1;
        for (int j = k + 1; j < runs.length; j++) {
            stride *= runs[j];
        }
        if (k + 2 < runs.length) {
            for (int i = 0; i < n; i++) {
                acc = fold(op, x, runs, k + 2, p + i * stride, acc, shift);
            }
        } else if (op == SUM) {
            for (int i = 0; i < n; i++) {
                acc += x[p + i * stride];
            }
        } else if (op == MAX) {
            for (int i = 0; i < n; i++) {
                double v = x[p + i * stride];
                acc = v > acc || Double.isNaN(v) ? v : acc;
            }
        } else {
            for (int i = 0; i < n; i++) {
                acc += Math.exp(x[p + i * stride] - shift);
            }
        }
        return acc;
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
        // The same elements in the same order as one run where they form one: a single reduced run, or runs that
        // follow each other (a [B, 1] column summed over B was 256 inner loops of one element each).
        if (rb == 1) {
            rb = ra;
            srb = sra;
            ra = 1;
        } else if (srb == 1 && sra == rb) {
            rb *= ra;
            ra = 1;
        }
        if (op == SUM) {
            if (o1 - o0 == 1) {
                sum(x, out, base(o0, kb, ska, skb), o0, ra, sra, rb, srb, accumulate);
            } else {
                sums(x, out, ska, skb, kb, ra, sra, rb, srb, accumulate, o0, o1);
            }
            return;
        }
        int a = o0 / kb, b = o0 - a * kb;                         // kb > 0: there are outputs
        for (int o = o0; o < o1; o++) {
            int base = a * ska + b * skb;
            double m = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < ra; i++) {
                for (int j = 0; j < rb; j++) {
                    double v = x[base + i * sra + j * srb];
                    m = v > m || Double.isNaN(v) ? v : m;
                }
            }
            double r;
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
            out[o] = accumulate ? (double) (out[o] + (double) r) : (double) r;
            if (++b == kb) {
                b = 0;
                a++;
            }
        }
    }

    /** The sum of {@link #reduce} for one output (from {@code p}) in one chain, in the operand's order. */
    private static void sum(double[] x, double[] out, int p, int o, int ra, int sra, int rb, int srb, boolean accumulate) {
        double r = 0;
        for (int i = 0; i < ra; i++) {
            int q = p + i * sra;
            if (srb == 1) {
                for (int j = q; j < q + rb; j++) {
                    r += x[j];
                }
            } else {
                for (int j = 0; j < rb; j++) {
                    r += x[q + j * srb];
                }
            }
        }
        store(out, o, r, accumulate);
    }

    /**
     * The sums of {@link #reduce}, eight outputs at a time: every output reads its reduced elements at the same
     * offsets from its own base, so eight independent double chains share one loop (one chain waits on each add's
     * latency; eight keep both adders busy). Each output still adds its elements in row-major order, so the results
     * are those of one output at a time, bit for bit. A last block of five to seven repeats its last output in the
     * spare chains and stores only its own; one of at most four goes to {@link #sums4}.
     */
    private static void sums(double[] x, double[] out, int ska, int skb, int kb, int ra, int sra, int rb, int srb,
                             boolean accumulate, int o0, int o1) {
        int last = o1 - 1;
        for (int o = o0; o < o1; o += 8) {
            if (o1 - o <= 4) {
                sums4(x, out, ska, skb, kb, ra, sra, rb, srb, accumulate, o, o1);
                return;
            }
            int p0 = base(o, kb, ska, skb);
            int p1 = base(Math.min(o + 1, last), kb, ska, skb);
            int p2 = base(Math.min(o + 2, last), kb, ska, skb);
            int p3 = base(Math.min(o + 3, last), kb, ska, skb);
            int p4 = base(Math.min(o + 4, last), kb, ska, skb);
            int p5 = base(Math.min(o + 5, last), kb, ska, skb);
            int p6 = base(Math.min(o + 6, last), kb, ska, skb);
            int p7 = base(Math.min(o + 7, last), kb, ska, skb);
            double r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, r6 = 0, r7 = 0;
            for (int i = 0; i < ra; i++) {
                int q = i * sra;
                if (srb == 1) {                                   // a contiguous run: checks hoisted
                    for (int j = q; j < q + rb; j++) {
                        r0 += x[p0 + j];
                        r1 += x[p1 + j];
                        r2 += x[p2 + j];
                        r3 += x[p3 + j];
                        r4 += x[p4 + j];
                        r5 += x[p5 + j];
                        r6 += x[p6 + j];
                        r7 += x[p7 + j];
                    }
                } else {
                    for (int j = 0; j < rb; j++) {
                        int e = q + j * srb;
                        r0 += x[p0 + e];
                        r1 += x[p1 + e];
                        r2 += x[p2 + e];
                        r3 += x[p3 + e];
                        r4 += x[p4 + e];
                        r5 += x[p5 + e];
                        r6 += x[p6 + e];
                        r7 += x[p7 + e];
                    }
                }
            }
            store(out, o, r0, accumulate);
            store(out, o + 1, last, r1, accumulate);
            store(out, o + 2, last, r2, accumulate);
            store(out, o + 3, last, r3, accumulate);
            store(out, o + 4, last, r4, accumulate);
            store(out, o + 5, last, r5, accumulate);
            store(out, o + 6, last, r6, accumulate);
            store(out, o + 7, last, r7, accumulate);
        }
    }

    /**
     * {@link #sums} for a block of at most four outputs, in four chains: eight chains would load and add every
     * element of the block's last output five more times (two threads that split six outputs each did the work of
     * six).
     */
    private static void sums4(double[] x, double[] out, int ska, int skb, int kb, int ra, int sra, int rb, int srb,
                              boolean accumulate, int o, int o1) {
        int last = o1 - 1;
        int p0 = base(o, kb, ska, skb);
        int p1 = base(Math.min(o + 1, last), kb, ska, skb);
        int p2 = base(Math.min(o + 2, last), kb, ska, skb);
        int p3 = base(Math.min(o + 3, last), kb, ska, skb);
        double r0 = 0, r1 = 0, r2 = 0, r3 = 0;
        for (int i = 0; i < ra; i++) {
            int q = i * sra;
            if (srb == 1) {
                for (int j = q; j < q + rb; j++) {
                    r0 += x[p0 + j];
                    r1 += x[p1 + j];
                    r2 += x[p2 + j];
                    r3 += x[p3 + j];
                }
            } else {
                for (int j = 0; j < rb; j++) {
                    int e = q + j * srb;
                    r0 += x[p0 + e];
                    r1 += x[p1 + e];
                    r2 += x[p2 + e];
                    r3 += x[p3 + e];
                }
            }
        }
        store(out, o, r0, accumulate);
        store(out, o + 1, last, r1, accumulate);
        store(out, o + 2, last, r2, accumulate);
        store(out, o + 3, last, r3, accumulate);
    }

    private static void store(double[] out, int o, int last, double r, boolean accumulate) {
        if (o <= last) {
            store(out, o, r, accumulate);
        }
    }

    private static void store(double[] out, int o, double r, boolean accumulate) {
        out[o] = accumulate ? (out[o] + r) : r;
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

    /** f64 {@link #reduce(int, float[], float[], int[], boolean, boolean)}. */
    public static void reduce(int op, double[] x, double[] out, int[] runs, boolean firstReduced, boolean accumulate) {
        int outputs = 1;
        for (int k = firstReduced ? 1 : 0; k < runs.length; k += 2) {
            outputs *= runs[k];
        }
        int first = firstReduced ? 0 : 1;                         // the first reduced run; they alternate
        for (int o = 0; o < outputs; o++) {
            int p = keptBase(o, runs, firstReduced);
            double r;
            if (op == SUM) {
                r = fold(SUM, x, runs, first, p, 0, 0);
            } else {
                double m = fold(MAX, x, runs, first, p, Double.NEGATIVE_INFINITY, 0);
                double shift = Double.isInfinite(m) ? 0 : m;
                r = op == MAX ? m : Math.log(fold(LOGSUMEXP, x, runs, first, p, 0, shift)) + shift;
            }
            store(out, o, r, accumulate);
        }
    }

    /** f64 {@code fold}. */
    private static double fold(int op, double[] x, int[] runs, int k, int p, double acc, double shift) {
        if (k >= runs.length) {                                   // no reduced run left: one element
            return fold(op, acc, x[p], shift);
        }
        int n = runs[k];
        int stride = 1;
        for (int j = k + 1; j < runs.length; j++) {
            stride *= runs[j];
        }
        if (k + 2 < runs.length) {
            for (int i = 0; i < n; i++) {
                acc = fold(op, x, runs, k + 2, p + i * stride, acc, shift);
            }
        } else if (op == SUM) {
            for (int i = 0; i < n; i++) {
                acc += x[p + i * stride];
            }
        } else if (op == MAX) {
            for (int i = 0; i < n; i++) {
                double v = x[p + i * stride];
                acc = v > acc || Double.isNaN(v) ? v : acc;
            }
        } else {
            for (int i = 0; i < n; i++) {
                acc += Math.exp(x[p + i * stride] - shift);
            }
        }
        return acc;
    }

    // ---- any number of runs, shared ----

    /** One element {@code v} folded into {@code acc} as {@code fold} does. */
    private static double fold(int op, double acc, double v, double shift) {
        return op == SUM ? acc + v : op == MAX ? (v > acc || Double.isNaN(v) ? v : acc) : acc + Math.exp(v - shift);
    }

    /**
     * Where output {@code o} of a reduction over alternating {@code runs} starts in the operand: its coordinates in
     * the kept runs (row-major, {@code o} decoded from the last run outward) times the operand's strides.
     */
    private static int keptBase(int o, int[] runs, boolean firstReduced) {
        int p = 0;
        int stride = 1;
        for (int k = runs.length - 1; k >= 0; k--) {
            boolean reduced = (k % 2 == 0) == firstReduced;
            if (!reduced) {
                p += o % runs[k] * stride;
                o /= runs[k];
            }
            stride *= runs[k];
        }
        return p;
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
