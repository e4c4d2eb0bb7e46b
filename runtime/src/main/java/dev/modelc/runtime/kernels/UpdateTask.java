package dev.modelc.runtime.kernels;

import dev.modelc.runtime.optim.Updates;

import static dev.modelc.runtime.kernels.Parallel.chunk;
import static dev.modelc.runtime.kernels.Parallel.ELEMENT_ALIGN;

/** An optimizer update (SGD or Adam) over a range of elements per part. */
final class UpdateTask extends Task {
    static final int ADAM = 0;
    static final int SGD = 1;
    int kind;
    int n;
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
    /** Adam: step size, bias2Sqrt, lr, beta1, beta2, eps; SGD: -, -, lr, momentum, dampening, -. */
    double h0;
    double h1;
    double h2;
    double h3;
    double h4;
    double h5;
    double weightDecay;
    /** Adam: decoupled (AdamW); SGD: nesterov. */
    boolean flag;
    boolean firstStep;

    UpdateTask plan(int kind, int n, int threads) {
        this.kind = kind;
        this.n = n;
        chunk = chunk(n, threads, ELEMENT_ALIGN);
        parts = (n + chunk - 1) / chunk;
        return this;
    }

    void f(float[] a, float[] b, float[] c, float[] d) {
        f0 = a;
        f1 = b;
        f2 = c;
        f3 = d;
        d0 = d1 = d2 = d3 = null;
    }

    void d(double[] a, double[] b, double[] c, double[] d) {
        d0 = a;
        d1 = b;
        d2 = c;
        d3 = d;
        f0 = f1 = f2 = f3 = null;
    }

    void hyper(double a, double b, double c, double d, double e, double f, double weightDecay, boolean flag) {
        h0 = a;
        h1 = b;
        h2 = c;
        h3 = d;
        h4 = e;
        h5 = f;
        this.weightDecay = weightDecay;
        this.flag = flag;
    }

    @Override
    void part(Workspace ws, int part) {
        int from = part * chunk;
        int to = Math.min(n, from + chunk);
        if (kind == ADAM) {
            if (f0 != null) {
                Updates.adamRange(f0, f1, f2, f3, from, to, h0, h1, h2, h3, h4, h5, weightDecay, flag);
            } else {
                Updates.adamRange(d0, d1, d2, d3, from, to, h0, h1, h2, h3, h4, h5, weightDecay, flag);
            }
        } else if (f0 != null) {
            Updates.sgdRange(f0, f1, f2, from, to, firstStep, h2, h3, h4, flag, weightDecay);
        } else {
            Updates.sgdRange(d0, d1, d2, from, to, firstStep, h2, h3, h4, flag, weightDecay);
        }
    }
}
