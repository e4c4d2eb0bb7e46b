package dev.modelc.runtime.api;

/**
 * Thrown when a generated class is instantiated and its parameters, gradients and optimizer state do not fit in the
 * Java heap: an {@link OutOfMemoryError} that says how many bytes they need, so that a command line can say how
 * much heap to ask for.
 */
public final class ModelTooLargeError extends OutOfMemoryError {
    private static final long serialVersionUID = 1L;

    private final long bytesNeeded;

    ModelTooLargeError(String message, long bytesNeeded, OutOfMemoryError cause) {
        super(message);
        this.bytesNeeded = bytesNeeded;
        initCause(cause);
    }

    /** The bytes of the parameters with their gradients and optimizer state. */
    public long bytesNeeded() {
        return bytesNeeded;
    }
}
