package dev.modelc.bench.train;

import dev.modelc.bench.models.BenchModels;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.interp.Interpreter;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.tensor.Tensor;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One training step (zero_grad, forward, backward, optimizer step) and one inference pass ({@code predict}) of each
 * benchmark model ({@link BenchModels}), in the compiled class and in the reference interpreter (tape autograd; its
 * "predict" is a forward pass, which also records the tape). Inputs are random, labels in range, at the batch sizes
 * of the PyTorch peer. bench/run-all.sh runs this with {@code -prof gc} for the bytes allocated per step; the
 * interpreter's steps of the wide MLP take seconds, so the script leaves them out. {@code threads} sets the compiled
 * model's threads (the interpreter always runs on one).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TrainStepBenchmark {
  @Param({"linreg", "logreg", "mlp", "cnn", "widemlp"})
  public String model;

  /** The compiled model's threads ({@code Model.setThreads}); {@code -p threads=1,2} compares one and two. */
  @Param({"1"})
  public int threads;

  /**
   * How the threads share a step ({@code Model.ThreadSplit}): {@code kernels} (each kernel split) or {@code batch}
   * (each thread the whole step on its own rows); {@code -p threads=2 -p split=batch}.
   */
  @Param({"kernels"})
  public String split;

  /**
   * The batch size; 0 takes the model's own (the harness's, {@code BenchModels.batch}). {@code -p batch=1} measures
   * a service's one-sample predict.
   */
  @Param({"0"})
  public int batch;

  private Model compiled;
  private Interpreter reference;

  @Setup
  public void setUp() {
    CheckedModel m = BenchModels.check(model);
    compiled = Driver.compile(m, "bench", model + ".mdl", false).newUninitialized();
    compiled.initialize(1);
    compiled.setThreads(threads, split.equals("batch") ? Model.ThreadSplit.BATCH : Model.ThreadSplit.KERNELS);
    reference = new Interpreter(m, 1);
    BenchModels.randomInputs(m, batch > 0 ? batch : BenchModels.batch(model), compiled, reference);
  }

  @TearDown
  public void tearDown() {
    compiled.close();
  }

  @Benchmark
  public double compiledTrainStep() {
    return compiled.trainStep();
  }

  @Benchmark
  public Model compiledPredict() {
    compiled.predict();
    return compiled;
  }

  @Benchmark
  public double referenceTrainStep() {
    return reference.trainStep();
  }

  @Benchmark
  public Map<String, Tensor> referencePredict() {
    return reference.forward();
  }
}
