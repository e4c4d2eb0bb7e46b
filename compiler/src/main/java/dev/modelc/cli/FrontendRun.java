package dev.modelc.cli;

import dev.modelc.check.CheckedProgram;
import dev.modelc.diag.DiagnosticPrinter;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.SourceFile;
import dev.modelc.driver.Driver;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the pipeline ({@link Driver#run}) over the command line's files up to the checked programs, for the commands
 * that look at checked models ({@code summary}, {@code check}, {@code graph}), and prints the diagnostics in the
 * chosen format.
 */
final class FrontendRun {
  final List<CheckedProgram> programs = new ArrayList<>();
  final Diagnostics diagnostics = new Diagnostics();

  static FrontendRun of(List<Path> files) {
    FrontendRun run = new FrontendRun();
    for (Path f : files) {
      Driver.run(f, run.diagnostics, new Driver.Steps() {
        @Override
        public void checked(SourceFile source, CheckedProgram program) {
          run.programs.add(program);
        }
      });
    }
    return run;
  }

  /** Prints the findings; returns true when there were errors. */
  boolean report(GlobalOptions options, PrintWriter err) {
    print(diagnostics, options, err);
    return diagnostics.hasErrors();
  }

  /** Prints findings in the format asked for, with the error count after text. */
  static void print(Diagnostics diagnostics, GlobalOptions options, PrintWriter err) {
    err.print(options.diagnostics == GlobalOptions.DiagnosticsFormat.json
        ? DiagnosticPrinter.json(diagnostics) : DiagnosticPrinter.text(diagnostics));
    if (diagnostics.hasErrors() && options.diagnostics == GlobalOptions.DiagnosticsFormat.text) {
      int n = diagnostics.errorCount();
      err.println(n + (n == 1 ? " error" : " errors"));
    }
    err.flush();
  }
}
