package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.runtime.optim.Updates;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The split layer against the kernels on one thread: products, convolution forward and input gradient, max pooling
 * and optimizer updates give bit-identical results on 2 and 3 threads, for both implementations, f32 and f64; the
 * convolution weight gradient is the same from run to run and within rounding of one thread's; generated loops
 * ({@link Parallel#forRange}) run over contiguous, aligned ranges covering each index once, one per thread.
 */
class ParallelTest {

    private static Team two;
    private static Team three;

    @BeforeAll
    static void start() {
        two = new Team(2, "parallel-test-2");
        three = new Team(3, "parallel-test-3");
    }

    @AfterAll
    static void stop() {
        two.close();
        three.close();
    }

    static Stream<Gemm> kernels() {
        return MatMulTest.kernels();
    }

    private static Workspace on(Team team) {
        Workspace ws = new Workspace();
        ws.setTeam(team);
        return ws;
    }

    /**
     * Shapes on every path: split columns, split rows, transposed (few columns), SmallGemm (n = 1), ragged parts, and
     * {@code x W^T} computed transposed through each thread's scratch with 512-bit vectors (the MLP's and the wide
     * MLP's first layers, split over the batch's columns of {@code C^T}; 40 rows, split over its rows).
     */
    private static List<int[]> gemmShapes() {
        List<int[]> shapes = new ArrayList<>(List.of(
                new int[] {64, 128, 784}, new int[] {128, 1024, 784}, new int[] {40, 300, 500},
                new int[] {72, 200, 300},
                new int[] {64, 120, 864}, new int[] {120, 864, 64}, new int[] {64, 84, 120}, new int[] {128, 1024, 50},
                new int[] {200, 10, 1024}, new int[] {33, 70, 300}, new int[] {9, 1000, 20}, new int[] {1000, 9, 20},
                new int[] {257, 257, 3}, new int[] {4096, 1, 64}, new int[] {1, 4096, 64}, new int[] {20, 30, 300},
                new int[] {300, 31, 300}, new int[] {17, 65, 257}));
        Random random = new Random(3);
        while (shapes.size() < 40) {
            int m = 1 + random.nextInt(300), n = 1 + random.nextInt(300), k = 1 + random.nextInt(400);
            if ((long) m * n * k >= Parallel.MIN_GEMM) {
                shapes.add(new int[] {m, n, k});
            }
        }
        return shapes;
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void productsAreBitIdenticalToOneThread(Gemm kernel) {
        Random random = new Random(11);
        Workspace serial = new Workspace();
        for (Team team : List.of(two, three)) {
            Workspace ws = on(team);
            for (int[] s : gemmShapes()) {
                int m = s[0], n = s[1], k = s[2];
                for (int flags = 0; flags < 8; flags++) {
                    boolean ta = (flags & 1) != 0, tb = (flags & 2) != 0, acc = (flags & 4) != 0;
                    String what = kernel.name() + " " + team.threads() + " threads " + m + "x" + n + "x" + k
                            + " transA=" + ta + " transB=" + tb + " accumulate=" + acc;
                    float[] a = MatMulTest.randomFloats(random, m * k + 3);
                    float[] b = MatMulTest.randomFloats(random, k * n + 5);
                    float[] c0 = MatMulTest.randomFloats(random, m * n + 7);
                    float[] c1 = c0.clone();
                    kernel.gemm(serial, ta, tb, m, n, k, a, 3, b, 5, c0, 7, acc);
                    try {
                        Parallel.gemm(kernel, ws, ta, tb, m, n, k, a, 3, b, 5, c1, 7, acc);
                    } catch (RuntimeException e) {
                        throw new AssertionError(what, e);
                    }
                    assertArrayEquals(c0, c1, what);
                    if (flags == 4 || flags == 3) {
                        double[] ad = MatMulTest.randomDoubles(random, m * k);
                        double[] bd = MatMulTest.randomDoubles(random, k * n);
                        double[] d0 = MatMulTest.randomDoubles(random, m * n);
                        double[] d1 = d0.clone();
                        kernel.gemm(serial, ta, tb, m, n, k, ad, 0, bd, 0, d0, 0, acc);
                        Parallel.gemm(kernel, ws, ta, tb, m, n, k, ad, 0, bd, 0, d1, 0, acc);
                        assertArrayEquals(d0, d1, "f64 " + what);
                    }
                }
            }
        }
    }

    @Test
    void splitsProductsTheWayTheClassCommentSays() {
        GemmTask t = new GemmTask();
        assertTrue(t.plan(Kernels.plainJava(), 2, false, true, 64, 120, 864, 0, 0, 0, false));
        assertTrue(t.columns, "120 columns: split over columns");
        assertEquals(64, t.chunk);
        assertEquals(2, t.parts);
        assertTrue(t.plan(Kernels.plainJava(), 2, false, false, 200, 10, 1024, 0, 0, 0, false));
        assertTrue(t.columns, "10 columns, 200 rows: the kernel computes C^T, whose 200 columns are split");
        assertTrue(t.plan(Kernels.plainJava(), 2, false, false, 20, 30, 300, 0, 0, 0, false));
        assertFalse(t.columns, "30 columns: rows");
        assertEquals(16, t.chunk);
        assertTrue(t.plan(Kernels.plainJava(), 2, false, false, 4096, 1, 64, 0, 0, 0, false));
        assertTrue(t.small && !t.columns, "matrix-vector: SmallGemm over rows");
        assertFalse(t.plan(Kernels.plainJava(), 2, false, false, 1, 4096, 64, 0, 0, 0, false),
                "one row: SmallGemm, nothing to split");
    }

    private static List<Conv2dShape> convShapes() {
        return List.of(
                Conv2dShape.of(64, 1, 28, 28, 6, 5, 1, 0),      // the seeds' CNN
                Conv2dShape.of(5, 3, 12, 11, 4, 3, 1, 1),
                Conv2dShape.of(7, 2, 9, 9, 3, 3, 2, 1),         // stride 2: unfolded
                Conv2dShape.of(4, 8, 6, 6, 5, 1, 1, 0),         // pointwise
                Conv2dShape.of(3, 16, 10, 10, 8, 3, 1, 0));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void convolutionsMatchOneThread(Gemm kernel) {
        Random random = new Random(5);
        Workspace serial = new Workspace();
        for (Team team : List.of(two, three)) {
            Workspace ws = on(team);
            for (Conv2dShape s : convShapes()) {
                String what = kernel.name() + " " + team.threads() + " threads " + s;
                int xs = s.batch() * s.imageSize(), ys = s.batch() * s.outImageSize();
                float[] x = MatMulTest.randomFloats(random, xs);
                float[] w = MatMulTest.randomFloats(random, s.weightSize());
                float[] bias = MatMulTest.randomFloats(random, s.outChannels());
                float[] dy = MatMulTest.randomFloats(random, ys);
                float[] y0 = new float[ys], y1 = new float[ys];
                Convolution.forward(kernel, serial, s, x, w, bias, y0);
                Parallel.convForward(kernel, ws, s, x, w, bias, y1);
                assertArrayEquals(y0, y1, "forward " + what);
                for (boolean acc : new boolean[] {false, true}) {
                    float[] dx0 = MatMulTest.randomFloats(random, xs), dx1 = dx0.clone();
                    Convolution.backwardInput(kernel, serial, s, dy, w, dx0, acc);
                    Parallel.convBackwardInput(kernel, ws, s, dy, w, dx1, acc);
                    assertArrayEquals(dx0, dx1, "input gradient " + what);
                    float[] dw0 = MatMulTest.randomFloats(random, s.weightSize()), dw1 = dw0.clone(),
                            dw2 = dw0.clone();
                    Convolution.backwardWeight(kernel, serial, s, x, dy, dw0, acc);
                    Parallel.convBackwardWeight(kernel, ws, s, x, dy, dw1, acc);
                    Parallel.convBackwardWeight(kernel, ws, s, x, dy, dw2, acc);
                    assertArrayEquals(dw1, dw2, "weight gradient run to run " + what);
                    // a different order of summation: within float rounding of the sum of |terms| (each below 1)
                    double tolerance = 4 * Math.ulp(1f) * s.batch() * s.outHeight() * s.outWidth();
                    for (int i = 0; i < dw0.length; i++) {
                        assertEquals(dw0[i], dw1[i], tolerance, "weight gradient " + what);
                    }
                }
                double[] xd = MatMulTest.randomDoubles(random, xs), wd = MatMulTest.randomDoubles(random,
                        s.weightSize()), dyd = MatMulTest.randomDoubles(random, ys);
                double[] yd0 = new double[ys], yd1 = new double[ys];
                Convolution.forward(kernel, serial, s, xd, wd, null, yd0);
                Parallel.convForward(kernel, ws, s, xd, wd, null, yd1);
                assertArrayEquals(yd0, yd1, "f64 forward " + what);
                double[] dxd0 = new double[xs], dxd1 = new double[xs];
                Convolution.backwardInput(kernel, serial, s, dyd, wd, dxd0, false);
                Parallel.convBackwardInput(kernel, ws, s, dyd, wd, dxd1, false);
                assertArrayEquals(dxd0, dxd1, "f64 input gradient " + what);
                double[] dwd0 = new double[s.weightSize()], dwd1 = new double[s.weightSize()];
                Convolution.backwardWeight(kernel, serial, s, xd, dyd, dwd0, false);
                Parallel.convBackwardWeight(kernel, ws, s, xd, dyd, dwd1, false);
                double tolerance = 4 * Math.ulp(1d) * s.batch() * s.outHeight() * s.outWidth();
                for (int i = 0; i < dwd0.length; i++) {
                    assertEquals(dwd0[i], dwd1[i], tolerance, "f64 weight gradient " + what);
                }
            }
        }
    }

    @Test
    void maxPoolingAndItsGradientAreBitIdentical() {
        Random random = new Random(8);
        for (Team team : List.of(two, three)) {
            Workspace ws = on(team);
            for (int[] p : new int[][] {{384, 24, 24, 2, 2, 2, 2, 0, 0}, {137, 13, 11, 3, 3, 2, 2, 1, 1},
                    {300, 9, 9, 2, 3, 1, 2, 0, 1}}) {
                int planes = p[0], h = p[1], w = p[2], kh = p[3], kw = p[4], sh = p[5], sw = p[6], ph = p[7],
                        pw = p[8];
                int oh = (h + 2 * ph - kh) / sh + 1, ow = (w + 2 * pw - kw) / sw + 1;
                float[] x = MatMulTest.randomFloats(random, planes * h * w);
                x[5] = Float.NaN;
                float[] y0 = new float[planes * oh * ow], y1 = new float[y0.length];
                int[] a0 = new int[y0.length], a1 = new int[y0.length];
                Pooling.maxpool2d(x, y0, a0, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
                Parallel.maxpool2d(ws, x, y1, a1, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
                assertArrayEquals(y0, y1);
                assertArrayEquals(a0, a1);
                float[] y2 = new float[y0.length];
                Parallel.maxpool2d(ws, x, y2, null, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
                assertArrayEquals(y0, y2, "without the argmax");
                float[] g = MatMulTest.randomFloats(random, y0.length);
                for (boolean acc : new boolean[] {false, true}) {
                    float[] dx0 = MatMulTest.randomFloats(random, x.length), dx1 = dx0.clone();
                    Pooling.maxpool2dBackward(g, a0, dx0, x.length, y0.length, acc);
                    Parallel.maxpool2dBackward(ws, g, a0, dx1, x.length, y0.length, planes, acc);
                    assertArrayEquals(dx0, dx1);
                }
                double[] xd = MatMulTest.randomDoubles(random, planes * h * w);
                double[] yd0 = new double[y0.length], yd1 = new double[y0.length];
                Pooling.maxpool2d(xd, yd0, a0, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
                Parallel.maxpool2d(ws, xd, yd1, a1, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
                assertArrayEquals(yd0, yd1);
                double[] gd = MatMulTest.randomDoubles(random, y0.length);
                double[] dxd0 = new double[xd.length], dxd1 = new double[xd.length];
                Pooling.maxpool2dBackward(gd, a0, dxd0, xd.length, y0.length, false);
                Parallel.maxpool2dBackward(ws, gd, a0, dxd1, xd.length, y0.length, planes, false);
                assertArrayEquals(dxd0, dxd1);
            }
        }
    }

    @Test
    void reductionsAreBitIdentical() {
        Random random = new Random(12);
        // runs d0..d3 and whether d0 is reduced: the CNN's bias gradient ([64, 6, 576] over 0 and 2), a Linear
        // layer's ([256, 120] over 0), a row-wise max and log-sum-exp, an odd split
        int[][] shapes = {{64, 6, 576, 1, 1}, {256, 120, 1, 1, 1}, {300, 100, 1, 1, 0}, {7, 5, 11, 97, 0},
                {3, 1001, 17, 1, 1}};
        for (Team team : List.of(two, three)) {
            Workspace ws = on(team);
            for (int[] s : shapes) {
                boolean first = s[4] == 1;
                int n = s[0] * s[1] * s[2] * s[3], outputs = Reductions.outputs(s[0], s[1], s[2], s[3], first);
                float[] x = MatMulTest.randomFloats(random, n);
                double[] xd = MatMulTest.randomDoubles(random, n);
                for (int op : new int[] {Reductions.SUM, Reductions.MAX, Reductions.LOGSUMEXP}) {
                    for (boolean acc : new boolean[] {false, true}) {
                        String what = team.threads() + " threads " + Arrays.toString(s) + " op " + op;
                        float[] o0 = MatMulTest.randomFloats(random, outputs), o1 = o0.clone();
                        Reductions.reduce(op, x, o0, s[0], s[1], s[2], s[3], first, acc);
                        Parallel.reduce(ws, op, x, o1, s[0], s[1], s[2], s[3], first, acc);
                        assertArrayEquals(o0, o1, what);
                        double[] d0 = new double[outputs], d1 = new double[outputs];
                        Reductions.reduce(op, xd, d0, s[0], s[1], s[2], s[3], first, acc);
                        Parallel.reduce(ws, op, xd, d1, s[0], s[1], s[2], s[3], first, acc);
                        assertArrayEquals(d0, d1, "f64 " + what);
                    }
                }
            }
        }
    }

    @Test
    void optimizerUpdatesAreBitIdentical() {
        Random random = new Random(9);
        int n = 100_003;
        for (Team team : List.of(two, three)) {
            Workspace ws = on(team);
            for (boolean decoupled : new boolean[] {false, true}) {
                float[] p0 = MatMulTest.randomFloats(random, n), g = MatMulTest.randomFloats(random, n);
                float[] m0 = MatMulTest.randomFloats(random, n), v0 = new float[n];
                float[] p1 = p0.clone(), m1 = m0.clone(), v1 = v0.clone();
                for (int step = 1; step <= 3; step++) {
                    double size = Updates.adamStepSize(1e-3, 0.9, step), bias2 = Updates.adamBias2Sqrt(0.999, step);
                    Updates.adam(p0, g, m0, v0, n, size, bias2, 1e-3, 0.9, 0.999, 1e-8, 0.01, decoupled);
                    Parallel.adam(ws, p1, g, m1, v1, n, size, bias2, 1e-3, 0.9, 0.999, 1e-8, 0.01, decoupled);
                }
                assertArrayEquals(p0, p1);
                assertArrayEquals(m0, m1);
                assertArrayEquals(v0, v1);
                double[] pd0 = MatMulTest.randomDoubles(random, n), gd = MatMulTest.randomDoubles(random, n);
                double[] md0 = new double[n], vd0 = new double[n];
                double[] pd1 = pd0.clone(), md1 = md0.clone(), vd1 = vd0.clone();
                Updates.adam(pd0, gd, md0, vd0, n, 0.01, 0.03, 1e-3, 0.9, 0.999, 1e-8, 0.01, decoupled);
                Parallel.adam(ws, pd1, gd, md1, vd1, n, 0.01, 0.03, 1e-3, 0.9, 0.999, 1e-8, 0.01, decoupled);
                assertArrayEquals(pd0, pd1);
            }
            float[] p0 = MatMulTest.randomFloats(random, n), g = MatMulTest.randomFloats(random, n);
            float[] b0 = new float[n], p1 = p0.clone(), b1 = new float[n];
            for (int step = 1; step <= 2; step++) {
                Updates.sgd(p0, g, b0, n, step == 1, 0.1, 0.9, 0.1, true, 1e-4);
                Parallel.sgd(ws, p1, g, b1, n, step == 1, 0.1, 0.9, 0.1, true, 1e-4);
            }
            assertArrayEquals(p0, p1);
            assertArrayEquals(b0, b1);
            double[] pd0 = MatMulTest.randomDoubles(random, n), gd = MatMulTest.randomDoubles(random, n);
            double[] pd1 = pd0.clone();
            Updates.sgd(pd0, gd, null, n, true, 0.1, 0, 0, false, 0);
            Parallel.sgd(ws, pd1, gd, null, n, true, 0.1, 0, 0, false, 0);
            assertArrayEquals(pd0, pd1);
        }
    }

    @Test
    void gradientMasksAreBitIdentical() {
        Random random = new Random(10);
        int n = 100_003;
        for (Team team : List.of(two, three)) {
            Workspace ws = on(team);
            float[] a = MatMulTest.randomFloats(random, n), x = MatMulTest.randomFloats(random, n);
            float[] want = new float[n], got = new float[n];
            Masks.mulGreater(a, x, 0.25f, want, n);
            Parallel.mulGreater(ws, a, x, 0.25f, got, n);
            assertArrayEquals(want, got);
            float[] inPlace = a.clone();
            Parallel.mulGreater(ws, inPlace, x, 0.25f, inPlace, n);
            assertArrayEquals(want, inPlace);
            double[] ad = MatMulTest.randomDoubles(random, n), xd = MatMulTest.randomDoubles(random, n);
            double[] wantD = new double[n], gotD = new double[n];
            Masks.mulGreater(ad, xd, 0.0, wantD, n);
            Parallel.mulGreater(ws, ad, xd, 0.0, gotD, n);
            assertArrayEquals(wantD, gotD);

            float[] relu = x.clone();
            double[] reluD = xd.clone();
            for (int i = 0; i < n; i += 3) {
                relu[i] = 0f;
                reluD[i] = 0.0;
            }
            Masks.zeroWhereEqual(a, relu, 0f, want, n);
            Parallel.zeroWhereEqual(ws, a, relu, 0f, got, n);
            assertArrayEquals(want, got);
            inPlace = a.clone();
            Parallel.zeroWhereEqual(ws, inPlace, relu, 0f, inPlace, n);
            assertArrayEquals(want, inPlace);
            Masks.zeroWhereEqual(ad, reluD, 0.0, wantD, n);
            Parallel.zeroWhereEqual(ws, ad, reluD, 0.0, gotD, n);
            assertArrayEquals(wantD, gotD);
        }
    }

    /** Records every range a loop was run over, with the thread that ran it. */
    private static final class Ranges implements RangeBody {
        final List<int[]> ranges = java.util.Collections.synchronizedList(new ArrayList<>());
        final java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public void range(int loop, int from, int to) {
            ranges.add(new int[] {loop, from, to});
            threads.add(Thread.currentThread());
        }

        /** The ranges in order of their start. */
        List<int[]> sorted() {
            List<int[]> out = new ArrayList<>(ranges);
            out.sort(java.util.Comparator.comparingInt(r -> r[1]));
            return out;
        }
    }

    @Test
    void loopRangesCoverTheLoopOnceInAlignedParts() {
        for (Team team : List.of(two, three)) {
            Workspace ws = on(team);
            int[][] cases = {{Parallel.MIN_LOOP, 1}, {100_003, 1}, {64 * 120, 1}, {257, 128}, {64, 3456}, {5, 5000}};
            for (int[] c : cases) {
                int n = c[0], per = c[1];
                Ranges body = new Ranges();
                long before = team.loopRangesOnWorkers();
                Parallel.forRange(ws, body, 7, n, per, 1);
                List<int[]> ranges = body.sorted();
                boolean split = (long) n * per >= Parallel.MIN_LOOP;
                assertEquals(split ? Math.min(team.threads(), n) : 1, ranges.size(), n + " x " + per);
                assertEquals(ranges.size() - 1, team.loopRangesOnWorkers() - before, "counted on the workers");
                int next = 0;
                for (int[] r : ranges) {
                    assertEquals(7, r[0]);
                    assertEquals(next, r[1], "ranges are contiguous");
                    assertTrue(r[2] > r[1], "no empty range");
                    if (r[2] != n) {
                        int align = per == 1 ? 64 : (64 + per - 1) / per;
                        assertEquals(0, r[2] % align, "a range ends on a multiple of " + align + ": " + r[2]);
                    }
                    next = r[2];
                }
                assertEquals(n, next, "ranges end at n");
                assertEquals(ranges.size(), body.threads.size(), "each range on a thread of its own");
            }
        }
        // a loop that calls a function per element is worth splitting at fewer elements
        Ranges cheap = new Ranges(), costly = new Ranges();
        int n = Parallel.MIN_LOOP / Parallel.CALL_COST;
        Parallel.forRange(on(two), cheap, 1, n, 1, 1);
        Parallel.forRange(on(two), costly, 1, n, 1, Parallel.CALL_COST);
        assertEquals(1, cheap.ranges.size());
        assertEquals(2, costly.ranges.size());
        Ranges alone = new Ranges();
        Parallel.forRange(new Workspace(), alone, 3, 1 << 20, 1, 1);
        assertEquals(List.of(Thread.currentThread()), List.copyOf(alone.threads), "no team: the caller alone");
        assertArrayEquals(new int[] {3, 0, 1 << 20}, alone.ranges.get(0));
    }

    @Test
    void aFailingRangeIsRethrownAndTheBodyIsNotKept() {
        Workspace ws = on(two);
        RangeBody failing = (loop, from, to) -> {
            if (from > 0) {
                throw new IllegalStateException("range " + from + ".." + to);
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Parallel.forRange(ws, failing, 0, 20_000, 1, 1));
        assertEquals("range 10048..20000", e.getMessage());
        assertEquals(null, two.tasks.range.body, "the team does not keep the last body reachable");
    }

    @Test
    void aFailingPartIsRethrownOnTheCallingThread() {
        Workspace ws = on(two);
        // 256 planes of 25 outputs: enough (>= Parallel.MIN_POOL outputs) to be split
        float[] x = new float[256 * 100];
        float[] out = new float[256 * 25];
        // the argmax array is too short for the second half of the planes, which the worker pools
        int[] argmax = new int[256 * 25 / 2];
        assertThrows(ArrayIndexOutOfBoundsException.class,
                () -> Parallel.maxpool2d(ws, x, out, argmax, 256, 10, 10, 5, 5, 2, 2, 2, 2, 0, 0));
        // the team still works afterwards
        Parallel.maxpool2d(ws, x, out, new int[out.length], 256, 10, 10, 5, 5, 2, 2, 2, 2, 0, 0);
    }

    @Test
    void closingStopsTheWorkers() throws InterruptedException {
        Team team = new Team(3, "parallel-test-close");
        Thread[] workers = team.workerThreads();
        assertEquals(2, workers.length);
        for (Thread t : workers) {
            assertTrue(t.isDaemon(), t.getName());
            assertTrue(t.getName().startsWith("parallel-test-close-"), t.getName());
        }
        Workspace ws = on(team);
        float[] p = new float[50_000], g = new float[50_000], b = new float[50_000];
        Parallel.sgd(ws, p, g, b, p.length, true, 0.1, 0.9, 0, false, 0);
        team.close();
        team.close();
        for (Thread t : workers) {
            t.join(10_000);
            assertFalse(t.isAlive(), t.getName() + " still runs after close");
        }
        assertTrue(team.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Parallel.sgd(ws, p, g, b, p.length, true, 0.1, 0.9, 0, false, 0));
        assertEquals("the team of worker threads has been closed", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Team(1, "x"));
    }
}
