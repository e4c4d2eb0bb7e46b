package dev.modelc.runtime.kernels;

import dev.modelc.runtime.optim.Updates;

/**
 * The one place where kernel calls are split among threads. Generated model classes call the heavy kernels through
 * these methods, which take the same arguments as {@link MatMul}, {@link Convolution}, {@link Pooling} and the
 * optimizer updates of {@link Updates}. When the {@link Workspace} carries no {@link Team} (one thread, the
 * default) or the call is too small to pay for a hand-off, the method calls the kernel directly; otherwise it splits
 * the call into parts with disjoint outputs and runs them on the team ({@link Team#run}).
 *
 * <p>How each call is split, and whether its result is bit-identical to one thread's:
 * <ol>
 *   <li>matrix product: the columns of C (in the orientation the kernel computes, in multiples of 32, when there are
 *       at least 64; each part then packs only its own columns of B) or else its rows (in multiples of 8). The whole
 *       product's path ({@link SmallGemm}, transposed or not) is chosen once, and the kernels compute each element
 *       of C with the same operations wherever its tile lies, so the result is <b>bit-identical</b>;</li>
 *   <li>convolution forward and input gradient: the images of the batch; the direct or unfolded path is chosen
 *       once for the whole batch; <b>bit-identical</b>;</li>
 *   <li>convolution weight gradient: the images of the batch in {@code parts} contiguous ranges, each summed apart
 *       (the first into the gradient itself, the others into scratch) and then added in part order. The same
 *       result run to run for a given number of threads, but <b>not</b> bit-identical to one thread's, which sums
 *       all images in one sequence (the difference is rounding, a few units in the last place);</li>
 *   <li>max pooling forward and its backward through the recorded argmax: whole planes; <b>bit-identical</b>;</li>
 *   <li>SGD and Adam updates: element ranges (multiples of 64); <b>bit-identical</b>;</li>
 *   <li>sums, maxima and log-sum-exps over axes ({@link Reductions#reduce}): the outputs, each still reduced in one
 *       sequence; <b>bit-identical</b>;</li>
 *   <li>the generated elementwise loops ({@link #forRange}, a {@link RangeBody}): index ranges, each element computed
 *       by the same code wherever its range runs; <b>bit-identical</b>.</li>
 * </ol>
 * Everything else a step does (the generated sums, softmax, the losses) runs on the calling thread. No part's result
 * depends on timing, so results are the same run to run.
 *
 * <p>Each kind of call has one task object per team ({@link Tasks}: {@link GemmTask}, {@link ConvTask},
 * {@link PoolTask}, {@link UpdateTask}, {@link MaskTask}, {@link ReduceTask}, {@link RangeTask}), refilled for every
 * call, so a split call allocates nothing; this class decides whether and how to split, the task runs one part.
 */
public final class Parallel {

    /** Products of fewer multiply-adds run on the calling thread. */
    static final long MIN_GEMM = 1 << 17;
    /** Poolings of fewer outputs run on the calling thread. */
    static final int MIN_POOL = 4096;
    /** Updates of fewer elements run on the calling thread. */
    static final int MIN_UPDATE = 1 << 14;
    /** Reductions reading fewer elements run on the calling thread. */
    static final int MIN_REDUCE = 1 << 14;
    /**
     * Elementwise loops of less work run on the calling thread: elements times their cost, 1 for a loop of plain
     * arithmetic (which C2 vectorizes: 8,192 floats take about a microsecond, about what a hand-off costs),
     * {@link #CALL_COST} for a loop that calls a function per element (see docs/kernels.md).
     */
    public static final int MIN_LOOP = 1 << 13;
    /** The cost per element of a generated loop that calls a function (exp, a comparison, ...) per element. */
    public static final int CALL_COST = 8;
    static final int ROW_ALIGN = 8;
    static final int COLUMN_ALIGN = 32;
    static final int ELEMENT_ALIGN = 64;

    private Parallel() {
    }

    private static Team team(Workspace ws) {
        return ws == null ? null : ws.team();
    }

    /** Parts of at most {@code chunk} elements, {@code chunk} a multiple of {@code align}, over at most
     *  {@code threads} parts. */
    static int chunk(int total, int threads, int align) {
        int even = (total + threads - 1) / threads;
        return (even + align - 1) / align * align;
    }

    // ---- matrix product ----

    /** {@link MatMul#gemm(Workspace, boolean, boolean, int, int, int, float[], int, float[], int, float[], int, boolean)}. */
    public static void gemm(Workspace ws, boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        gemm(Kernels.SELECTED, ws, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    static void gemm(Gemm kernel, Workspace ws, boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        Team team = team(ws);
        if (team == null || (long) m * n * k < MIN_GEMM) {
            kernel.gemm(ws, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
            return;
        }
        GemmChecks.check(m, n, k, transA, transB, a == null ? -1 : a.length, aOff,
                b == null ? -1 : b.length, bOff, c == null ? -1 : c.length, cOff, ws);
        GemmTask t = team.tasks.gemm;
        if (!t.plan(kernel, team.threads(), true, transA, transB, m, n, k, aOff, bOff, cOff, accumulate)) {
            kernel.gemm(ws, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
            return;
        }
        t.fa = a;
        t.fb = b;
        t.fc = c;
        t.da = t.db = t.dc = null;
        team.run(t, ws, t.parts);
    }

    /** f64 {@link #gemm(Workspace, boolean, boolean, int, int, int, float[], int, float[], int, float[], int, boolean)}. */
    public static void gemm(Workspace ws, boolean transA, boolean transB, int m, int n, int k,
                            double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, boolean accumulate) {
        gemm(Kernels.SELECTED, ws, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    static void gemm(Gemm kernel, Workspace ws, boolean transA, boolean transB, int m, int n, int k,
                     double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, boolean accumulate) {
        Team team = team(ws);
        if (team == null || (long) m * n * k < MIN_GEMM) {
            kernel.gemm(ws, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
            return;
        }
        GemmChecks.check(m, n, k, transA, transB, a == null ? -1 : a.length, aOff,
                b == null ? -1 : b.length, bOff, c == null ? -1 : c.length, cOff, ws);
        GemmTask t = team.tasks.gemm;
        if (!t.plan(kernel, team.threads(), transA, transB, m, n, k, aOff, bOff, cOff, accumulate)) {
            kernel.gemm(ws, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
            return;
        }
        t.da = a;
        t.db = b;
        t.dc = c;
        t.fa = t.fb = t.fc = null;
        team.run(t, ws, t.parts);
    }

    /**
     * {@code C = op(A) W^T} with W ({@code n x k}) also given as its panels ({@link MatMul#packWeight}), the product
     * {@link MatMul#packsB} accepts, A and C from offset 0: split over C's rows, every thread reading all of W's panels; with too few rows to split, W itself is
     * multiplied ({@code transB}), split as {@link #gemm} splits it. Either way the bits are one thread's.
     */
    public static void gemmPackedWeight(Workspace ws, boolean transA, int m, int n, int k, float[] a, float[] w,
                                        float[] packed, float[] c, boolean accumulate) {
        gemmPackedWeight(Kernels.SELECTED, ws, transA, m, n, k, a, w, packed, c, accumulate);
    }

    static void gemmPackedWeight(Gemm kernel, Workspace ws, boolean transA, int m, int n, int k, float[] a, float[] w,
                                 float[] packed, float[] c, boolean accumulate) {
        Team team = team(ws);
        if (team == null || (long) m * n * k < MIN_GEMM) {
            kernel.gemmPackedWeight(ws, transA, m, n, k, a, 0, packed, c, 0, accumulate);
            return;
        }
        GemmTask t = team.tasks.gemm;
        if (!t.planPacked(kernel, team.threads(), transA, m, n, k, accumulate)) {
            gemm(kernel, ws, transA, true, m, n, k, a, 0, w, 0, c, 0, accumulate);
            return;
        }
        kernel.checkPacked(ws, transA, m, n, k, len(a), 0, len(packed), len(c), 0);
        t.fa = a;
        t.fc = c;
        t.fpacked = packed;
        t.da = t.dc = null;
        team.run(t, ws, t.parts);
    }

    /** f64 {@link #gemmPackedWeight(Workspace, boolean, int, int, int, float[], float[], float[], float[], boolean)}. */
    public static void gemmPackedWeight(Workspace ws, boolean transA, int m, int n, int k, double[] a, double[] w,
                                        double[] packed, double[] c, boolean accumulate) {
        gemmPackedWeight(Kernels.SELECTED, ws, transA, m, n, k, a, w, packed, c, accumulate);
    }

    static void gemmPackedWeight(Gemm kernel, Workspace ws, boolean transA, int m, int n, int k, double[] a, double[] w,
                                 double[] packed, double[] c, boolean accumulate) {
        Team team = team(ws);
        if (team == null || (long) m * n * k < MIN_GEMM) {
            kernel.gemmPackedWeight(ws, transA, m, n, k, a, 0, packed, c, 0, accumulate);
            return;
        }
        GemmTask t = team.tasks.gemm;
        if (!t.planPacked(kernel, team.threads(), transA, m, n, k, accumulate)) {
            gemm(kernel, ws, transA, true, m, n, k, a, 0, w, 0, c, 0, accumulate);
            return;
        }
        kernel.checkPacked(ws, transA, m, n, k, len(a), 0, len(packed), len(c), 0);
        t.da = a;
        t.dc = c;
        t.dpacked = packed;
        t.fa = t.fc = null;
        team.run(t, ws, t.parts);
    }

    // ---- convolution ----

    /** {@link Convolution#forward(Workspace, Conv2dShape, float[], float[], float[], float[])}, split over images. */
    public static void convForward(Workspace ws, Conv2dShape s, float[] x, float[] w, float[] bias, float[] y) {
        convForward(Kernels.SELECTED, ws, s, x, w, bias, y);
    }

    static void convForward(Gemm kernel, Workspace ws, Conv2dShape s, float[] x, float[] w, float[] bias, float[] y) {
        Team team = team(ws);
        if (team == null || s == null || s.batch() < 2) {
            Convolution.forward(kernel, ws, s, x, w, bias, y);
            return;
        }
        Conv2dChecks.forward(s, len(x), len(w), bias == null ? -2 : bias.length, len(y));
        ConvTask t = team.tasks.conv.plan(kernel, ConvTask.FORWARD, s, team.threads(), false);
        t.direct = Convolution.forwardDirect(t.kernel, s, true);
        t.f(x, w, bias, y);
        team.run(t, ws, t.parts);
    }

    /** f64 {@link #convForward(Workspace, Conv2dShape, float[], float[], float[], float[])}. */
    public static void convForward(Workspace ws, Conv2dShape s, double[] x, double[] w, double[] bias, double[] y) {
        convForward(Kernels.SELECTED, ws, s, x, w, bias, y);
    }

    static void convForward(Gemm kernel, Workspace ws, Conv2dShape s, double[] x, double[] w, double[] bias,
                            double[] y) {
        Team team = team(ws);
        if (team == null || s == null || s.batch() < 2) {
            Convolution.forward(kernel, ws, s, x, w, bias, y);
            return;
        }
        Conv2dChecks.forward(s, len(x), len(w), bias == null ? -2 : bias.length, len(y));
        ConvTask t = team.tasks.conv.plan(kernel, ConvTask.FORWARD, s, team.threads(), false);
        t.direct = Convolution.forwardDirect(t.kernel, s, false);
        t.d(x, w, bias, y);
        team.run(t, ws, t.parts);
    }

    /** {@link Convolution#backwardInput(Workspace, Conv2dShape, float[], float[], float[], boolean)}, over images. */
    public static void convBackwardInput(Workspace ws, Conv2dShape s, float[] dy, float[] w, float[] dx,
                                         boolean accumulate) {
        convBackwardInput(Kernels.SELECTED, ws, s, dy, w, dx, accumulate);
    }

    static void convBackwardInput(Gemm kernel, Workspace ws, Conv2dShape s, float[] dy, float[] w, float[] dx,
                                  boolean accumulate) {
        Team team = team(ws);
        if (team == null || s == null || s.batch() < 2) {
            Convolution.backwardInput(kernel, ws, s, dy, w, dx, accumulate);
            return;
        }
        Conv2dChecks.backwardInput(s, len(dy), len(w), len(dx));
        ConvTask t = team.tasks.conv.plan(kernel, ConvTask.INPUT, s, team.threads(), accumulate);
        t.direct = Convolution.inputGradientDirect(t.kernel, s, w);
        t.f(dy, w, null, dx);
        team.run(t, ws, t.parts);
    }

    /** f64 {@link #convBackwardInput(Workspace, Conv2dShape, float[], float[], float[], boolean)}. */
    public static void convBackwardInput(Workspace ws, Conv2dShape s, double[] dy, double[] w, double[] dx,
                                         boolean accumulate) {
        convBackwardInput(Kernels.SELECTED, ws, s, dy, w, dx, accumulate);
    }

    static void convBackwardInput(Gemm kernel, Workspace ws, Conv2dShape s, double[] dy, double[] w, double[] dx,
                                  boolean accumulate) {
        Team team = team(ws);
        if (team == null || s == null || s.batch() < 2) {
            Convolution.backwardInput(kernel, ws, s, dy, w, dx, accumulate);
            return;
        }
        Conv2dChecks.backwardInput(s, len(dy), len(w), len(dx));
        ConvTask t = team.tasks.conv.plan(kernel, ConvTask.INPUT, s, team.threads(), accumulate);
        t.direct = Convolution.inputGradientDirect(s, w);
        t.d(dy, w, null, dx);
        team.run(t, ws, t.parts);
    }

    /**
     * {@link Convolution#backwardWeight(Workspace, Conv2dShape, float[], float[], float[], boolean)}: each part sums
     * its images, the parts are added in order (not bit-identical to one thread; see the class comment).
     */
    public static void convBackwardWeight(Workspace ws, Conv2dShape s, float[] x, float[] dy, float[] dw,
                                          boolean accumulate) {
        convBackwardWeight(Kernels.SELECTED, ws, s, x, dy, dw, accumulate);
    }

    static void convBackwardWeight(Gemm kernel, Workspace ws, Conv2dShape s, float[] x, float[] dy, float[] dw,
                                   boolean accumulate) {
        Team team = team(ws);
        if (team == null || s == null || s.batch() < 2) {
            Convolution.backwardWeight(kernel, ws, s, x, dy, dw, accumulate);
            return;
        }
        Conv2dChecks.backwardWeight(s, len(x), len(dy), len(dw));
        ConvTask t = team.tasks.conv.plan(kernel, ConvTask.WEIGHT, s, team.threads(), accumulate);
        t.direct = Convolution.weightGradientDirect(t.kernel, s, x);
        t.f(x, dy, null, dw);
        team.run(t, ws, t.parts);
        int size = s.weightSize();
        for (int p = 1; p < t.parts; p++) {
            float[] sum = t.fPartial[p];
            for (int i = 0; i < size; i++) {
                dw[i] += sum[i];
            }
        }
    }

    /** f64 {@link #convBackwardWeight(Workspace, Conv2dShape, float[], float[], float[], boolean)}. */
    public static void convBackwardWeight(Workspace ws, Conv2dShape s, double[] x, double[] dy, double[] dw,
                                          boolean accumulate) {
        convBackwardWeight(Kernels.SELECTED, ws, s, x, dy, dw, accumulate);
    }

    static void convBackwardWeight(Gemm kernel, Workspace ws, Conv2dShape s, double[] x, double[] dy, double[] dw,
                                   boolean accumulate) {
        Team team = team(ws);
        if (team == null || s == null || s.batch() < 2) {
            Convolution.backwardWeight(kernel, ws, s, x, dy, dw, accumulate);
            return;
        }
        Conv2dChecks.backwardWeight(s, len(x), len(dy), len(dw));
        ConvTask t = team.tasks.conv.plan(kernel, ConvTask.WEIGHT, s, team.threads(), accumulate);
        t.direct = Convolution.weightGradientDirect(s, x);
        t.d(x, dy, null, dw);
        team.run(t, ws, t.parts);
        int size = s.weightSize();
        for (int p = 1; p < t.parts; p++) {
            double[] sum = t.dPartial[p];
            for (int i = 0; i < size; i++) {
                dw[i] += sum[i];
            }
        }
    }

    // ---- max pooling ----

    /** {@link Pooling#maxpool2d(float[], float[], int[], int, int, int, int, int, int, int, int, int, int, int)}. */
    public static void maxpool2d(Workspace ws, float[] x, float[] out, int[] argmax, int planes, int h, int w, int oh,
                                 int ow, int kh, int kw, int sh, int sw, int ph, int pw) {
        Team team = team(ws);
        if (team == null || planes < 2 || (long) planes * oh * ow < MIN_POOL) {
            Pooling.maxpool2d(x, out, argmax, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
            return;
        }
        PoolTask t = team.tasks.pool.plan(PoolTask.FORWARD, planes, team.threads());
        t.fx = x;
        t.fout = out;
        t.dx = t.dout = null;
        t.argmax = argmax;
        t.window(h, w, oh, ow, kh, kw, sh, sw, ph, pw);
        team.run(t, ws, t.parts);
    }

    /** f64 {@link #maxpool2d(Workspace, float[], float[], int[], int, int, int, int, int, int, int, int, int, int, int)}. */
    public static void maxpool2d(Workspace ws, double[] x, double[] out, int[] argmax, int planes, int h, int w, int oh,
                                 int ow, int kh, int kw, int sh, int sw, int ph, int pw) {
        Team team = team(ws);
        if (team == null || planes < 2 || (long) planes * oh * ow < MIN_POOL) {
            Pooling.maxpool2d(x, out, argmax, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
            return;
        }
        PoolTask t = team.tasks.pool.plan(PoolTask.FORWARD, planes, team.threads());
        t.dx = x;
        t.dout = out;
        t.fx = t.fout = null;
        t.argmax = argmax;
        t.window(h, w, oh, ow, kh, kw, sh, sw, ph, pw);
        team.run(t, ws, t.parts);
    }

    /**
     * {@link Pooling#maxpool2dBackward(float[], int[], float[], int, int, boolean)} over {@code planes} planes of
     * {@code n / planes} inputs and {@code count / planes} outputs each: every part routes the gradients of its
     * planes, which land in its planes only.
     */
    public static void maxpool2dBackward(Workspace ws, float[] g, int[] argmax, float[] out, int n, int count,
                                         int planes, boolean accumulate) {
        Team team = team(ws);
        if (team == null || planes < 2 || count < MIN_POOL) {
            Pooling.maxpool2dBackward(g, argmax, out, n, count, accumulate);
            return;
        }
        PoolTask t = team.tasks.pool.plan(PoolTask.BACKWARD, planes, team.threads());
        t.fx = g;
        t.fout = out;
        t.dx = t.dout = null;
        t.argmax = argmax;
        t.h = n / planes;
        t.oh = count / planes;
        t.accumulate = accumulate;
        team.run(t, ws, t.parts);
    }

    /** f64 {@link #maxpool2dBackward(Workspace, float[], int[], float[], int, int, int, boolean)}. */
    public static void maxpool2dBackward(Workspace ws, double[] g, int[] argmax, double[] out, int n, int count,
                                         int planes, boolean accumulate) {
        Team team = team(ws);
        if (team == null || planes < 2 || count < MIN_POOL) {
            Pooling.maxpool2dBackward(g, argmax, out, n, count, accumulate);
            return;
        }
        PoolTask t = team.tasks.pool.plan(PoolTask.BACKWARD, planes, team.threads());
        t.dx = g;
        t.dout = out;
        t.fx = t.fout = null;
        t.argmax = argmax;
        t.h = n / planes;
        t.oh = count / planes;
        t.accumulate = accumulate;
        team.run(t, ws, t.parts);
    }

    // ---- optimizer updates ----

    /** {@link Updates#adam(float[], float[], float[], float[], int, double, double, double, double, double, double, double, boolean)}, over element ranges. */
    public static void adam(Workspace ws, float[] p, float[] g, float[] m, float[] v, int n, double stepSize,
                            double bias2Sqrt, double lr, double beta1, double beta2, double eps, double weightDecay,
                            boolean decoupled) {
        Team team = team(ws);
        if (team == null || n < MIN_UPDATE) {
            Updates.adam(p, g, m, v, n, stepSize, bias2Sqrt, lr, beta1, beta2, eps, weightDecay, decoupled);
            return;
        }
        UpdateTask t = team.tasks.update.plan(UpdateTask.ADAM, n, team.threads());
        t.f(p, g, m, v);
        t.hyper(stepSize, bias2Sqrt, lr, beta1, beta2, eps, weightDecay, decoupled);
        team.run(t, ws, t.parts);
    }

    /** f64 {@link #adam(Workspace, float[], float[], float[], float[], int, double, double, double, double, double, double, double, boolean)}. */
    public static void adam(Workspace ws, double[] p, double[] g, double[] m, double[] v, int n, double stepSize,
                            double bias2Sqrt, double lr, double beta1, double beta2, double eps, double weightDecay,
                            boolean decoupled) {
        Team team = team(ws);
        if (team == null || n < MIN_UPDATE) {
            Updates.adam(p, g, m, v, n, stepSize, bias2Sqrt, lr, beta1, beta2, eps, weightDecay, decoupled);
            return;
        }
        UpdateTask t = team.tasks.update.plan(UpdateTask.ADAM, n, team.threads());
        t.d(p, g, m, v);
        t.hyper(stepSize, bias2Sqrt, lr, beta1, beta2, eps, weightDecay, decoupled);
        team.run(t, ws, t.parts);
    }

    /** {@link Updates#sgd(float[], float[], float[], int, boolean, double, double, double, boolean, double)}, over element ranges. */
    public static void sgd(Workspace ws, float[] p, float[] g, float[] buf, int n, boolean firstStep, double lr,
                           double momentum, double dampening, boolean nesterov, double weightDecay) {
        Team team = team(ws);
        if (team == null || n < MIN_UPDATE) {
            Updates.sgd(p, g, buf, n, firstStep, lr, momentum, dampening, nesterov, weightDecay);
            return;
        }
        UpdateTask t = team.tasks.update.plan(UpdateTask.SGD, n, team.threads());
        t.f(p, g, buf, null);
        t.hyper(0, 0, lr, momentum, dampening, 0, weightDecay, nesterov);
        t.firstStep = firstStep;
        team.run(t, ws, t.parts);
    }

    /** f64 {@link #sgd(Workspace, float[], float[], float[], int, boolean, double, double, double, boolean, double)}. */
    public static void sgd(Workspace ws, double[] p, double[] g, double[] buf, int n, boolean firstStep, double lr,
                           double momentum, double dampening, boolean nesterov, double weightDecay) {
        Team team = team(ws);
        if (team == null || n < MIN_UPDATE) {
            Updates.sgd(p, g, buf, n, firstStep, lr, momentum, dampening, nesterov, weightDecay);
            return;
        }
        UpdateTask t = team.tasks.update.plan(UpdateTask.SGD, n, team.threads());
        t.d(p, g, buf, null);
        t.hyper(0, 0, lr, momentum, dampening, 0, weightDecay, nesterov);
        t.firstStep = firstStep;
        team.run(t, ws, t.parts);
    }

    /** {@link Masks#zeroWhereEqual(float[], float[], float, float[], int)}, over element ranges. */
    public static void zeroWhereEqual(Workspace ws, float[] a, float[] x, float c, float[] out, int n) {
        if (!splitMask(ws, MaskTask.ZERO_WHERE_EQUAL, a, x, c, 0, out, n)) {
            Masks.zeroWhereEqual(a, x, c, out, n);
        }
    }

    /** f64 {@link #zeroWhereEqual(Workspace, float[], float[], float, float[], int)}. */
    public static void zeroWhereEqual(Workspace ws, double[] a, double[] x, double c, double[] out, int n) {
        if (!splitMask(ws, MaskTask.ZERO_WHERE_EQUAL, a, x, c, 0, out, n)) {
            Masks.zeroWhereEqual(a, x, c, out, n);
        }
    }

    /** {@link Masks#mulGreater(float[], float[], float, float[], int)}, over element ranges. */
    public static void mulGreater(Workspace ws, float[] a, float[] x, float c, float[] out, int n) {
        if (!splitMask(ws, MaskTask.MUL_GREATER, a, x, c, 0, out, n)) {
            Masks.mulGreater(a, x, c, out, n);
        }
    }

    /** f64 {@link #mulGreater(Workspace, float[], float[], float, float[], int)}. */
    public static void mulGreater(Workspace ws, double[] a, double[] x, double c, double[] out, int n) {
        if (!splitMask(ws, MaskTask.MUL_GREATER, a, x, c, 0, out, n)) {
            Masks.mulGreater(a, x, c, out, n);
        }
    }

    /** {@link Masks#scaleUnlessGreater(float[], float[], float, float, float[], int)}, over element ranges. */
    public static void scaleUnlessGreater(Workspace ws, float[] a, float[] x, float c, float s, float[] out, int n) {
        if (!splitMask(ws, MaskTask.SCALE_UNLESS_GREATER, a, x, c, s, out, n)) {
            Masks.scaleUnlessGreater(a, x, c, s, out, n);
        }
    }

    /** f64 {@link #scaleUnlessGreater(Workspace, float[], float[], float, float, float[], int)}. */
    public static void scaleUnlessGreater(Workspace ws, double[] a, double[] x, double c, double s, double[] out,
                                          int n) {
        if (!splitMask(ws, MaskTask.SCALE_UNLESS_GREATER, a, x, c, s, out, n)) {
            Masks.scaleUnlessGreater(a, x, c, s, out, n);
        }
    }

    /**
     * Runs mask loop {@code kind} over element ranges on the team ({@code s} is the scale of
     * {@code scaleUnlessGreater}); false (nothing done) when it stays serial.
     */
    private static boolean splitMask(Workspace ws, int kind, float[] a, float[] x, float c, float s, float[] out,
                                     int n) {
        Team team = team(ws);
        if (team == null || n < MIN_UPDATE) {
            return false;
        }
        Masks.check(n, a.length, x.length, out.length);
        MaskTask t = team.tasks.mask.plan(kind, n, team.threads());
        t.f(a, x, c, s, out);
        team.run(t, ws, t.parts);
        return true;
    }

    /** f64 {@link #splitMask(Workspace, int, float[], float[], float, float, float[], int)}. */
    private static boolean splitMask(Workspace ws, int kind, double[] a, double[] x, double c, double s,
                                     double[] out, int n) {
        Team team = team(ws);
        if (team == null || n < MIN_UPDATE) {
            return false;
        }
        Masks.check(n, a.length, x.length, out.length);
        MaskTask t = team.tasks.mask.plan(kind, n, team.threads());
        t.d(a, x, c, s, out);
        team.run(t, ws, t.parts);
        return true;
    }

    // ---- generated loops ----

    /**
     * Runs {@code body.range(loop, from, to)} over {@code [0, n)}: in one call on the calling thread when the
     * workspace has no team or the loop's elements times {@code cost} (1, or {@link #CALL_COST}) are fewer than
     * {@link #MIN_LOOP}, else in one contiguous range per thread. {@code elementsPerIndex} is what one index covers: 1 for a flat loop, whose ranges are then
     * multiples of 64 elements (two threads never write into one cache line), the row length for a loop nest split
     * over its rows, whose ranges are whole rows, at least 64 elements' worth.
     */
    public static void forRange(Workspace ws, RangeBody body, int loop, int n, int elementsPerIndex, int cost) {
        Team team = team(ws);
        if (team == null || n < 2 || (long) n * elementsPerIndex * cost < MIN_LOOP) {
            body.range(loop, 0, n);
            return;
        }
        RangeTask t = team.tasks.range.plan(body, loop, n, team.threads(),
                (ELEMENT_ALIGN + elementsPerIndex - 1) / elementsPerIndex);  // >= 1 here
        try {
            team.run(t, ws, t.parts);
        } finally {
            t.body = null;  // a team must not keep its model reachable: the model's Cleaner closes the team
        }
    }

    // ---- reductions ----

    /** {@link Reductions#reduce(int, float[], float[], int, int, int, int, boolean, boolean)}, over the outputs. */
    public static void reduce(Workspace ws, int op, float[] x, float[] out, int d0, int d1, int d2, int d3,
                              boolean firstReduced, boolean accumulate) {
        Team team = team(ws);
        int outputs = Reductions.outputs(d0, d1, d2, d3, firstReduced);
        if (team == null || outputs < 2 || (long) d0 * d1 * d2 * d3 < MIN_REDUCE) {
            Reductions.reduce(op, x, out, d0, d1, d2, d3, firstReduced, accumulate);
            return;
        }
        ReduceTask t = team.tasks.reduce.plan(op, outputs, team.threads(), d0, d1, d2, d3, firstReduced, accumulate);
        t.fx = x;
        t.fout = out;
        t.dx = t.dout = null;
        team.run(t, ws, t.parts);
    }

    /** f64 {@link #reduce(Workspace, int, float[], float[], int, int, int, int, boolean, boolean)}. */
    public static void reduce(Workspace ws, int op, double[] x, double[] out, int d0, int d1, int d2, int d3,
                              boolean firstReduced, boolean accumulate) {
        Team team = team(ws);
        int outputs = Reductions.outputs(d0, d1, d2, d3, firstReduced);
        if (team == null || outputs < 2 || (long) d0 * d1 * d2 * d3 < MIN_REDUCE) {
            Reductions.reduce(op, x, out, d0, d1, d2, d3, firstReduced, accumulate);
            return;
        }
        ReduceTask t = team.tasks.reduce.plan(op, outputs, team.threads(), d0, d1, d2, d3, firstReduced, accumulate);
        t.dx = x;
        t.dout = out;
        t.fx = t.fout = null;
        team.run(t, ws, t.parts);
    }

    private static int len(float[] a) {
        return a == null ? -1 : a.length;
    }

    private static int len(double[] a) {
        return a == null ? -1 : a.length;
    }
}
