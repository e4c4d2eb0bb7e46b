package dev.modelc.bench.kernels;

import dev.modelc.runtime.kernels.Pooling;
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
 * The seeds' CNN max pooling forward, f32, recording the argmax as a training step does: 2 x 2 windows at stride 2
 * over 64 x 6 planes of {@code size x size} (24, the CNN's, gives 12 x 12 outputs; 56 shows longer rows), random
 * values (so the first maximum's position is random too).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PoolingBenchmark {

    private static final int PLANES = 64 * 6;

    @Param({"24", "56"})
    public int size;

    private float[] x;
    private float[] out;
    private int[] argmax;
    private int half;

    @Setup
    public void setUp() {
        Random random = new Random(3);
        x = new float[PLANES * size * size];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat() - 0.5f;
        }
        half = size / 2;
        out = new float[PLANES * half * half];
        argmax = new int[out.length];
    }

    @Benchmark
    public int[] maxpool2d() {
        Pooling.maxpool2d(x, out, argmax, PLANES, size, size, half, half, 2, 2, 2, 2, 0, 0);
        return argmax;
    }
}
