package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Steady-state kernel calls allocate nothing: after warm-up (the workspace grows, the JIT compiles the loops; the
 * Vector API allocates until C2 has compiled it), a window of calls must allocate zero bytes on this thread.
 *
 * <p>A JVM whose window still allocates after the warm-up gets a second look in a fresh JVM of its own (this class's
 * {@link #main}), and the test fails only if that one allocates too, as {@code bench/check-allocation.sh} does: on
 * JDK 17 whether C2 removes every Vector API box depends on what the JVM profiled before it compiled (benchmarks.md
 * N): two full-suite runs got a compile that kept boxes (67-107 KB a window) where the same test alone, rerun,
 * counted 0.
 */
class AllocationTest {

    private static final long WARM_UP_NANOS = 20_000_000_000L;
    private static final int WINDOW = 20;

    static java.util.stream.Stream<Gemm> kernels() {
        return MatMulTest.kernels();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void steadyStateCallsAllocateNothing(Gemm kernel) throws Exception {
        assertNothingAllocated(kernel, "products", products(kernel));
    }

    /** Windows of products until one allocates nothing or the warm-up ends; returns the last window's bytes. */
    static long products(Gemm kernel) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        Random random = new Random(5);
        Workspace ws = new Workspace();
        float[] a = MatMulTest.randomFloats(random, 40 * 300);
        float[] b = MatMulTest.randomFloats(random, 300 * 70);
        float[] c = new float[40 * 400];
        double[] ad = MatMulTest.randomDoubles(random, 40 * 300);
        double[] bd = MatMulTest.randomDoubles(random, 300 * 70);
        double[] cd = new double[40 * 70];
        long deadline = System.nanoTime() + WARM_UP_NANOS;
        long allocated = -1;
        while (System.nanoTime() < deadline) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < WINDOW; i++) {
                kernel.gemm(ws, false, false, 40, 70, 300, a, 0, b, 0, c, 0, false);
                kernel.gemm(ws, true, true, 40, 70, 300, a, 0, b, 0, c, 0, true);
                kernel.gemm(ws, false, true, 70, 7, 40, b, 0, a, 0, c, 0, false);
                kernel.gemm(ws, true, false, 40, 70, 300, ad, 0, bd, 0, cd, 0, true);
                kernel.gemm(ws, false, true, 70, 7, 40, bd, 0, ad, 0, cd, 0, false);
                kernel.gemm(ws, false, false, 6, 576, 25, a, 0, b, 0, c, 0, false);
                kernel.gemm(ws, false, true, 6, 25, 576, a, 0, b, 0, c, 0, false);
            }
            allocated = threads.getThreadAllocatedBytes(thread) - before;
            if (allocated == 0) {
                break;
            }
        }
        return allocated;
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void steadyStateConvolutionAllocatesNothing(Gemm kernel) throws Exception {
        assertNothingAllocated(kernel, "convolutions", convolutions(kernel));
    }

    /** Windows of convolutions until one allocates nothing or the warm-up ends; returns the last window's bytes. */
    static long convolutions(Gemm kernel) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        Random random = new Random(6);
        Workspace ws = new Workspace();
        // Stride 1 runs the direct loops, stride 2 the unfolded products.
        Conv2dShape s = Conv2dShape.of(4, 1, 28, 28, 6, 5, 1, 0);
        Conv2dShape strided = Conv2dShape.of(4, 1, 28, 28, 6, 5, 2, 1);
        float[] x = MatMulTest.randomFloats(random, s.batch() * s.imageSize());
        float[] w = MatMulTest.randomFloats(random, s.weightSize());
        float[] bias = MatMulTest.randomFloats(random, s.outChannels());
        float[] y = new float[s.batch() * s.outImageSize()];
        float[] dx = new float[x.length], dw = new float[w.length], db = new float[bias.length];
        double[] xd = MatMulTest.randomDoubles(random, x.length), wd = MatMulTest.randomDoubles(random, w.length);
        double[] yd = new double[y.length], dwd = new double[w.length];
        long deadline = System.nanoTime() + WARM_UP_NANOS;
        long allocated = -1;
        while (System.nanoTime() < deadline && allocated != 0) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < WINDOW; i++) {
                Convolution.forward(kernel, ws, s, x, w, bias, y);
                Epilogue.relu(y, 0, y.length);
                Convolution.backwardInput(kernel, ws, s, y, w, dx, false);
                Convolution.backwardWeight(kernel, ws, s, x, y, dw, false);
                Convolution.backwardBias(s, y, db, true);
                Epilogue.addBiasPerColumn(ws, y, 0, s.batch() * s.outChannels(), 576, dx);
                Convolution.forward(kernel, ws, strided, x, w, bias, y);
                Convolution.backwardInput(kernel, ws, strided, y, w, dx, true);
                Convolution.backwardWeight(kernel, ws, strided, x, y, dw, true);
                Convolution.forward(kernel, ws, s, xd, wd, null, yd);
                Convolution.backwardWeight(kernel, ws, s, xd, yd, dwd, false);
            }
            allocated = threads.getThreadAllocatedBytes(thread) - before;
        }
        return allocated;
    }

    /** Passes if {@code allocated} is 0, or else if the same windows in a fresh JVM allocate nothing. */
    private static void assertNothingAllocated(Gemm kernel, String calls, long allocated) throws Exception {
        if (allocated == 0) {
            return;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = location(Kernels.class) + File.pathSeparator + location(AllocationTest.class);
        Process child = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp", classPath,
                AllocationTest.class.getName(), kernel.name(), calls).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = child.waitFor();
        assertEquals(0, code, kernel.name() + ": " + WINDOW + " rounds of " + calls + " still allocated " + allocated
                + " bytes after warm-up, and again in a fresh JVM:\n" + out);
    }

    private static String location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /**
     * The second look: {@code AllocationTest KERNEL products|convolutions} runs those windows with the named kernel
     * ({@code java} or {@code vector}) and exits 0 if the last allocated nothing, 1 with the bytes if not.
     */
    public static void main(String[] args) {
        Gemm kernel = kernels().filter(k -> k.name().equals(args[0])).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no kernel " + args[0] + " in this JVM"));
        long allocated = args[1].equals("products") ? products(kernel) : convolutions(kernel);
        System.out.println(kernel.name() + " " + args[1] + ": " + allocated + " bytes in the last window");
        System.exit(allocated == 0 ? 0 : 1);
    }
}
