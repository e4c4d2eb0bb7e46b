package dev.modelc.runtime.kernels;

import static dev.modelc.runtime.kernels.Parallel.chunk;

/** Max pooling (or its backward through the argmax) over a range of planes per part. */
final class PoolTask extends Task {
    static final int FORWARD = 0;
    static final int BACKWARD = 1;
    int pass;
    int planes;
    int parts;
    int chunk;
    float[] fx;
    float[] fout;
    double[] dx;
    double[] dout;
    int[] argmax;
    boolean accumulate;
    int h;
    int w;
    int oh;
    int ow;
    int kh;
    int kw;
    int sh;
    int sw;
    int ph;
    int pw;

    PoolTask plan(int pass, int planes, int threads) {
        this.pass = pass;
        this.planes = planes;
        chunk = chunk(planes, threads, 1);
        parts = (planes + chunk - 1) / chunk;
        return this;
    }

    void window(int h, int w, int oh, int ow, int kh, int kw, int sh, int sw, int ph, int pw) {
        this.h = h;
        this.w = w;
        this.oh = oh;
        this.ow = ow;
        this.kh = kh;
        this.kw = kw;
        this.sh = sh;
        this.sw = sw;
        this.ph = ph;
        this.pw = pw;
    }

    @Override
    void part(Workspace ws, int part) {
        int first = part * chunk;
        int end = Math.min(planes, first + chunk);
        if (pass == FORWARD) {
            if (fx != null) {
                Pooling.maxpool2dPlanes(fx, fout, argmax, first, end, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
            } else {
                Pooling.maxpool2dPlanes(dx, dout, argmax, first, end, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
            }
        } else {
            // h: inputs per plane, oh: outputs per plane
            if (fx != null) {
                Pooling.maxpool2dBackward(fx, argmax, fout, first * h, end * h, first * oh, end * oh, accumulate);
            } else {
                Pooling.maxpool2dBackward(dx, argmax, dout, first * h, end * h, first * oh, end * oh, accumulate);
            }
        }
    }
}
