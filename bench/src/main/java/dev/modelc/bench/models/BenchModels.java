package dev.modelc.bench.models;

import dev.modelc.check.CheckedModel;
import dev.modelc.check.Frontend;
import dev.modelc.diag.Diagnostics;
import dev.modelc.interp.Interpreter;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.tensor.Tensor;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The benchmarks' models by name: the samples ({@code samples/models/linreg.mdl}, {@code logreg}, {@code mlp},
 * {@code cnn}) and the bench's own ({@code bench/models/widemlp.mdl}), with the batch size each is measured at (the
 * same in the PyTorch peer, {@code bench/peers/torch_bench.py}). Paths are relative to the repository root, where the
 * benchmarks run.
 */
public final class BenchModels {
  private BenchModels() {}

  /** The {@code .mdl} file of a model. */
  public static Path path(String model) {
    Path sample = Path.of("samples/models", model + ".mdl");
    if (Files.exists(sample)) {
      return sample;
    }
    Path bench = Path.of("bench/models", model + ".mdl");
    if (Files.exists(bench)) {
      return bench;
    }
    throw new IllegalArgumentException("no model " + model + " in samples/models or bench/models (run from the "
        + "repository root)");
  }

  /** The batch size (the number of samples for the linear regression). */
  public static int batch(String model) {
    return switch (model) {
      case "linreg" -> 100;
      case "logreg" -> 256;
      case "widemlp" -> 128;
      default -> 64;
    };
  }

  /** The model of {@code name}'s file, checked. */
  public static CheckedModel check(String model) {
    Diagnostics d = new Diagnostics();
    CheckedModel m = Frontend.load(path(model), d).models().get(0);
    if (d.hasErrors()) {
      throw new IllegalStateException("model " + model + " does not check");
    }
    return m;
  }

  /**
   * Binds the same random inputs (uniform in [0, 1), labels in 0..9) of batch {@code batch} to the compiled model
   * and, when not null, to the reference interpreter.
   */
  public static void randomInputs(CheckedModel m, int batch, Model compiled, Interpreter reference) {
    Random rnd = new Random(1);
    for (CheckedModel.Input in : m.inputs()) {
      int[] shape = new int[in.type().shape().rank()];
      int n = 1;
      for (int i = 0; i < shape.length; i++) {
        Dim dim = in.type().shape().dim(i);
        shape[i] = (int) (dim.coefficient() * Math.pow(batch, dim.symbols().size()));
        n *= shape[i];
      }
      if (in.type().dtype() == DType.I32) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
          labels[i] = rnd.nextInt(10);
        }
        compiled.setInput(in.name(), labels);
        if (reference != null) {
          reference.setLabels(in.name(), labels);
        }
      } else {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
          x[i] = rnd.nextFloat();
        }
        compiled.setInput(in.name(), x);
        if (reference != null) {
          reference.setInput(in.name(), Tensor.of(x, shape));
        }
      }
    }
  }
}
