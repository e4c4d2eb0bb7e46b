package dev.modelc.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Options every subcommand accepts: the diagnostics format and whether internal errors show a stack trace. */
public final class GlobalOptions {
  public enum DiagnosticsFormat { text, json }

  @Option(
      names = "--diagnostics",
      paramLabel = "FORMAT",
      description = "How errors and warnings are printed: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
      defaultValue = "text")
  DiagnosticsFormat diagnostics = DiagnosticsFormat.text;

  @Option(names = "--stacktrace", description = "Print the stack trace of an internal error.")
  boolean stacktrace;

  static boolean stacktraceRequested(CommandLine.ParseResult parsed) {
    CommandLine.ParseResult sub = parsed;
    while (sub != null) {
      if (sub.hasMatchedOption("--stacktrace")) {
        return true;
      }
      sub = sub.subcommand();
    }
    return false;
  }
}
