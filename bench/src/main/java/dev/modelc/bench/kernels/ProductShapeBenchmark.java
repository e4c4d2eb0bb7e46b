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
 * The f32 products of the benchmark models' layers at their own shapes, {@code m x n x k} with a layout as in
 * {@link MatMulBenchmark}: the forward {@code x W^T} of the MLP's first layer is {@code 64x128x784} {@code nt}, its
 * weight gradient {@code 128x784x64} {@code tn}; the wide MLP's first two forwards {@code 128x1024x784} and
 * {@code 128x1024x1024}, the CNN's first Linear layer {@code 64x120x864}. Microseconds per product.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ProductShapeBenchmark {

    @Param({"64x128x784", "64x64x128", "128x1024x784", "128x1024x1024", "64x120x864"})
    String shape;

    @Param({"nt"})
    String layout;

    private final Workspace ws = new Workspace();
    private int m;
    private int n;
    private int k;
    private float[] a;
    private float[] b;
    private float[] c;
    private boolean transA;
    private boolean transB;

    @Setup
    public void setUp() {
        String[] dims = shape.split("x");
        m = Integer.parseInt(dims[0]);
        n = Integer.parseInt(dims[1]);
        k = Integer.parseInt(dims[2]);
        Random random = new Random(1);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextFloat() - 0.5f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = random.nextFloat() - 0.5f;
        }
        transA = layout.charAt(0) == 't';
        transB = layout.charAt(1) == 't';
    }

    @Benchmark
    public float[] gemm() {
        MatMul.gemm(ws, transA, transB, m, n, k, a, 0, b, 0, c, 0, false);
        return c;
    }
}
