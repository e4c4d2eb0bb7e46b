package dev.modelc.runtime.tensor;

/**
 * Whether operations record the autograd graph on the current thread (on by default). {@link NoGrad} switches it off
 * for a scope; the backward pass switches it off while it runs the gradient rules, or on when asked to create the
 * graph of the gradients ({@code createGraph}).
 */
public final class GradMode {

    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {
    }

    /** True when new results of operations on tensors that require grad get a {@code gradFn}. */
    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Sets the mode and returns the previous one. */
    public static boolean set(boolean enabled) {
        boolean[] cell = ENABLED.get();
        boolean previous = cell[0];
        cell[0] = enabled;
        return previous;
    }
}
