package dev.modelc.driver;

import dev.modelc.ast.Program;
import dev.modelc.check.CheckedModel;
import dev.modelc.check.CheckedProgram;
import dev.modelc.check.Frontend;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.SourceFile;
import java.nio.file.Path;

/**
 * The compiler's pipeline, read top to bottom in {@link #run(SourceFile, Diagnostics, Steps)}: read, parse, stop on
 * error, check, stop on error, then each model through {@link Steps#model}, where a full compilation lowers,
 * differentiates, optimizes, schedules and emits ({@link ModelBuild#compile}). The compile API
 * ({@code dev.modelc.api.Modelc}, which {@code modelc compile} and the Maven plugin call) and the command line's
 * {@code summary}, {@code check} and {@code graph} all run it, each saying through {@link Steps} what it wants of a
 * file; errors go to the one sink, and a file with errors stops before its models while the other files go on.
 */
public final class Driver {
  private Driver() {}

  /** What a caller does at each step of a file; each default does nothing. */
  public interface Steps {
    /** The syntax tree of a file that parsed ({@code --emit ast}). */
    default void parsed(SourceFile source, Program program) {}

    /** A file that checked without errors, before its models. */
    default void checked(SourceFile source, CheckedProgram program) {}

    /** Each model of a file that checked, in order. */
    default void model(SourceFile source, CheckedModel model) {}
  }

  /** Reads the file (UTF-8) and runs the pipeline over it; an unreadable file is a diagnostic. */
  public static void run(Path file, Diagnostics diagnostics, Steps steps) {
    SourceFile source = Frontend.read(file, diagnostics);
    if (source != null) {
      run(source, diagnostics, steps);
    }
  }

  /** The pipeline over one source. */
  public static void run(SourceFile source, Diagnostics diagnostics, Steps steps) {
    int errorsBefore = diagnostics.errorCount();
    CheckedProgram checked = Frontend.load(source, diagnostics, program -> steps.parsed(source, program));
    if (checked == null || diagnostics.errorCount() > errorsBefore) {
      return;
    }
    steps.checked(source, checked);
    for (CheckedModel model : checked.models()) {
      steps.model(source, model);
    }
  }
}
