package dev.modelc.codegen;

/**
 * The JVM rejected a class the code generator wrote (a {@link LinkageError}: {@code VerifyError},
 * {@code ClassFormatError}, a failing static initializer). Always a bug in modelc; the command line reports it as an
 * internal error naming the model, without the JVM's stack trace.
 */
public final class InvalidClassException extends RuntimeException {
  public InvalidClassException(String modelName, String className, LinkageError cause) {
    super("the class generated for model " + modelName + " (" + className + ") is invalid: the JVM rejects it with "
        + cause.getClass().getName() + ": " + firstLine(cause.getMessage()), cause);
  }

  private static String firstLine(String message) {
    if (message == null) return "(no message)";
    int end = message.indexOf('\n');
    return end < 0 ? message : message.substring(0, end);
  }

  /** The message alone: the command line prints "internal error: " and this. */
  @Override
  public String toString() {
    return getMessage();
  }
}
