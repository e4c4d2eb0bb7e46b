package dev.modelc.bench.train;

import dev.modelc.bench.models.BenchModels;
import dev.modelc.check.CheckedModel;
import dev.modelc.check.DType;
import dev.modelc.check.Dim;
import dev.modelc.check.Frontend;
import dev.modelc.diag.Diagnostics;
import dev.modelc.driver.ModelBuild;
import dev.modelc.interp.Interpreter;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.tensor.Tensor;
import java.util.Map;
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
 * One training step (zero_grad, forward, backward, optimizer step) and one inference pass ({@code predict}) of each
 * benchmark model ({@link BenchModels}), in the compiled class and in the reference interpreter (tape autograd; its
 * "predict" is a forward pass, which also records the tape). Inputs are random, labels in range, at the batch sizes
 * of the PyTorch peer. bench/run-all.sh runs this with {@code -prof gc} for the bytes allocated per step; the
 * interpreter's steps of the wide MLP take seconds, so the script leaves them out.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TrainStepBenchmark {
  @Param({"linreg", "logreg", "mlp", "cnn", "widemlp"})
  public String model;

  private Model compiled;
  private Interpreter reference;

  @Setup
  public void setUp() {
    Diagnostics d = new Diagnostics();
    CheckedModel m = Frontend.load(BenchModels.path(model), d).models().get(0);
    if (d.hasErrors()) {
      throw new IllegalStateException("model " + model + " does not check");
    }
    compiled = ModelBuild.compile(m, "bench", model + ".mdl", false).newUninitialized();
    compiled.initialize(1);
    reference = new Interpreter(m, 1);
    Random rnd = new Random(1);
    int b = BenchModels.batch(model);
    for (CheckedModel.Input in : m.inputs()) {
      int[] shape = new int[in.type().shape().rank()];
      int n = 1;
      for (int i = 0; i < shape.length; i++) {
        Dim dim = in.type().shape().dim(i);
        shape[i] = (int) (dim.coefficient() * Math.pow(b, dim.symbols().size()));
        n *= shape[i];
      }
      if (in.type().dtype() == DType.I32) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
          labels[i] = rnd.nextInt(10);
        }
        compiled.setInput(in.name(), labels);
        reference.setLabels(in.name(), labels);
      } else {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
          x[i] = rnd.nextFloat();
        }
        compiled.setInput(in.name(), x);
        reference.setInput(in.name(), Tensor.of(x, shape));
      }
    }
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
