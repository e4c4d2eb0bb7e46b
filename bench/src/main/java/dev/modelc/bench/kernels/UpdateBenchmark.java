package dev.modelc.bench.kernels;

import dev.modelc.runtime.optim.Updates;
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
 * The optimizer's update alone, f32, on the parameter shapes of a benchmark model: what a generated class does per
 * step (one {@link Updates} call per parameter, each with its own arrays) against one call over a single flat array
 * holding every parameter (what a flat parameter buffer would allow), and, for the kernels that would address
 * parameters and gradients inside such a buffer, a gradient accumulation {@code grad[i] += x[i]} with the gradient
 * in its own array against the same loop at a runtime offset into a flat one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class UpdateBenchmark {

    /** The parameter element counts, in state_dict order. */
    @Param({"mlp", "cnn", "widemlp"})
    public String model;

    private float[][] p;
    private float[][] g;
    private float[][] m;
    private float[][] v;
    private float[] flatP;
    private float[] flatG;
    private float[] flatM;
    private float[] flatV;
    private int[] offsets;
    private int step;

    @Setup
    public void setUp() {
        int[] sizes = switch (model) {
            case "mlp" -> new int[] {784 * 128, 128, 128 * 64, 64, 64 * 10, 10};
            case "cnn" -> new int[] {6 * 25, 6, 120 * 864, 120, 84 * 120, 84, 10 * 84, 10};
            case "widemlp" -> new int[] {784 * 1024, 1024, 1024 * 1024, 1024, 1024 * 10, 10};
            default -> throw new IllegalArgumentException(model);
        };
        Random random = new Random(3);
        p = new float[sizes.length][];
        g = new float[sizes.length][];
        m = new float[sizes.length][];
        v = new float[sizes.length][];
        offsets = new int[sizes.length + 1];
        for (int i = 0; i < sizes.length; i++) {
            p[i] = fill(random, sizes[i], 0.1f);
            g[i] = fill(random, sizes[i], 0.01f);
            m[i] = new float[sizes[i]];
            v[i] = new float[sizes[i]];
            offsets[i + 1] = offsets[i] + sizes[i];
        }
        flatP = fill(random, offsets[sizes.length], 0.1f);
        flatG = fill(random, offsets[sizes.length], 0.01f);
        flatM = new float[offsets[sizes.length]];
        flatV = new float[offsets[sizes.length]];
    }

    private static float[] fill(Random random, int size, float scale) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = scale * (float) random.nextGaussian();
        }
        return a;
    }

    /** Adam's step count grows as in training; the bias corrections depend on it. */
    private int nextStep() {
        step = step == 10_000 ? 1 : step + 1;
        return step;
    }

    @Benchmark
    public float[][] adamPerParameter() {
        int t = nextStep();
        for (int i = 0; i < p.length; i++) {
            Updates.adam(p[i], g[i], m[i], v[i], p[i].length, t, 1e-3, 0.9, 0.999, 1e-8, 0, false);
        }
        return p;
    }

    @Benchmark
    public float[] adamFlat() {
        Updates.adam(flatP, flatG, flatM, flatV, flatP.length, nextStep(), 1e-3, 0.9, 0.999, 1e-8, 0, false);
        return flatP;
    }

    @Benchmark
    public float[][] sgdMomentumPerParameter() {
        boolean first = nextStep() == 1;
        for (int i = 0; i < p.length; i++) {
            Updates.sgd(p[i], g[i], m[i], p[i].length, first, 0.01, 0.9, 0, false, 0);
        }
        return p;
    }

    @Benchmark
    public float[] sgdMomentumFlat() {
        Updates.sgd(flatP, flatG, flatM, flatP.length, nextStep() == 1, 0.01, 0.9, 0, false, 0);
        return flatP;
    }

    /** {@code grad[i] += x[i]} into each parameter's own gradient array (the generated loops' shape). */
    @Benchmark
    public float[][] accumulateOwnArrays() {
        for (int i = 0; i < g.length; i++) {
            float[] out = g[i];
            float[] x = p[i];
            for (int j = 0; j < out.length; j++) {
                out[j] += x[j];
            }
        }
        return g;
    }

    /** The same with the gradients in one flat array, each at its runtime offset. */
    @Benchmark
    public float[] accumulateAtOffsets() {
        for (int i = 0; i < g.length; i++) {
            float[] x = p[i];
            int off = offsets[i];
            for (int j = 0; j < x.length; j++) {
                flatG[off + j] += x[j];
            }
        }
        return flatG;
    }
}
