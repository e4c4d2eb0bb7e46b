package dev.modelc.runtime.kernels;

/**
 * The float sums of chunks for the chunked f32 sums of {@link Reductions}: the column sums of a chunk of rows
 * ({@link #columns}), and the sum of one chunk of a contiguous run ({@link #chunk}) in sixteen chains,
 * element {@code j} of the chunk's whole sixteens (counted from its start) into chain {@code j % 16}, the elements
 * after them into chain 0 in order, then the chains added as a tree of pairs,
 * {@code (((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7))) + (((c8 + c9) + ...) + (... + (c14 + c15)))}.
 * {@code VectorChunkSums} overrides both with the chains as vector lanes when the Vector API kernel is in use
 * ({@link Gemm#chunkSums()}); both give the same bits ({@code ChunkSumsTest}).
 */
class JavaChunkSums {

    static final JavaChunkSums INSTANCE = new JavaChunkSums();

    JavaChunkSums() {
    }

    /** The sum of {@code x[from..to)} in the order of the class comment. */
    float chunk(float[] x, int from, int to) {
        float c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;
        float c8 = 0, c9 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0;
        int j = from;
        for (; j + 16 <= to; j += 16) {
            c0 += x[j];
            c1 += x[j + 1];
            c2 += x[j + 2];
            c3 += x[j + 3];
            c4 += x[j + 4];
            c5 += x[j + 5];
            c6 += x[j + 6];
            c7 += x[j + 7];
            c8 += x[j + 8];
            c9 += x[j + 9];
            c10 += x[j + 10];
            c11 += x[j + 11];
            c12 += x[j + 12];
            c13 += x[j + 13];
            c14 += x[j + 14];
            c15 += x[j + 15];
        }
        for (; j < to; j++) {
            c0 += x[j];
        }
        return tree(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15);
    }

    /**
     * The column sums of a chunk of rows, for the strided f32 sums of {@link Reductions}: {@code lanes[i]} becomes
     * {@code x[from + i] + x[from + stride + i] + ...} over {@code rows >= 1} rows, one float chain per column in
     * row order, for {@code i < n}; eight columns at a time, their eight chains independent.
     */
    void columns(float[] x, int from, int stride, int rows, int n, float[] lanes) {
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            int q = from + i;
            float s0 = x[q], s1 = x[q + 1], s2 = x[q + 2], s3 = x[q + 3];
            float s4 = x[q + 4], s5 = x[q + 5], s6 = x[q + 6], s7 = x[q + 7];
            for (int r = 1; r < rows; r++) {
                q += stride;
                s0 += x[q];
                s1 += x[q + 1];
                s2 += x[q + 2];
                s3 += x[q + 3];
                s4 += x[q + 4];
                s5 += x[q + 5];
                s6 += x[q + 6];
                s7 += x[q + 7];
            }
            lanes[i] = s0;
            lanes[i + 1] = s1;
            lanes[i + 2] = s2;
            lanes[i + 3] = s3;
            lanes[i + 4] = s4;
            lanes[i + 5] = s5;
            lanes[i + 6] = s6;
            lanes[i + 7] = s7;
        }
        for (; i < n; i++) {
            float s = x[from + i];
            for (int r = 1; r < rows; r++) {
                s += x[from + r * stride + i];
            }
            lanes[i] = s;
        }
    }

    /** The sixteen chains added as the tree of pairs of the class comment. */
    static float tree(float c0, float c1, float c2, float c3, float c4, float c5, float c6, float c7,
                      float c8, float c9, float c10, float c11, float c12, float c13, float c14, float c15) {
        return (((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)))
                + (((c8 + c9) + (c10 + c11)) + ((c12 + c13) + (c14 + c15)));
    }
}
