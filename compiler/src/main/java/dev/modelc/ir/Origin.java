package dev.modelc.ir;

/** Where in the .mdl source a node comes from (1-based line and column); {@link #NONE} for compiler-made nodes. */
public record Origin(int line, int column) {
  public static final Origin NONE = new Origin(0, 0);

  public boolean known() {
    return line > 0;
  }

  @Override
  public String toString() {
    return known() ? line + ":" + column : "?";
  }
}
