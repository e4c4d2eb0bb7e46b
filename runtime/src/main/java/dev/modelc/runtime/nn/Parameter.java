package dev.modelc.runtime.nn;

import dev.modelc.runtime.tensor.Tensor;

/** A leaf tensor that requires grad and belongs to a {@link Module}; it shares storage with the tensor it wraps. */
public final class Parameter extends Tensor {

    public Parameter(Tensor data) {
        super(data);
        requiresGrad(true);
    }
}
