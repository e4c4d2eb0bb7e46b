package dev.modelc.sched;

/** Where a value lives at run time: an input, a parameter, a parameter's gradient, or a working buffer. */
public record Location(Kind kind, int index) {
  public enum Kind {
    INPUT, PARAM, GRAD, BUFFER
  }

  /** The spelling of {@code dev.modelc.runtime.api.ModelSpec.Location}: {@code buffer:3}. */
  @Override
  public String toString() {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + index;
  }
}
