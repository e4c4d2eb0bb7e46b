package dev.modelc.runtime.kernels;

/**
 * The float sum of one chunk of a contiguous run, for the chunked f32 sums of {@link Reductions}: sixteen chains,
 * element {@code j} of the chunk's whole sixteens (counted from its start) into chain {@code j % 16}, the elements
 * after them into chain 0 in order, then the chains added as a tree of pairs,
 * {@code (((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7))) + (((c8 + c9) + ...) + (... + (c14 + c15)))}.
 * {@code VectorChunkSums} overrides it with the chains as vector lanes when the Vector API kernel is in use
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

    /** The sixteen chains added as the tree of pairs of the class comment. */
    static float tree(float c0, float c1, float c2, float c3, float c4, float c5, float c6, float c7,
                      float c8, float c9, float c10, float c11, float c12, float c13, float c14, float c15) {
        return (((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)))
                + (((c8 + c9) + (c10 + c11)) + ((c12 + c13) + (c14 + c15)));
    }
}
