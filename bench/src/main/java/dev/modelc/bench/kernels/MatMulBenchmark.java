package dev.modelc.bench.kernels;

import dev.modelc.runtime.kernels.MatMul;
import dev.modelc.runtime.kernels.Workspace;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Square f32 matrix products through {@link MatMul} with the kernel the JVM selects: run it once without and once
 * with {@code --add-modules jdk.incubator.vector} (bench/run-kernels.sh does both). One operation is
 * {@code 2 n^3} floating-point operations; the script turns operations per second into GFLOP/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MatMulBenchmark {

    @Param({"64", "256", "512"})
    int n;

    /** {@code nn}: C = A B; {@code nt}: C = A B^T (Linear); {@code tn}: C = A^T B (weight gradient). */
    @Param({"nn"})
    String layout;

    private final Workspace ws = new Workspace();
    private float[] a;
    private float[] b;
    private float[] c;
    private boolean transA;
    private boolean transB;

    @Setup
    public void setUp() {
        Random random = new Random(1);
        a = new float[n * n];
        b = new float[n * n];
        c = new float[n * n];
        for (int i = 0; i < n * n; i++) {
            a[i] = random.nextFloat() - 0.5f;
            b[i] = random.nextFloat() - 0.5f;
        }
        transA = layout.charAt(0) == 't';
        transB = layout.charAt(1) == 't';
        System.out.println("kernel: " + MatMul.kernelName());
    }

    @Benchmark
    public float[] gemm() {
        MatMul.gemm(ws, transA, transB, n, n, n, a, 0, b, 0, c, 0, false);
        return c;
    }
}
