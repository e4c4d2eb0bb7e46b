package dev.modelc.diag;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A source text with its display name; maps offsets to 1-based lines and columns.
 *
 * <p>The line starts are found once, so placing an offset is a binary search, and a line's length, blankness and
 * any piece of it are had without copying the whole line: rendering a finding costs the same on a line of 600,000
 * characters as on one of 60.
 */
public final class SourceFile {
  private final String name;
  private final String text;
  private final int[] lineStarts;
  /** The 1-based numbers of the lines that are empty or white space only ({@link String#isBlank}). */
  private final BitSet blankLines = new BitSet();

  public SourceFile(String name, String text) {
    this.name = name;
    this.text = text;
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        starts.add(i + 1);
      }
    }
    lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    for (int line = 1; line <= lineStarts.length; line++) {
      if (whiteSpaceOnly(lineStarts[line - 1], end(line))) {
        blankLines.set(line);
      }
    }
  }

  public String name() {
    return name;
  }

  public String text() {
    return text;
  }

  /** The text of a 1-based line, without its line terminator. */
  public String line(int line) {
    return line(line, 0, length(line));
  }

  /**
   * The characters [from, to) of a 1-based line, counted from 0 and clamped to the line (without its terminator):
   * a piece of a long line without copying all of it.
   */
  public String line(int line, int from, int to) {
    int length = length(line);
    int f = Math.max(0, Math.min(from, length));
    int t = Math.max(f, Math.min(to, length));
    return length == 0 ? "" : text.substring(lineStarts[line - 1] + f, lineStarts[line - 1] + t);
  }

  /** How many characters a 1-based line has, without its line terminator; 0 for a line the file does not have. */
  public int length(int line) {
    return line < 1 || line > lineStarts.length ? 0 : end(line) - lineStarts[line - 1];
  }

  /** Whether a 1-based line is empty or white space only, as {@code line(line).isBlank()}; true past the end. */
  public boolean isBlank(int line) {
    return line < 1 || line > lineStarts.length || blankLines.get(line);
  }

  /** The span of characters [start, end) of this file. */
  public Span span(int start, int end) {
    int s = Math.max(0, Math.min(start, text.length()));
    int e = Math.max(s, Math.min(end, text.length()));
    int line = lineOf(s);
    int endLine = lineOf(Math.max(s, e - 1));
    return new Span(name, s, e, line, s - lineStarts[line - 1] + 1, endLine,
        Math.max(s, e - 1) - lineStarts[endLine - 1] + 2);
  }

  /**
   * The offset of a 1-based line and column, the line clamped to the file's and the column to at most one past the
   * line's last character.
   */
  public int offset(int line, int column) {
    int l = Math.max(1, Math.min(line, lineStarts.length));
    return lineStarts[l - 1] + Math.max(0, Math.min(column - 1, length(l)));
  }

  /** The offset just past a 1-based line's last character, before its "\n" or "\r\n". */
  private int end(int line) {
    int start = lineStarts[line - 1];
    int end = line < lineStarts.length ? lineStarts[line] - 1 : text.length();
    if (end > start && text.charAt(end - 1) == '\r') {
      end--;
    }
    return Math.max(start, end);
  }

  private boolean whiteSpaceOnly(int from, int to) {
    for (int i = from; i < to; i++) {
      if (!Character.isWhitespace(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private int lineOf(int offset) {
    int lo = 0;
    int hi = lineStarts.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (lineStarts[mid] <= offset) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo + 1;
  }
}
