package dev.modelc.runtime.api;

import static dev.modelc.runtime.api.ModelArrays.length;

import java.util.Arrays;
import java.util.List;

/**
 * Where a {@link CompiledModel}'s values live ({@link ModelSpec.Location}: a buffer, input, parameter or gradient
 * slot) and how many elements they have at the bound sizes, and the copies of outputs out of those arrays, which may
 * be longer than the current batch needs. The buffers grow here to the bound sizes and never shrink.
 */
final class ModelLocations {
    private final ModelSpec spec;
    private final int[] sizes;
    private final Object[] buffers;
    private final Object[] inputs;
    private final Object[] params;
    private final Object[] grads;
    /** The shape of each output as monomials over the sizes, parsed once so that counting allocates nothing. */
    private final ModelSpec.Monomial[][] outputDims;

    ModelLocations(ModelSpec spec, int[] sizes, Object[] buffers, Object[] inputs, Object[] params, Object[] grads) {
        this.spec = spec;
        this.sizes = sizes;
        this.buffers = buffers;
        this.inputs = inputs;
        this.params = params;
        this.grads = grads;
        outputDims = new ModelSpec.Monomial[spec.outputs().size()][];
        for (int i = 0; i < outputDims.length; i++) {
            List<String> shape = spec.outputs().get(i).shape();
            outputDims[i] = new ModelSpec.Monomial[shape.size()];
            for (int d = 0; d < shape.size(); d++) {
                outputDims[i][d] = ModelSpec.monomial(shape.get(d), spec.sizes());
            }
        }
    }

    Object array(ModelSpec.Location at) {
        return switch (at.kind()) {
            case "buffer" -> buffers[at.index()];
            case "input" -> inputs[at.index()];
            case "param" -> params[at.index()];
            case "grad" -> grads[at.index()];
            default -> throw new IllegalStateException("bad location " + at);
        };
    }

    /** Grows every buffer that is shorter than the bound sizes need. */
    void growBuffers() {
        for (int b = 0; b < buffers.length; b++) {
            ModelSpec.Buffer buffer = spec.buffers().get(b);
            int need = buffer.length().evaluate(sizes);
            if (buffers[b] == null || length(buffers[b]) < need) {
                buffers[b] = buffer.dtype().equals("f64") ? new double[need]
                        : buffer.dtype().equals("i32") ? new int[need] : new float[need];
            }
        }
    }

    /** The number of elements of output {@code i} at the bound sizes. */
    int count(int i) {
        long n = 1;
        for (ModelSpec.Monomial d : outputDims[i]) {
            n *= d.evaluate(sizes);
        }
        return Math.toIntExact(n); // the bound arrays hold n elements, so n fits
    }

    /** A copy of output {@code i}. */
    Object output(int i) {
        Object a = array(spec.outputLocations().get(i));
        int n = count(i);
        return a instanceof float[] f ? Arrays.copyOf(f, n) : Arrays.copyOf((double[]) a, n);
    }

    /** Throws {@link IllegalArgumentException} unless {@code out} has output {@code i}'s array type and length. */
    void checkOutput(int i, Object out) {
        TensorSpec t = spec.outputs().get(i);
        Object at = array(spec.outputLocations().get(i));
        int n = count(i);
        if (out == null || out.getClass() != at.getClass() || length(out) != n) {
            throw new IllegalArgumentException("output " + t.name() + ": expected " + ModelArrays.javaType(t.dtype())
                    + " (" + t.typeText() + "), that is " + n + " elements, but the array has "
                    + (out == null ? "null" : length(out) + " elements of " + out.getClass().getSimpleName()));
        }
    }

    /** Copies output {@code i} into {@code out}, checked by {@link #checkOutput}. */
    void copyOutput(int i, Object out) {
        System.arraycopy(array(spec.outputLocations().get(i)), 0, out, 0, count(i));
    }
}
