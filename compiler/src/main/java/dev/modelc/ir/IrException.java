package dev.modelc.ir;

/**
 * A broken IR invariant or an op applied to operands its rule rejects. When the fault lies in the .mdl source (a
 * derivative the compiler cannot build there), {@link #origin} says where, so the driver reports it as a located
 * error rather than a stack trace.
 */
public class IrException extends RuntimeException {
  public final Origin origin;

  public IrException(String message, Origin origin) {
    super(message);
    this.origin = origin == null ? Origin.NONE : origin;
  }

  public IrException(String message) {
    this(message, Origin.NONE);
  }
}
