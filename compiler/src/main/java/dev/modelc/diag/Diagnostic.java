package dev.modelc.diag;

/** One finding about the user's input: an error or a warning, located at a span. */
public record Diagnostic(Severity severity, Span span, String message) {
  public enum Severity {
    ERROR,
    WARNING;

    public String label() {
      return this == ERROR ? "error" : "warning";
    }
  }
}
