package dev.modelc.runtime.tensor;

/**
 * A scope in which nothing is recorded for autograd, PyTorch's {@code torch.no_grad()}:
 * <pre>{@code
 * try (NoGrad ignored = NoGrad.enter()) {
 *     Tensor y = model.forward(x);   // y.requiresGrad() is false
 * }
 * }</pre>
 * Scopes nest; closing one restores the mode that was in force when it was entered.
 */
public final class NoGrad implements AutoCloseable {

    private final boolean previous;
    private boolean closed;

    private NoGrad(boolean previous) {
        this.previous = previous;
    }

    /** Switches recording off on this thread until {@link #close}. */
    public static NoGrad enter() {
        return new NoGrad(GradMode.set(false));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            GradMode.set(previous);
        }
    }
}
