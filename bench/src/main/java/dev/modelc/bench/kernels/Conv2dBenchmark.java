package dev.modelc.bench.kernels;

import dev.modelc.runtime.kernels.Convolution;
import dev.modelc.runtime.kernels.Conv2dShape;
import dev.modelc.runtime.kernels.MatMul;
import dev.modelc.runtime.kernels.Workspace;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The seeds' CNN convolution, batch 64, 1 to 6 channels, 5x5 kernel on 28x28 images, f32: forward with bias, and
 * the weight and input gradients. Each operation is {@code 2 * 64 * 6 * 24 * 24 * 25} floating-point operations.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class Conv2dBenchmark {

    private final Conv2dShape shape = Conv2dShape.of(64, 1, 28, 28, 6, 5, 1, 0);
    private final Workspace ws = new Workspace();
    private float[] x;
    private float[] w;
    private float[] bias;
    private float[] y;
    private float[] dy;
    private float[] dx;
    private float[] dw;

    @Setup
    public void setUp() {
        Random random = new Random(2);
        x = fill(random, shape.batch() * shape.imageSize());
        w = fill(random, shape.weightSize());
        bias = fill(random, shape.outChannels());
        dy = fill(random, shape.batch() * shape.outImageSize());
        y = new float[dy.length];
        dx = new float[x.length];
        dw = new float[w.length];
        System.out.println("kernel: " + MatMul.kernelName());
    }

    private static float[] fill(Random random, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = random.nextFloat() - 0.5f;
        }
        return a;
    }

    @Benchmark
    public float[] forward() {
        Convolution.forward(ws, shape, x, w, bias, y);
        return y;
    }

    @Benchmark
    public float[] backwardWeight() {
        Convolution.backwardWeight(ws, shape, x, dy, dw, false);
        return dw;
    }

    @Benchmark
    public float[] backwardInput() {
        Convolution.backwardInput(ws, shape, dy, w, dx, false);
        return dx;
    }
}
