package dev.modelc.cli;

import dev.modelc.runtime.api.ModelTooLargeError;
import java.util.Locale;

/**
 * A model or data set larger than the Java heap: reported as a user error (exit 1) that says what needed the
 * memory and how to give the JVM more, never as an internal error. The launcher passes MODELC_JAVA_OPTS to java.
 */
final class OutOfMemory {
  private OutOfMemory() {
  }

  /** The OutOfMemoryError that {@code e} is or was caused by, or null. */
  static OutOfMemoryError in(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof OutOfMemoryError oom) {
        return oom;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /** The message: what did not fit, the heap it had, and the -Xmx to ask for. */
  static String describe(OutOfMemoryError e) {
    long max = Runtime.getRuntime().maxMemory();
    long want = e instanceof ModelTooLargeError big ? big.bytesNeeded() : 2 * max;
    long gb = Math.max(1, (long) Math.ceil(want * 1.25 / 1e9) + 1); // the arrays plus room for the rest
    String what = e instanceof ModelTooLargeError ? e.getMessage()
        : String.format(Locale.ROOT, "out of memory (%s): the Java heap (at most %.1f GB) is too small for this run",
            e.getMessage() == null ? "Java heap space" : e.getMessage(), max / 1e9);
    return what + "; give the JVM more heap with MODELC_JAVA_OPTS, e.g. MODELC_JAVA_OPTS=-Xmx" + gb + "g ./modelc "
        + "..., or make the model smaller";
  }
}
