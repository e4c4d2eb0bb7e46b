package dev.modelc.runtime.kernels;

import static dev.modelc.runtime.kernels.Parallel.chunk;

/** One convolution pass over a range of the batch's images per part. */
final class ConvTask extends Task {
    static final int FORWARD = 0;
    static final int INPUT = 1;
    static final int WEIGHT = 2;
    int pass;
    Gemm kernel;
    Conv2dShape shape;
    boolean direct;
    boolean accumulate;
    int parts;
    int chunk;
    float[] f0;
    float[] f1;
    float[] f2;
    float[] f3;
    double[] d0;
    double[] d1;
    double[] d2;
    double[] d3;
    /** The weight gradient's per-part sums (index 0 unused: part 0 sums into the gradient itself). */
    float[][] fPartial = new float[0][];
    double[][] dPartial = new double[0][];

    ConvTask plan(Gemm kernel, int pass, Conv2dShape s, int threads, boolean accumulate) {
        this.pass = pass;
        this.kernel = kernel;
        this.shape = s;
        this.accumulate = accumulate;
        chunk = chunk(s.batch(), threads, 1);
        parts = (s.batch() + chunk - 1) / chunk;
        if (fPartial.length < parts) {
            fPartial = new float[parts][];
            dPartial = new double[parts][];
        }
        return this;
    }

    void f(float[] a, float[] b, float[] c, float[] out) {
        f0 = a;
        f1 = b;
        f2 = c;
        f3 = out;
        d0 = d1 = d2 = d3 = null;
    }

    void d(double[] a, double[] b, double[] c, double[] out) {
        d0 = a;
        d1 = b;
        d2 = c;
        d3 = out;
        f0 = f1 = f2 = f3 = null;
    }

    @Override
    void part(Workspace ws, int part) {
        int first = part * chunk;
        int end = Math.min(shape.batch(), first + chunk);
        if (f0 != null) {
            switch (pass) {
                case FORWARD -> Convolution.forwardImages(kernel, ws, shape, f0, f1, f2, f3, direct, first, end);
                case INPUT -> Convolution.inputGradientImages(kernel, ws, shape, f0, f1, f3, accumulate, direct,
                        first, end);
                default -> {
                    float[] out = f3;
                    boolean add = accumulate;
                    if (part > 0) {
                        out = ws.floats(Workspace.Slot.PART, shape.weightSize());
                        fPartial[part] = out;
                        add = false;
                    }
                    Convolution.weightGradientImages(kernel, ws, shape, f0, f1, out, add, direct, first, end);
                }
            }
        } else {
            switch (pass) {
                case FORWARD -> Convolution.forwardImages(kernel, ws, shape, d0, d1, d2, d3, direct, first, end);
                case INPUT -> Convolution.inputGradientImages(kernel, ws, shape, d0, d1, d3, accumulate, direct,
                        first, end);
                default -> {
                    double[] out = d3;
                    boolean add = accumulate;
                    if (part > 0) {
                        out = ws.doubles(Workspace.Slot.PART, shape.weightSize());
                        dPartial[part] = out;
                        add = false;
                    }
                    Convolution.weightGradientImages(kernel, ws, shape, d0, d1, out, add, direct, first, end);
                }
            }
        }
    }
}
