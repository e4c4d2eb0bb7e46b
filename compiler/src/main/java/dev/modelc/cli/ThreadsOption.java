package dev.modelc.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --threads N} of the commands that run a model ({@code train}, {@code eval}, {@code predict}): how many
 * threads the model's kernels use. The value is checked while the command line is parsed, so that {@code 0},
 * {@code -1} or a word is a usage error (exit 2) before anything is compiled.
 */
final class ThreadsOption {
  /** The most threads {@code --threads} accepts. */
  static final int MAX = dev.modelc.runtime.api.CompiledModel.MAX_THREADS;

  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE) CommandLine.Model.CommandSpec command;

  /** The checked value: 1 unless given. */
  int count = 1;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
      description = "Threads for the model's kernels, 1 to " + MAX + " (default: ${DEFAULT-VALUE}); see "
          + "docs/generated-classes.md.")
  void set(String text) {
    int n;
    try {
      n = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      n = 0;
    }
    if (n < 1 || n > MAX) {
      throw new CommandLine.ParameterException(command.commandLine(), "--threads must be a whole number between 1 and "
          + MAX + ", got " + text);
    }
    count = n;
  }
}
