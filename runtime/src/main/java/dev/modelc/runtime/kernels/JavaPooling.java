package dev.modelc.runtime.kernels;

/**
 * The plain-Java loop of {@link Pooling}'s f32 2 x 2, column stride 2 windows: one output row's windows that lie
 * wholly inside the plane, in straight-line code ({@link Pooling#pairs(float[], float[], int[], int, int, int, int,
 * int, int, int, int)}), reached through {@link Gemm#pooling()} so that an implementation may bring its own. A
 * Vector API form was withdrawn: in some JVMs C2 left it allocating 48 bytes per output row (docs/kernels.md).
 */
class JavaPooling {

    static final JavaPooling INSTANCE = new JavaPooling();

    JavaPooling() {
    }

    /**
     * Columns {@code from <= oj < to} of the output row at {@code o} whose windows' top-left corners are at
     * {@code xo + i0 * w + oj * 2 - pw}, all inside the plane: values into {@code out}, positions into
     * {@code argmax} (if not null). The caller writes every output from {@code o + to} up to {@code free} again
     * after this row, so a vector form may store past the row's windows up to there.
     */
    void pairs(float[] x, float[] out, int[] argmax, int o, int xo, int h, int w, int i0, int from, int to, int pw,
               int free) {
        Pooling.pairs(x, out, argmax, o, xo, h, w, i0, from, to, pw);
    }
}
