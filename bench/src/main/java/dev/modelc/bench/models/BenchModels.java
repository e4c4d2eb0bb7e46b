package dev.modelc.bench.models;

import java.nio.file.Files;
import java.nio.file.Path;

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
}
