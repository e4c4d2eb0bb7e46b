package dev.modelc.runtime.nn;

import dev.modelc.runtime.tensor.Functional;
import dev.modelc.runtime.tensor.Tensor;

/** 2-D max pooling with a square window; the stride defaults to the kernel size, as in PyTorch. */
public final class MaxPool2d extends Module {

    private final int kernel;
    private final int stride;
    private final int padding;

    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public MaxPool2d(int kernel, int stride, int padding) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.maxPool2d(x, kernel, stride, padding);
    }
}
