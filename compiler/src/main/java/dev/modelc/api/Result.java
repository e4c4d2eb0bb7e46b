package dev.modelc.api;

import dev.modelc.diag.Diagnostic;
import dev.modelc.diag.DiagnosticPrinter;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a compilation gave: the generated classes and the stages asked for when every file checked and compiled,
 * and in any case every error and warning, as {@link Message}s and as the rendered text the command line prints.
 * A failed compilation ({@link #ok()} false) has no classes, so no caller can write half of a build.
 */
public final class Result {
  private final List<GeneratedClass> classes;
  private final List<StageText> stages;
  private final Diagnostics diagnostics;
  private final List<Message> messages = new ArrayList<>();

  Result(List<GeneratedClass> classes, List<StageText> stages, Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
    this.classes = diagnostics.hasErrors() ? List.of() : List.copyOf(classes);
    this.stages = diagnostics.hasErrors() ? List.of() : List.copyOf(stages);
    for (Diagnostic d : diagnostics.sorted()) {
      Span s = d.span();
      messages.add(new Message(d.severity() == Diagnostic.Severity.ERROR ? Message.Severity.ERROR
          : Message.Severity.WARNING, s.file(), s.line(), s.column(), s.endLine(), s.endColumn(), d.message(),
          DiagnosticPrinter.text(d, diagnostics.file(s.file()))));
    }
  }

  /** True when there were no errors (warnings allowed). */
  public boolean ok() {
    return !diagnostics.hasErrors();
  }

  /** The generated classes, in file then model order; empty when the compilation failed or generated none. */
  public List<GeneratedClass> classes() {
    return classes;
  }

  /** The class files by path in a class directory ({@code demo/LinReg.class}). */
  public Map<String, byte[]> classFiles() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (GeneratedClass c : classes) {
      files.put(c.entryName(), c.bytecode());
    }
    return files;
  }

  /** The printed stages asked for with {@link Options#withEmit}, in file then model order. */
  public List<StageText> stages() {
    return stages;
  }

  /** Every error and warning, sorted by file and position. */
  public List<Message> messages() {
    return List.copyOf(messages);
  }

  public int errorCount() {
    return diagnostics.errorCount();
  }

  public int warningCount() {
    return messages.size() - diagnostics.errorCount();
  }

  /** The findings as the command line prints them: each {@code file:line:col: error: message}, line and caret. */
  public String text() {
    return DiagnosticPrinter.text(diagnostics);
  }

  /** The findings as JSON, one object per line ({@code modelc --diagnostics=json}). */
  public String json() {
    return DiagnosticPrinter.json(diagnostics);
  }

  /** This result when it is {@link #ok()}; otherwise throws a {@link CompilationFailedException} carrying it. */
  public Result orThrow() {
    if (!ok()) {
      throw new CompilationFailedException(this);
    }
    return this;
  }
}
