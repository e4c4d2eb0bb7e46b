package dev.modelc.diag;

/**
 * Renders diagnostics as text ({@code file:line:col: error: message}, the source line and an underline) or as JSON,
 * one object per line with the keys file, line, column, endLine, endColumn, severity and message.
 *
 * <p>Text output is bounded, as javac's: at most {@link #MAX_SHOWN} errors and as many warnings are shown, then one
 * line says how many more there were; a source line longer than {@link #MAX_LINE} columns is shown as a window
 * around the caret with "..." where it was cut.
 */
public final class DiagnosticPrinter {
  /** How many errors (and, separately, warnings) the text output shows. */
  public static final int MAX_SHOWN = 100;
  /** The widest source line shown whole; longer ones are cut around the caret. */
  public static final int MAX_LINE = 120;

  private DiagnosticPrinter() {}

  public static String text(Diagnostics diagnostics) {
    StringBuilder out = new StringBuilder();
    int errors = 0;
    int warnings = 0;
    for (Diagnostic d : diagnostics.sorted()) {
      boolean error = d.severity() == Diagnostic.Severity.ERROR;
      int shown = error ? errors++ : warnings++;
      if (shown < MAX_SHOWN) {
        out.append(text(d, diagnostics.file(d.span().file())));
      }
    }
    if (errors > MAX_SHOWN) {
      out.append(MAX_SHOWN).append(" errors shown; ").append(errors - MAX_SHOWN).append(" more not shown\n");
    }
    if (warnings > MAX_SHOWN) {
      out.append(MAX_SHOWN).append(" warnings shown; ").append(warnings - MAX_SHOWN).append(" more not shown\n");
    }
    return out.toString();
  }

  public static String text(Diagnostic d, SourceFile file) {
    StringBuilder out = new StringBuilder(text(d.severity().label(), d.span(), d.message(), file));
    for (Diagnostic.Note n : d.notes()) {
      out.append(text("note", n.span(), n.message(), file));
    }
    return out.toString();
  }

  private static String text(String label, Span s, String message, SourceFile file) {
    StringBuilder out = new StringBuilder()
        .append(s.file()).append(':').append(s.line()).append(':').append(s.column()).append(": ")
        .append(label).append(": ").append(message).append('\n');
    if (file == null) {
      return out.toString();
    }
    int length = file.length(s.line());
    if (blank(file, s.line())) {
      return out.toString();
    }
    int col = Math.min(s.column(), length + 1);
    int width = s.endLine() == s.line() ? Math.max(1, s.endColumn() - s.column()) : length - col + 1;
    // A line longer than MAX_LINE: a window of MAX_LINE columns starting a little before the caret, "..." marking
    // each cut. Only the window is copied, so a finding costs the same however long its line is.
    int from = length > MAX_LINE ? Math.max(0, Math.min(col - 1 - MAX_LINE / 3, length - MAX_LINE)) : 0;
    int to = Math.min(length, from + MAX_LINE);
    String head = from > 0 ? "..." : "";
    String line = head + printable(file.line(s.line(), from, to)) + (to < length ? "..." : "");
    col = col - from + head.length();
    out.append("  ").append(line).append('\n');
    width = Math.max(1, Math.min(width, line.length() - col + 1));
    StringBuilder marker = new StringBuilder("  ");
    for (int i = 1; i < col; i++) {
      marker.append(line.charAt(i - 1) == '\t' ? '\t' : ' ');
    }
    marker.append('^').append("~".repeat(width - 1));
    return out.append(marker).append('\n').toString();
  }

  public static String json(Diagnostics diagnostics) {
    StringBuilder out = new StringBuilder();
    for (Diagnostic d : diagnostics.sorted()) {
      Span s = d.span();
      out.append("{\"file\":").append(quote(s.file()))
          .append(",\"line\":").append(s.line())
          .append(",\"column\":").append(s.column())
          .append(",\"endLine\":").append(s.endLine())
          .append(",\"endColumn\":").append(s.endColumn())
          .append(",\"severity\":").append(quote(d.severity().label()))
          .append(",\"message\":").append(quote(d.message()));
      if (!d.notes().isEmpty()) {
        out.append(",\"notes\":[");
        for (int i = 0; i < d.notes().size(); i++) {
          Diagnostic.Note n = d.notes().get(i);
          out.append(i == 0 ? "" : ",").append("{\"line\":").append(n.span().line())
              .append(",\"column\":").append(n.span().column())
              .append(",\"message\":").append(quote(n.message())).append('}');
        }
        out.append(']');
      }
      out.append("}\n");
    }
    return out.toString();
  }

  /** A JSON string literal. */
  public static String quote(String s) {
    return dev.modelc.runtime.io.Json.quote(s);
  }


  /**
   * Whether a line shows as empty, so that it gets no excerpt. Only a line of white space alone is read again here,
   * for the control characters among it that {@link #printable} shows as '?'; a line with a token on it, the one
   * almost every finding is on, is answered from the source file without reading it.
   */
  private static boolean blank(SourceFile file, int line) {
    return file.isBlank(line) && printable(file.line(line)).isBlank();
  }

  /** The text with control characters shown as '?', so garbage input cannot mess up a terminal. */
  private static String printable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      out.append(c == '\t' || (c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0)) ? c : '?');
    }
    return out.toString();
  }
}
