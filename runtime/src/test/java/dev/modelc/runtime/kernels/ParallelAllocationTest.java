package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Split kernel calls allocate nothing in a steady state, on the caller or the worker. Like every
 * {@code *AllocationTest}, it runs in a JVM of its own (runtime/pom.xml): what C2 compiles depends on every call the
 * JVM has seen, and the other kernel tests call both implementations on hundreds of shapes, which no application does.
 */
class ParallelAllocationTest {

    private static Team two;

    @BeforeAll
    static void start() {
        two = new Team(2, "parallel-allocation-test");
    }

    @AfterAll
    static void stop() {
        two.close();
    }

    private static Workspace on(Team team) {
        Workspace ws = new Workspace();
        ws.setTeam(team);
        return ws;
    }

    @Test
    void steadyStateSplitCallsAllocateNothing() {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Workspace ws = on(two);
        Random random = new Random(2);
        Conv2dShape s = Conv2dShape.of(16, 1, 28, 28, 6, 5, 1, 0);
        float[] x = MatMulTest.randomFloats(random, s.batch() * s.imageSize());
        float[] w = MatMulTest.randomFloats(random, s.weightSize());
        float[] y = new float[s.batch() * s.outImageSize()];
        float[] dw = new float[s.weightSize()];
        float[] a = MatMulTest.randomFloats(random, 64 * 864), b = MatMulTest.randomFloats(random, 864 * 120);
        float[] c = new float[64 * 120];
        float[] pooled = new float[y.length / 4];
        int[] argmax = new int[pooled.length];
        float[] p = new float[40_000], m = new float[40_000], v = new float[40_000];
        float[] q = new float[40_000];
        RangeBody relu = (loop, from, to) -> {
            for (int i = from; i < to; i++) {
                q[i] = Math.max(p[i], 0);
            }
        };
        long[] ids = {Thread.currentThread().getId(), two.workerThreads()[0].getId()};
        long deadline = System.nanoTime() + 20_000_000_000L;
        long allocated = -1;
        while (System.nanoTime() < deadline) {
            long before = bean.getThreadAllocatedBytes(ids[0]) + bean.getThreadAllocatedBytes(ids[1]);
            for (int i = 0; i < 10; i++) {
                Parallel.gemm(ws, false, true, 64, 120, 864, a, 0, b, 0, c, 0, false);
                Parallel.convForward(ws, s, x, w, null, y);
                Parallel.convBackwardWeight(ws, s, x, y, dw, false);
                Parallel.convBackwardInput(ws, s, y, w, x, false);
                Parallel.maxpool2d(ws, y, pooled, argmax, 96, 24, 24, 12, 12, 2, 2, 2, 2, 0, 0);
                Parallel.maxpool2dBackward(ws, pooled, argmax, y, y.length, pooled.length, 96, false);
                Parallel.adam(ws, p, m, m, v, p.length, 1e-3, 1, 1e-3, 0.9, 0.999, 1e-8, 0, false);
                Parallel.forRange(ws, relu, 0, q.length, 1, 1);
            }
            allocated = bean.getThreadAllocatedBytes(ids[0]) + bean.getThreadAllocatedBytes(ids[1]) - before;
            if (allocated == 0) {
                break;
            }
        }
        if (allocated != 0) {
            fail("split calls still allocated " + allocated + " bytes after warm-up");
        }
        assertSame(two, ws.team());
    }
}
