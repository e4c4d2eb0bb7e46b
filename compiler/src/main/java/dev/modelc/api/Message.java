package dev.modelc.api;

/**
 * One error or warning about a model, located in its file.
 *
 * @param severity error or warning
 * @param file the file's name as given to the compiler
 * @param line 1-based line of the first character
 * @param column 1-based column of the first character
 * @param endLine line of the last character
 * @param endColumn the column just past the last character
 * @param message the message alone ({@code undefined name 'w'})
 * @param text the rendered finding: {@code file:line:col: error: message}, the source line and a caret under the place,
 *     lines separated by '\n', ending with '\n'
 */
public record Message(Severity severity, String file, int line, int column, int endLine, int endColumn, String message,
    String text) {
  public enum Severity { ERROR, WARNING }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /** {@code file:line:col: error: message}, the first line of {@link #text()}. */
  @Override
  public String toString() {
    return file + ":" + line + ":" + column + ": " + severity.name().toLowerCase(java.util.Locale.ROOT) + ": " + message;
  }
}
