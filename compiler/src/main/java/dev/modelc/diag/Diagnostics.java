package dev.modelc.diag;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one sink every phase reports to. Findings are collected, not thrown, so a run reports every error of a
 * phase; the driver stops between phases when {@link #hasErrors()}. Rendering lives in {@link DiagnosticPrinter}.
 */
public final class Diagnostics {
  private final List<Diagnostic> all = new ArrayList<>();
  private final Map<String, SourceFile> files = new HashMap<>();
  private int errors;

  /** Registers a file so that rendering can show its source lines. */
  public void addFile(SourceFile file) {
    files.put(file.name(), file);
  }

  public SourceFile file(String name) {
    return files.get(name);
  }

  public void error(Span span, String message) {
    all.add(new Diagnostic(Diagnostic.Severity.ERROR, span, message));
    errors++;
  }

  public void warning(Span span, String message) {
    all.add(new Diagnostic(Diagnostic.Severity.WARNING, span, message));
  }

  /** How many findings there are; with {@link #noteErrorsSince} a phase can annotate what it added. */
  public int size() {
    return all.size();
  }

  /** Adds a note to every error reported since the finding count was {@code start}. */
  public void noteErrorsSince(int start, Span at, String note) {
    for (int i = start; i < all.size(); i++) {
      if (all.get(i).severity() == Diagnostic.Severity.ERROR) {
        all.set(i, all.get(i).withNote(at, note));
      }
    }
  }

  public boolean hasErrors() {
    return errors > 0;
  }

  public int errorCount() {
    return errors;
  }

  public List<Diagnostic> all() {
    return Collections.unmodifiableList(all);
  }

  /** The findings sorted by file and position, errors before warnings at one place. */
  public List<Diagnostic> sorted() {
    List<Diagnostic> copy = new ArrayList<>(all);
    copy.sort((a, b) -> {
      int c = a.span().file().compareTo(b.span().file());
      if (c == 0) {
        c = Integer.compare(a.span().start(), b.span().start());
      }
      return c != 0 ? c : a.severity().compareTo(b.severity());
    });
    return copy;
  }
}
