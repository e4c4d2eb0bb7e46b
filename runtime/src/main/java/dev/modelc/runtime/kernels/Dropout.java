package dev.modelc.runtime.kernels;

/**
 * Dropout's masks from a counter-based generator: whether element {@code i} of dropout site {@code site} is kept in
 * the {@code draw}-th training pass of a model seeded with {@code seed} is a pure function of those four numbers
 * (SplitMix64's finalizer over them), so a mask is never stored: the forward pass and the backward pass of one step
 * compute the same one, and the generated classes and the reference runtime (which share this class) draw the same
 * masks from the same seed. An element is kept when its 53-bit uniform {@code u} satisfies {@code u >= p}, so with
 * probability {@code 1 - p}; {@code p = 0} keeps every element and {@code p = 1} none. A kept element is multiplied
 * by {@code 1 / (1 - p)} (in the dtype, as PyTorch's mask times its scale), a dropped one by 0 (so a NaN stays NaN).
 *
 * <p>f32 and f64 overloads share the loop, as in the other kernels.
 */
public final class Dropout {
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;
    private static final double TWO_53 = 0x1p53;

    private Dropout() {
    }

    /** The key of one site in one draw; {@link #kept} reads element {@code i} of it. */
    public static long key(long seed, long draw, int site) {
        return mix(mix(mix(seed) + draw * GOLDEN) + site);
    }

    /** The threshold of a drop probability: element i is kept when its 53-bit draw is at least this. */
    public static long threshold(double p) {
        return (long) Math.ceil(p * TWO_53);
    }

    /** Whether element {@code i} is kept under {@code key} at {@code threshold}. */
    public static boolean kept(long key, long i, long threshold) {
        return mix(key + (i + 1) * GOLDEN) >>> 11 >= threshold;
    }

    /** The scale of a kept element, {@code 1 / (1 - p)}, and 0 for {@code p = 1}. */
    public static double scale(double p) {
        return p >= 1 ? 0 : 1 / (1 - p);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    // ---- float ----

    /**
     * {@code out = x * mask} over n elements: in training the mask of (seed, draw, site) scaled by {@code 1/(1-p)},
     * otherwise (evaluation) a copy. {@code out} may be {@code x}.
     */
    public static void apply(float[] x, float[] out, int n, double p, int site, long seed, long draw,
                             boolean training) {
        if (!training || p == 0) {
            if (out != x) {
                System.arraycopy(x, 0, out, 0, n);
            }
            return;
        }
        long key = key(seed, draw, site);
        long threshold = threshold(p);
        float s = (float) scale(p);
        for (int i = 0; i < n; i++) {
            out[i] = x[i] * (kept(key, i, threshold) ? s : 0f);
        }
    }

    /** The mask itself: {@code 1/(1-p)} where kept, 0 where dropped (the reference runtime multiplies by it). */
    public static void mask(float[] out, int n, double p, int site, long seed, long draw) {
        long key = key(seed, draw, site);
        long threshold = threshold(p);
        float s = (float) scale(p);
        for (int i = 0; i < n; i++) {
            out[i] = kept(key, i, threshold) ? s : 0f;
        }
    }

    // ---- double ----

    /** The f64 twin of {@link #apply(float[], float[], int, double, int, long, long, boolean)}. */
    public static void apply(double[] x, double[] out, int n, double p, int site, long seed, long draw,
                             boolean training) {
        if (!training || p == 0) {
            if (out != x) {
                System.arraycopy(x, 0, out, 0, n);
            }
            return;
        }
        long key = key(seed, draw, site);
        long threshold = threshold(p);
        double s = scale(p);
        for (int i = 0; i < n; i++) {
            out[i] = x[i] * (kept(key, i, threshold) ? s : 0.0);
        }
    }

    /** The f64 twin of {@link #mask(float[], int, double, int, long, long)}. */
    public static void mask(double[] out, int n, double p, int site, long seed, long draw) {
        long key = key(seed, draw, site);
        long threshold = threshold(p);
        double s = scale(p);
        for (int i = 0; i < n; i++) {
            out[i] = kept(key, i, threshold) ? s : 0.0;
        }
    }
}
