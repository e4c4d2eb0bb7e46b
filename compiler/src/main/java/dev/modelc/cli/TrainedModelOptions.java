package dev.modelc.cli;

import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.data.DataBinding;
import dev.modelc.runtime.data.Dataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What {@code eval} and {@code predict} share: the model file, its trained weights, the data, the batch size, the
 * threads and which model of the file; {@link #printHeader} prints the two lines both commands start with.
 */
final class TrainedModelOptions {
  @Parameters(paramLabel = "MODEL", arity = "1", description = "The .mdl file.")
  Path file;

  @Option(names = "--weights", paramLabel = "FILE", required = true,
      description = "Weights (train --save) or a checkpoint (train --checkpoint).")
  Path weights;

  @Option(names = "--data", paramLabel = "PATH", required = true,
      description = "The data; for a directory of IDX files, its held-out t10k-* pair when present, else its train-* pair.")
  Path data;

  @Option(names = "--batch", paramLabel = "B", defaultValue = "256", description = "Batch size (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--model", paramLabel = "NAME", description = "The model, when the file has several.")
  String modelName;

  @Mixin ThreadsOption threads;

  /**
   * The model compiled, instantiated with its parameters zero (for the weights) and set to {@code --threads}, or
   * null after its errors were reported; checks {@code --batch} first.
   */
  Model open(GlobalOptions options, CommandLine.Model.CommandSpec spec) {
    if (batch < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be at least 1, got " + batch);
    }
    LoadedModel loaded = LoadedModel.compile(file, modelName, options, spec.commandLine().getErr());
    if (loaded == null) {
      return null;
    }
    Model model = loaded.uninitialized();
    model.setThreads(threads.count);
    return model;
  }

  /** The model with its weights ({@code what}: weights or a checkpoint), then the data and its binding. */
  void printHeader(PrintWriter out, Model model, String what, Dataset d, DataBinding binding) {
    out.println("model " + model.name() + " (" + file + "), " + what + " from " + weights);
    out.println("data: " + TrainCommand.describe(d, DataFiles.hasHeldOut(data) ? " (t10k-* files)" : "", binding,
        model));
  }
}
