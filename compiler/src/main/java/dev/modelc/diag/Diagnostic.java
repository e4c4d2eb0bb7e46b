package dev.modelc.diag;

import java.util.ArrayList;
import java.util.List;

/**
 * One finding about the user's input: an error or a warning, located at a span, with notes that say where else to
 * look (the layer instance whose body an error is in).
 */
public record Diagnostic(Severity severity, Span span, String message, List<Note> notes) {
  public enum Severity {
    ERROR,
    WARNING;

    public String label() {
      return this == ERROR ? "error" : "warning";
    }
  }

  /** A located remark attached to a finding, printed after it as {@code file:line:col: note: message}. */
  public record Note(Span span, String message) {}

  public Diagnostic {
    notes = List.copyOf(notes);
  }

  public Diagnostic(Severity severity, Span span, String message) {
    this(severity, span, message, List.of());
  }

  /** This finding with one more note at the end. */
  public Diagnostic withNote(Span at, String note) {
    List<Note> more = new ArrayList<>(notes);
    more.add(new Note(at, note));
    return new Diagnostic(severity, span, message, more);
  }
}
