package dev.modelc.runtime.kernels;

/**
 * Reading and scatter-adding rows by integer index along one axis: index_select, gather and embedding, and their
 * gradients. An index outside the axis fails with an {@link IllegalArgumentException} naming the op, its .mdl
 * position (the caller passes both as {@code op}), the bad index and its position, never an
 * ArrayIndexOutOfBoundsException.
 * <p>Each kernel comes in an f32 and an f64 overload with the same loop, as in {@link OneHot}; {@code KernelTwinsTest}
 * holds each pair to the same results.
 */
public final class Gather {
    private Gather() {
    }

    /** Checks the first n indices against [0, size). */
    public static void check(int[] index, int n, int size, String op) {
        for (int p = 0; p < n; p++) {
            checked(index, p, size, op);
        }
    }

    /** index[p], checked against [0, size). */
    static int checked(int[] index, int p, int size, String op) {
        int k = index[p];
        if (k < 0 || k >= size) {
            throw new OutOfRangeException(op + ": index " + k + " at position " + p + " is out of range [0, " + size
                    + ")", k, p);
        }
        return k;
    }

    // ---- float ----

    /**
     * {@code out = x[index]} along one axis. x is {@code [outer, size, inner]}; the index is {@code [count]}
     * ({@code select}, index_select and embedding) or {@code [outer, count, inner]} (torch.gather); out is
     * {@code [outer, count, inner]}. Where {@code zeroPadding}, positions whose index is {@code padding} read 0.
     * An index outside {@code [0, size)} fails naming {@code op} (the op and its .mdl position).
     */
    public static void gather(float[] x, int[] index, float[] out, int outer, int size, int inner, int count,
            boolean select, int padding, boolean zeroPadding, String op) {
        if (select) {
            check(index, count, size, op);
        }
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < count; j++) {
                int row = (o * count + j) * inner;
                if (select) {
                    int k = index[j];
                    if (zeroPadding && k == padding) {
                        for (int i = 0; i < inner; i++) {
                            out[row + i] = 0;
                        }
                    } else {
                        System.arraycopy(x, (o * size + k) * inner, out, row, inner);
                    }
                } else {
                    for (int i = 0; i < inner; i++) {
                        int k = checked(index, row + i, size, op);
                        out[row + i] = zeroPadding && k == padding ? 0 : x[(o * size + k) * inner + i];
                    }
                }
            }
        }
    }

    /**
     * The transpose of {@link #gather}: {@code out} (x's shape, zeroed first unless {@code accumulate}) gets each
     * element of g added at its index, so duplicate indices accumulate; positions whose index is {@code padding}
     * are skipped (embedding's padding_idx).
     */
    public static void scatterAdd(float[] g, int[] index, float[] out, int outer, int size, int inner, int count,
            boolean select, int padding, boolean accumulate, String op) {
        if (select) {
            check(index, count, size, op);
        }
        if (!accumulate) {
            java.util.Arrays.fill(out, 0, outer * size * inner, 0);
        }
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < count; j++) {
                int row = (o * count + j) * inner;
                if (select) {
                    int k = index[j];
                    if (k == padding) {
                        continue;
                    }
                    int at = (o * size + k) * inner;
                    for (int i = 0; i < inner; i++) {
                        out[at + i] += g[row + i];
                    }
                } else {
                    for (int i = 0; i < inner; i++) {
                        int k = checked(index, row + i, size, op);
                        if (k != padding) {
                            out[(o * size + k) * inner + i] += g[row + i];
                        }
                    }
                }
            }
        }
    }

    // ---- double ----

    /**
     * {@code out = x[index]} along one axis. x is {@code [outer, size, inner]}; the index is {@code [count]}
     * ({@code select}, index_select and embedding) or {@code [outer, count, inner]} (torch.gather); out is
     * {@code [outer, count, inner]}. Where {@code zeroPadding}, positions whose index is {@code padding} read 0.
     * An index outside {@code [0, size)} fails naming {@code op} (the op and its .mdl position).
     */
    public static void gather(double[] x, int[] index, double[] out, int outer, int size, int inner, int count,
            boolean select, int padding, boolean zeroPadding, String op) {
        if (select) {
            check(index, count, size, op);
        }
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < count; j++) {
                int row = (o * count + j) * inner;
                if (select) {
                    int k = index[j];
                    if (zeroPadding && k == padding) {
                        for (int i = 0; i < inner; i++) {
                            out[row + i] = 0;
                        }
                    } else {
                        System.arraycopy(x, (o * size + k) * inner, out, row, inner);
                    }
                } else {
                    for (int i = 0; i < inner; i++) {
                        int k = checked(index, row + i, size, op);
                        out[row + i] = zeroPadding && k == padding ? 0 : x[(o * size + k) * inner + i];
                    }
                }
            }
        }
    }

    /**
     * The transpose of {@link #gather}: {@code out} (x's shape, zeroed first unless {@code accumulate}) gets each
     * element of g added at its index, so duplicate indices accumulate; positions whose index is {@code padding}
     * are skipped (embedding's padding_idx).
     */
    public static void scatterAdd(double[] g, int[] index, double[] out, int outer, int size, int inner, int count,
            boolean select, int padding, boolean accumulate, String op) {
        if (select) {
            check(index, count, size, op);
        }
        if (!accumulate) {
            java.util.Arrays.fill(out, 0, outer * size * inner, 0);
        }
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < count; j++) {
                int row = (o * count + j) * inner;
                if (select) {
                    int k = index[j];
                    if (k == padding) {
                        continue;
                    }
                    int at = (o * size + k) * inner;
                    for (int i = 0; i < inner; i++) {
                        out[at + i] += g[row + i];
                    }
                } else {
                    for (int i = 0; i < inner; i++) {
                        int k = checked(index, row + i, size, op);
                        if (k != padding) {
                            out[(o * size + k) * inner + i] += g[row + i];
                        }
                    }
                }
            }
        }
    }
}
