package dev.modelc.bench.kernels;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The core's FMA peak ({@link FmaPeak}): the secondary result {@code flops} is floating-point operations per
 * second. Run only in a JVM with {@code --add-modules jdk.incubator.vector}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FmaPeakBenchmark {
  private static final int ITERATIONS = 1_000;

  private FmaPeak peak;
  private float x = 0.5f;

  /** Floating-point operations done, reported per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Flops {
    public long flops;

    @Setup(Level.Iteration)
    public void clear() {
      flops = 0;
    }
  }

  @Setup
  public void setUp() {
    peak = FmaPeak.vector();
    System.out.println("FMA peak: " + peak.lanes() + " float lanes");
  }

  @Benchmark
  public float fma(Flops counter) {
    counter.flops += peak.flopsPerRun(ITERATIONS);
    return peak.run(x, ITERATIONS);
  }
}
