package dev.modelc.cli;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What {@code eval} and {@code predict} share: the model file, its trained weights, the data, the batch size, the
 * threads and which model of the file; {@link #weightsAndData} prints the two header lines both commands start with.
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

  @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
      description = "Threads for the model's kernels (default: ${DEFAULT-VALUE}); see docs/generated-classes.md.")
  int threads;

  /** The most threads {@code --threads} accepts. */
  static final int MAX_THREADS = 256;

  /** The model compiled and loaded, or null after its errors were reported; checks {@code --batch} first. */
  LoadedModel load(GlobalOptions options, CommandLine.Model.CommandSpec spec) {
    if (batch < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be at least 1, got " + batch);
    }
    checkThreads(spec.commandLine(), threads);
    return LoadedModel.compile(file, modelName, options, spec.commandLine().getErr());
  }

  /** A usage error unless {@code 1 <= threads <= MAX_THREADS}. */
  static void checkThreads(CommandLine cmd, int threads) {
    if (threads < 1 || threads > MAX_THREADS) {
      throw new CommandLine.ParameterException(cmd, "--threads must be between 1 and " + MAX_THREADS + ", got "
          + threads);
    }
  }
}
