package dev.modelc.runtime.kernels;

/**
 * One-hot rows of integer labels, as the generated classes call it; a label out of range fails with its position,
 * after the place in the model's source and the function the caller names ({@code site}, such as
 * {@code net.mdl:12:14: cross_entropy}; null or empty for none).
 * <p>Each kernel comes in an f32 and an f64 overload with the same parameters and the same loop: Java has no
 * generics over primitive arrays, and the generated classes call the overload of their dtype directly (a shared
 * {@code double[]} path would convert every f32 operand, and a boxed or interface-typed one would stop C2 from
 * compiling them as tight loops). {@code KernelTwinsTest} holds each pair to the same results.
 */
public final class OneHot {
    private OneHot() {
    }

    // ---- float ----

    /** {@code out[i, c] = 1} where {@code labels[i] == c}, else 0; labels out of range fail with their position. */
    public static void oneHot(int[] labels, float[] out, int n, int classes, String site) {
        for (int i = 0; i < n; i++) {
            int t = labels[i];
            if (t < 0 || t >= classes) {
                throw outOfRange(t, i, classes, site);
            }
            int row = i * classes;
            for (int c = 0; c < classes; c++) {
                out[row + c] = 0;
            }
            out[row + t] = 1;
        }
    }

    // ---- double ----

    /** {@code out[i, c] = 1} where {@code labels[i] == c}, else 0; labels out of range fail with their position. */
    public static void oneHot(int[] labels, double[] out, int n, int classes, String site) {
        for (int i = 0; i < n; i++) {
            int t = labels[i];
            if (t < 0 || t >= classes) {
                throw outOfRange(t, i, classes, site);
            }
            int row = i * classes;
            for (int c = 0; c < classes; c++) {
                out[row + c] = 0;
            }
            out[row + t] = 1;
        }
    }

    /**
     * Throws, as {@code oneHot} does, at the first of the n labels outside {@code [0, classes)}: for the reference
     * interpreter's losses, which read labels without one-hot rows.
     */
    public static void checkLabels(int[] labels, int n, int classes, String site) {
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw outOfRange(labels[i], i, classes, site);
            }
        }
    }

    private static OutOfRangeException outOfRange(int label, int position, int classes, String site) {
        return new OutOfRangeException((site == null || site.isEmpty() ? "" : site + ": ") + "label " + label
                + " at position " + position + " is out of range [0, " + classes + ")", label, position);
    }
}
