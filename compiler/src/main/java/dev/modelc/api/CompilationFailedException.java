package dev.modelc.api;

/** A compilation that had errors; its message is the rendered findings, {@link #result()} has them as objects. */
public final class CompilationFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient Result result;

  public CompilationFailedException(Result result) {
    super(result.errorCount() + (result.errorCount() == 1 ? " error" : " errors") + " in the models:\n"
        + result.text());
    this.result = result;
  }

  public Result result() {
    return result;
  }
}
