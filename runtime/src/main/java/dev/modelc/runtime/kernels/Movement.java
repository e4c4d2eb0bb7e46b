package dev.modelc.runtime.kernels;

/**
 * Movement kernels the generated classes call: broadcast, permute, slice and its transpose over shapes merged at
 * compile time into at most four runs, copying or, with {@code accumulate}, adding into {@code out}; a shape that
 * does not fit four goes to the any-rank walk ({@link #strided(float[], float[], int[], boolean)} and its transpose
 * {@link #placeStrided(float[], float[], int[], boolean)}), whose sizes and strides the class keeps in an int array
 * of its own. Sizes are passed as ints (or that kept array) so that a call allocates nothing. The rank-general forms
 * at the end ({@link #broadcast(double[], int[], int[])},
 * {@link #permute(double[], int[], int[])}) are the same meanings for the IR evaluator and the reference tensor
 * library, which hold every value as doubles and know shapes only at run time.
 * <p>Each kernel comes in an f32 and an f64 overload with the same parameters and the same loop: Java has no
 * generics over primitive arrays, and the generated classes call the overload of their dtype directly (a shared
 * {@code double[]} path would convert every f32 operand, and a boxed or interface-typed one would stop C2 from
 * compiling them as tight loops). {@code KernelTwinsTest} holds each pair to the same results, and
 * {@code AnyRankKernelsTest} the any-rank ones.
 */
public final class Movement {
    /** The shortest contiguous run a broadcast or permute copies with {@code System.arraycopy} (shorter: a loop). */
    static final int COPY_RUN = 8;

    private Movement() {
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
     * Broadcast: {@code out} has four alternating runs {@code d0..d3}, repeated runs ({@code firstRepeated} says
     * whether {@code d0} is one) take the same element of {@code x}, whose shape is the copied runs.
     */
    public static void broadcast(float[] x, float[] out, int d0, int d1, int d2, int d3, boolean firstRepeated,
                                 boolean accumulate) {
        if (d3 == 1 && d0 != 1) {
            // A last run of one (a channel's value over an image's pixels): the same runs one place later, so that
            // the innermost loop runs over d2 instead of the inner loops running once per element.
            broadcast(x, out, 1, d0, d1, d2, !firstRepeated, accumulate);
            return;
        }
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
                    if (sx3 == 0) {
                        fill(out, o, d3, x[base], accumulate);
                    } else {
                        run(x, base, out, o, d3, accumulate);
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
                    if (st3 == 1) {
                        run(x, base, out, o, e3, accumulate);
                        o += e3;
                        continue;
                    }
                    for (int e = 0; e < e3; e++) {
                        float v = x[base + e * st3];
                        out[o] = accumulate ? (float) (out[o] + v) : v;
                        o++;
                    }
                }
            }
        }
    }

    /** {@code out[o, o + n) (+)= v}: a broadcast's repeated last run. */
    private static void fill(float[] out, int o, int n, float v, boolean accumulate) {
        if (accumulate) {
            for (int e = 0; e < n; e++) {
                out[o + e] += v;
            }
        } else {
            java.util.Arrays.fill(out, o, o + n, v);
        }
    }

    /**
     * {@code out[o, o + n) (+)= x[from, from + n)}: a broadcast's copied last run, and a permute's runs when its last
     * dim stays last (an attention's {@code [B, T, heads, hd] -> [B, heads, T, hd]}), by {@code System.arraycopy}
     * from {@link #COPY_RUN} elements on, else in loops of unit stride, which C2 vectorizes: a permute's strided
     * element loop took 0.6-1 ns an element for runs of 32, the copy 0.3 (one Zen 5 core, JDK 17).
     */
    private static void run(float[] x, int from, float[] out, int o, int n, boolean accumulate) {
        if (accumulate) {
            for (int e = 0; e < n; e++) {
                out[o + e] += x[from + e];
            }
        } else if (n >= COPY_RUN) {
            System.arraycopy(x, from, out, o, n);
        } else {
            for (int e = 0; e < n; e++) {
                out[o + e] = x[from + e];
            }
        }
    }


    /**
     * Slice of a rank-4 tensor {@code x[d0, d1, d2, d3]}: {@code out[a, b, c, e]} is
     * {@code x[s0 + a t0, s1 + b t1, s2 + c t2, s3 + e t3]}, {@code out} of shape {@code [e0, e1, e2, e3]}.
     */
    public static void slice(float[] x, float[] out, int d1, int d2, int d3, int s0, int s1, int s2, int s3,
                             int t0, int t1, int t2, int t3, int e0, int e1, int e2, int e3, boolean accumulate) {
        int st2 = d3, st1 = d2 * d3, st0 = d1 * d2 * d3;
        int o = 0;
        for (int a = 0; a < e0; a++) {
            for (int b = 0; b < e1; b++) {
                for (int c = 0; c < e2; c++) {
                    int base = (s0 + a * t0) * st0 + (s1 + b * t1) * st1 + (s2 + c * t2) * st2 + s3;
                    for (int e = 0; e < e3; e++) {
                        float v = x[base + e * t3];
                        out[o] = accumulate ? (float) (out[o] + v) : v;
                        o++;
                    }
                }
            }
        }
    }

    /**
     * The transpose of {@code slice}: {@code g[e0, e1, e2, e3]} written at the slice's positions of
     * {@code out[d0, d1, d2, d3]}, zeros elsewhere (or added there with {@code accumulate}, the rest left as it is).
     */
    public static void sliceBackward(float[] g, float[] out, int d1, int d2, int d3, int s0, int s1, int s2, int s3,
                                     int t0, int t1, int t2, int t3, int e0, int e1, int e2, int e3,
                                     boolean accumulate) {
        if (!accumulate) {
            java.util.Arrays.fill(out, (float) 0);
        }
        int st2 = d3, st1 = d2 * d3, st0 = d1 * d2 * d3;
        int o = 0;
        for (int a = 0; a < e0; a++) {
            for (int b = 0; b < e1; b++) {
                for (int c = 0; c < e2; c++) {
                    int base = (s0 + a * t0) * st0 + (s1 + b * t1) * st1 + (s2 + c * t2) * st2 + s3;
                    for (int e = 0; e < e3; e++) {
                        out[base + e * t3] += g[o++];
                    }
                }
            }
        }
    }

    /**
     * A broadcast, permute or slice of any rank, for the shapes whose dims do not merge into four: {@code walk} is
     * {@code {offset, size_0, ..., size_r-1, stride_0, ..., stride_r-1}}, and {@code out}, of shape {@code size}
     * (row-major), gets {@code x[offset + sum_d i_d stride_d]} at {@code (i_0, ..., i_r-1)}, or adds it with
     * {@code accumulate}. A repeated dim has stride 0, a permuted one its operand dim's stride, a sliced one its
     * step times that stride. The outer dims are counted by recursion (no counter array), the innermost is one run: a
     * copy at stride 1, a fill at stride 0, a strided loop otherwise. The generated class passes {@code walk} from a
     * field of its own, so a call allocates nothing.
     */
    public static void strided(float[] x, float[] out, int[] walk, boolean accumulate) {
        int rank = (walk.length - 1) / 2;
        if (rank == 0) {
            out[0] = accumulate ? (float) (out[0] + x[walk[0]]) : x[walk[0]];
        } else {
            strided(x, out, walk, rank, 0, walk[0], 0, accumulate);
        }
    }

    /** Dims {@code d..} of {@link #strided} from x position {@code p}, out position {@code o}; returns the next o. */
    private static int strided(float[] x, float[] out, int[] walk, int rank, int d, int p, int o,
                               boolean accumulate) {
        int n = walk[1 + d];
        int stride = walk[1 + rank + d];
        if (d < rank - 1) {
            for (int i = 0; i < n; i++) {
                o = strided(x, out, walk, rank, d + 1, p + i * stride, o, accumulate);
            }
            return o;
        }
        if (n == 0) {
            return o;
        }
        if (stride == 1) {
            run(x, p, out, o, n, accumulate);
        } else if (stride == 0) {
            fill(out, o, n, x[p], accumulate);
        } else {
            for (int e = 0; e < n; e++) {
                float v = x[p + e * stride];
                out[o + e] = accumulate ? (float) (out[o + e] + v) : v;
            }
        }
        return o + n;
    }

    /**
     * The transpose of {@link #strided} for a slice: {@code g}, of shape {@code size}, added at the walk's positions
     * of {@code out}, which is zeroed first unless {@code accumulate} (a slice's positions are distinct).
     */
    public static void placeStrided(float[] g, float[] out, int[] walk, boolean accumulate) {
        if (!accumulate) {
            java.util.Arrays.fill(out, (float) 0);
        }
        int rank = (walk.length - 1) / 2;
        if (rank == 0) {
            out[walk[0]] += g[0];
        } else {
            placeStrided(g, out, walk, rank, 0, walk[0], 0);
        }
    }

    /** Dims {@code d..} of {@link #placeStrided} from out position {@code p}, g position {@code o}. */
    private static int placeStrided(float[] g, float[] out, int[] walk, int rank, int d, int p, int o) {
        int n = walk[1 + d];
        int stride = walk[1 + rank + d];
        if (d < rank - 1) {
            for (int i = 0; i < n; i++) {
                o = placeStrided(g, out, walk, rank, d + 1, p + i * stride, o);
            }
            return o;
        }
        for (int e = 0; e < n; e++) {
            out[p + e * stride] += g[o + e];
        }
        return o + n;
    }

    // ---- double ----

    /**
     * Broadcast: {@code out} has four alternating runs {@code d0..d3}, repeated runs ({@code firstRepeated} says
     * whether {@code d0} is one) take the same element of {@code x}, whose shape is the copied runs.
     */
    public static void broadcast(double[] x, double[] out, int d0, int d1, int d2, int d3, boolean firstRepeated,
                                 boolean accumulate) {
        if (d3 == 1 && d0 != 1) {
            // A last run of one (a channel's value over an image's pixels): the same runs one place later, so that
            // the innermost loop runs over d2 instead of the inner loops running once per element.
            broadcast(x, out, 1, d0, d1, d2, !firstRepeated, accumulate);
            return;
        }
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
                    if (sx3 == 0) {
                        fill(out, o, d3, x[base], accumulate);
                    } else {
                        run(x, base, out, o, d3, accumulate);
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
                    if (st3 == 1) {
                        run(x, base, out, o, e3, accumulate);
                        o += e3;
                        continue;
                    }
                    for (int e = 0; e < e3; e++) {
                        double v = x[base + e * st3];
                        out[o] = accumulate ? (double) (out[o] + v) : v;
                        o++;
                    }
                }
            }
        }
    }

    /** {@code out[o, o + n) (+)= v}: a broadcast's repeated last run. */
    private static void fill(double[] out, int o, int n, double v, boolean accumulate) {
        if (accumulate) {
            for (int e = 0; e < n; e++) {
                out[o + e] += v;
            }
        } else {
            java.util.Arrays.fill(out, o, o + n, v);
        }
    }

    /**
     * {@code out[o, o + n) (+)= x[from, from + n)}: a broadcast's copied last run, and a permute's runs when its last
     * dim stays last (an attention's {@code [B, T, heads, hd] -> [B, heads, T, hd]}), by {@code System.arraycopy}
     * from {@link #COPY_RUN} elements on, else in loops of unit stride, which C2 vectorizes: a permute's strided
     * element loop took 0.6-1 ns an element for runs of 32, the copy 0.3 (one Zen 5 core, JDK 17).
     */
    private static void run(double[] x, int from, double[] out, int o, int n, boolean accumulate) {
        if (accumulate) {
            for (int e = 0; e < n; e++) {
                out[o + e] += x[from + e];
            }
        } else if (n >= COPY_RUN) {
            System.arraycopy(x, from, out, o, n);
        } else {
            for (int e = 0; e < n; e++) {
                out[o + e] = x[from + e];
            }
        }
    }

    /**
     * Slice of a rank-4 tensor {@code x[d0, d1, d2, d3]}: {@code out[a, b, c, e]} is
     * {@code x[s0 + a t0, s1 + b t1, s2 + c t2, s3 + e t3]}, {@code out} of shape {@code [e0, e1, e2, e3]}.
     */
    public static void slice(double[] x, double[] out, int d1, int d2, int d3, int s0, int s1, int s2, int s3,
                             int t0, int t1, int t2, int t3, int e0, int e1, int e2, int e3, boolean accumulate) {
        int st2 = d3, st1 = d2 * d3, st0 = d1 * d2 * d3;
        int o = 0;
        for (int a = 0; a < e0; a++) {
            for (int b = 0; b < e1; b++) {
                for (int c = 0; c < e2; c++) {
                    int base = (s0 + a * t0) * st0 + (s1 + b * t1) * st1 + (s2 + c * t2) * st2 + s3;
                    for (int e = 0; e < e3; e++) {
                        double v = x[base + e * t3];
                        out[o] = accumulate ? (double) (out[o] + v) : v;
                        o++;
                    }
                }
            }
        }
    }

    /**
     * The transpose of {@code slice}: {@code g[e0, e1, e2, e3]} written at the slice's positions of
     * {@code out[d0, d1, d2, d3]}, zeros elsewhere (or added there with {@code accumulate}, the rest left as it is).
     */
    public static void sliceBackward(double[] g, double[] out, int d1, int d2, int d3, int s0, int s1, int s2, int s3,
                                     int t0, int t1, int t2, int t3, int e0, int e1, int e2, int e3,
                                     boolean accumulate) {
        if (!accumulate) {
            java.util.Arrays.fill(out, (double) 0);
        }
        int st2 = d3, st1 = d2 * d3, st0 = d1 * d2 * d3;
        int o = 0;
        for (int a = 0; a < e0; a++) {
            for (int b = 0; b < e1; b++) {
                for (int c = 0; c < e2; c++) {
                    int base = (s0 + a * t0) * st0 + (s1 + b * t1) * st1 + (s2 + c * t2) * st2 + s3;
                    for (int e = 0; e < e3; e++) {
                        out[base + e * t3] += g[o++];
                    }
                }
            }
        }
    }

    /** f64 {@link #strided(float[], float[], int[], boolean)}. */
    public static void strided(double[] x, double[] out, int[] walk, boolean accumulate) {
        int rank = (walk.length - 1) / 2;
        if (rank == 0) {
            out[0] = accumulate ? (double) (out[0] + x[walk[0]]) : x[walk[0]];
        } else {
            strided(x, out, walk, rank, 0, walk[0], 0, accumulate);
        }
    }

    /** Dims {@code d..} of {@link #strided} from x position {@code p}, out position {@code o}; returns the next o. */
    private static int strided(double[] x, double[] out, int[] walk, int rank, int d, int p, int o,
                               boolean accumulate) {
        int n = walk[1 + d];
        int stride = walk[1 + rank + d];
        if (d < rank - 1) {
            for (int i = 0; i < n; i++) {
                o = strided(x, out, walk, rank, d + 1, p + i * stride, o, accumulate);
            }
            return o;
        }
        if (n == 0) {
            return o;
        }
        if (stride == 1) {
            run(x, p, out, o, n, accumulate);
        } else if (stride == 0) {
            fill(out, o, n, x[p], accumulate);
        } else {
            for (int e = 0; e < n; e++) {
                double v = x[p + e * stride];
                out[o + e] = accumulate ? (double) (out[o + e] + v) : v;
            }
        }
        return o + n;
    }

    /** f64 {@link #placeStrided(float[], float[], int[], boolean)}. */
    public static void placeStrided(double[] g, double[] out, int[] walk, boolean accumulate) {
        if (!accumulate) {
            java.util.Arrays.fill(out, (double) 0);
        }
        int rank = (walk.length - 1) / 2;
        if (rank == 0) {
            out[walk[0]] += g[0];
        } else {
            placeStrided(g, out, walk, rank, 0, walk[0], 0);
        }
    }

    /** Dims {@code d..} of {@link #placeStrided} from out position {@code p}, g position {@code o}. */
    private static int placeStrided(double[] g, double[] out, int[] walk, int rank, int d, int p, int o) {
        int n = walk[1 + d];
        int stride = walk[1 + rank + d];
        if (d < rank - 1) {
            for (int i = 0; i < n; i++) {
                o = placeStrided(g, out, walk, rank, d + 1, p + i * stride, o);
            }
            return o;
        }
        for (int e = 0; e < n; e++) {
            out[p + e * stride] += g[o + e];
        }
        return o + n;
    }

    // ---- any rank, double ----

    /** {@code x} of shape {@code from} broadcast to {@code to} (NumPy rules: leading dimensions added, size 1 spread). */
    public static double[] broadcast(double[] x, int[] from, int[] to) {
        int extra = to.length - from.length;
        int[] step = new int[to.length];
        int acc = 1;
        for (int d = from.length - 1; d >= 0; d--) {
            step[d + extra] = from[d] == 1 ? 0 : acc;
            acc *= from[d];
        }
        return gather(x, to, step);
    }

    /** Result dimension {@code i} is dimension {@code perm[i]} of {@code x}, of shape {@code shape}. */
    public static double[] permute(double[] x, int[] shape, int[] perm) {
        int[] strides = new int[shape.length];
        int acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = acc;
            acc *= shape[d];
        }
        int[] out = new int[perm.length];
        int[] step = new int[perm.length];
        for (int d = 0; d < perm.length; d++) {
            out[d] = shape[perm[d]];
            step[d] = strides[perm[d]];
        }
        return gather(x, out, step);
    }

    /**
     * The elements {@code start[d] + i * step[d]} ({@code i < size[d]}) of each dim {@code d} of {@code x}, of shape
     * {@code shape}: PyTorch's basic slicing with non-negative starts and positive steps, all in range.
     */
    public static double[] slice(double[] x, int[] shape, int[] start, int[] step, int[] size) {
        int[] positions = slicePositions(shape, start, step, size);
        double[] out = new double[positions.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = x[positions[i]];
        }
        return out;
    }

    /** The transpose of {@link #slice(double[], int[], int[], int[], int[])}: {@code g} placed into zeros of {@code shape}. */
    public static double[] sliceBackward(double[] g, int[] shape, int[] start, int[] step, int[] size) {
        int[] positions = slicePositions(shape, start, step, size);
        double[] out = new double[count(shape)];
        for (int i = 0; i < g.length; i++) {
            out[positions[i]] += g[i];
        }
        return out;
    }

    private static int count(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** The flat position in {@code x} of shape {@code shape} of each row-major element of the slice. */
    private static int[] slicePositions(int[] shape, int[] start, int[] step, int[] size) {
        int[] walk = new int[shape.length];
        int pos = 0;
        int acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            pos += start[d] * acc;
            walk[d] = step[d] * acc;
            acc *= shape[d];
        }
        int[] out = new int[count(size)];
        int[] counter = new int[size.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = pos;
            for (int d = size.length - 1; d >= 0; d--) {
                counter[d]++;
                pos += walk[d];
                if (counter[d] < size[d]) {
                    break;
                }
                pos -= walk[d] * counter[d];
                counter[d] = 0;
            }
        }
        return out;
    }

    /** Each row-major position of {@code shape} reads {@code x} at the sum of its indices times {@code step}. */
    private static double[] gather(double[] x, int[] shape, int[] step) {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        double[] out = new double[n];
        int[] counter = new int[shape.length];
        int pos = 0;
        for (int i = 0; i < n; i++) {
            out[i] = x[pos];
            for (int d = shape.length - 1; d >= 0; d--) {
                counter[d]++;
                pos += step[d];
                if (counter[d] < shape[d]) {
                    break;
                }
                pos -= step[d] * counter[d];
                counter[d] = 0;
            }
        }
        return out;
    }

    /**
     * {@code out[outOff + j * rows + i] = x[i * cols + j]}: the transpose of the row-major {@code rows x cols} matrix
     * x, eight rows of x at a time, so that each column gives eight neighbouring stores and the eight rows are read
     * in sequence (predict's kept weight transposes, the product computed transposed into scratch).
     */
    public static void transpose2d(float[] x, int rows, int cols, float[] out, int outOff) {
        transpose2d(x, rows, cols, out, outOff, rows);
    }

    /**
     * {@code out[outOff + j * ld + i] = x[i * cols + j]}: the transpose into a block of a larger row-major matrix
     * whose rows are {@code ld} apart (a thread's part of a product computed transposed into its scratch).
     */
    static void transpose2d(float[] x, int rows, int cols, float[] out, int outOff, int ld) {
        int i = 0;
        for (; i + 8 <= rows; i += 8) {
            for (int j = 0; j < cols; j++) {
                int from = i * cols + j;
                int to = outOff + j * ld + i;
                out[to] = x[from];
                out[to + 1] = x[from + cols];
                out[to + 2] = x[from + 2 * cols];
                out[to + 3] = x[from + 3 * cols];
                out[to + 4] = x[from + 4 * cols];
                out[to + 5] = x[from + 5 * cols];
                out[to + 6] = x[from + 6 * cols];
                out[to + 7] = x[from + 7 * cols];
            }
        }
        for (; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[outOff + j * ld + i] = x[i * cols + j];
            }
        }
    }

    /** f64 {@link #transpose2d(float[], int, int, float[], int)}. */
    public static void transpose2d(double[] x, int rows, int cols, double[] out, int outOff) {
        int i = 0;
        for (; i + 8 <= rows; i += 8) {
            for (int j = 0; j < cols; j++) {
                int from = i * cols + j;
                int to = outOff + j * rows + i;
                out[to] = x[from];
                out[to + 1] = x[from + cols];
                out[to + 2] = x[from + 2 * cols];
                out[to + 3] = x[from + 3 * cols];
                out[to + 4] = x[from + 4 * cols];
                out[to + 5] = x[from + 5 * cols];
                out[to + 6] = x[from + 6 * cols];
                out[to + 7] = x[from + 7 * cols];
            }
        }
        for (; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[outOff + j * rows + i] = x[i * cols + j];
            }
        }
    }
}
