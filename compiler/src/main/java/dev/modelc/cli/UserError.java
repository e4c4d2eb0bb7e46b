package dev.modelc.cli;

/**
 * A mistake in what the user gave a command (a file that does not fit, a checkpoint of another model): printed as
 * {@code modelc: error: MESSAGE}, exit code 1, never with a stack trace. The message names the file and what is
 * wrong with it.
 */
public final class UserError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UserError(String message) {
    super(message);
  }

  public UserError(String message, Throwable cause) {
    super(message, cause);
  }
}
