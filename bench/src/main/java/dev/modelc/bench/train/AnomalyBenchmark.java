package dev.modelc.bench.train;

import dev.modelc.bench.models.BenchModels;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.runtime.api.Model;
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
 * What anomaly detection costs: one training step of a sample model with {@code setDetectAnomaly} off (one field read
 * per step) and on (every input, step output and updated parameter scanned for NaN and infinity). Compare the off
 * figure with {@code TrainStepBenchmark.compiled} of a build without the checks to see the cost of the guards.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AnomalyBenchmark {
  @Param({"cnn", "mlp"})
  public String model;

  @Param({"false", "true"})
  public boolean detect;

  private Model compiled;

  @Setup
  public void setUp() {
    CheckedModel m = BenchModels.check(model);
    compiled = Driver.compile(m, "bench", model + ".mdl", false).newUninitialized();
    compiled.initialize(1);
    compiled.setDetectAnomaly(detect);
    BenchModels.randomInputs(m, BenchModels.batch(model), compiled, null);
  }

  @Benchmark
  public double trainStep() {
    return compiled.trainStep();
  }
}
