package dev.modelc.diag;

/**
 * A range of source text: offsets [start, end) and the 1-based line and column of its first character and of the
 * column just past its last character ({@code endColumn}), as editors and the JSON diagnostics expect.
 */
public record Span(String file, int start, int end, int line, int column, int endLine, int endColumn) {
  /** A span for things that have no place in a file (command-line values, generated nodes). */
  public static Span none(String file) {
    return new Span(file, 0, 0, 1, 1, 1, 1);
  }

  /** The smallest span covering this one and {@code other}. */
  public Span to(Span other) {
    Span first = start <= other.start ? this : other;
    Span last = end >= other.end ? this : other;
    return new Span(file, first.start, last.end, first.line, first.column, last.endLine, last.endColumn);
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
