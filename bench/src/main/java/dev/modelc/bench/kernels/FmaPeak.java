package dev.modelc.bench.kernels;

/**
 * A loop of independent fused multiply-add chains, the core's floating-point ceiling against which the kernels'
 * GFLOP/s are read. The implementation ({@code VectorFmaPeak}, source folder {@code bench/src/main/java-vector})
 * uses the Vector API and is loaded by name, so the benchmark runs only in a JVM started with
 * {@code --add-modules jdk.incubator.vector}.
 */
public interface FmaPeak {
  /** Floating-point operations one {@link #run} call does: 2 per lane per chain per iteration. */
  long flopsPerRun(int iterations);

  /** Runs the chains for {@code iterations} steps; returns their sum so the work cannot be dropped. */
  float run(float x, int iterations);

  /** The vector width in floats. */
  int lanes();

  /** The Vector API implementation; fails on a JVM without the incubator module. */
  static FmaPeak vector() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      throw new IllegalStateException("the FMA peak needs a JVM started with --add-modules jdk.incubator.vector");
    }
    try {
      return (FmaPeak) Class.forName("dev.modelc.bench.kernels.VectorFmaPeak").getDeclaredConstructor()
          .newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot load the Vector API FMA peak", e);
    }
  }
}
