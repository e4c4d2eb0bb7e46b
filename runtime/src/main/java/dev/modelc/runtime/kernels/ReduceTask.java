package dev.modelc.runtime.kernels;

import static dev.modelc.runtime.kernels.Parallel.chunk;

/** A reduction over a range of its outputs per part. */
final class ReduceTask extends Task {
    int op;
    int outputs;
    int parts;
    int chunk;
    int d0;
    int d1;
    int d2;
    int d3;
    boolean firstReduced;
    boolean accumulate;
    float[] fx;
    float[] fout;
    double[] dx;
    double[] dout;

    ReduceTask plan(int op, int outputs, int threads, int d0, int d1, int d2, int d3, boolean firstReduced,
                    boolean accumulate) {
        this.op = op;
        this.outputs = outputs;
        chunk = chunk(outputs, threads, 1);
        parts = (outputs + chunk - 1) / chunk;
        this.d0 = d0;
        this.d1 = d1;
        this.d2 = d2;
        this.d3 = d3;
        this.firstReduced = firstReduced;
        this.accumulate = accumulate;
        return this;
    }

    @Override
    void part(Workspace ws, int part) {
        int o0 = part * chunk;
        int o1 = Math.min(outputs, o0 + chunk);
        if (fx != null) {
            Reductions.reduce(op, fx, fout, d0, d1, d2, d3, firstReduced, accumulate, o0, o1);
        } else {
            Reductions.reduce(op, dx, dout, d0, d1, d2, d3, firstReduced, accumulate, o0, o1);
        }
    }
}
