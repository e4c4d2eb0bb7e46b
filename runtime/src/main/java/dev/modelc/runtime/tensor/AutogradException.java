package dev.modelc.runtime.tensor;

/** A misuse of autograd, worded as PyTorch words the same {@code RuntimeError}. */
public final class AutogradException extends RuntimeException {
    public AutogradException(String message) {
        super(message);
    }
}
