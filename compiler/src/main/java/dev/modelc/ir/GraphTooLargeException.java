package dev.modelc.ir;

import dev.modelc.util.ExpansionLimit;

/**
 * A graph passed {@link ExpansionLimit#MAX_NODES} nodes while being built. Thrown where the node was added; the
 * adjoint builder moves it to the {@code grad(...)} call or objective whose gradient was being built.
 */
public final class GraphTooLargeException extends IrException {
  public GraphTooLargeException(Origin origin) {
    super(ExpansionLimit.message(), origin);
  }
}
