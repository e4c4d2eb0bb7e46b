package dev.modelc.bench.kernels;

import dev.modelc.runtime.api.Functions;
import dev.modelc.runtime.kernels.FloatMath;
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
 * One elementwise pass over 256 floats (the logistic regression's batch) in the shape the compiled f32 loops have:
 * widen, call a double function, round back. {@code impl=math} calls {@code Math}/{@code Functions}, as the
 * compiled code does by default; {@code impl=fast} calls {@link FloatMath}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FloatMathBenchmark {

    @Param({"exp", "log", "sigmoid", "bce", "tanh", "erf"})
    String fn;

    @Param({"math", "fast"})
    String impl;

    private final float[] x = new float[256];
    private final float[] y = new float[256];
    private final float[] out = new float[256];

    @Setup
    public void setUp() {
        Random random = new Random(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = fn.equals("log") ? random.nextFloat() * 10 : random.nextFloat() * 8 - 4;
            y[i] = random.nextInt(2);
        }
    }

    @Benchmark
    public float[] pass() {
        boolean fast = impl.equals("fast");
        switch (fn) {
            case "exp" -> {
                if (fast) {
                    for (int i = 0; i < x.length; i++) {
                        out[i] = (float) FloatMath.exp(x[i]);
                    }
                } else {
                    for (int i = 0; i < x.length; i++) {
                        out[i] = (float) Math.exp(x[i]);
                    }
                }
            }
            case "log" -> {
                if (fast) {
                    for (int i = 0; i < x.length; i++) {
                        out[i] = (float) FloatMath.log(x[i]);
                    }
                } else {
                    for (int i = 0; i < x.length; i++) {
                        out[i] = (float) Math.log(x[i]);
                    }
                }
            }
            case "sigmoid" -> {
                if (fast) {
                    for (int i = 0; i < x.length; i++) {
                        out[i] = (float) FloatMath.sigmoid(x[i]);
                    }
                } else {
                    for (int i = 0; i < x.length; i++) {
                        out[i] = (float) Functions.sigmoid(x[i]);
                    }
                }
            }
            case "tanh" -> {
                if (fast) {
                    for (int i = 0; i < x.length; i++) {
                        out[i] = (float) FloatMath.tanh(x[i]);
                    }
                } else {
                    for (int i = 0; i < x.length; i++) {
                        out[i] = (float) Math.tanh(x[i]);
                    }
                }
            }
            case "erf" -> {
                if (fast) {
                    for (int i = 0; i < x.length; i++) {
                        out[i] = (float) FloatMath.erf(x[i]);
                    }
                } else {
                    for (int i = 0; i < x.length; i++) {
                        out[i] = (float) Functions.erf(x[i]);
                    }
                }
            }
            default -> {
                if (fast) {
                    for (int i = 0; i < x.length; i++) {
                        out[i] = (float) FloatMath.bceWithLogits(x[i], y[i]);
                    }
                } else {
                    for (int i = 0; i < x.length; i++) {
                        out[i] = (float) Functions.bceWithLogits(x[i], y[i]);
                    }
                }
            }
        }
        return out;
    }
}
