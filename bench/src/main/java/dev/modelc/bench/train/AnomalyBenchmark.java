package dev.modelc.bench.train;

import dev.modelc.check.CheckedModel;
import dev.modelc.check.DType;
import dev.modelc.check.Dim;
import dev.modelc.check.Frontend;
import dev.modelc.diag.Diagnostics;
import dev.modelc.driver.ModelBuild;
import dev.modelc.runtime.api.Model;
import java.nio.file.Path;
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
    Diagnostics d = new Diagnostics();
    CheckedModel m = Frontend.load(Path.of("samples/models", model + ".mdl"), d).models().get(0);
    if (d.hasErrors()) {
      throw new IllegalStateException("sample " + model + " does not check");
    }
    compiled = ModelBuild.compile(m, "bench", model + ".mdl", false).newUninitialized();
    compiled.initialize(1);
    compiled.setDetectAnomaly(detect);
    Random rnd = new Random(1);
    int b = TrainStepBenchmark.batch(model);
    for (CheckedModel.Input in : m.inputs()) {
      int n = 1;
      for (int i = 0; i < in.type().shape().rank(); i++) {
        Dim dim = in.type().shape().dim(i);
        n *= (int) (dim.coefficient() * Math.pow(b, dim.symbols().size()));
      }
      if (in.type().dtype() == DType.I32) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
          labels[i] = rnd.nextInt(10);
        }
        compiled.setInput(in.name(), labels);
      } else {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
          x[i] = rnd.nextFloat();
        }
        compiled.setInput(in.name(), x);
      }
    }
  }

  @Benchmark
  public double trainStep() {
    return compiled.trainStep();
  }
}
