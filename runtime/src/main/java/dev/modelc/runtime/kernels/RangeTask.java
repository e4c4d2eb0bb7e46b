package dev.modelc.runtime.kernels;

import static dev.modelc.runtime.kernels.Parallel.chunk;

/** A generated loop over a range of its indices per part. */
final class RangeTask extends Task {
    RangeBody body;
    int loop;
    int n;
    int parts;
    int chunk;
    /** Ranges run per part; slot i is written only by the thread that runs part i. */
    final long[] ran;

    RangeTask(int threads) {
        ran = new long[threads];
    }

    RangeTask plan(RangeBody body, int loop, int n, int threads, int align) {
        this.body = body;
        this.loop = loop;
        this.n = n;
        chunk = chunk(n, threads, align);
        parts = (n + chunk - 1) / chunk;
        return this;
    }

    @Override
    void part(Workspace ws, int part) {
        int from = part * chunk;
        body.range(loop, from, Math.min(n, from + chunk));
        ran[part]++;
    }
}
