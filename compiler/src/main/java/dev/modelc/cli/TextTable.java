package dev.modelc.cli;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with aligned columns, a header rule and optional section rules; used by the CLI's reports. */
final class TextTable {
  private final List<String> headers;
  private final boolean[] rightAligned;
  private final List<String[]> rows = new ArrayList<>();

  TextTable(String... headers) {
    this.headers = List.of(headers);
    this.rightAligned = new boolean[headers.length];
  }

  TextTable alignRight(int column) {
    rightAligned[column] = true;
    return this;
  }

  TextTable row(String... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException("expected " + headers.size() + " cells, got " + cells.length);
    }
    rows.add(cells.clone());
    return this;
  }

  /** A horizontal rule between groups of rows. */
  TextTable rule() {
    rows.add(null);
    return this;
  }

  String render() {
    int[] width = new int[headers.size()];
    for (int c = 0; c < width.length; c++) {
      width[c] = headers.get(c).length();
    }
    for (String[] row : rows) {
      if (row != null) {
        for (int c = 0; c < width.length; c++) {
          width[c] = Math.max(width[c], row[c].length());
        }
      }
    }
    int total = 0;
    for (int w : width) {
      total += w + 2;
    }
    String thin = "-".repeat(total - 2) + "\n";
    StringBuilder out = new StringBuilder();
    out.append(line(headers.toArray(new String[0]), width)).append("=".repeat(total - 2)).append('\n');
    for (String[] row : rows) {
      out.append(row == null ? thin : line(row, width));
    }
    return out.toString();
  }

  private String line(String[] cells, int[] width) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < cells.length; c++) {
      String cell = cells[c];
      String pad = " ".repeat(width[c] - cell.length());
      line.append(rightAligned[c] ? pad + cell : cell + pad);
      if (c + 1 < cells.length) {
        line.append("  ");
      }
    }
    return line.toString().stripTrailing() + "\n";
  }
}
