package dev.modelc.runtime.api;

import java.util.List;

/**
 * The name, element type and shape of one input, parameter or output of a compiled model. A dimension is a
 * number ({@code "28"}), a symbolic size bound at call time ({@code "B"}) or a product of both ({@code "10*B"}).
 *
 * @param name the model's name for the tensor; parameters use PyTorch {@code state_dict} names ({@code fc1.weight})
 * @param dtype {@code "f32"}, {@code "f64"} or {@code "i32"}
 * @param shape one entry per dimension, row-major
 */
public record TensorSpec(String name, String dtype, List<String> shape) {
    public TensorSpec {
        shape = List.copyOf(shape);
    }

    /** {@code f32[B, 1, 28, 28]}. */
    public String typeText() {
        return dtype + "[" + String.join(", ", shape) + "]";
    }

    @Override
    public String toString() {
        return name + " : " + typeText();
    }
}
