package dev.modelc.runtime.api;

import static dev.modelc.runtime.api.ModelArrays.dtypeOf;
import static dev.modelc.runtime.api.ModelArrays.javaType;
import static dev.modelc.runtime.api.ModelArrays.length;

import java.util.List;

/**
 * The binding half of a {@link CompiledModel}: which symbolic sizes are given (until changed with {@code setSize}, or
 * for one call by a typed method) and which are learned from the inputs' lengths, and the check of every input's
 * dtype and length against the bound sizes, with messages that say where each size came from. It writes the model's
 * {@code sizes} and {@code inputs} arrays, which the generated code reads.
 */
final class InputBinding {
    private final ModelSpec spec;
    private final int[] sizes;
    private final Object[] inputs;
    /** The shape of each input as monomials over the sizes. */
    final ModelSpec.Monomial[][] inputDims;
    private final boolean[] sizeGiven;
    private final boolean[] sizeForOneCall;
    /** Per size, during a pass: -1 given, -2 not yet known, else the input it was learned from. */
    private final int[] sizeSource;

    InputBinding(ModelSpec spec, int[] sizes, Object[] inputs) {
        this.spec = spec;
        this.sizes = sizes;
        this.inputs = inputs;
        sizeGiven = new boolean[sizes.length];
        sizeForOneCall = new boolean[sizes.length];
        sizeSource = new int[sizes.length];
        inputDims = new ModelSpec.Monomial[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            List<String> shape = spec.inputs().get(i).shape();
            inputDims[i] = new ModelSpec.Monomial[shape.size()];
            for (int d = 0; d < shape.size(); d++) {
                inputDims[i][d] = ModelSpec.monomial(shape.get(d), spec.sizes());
            }
        }
    }

    /** Binds a size for the next pass only. */
    void bindSize(int index, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("size " + spec.sizes().get(index) + " must not be negative, got "
                    + value);
        }
        sizes[index] = value;
        sizeForOneCall[index] = true;
    }

    /** Binds a size until it is changed. */
    void setSize(String symbol, int value) {
        int index = spec.sizes().indexOf(symbol);
        if (index < 0) {
            throw new IllegalArgumentException("model " + spec.name() + " has no size " + symbol + "; it has "
                    + spec.sizes());
        }
        bindSize(index, value);
        sizeForOneCall[index] = false;
        sizeGiven[index] = true;
    }

    /** The current shape of input {@code i}. */
    int[] shape(int i) {
        int[] dims = new int[inputDims[i].length];
        for (int d = 0; d < dims.length; d++) {
            dims[d] = inputDims[i][d].evaluate(sizes);
        }
        return dims;
    }

    /** Learns the sizes not given from the inputs' lengths and checks every input the pass reads. */
    void prepare(boolean predictOnly) {
        for (int s = 0; s < sizes.length; s++) {
            sizeSource[s] = sizeGiven[s] || sizeForOneCall[s] ? -1 : -2;
            sizeForOneCall[s] = false;
        }
        for (int i = 0; i < inputs.length; i++) {
            if (predictOnly && !spec.predictInputs().get(i)) {
                continue;
            }
            TensorSpec t = spec.inputs().get(i);
            if (inputs[i] == null) {
                throw new IllegalStateException("input " + t.name() + " is not set: bind a " + javaType(t.dtype())
                        + " (" + t.typeText() + ") with setInput(\"" + t.name() + "\", array) or pass it to a "
                        + "typed method");
            }
            if (!t.dtype().equals(dtypeOf(inputs[i]))) {
                throw new IllegalArgumentException("input " + t.name() + ": expected " + javaType(t.dtype()) + " ("
                        + t.typeText() + ") but got " + inputs[i].getClass().getSimpleName());
            }
            learnSize(i);
        }
        for (int i = 0; i < inputs.length; i++) {
            if (!predictOnly || spec.predictInputs().get(i)) {
                checkInput(i);
            }
        }
    }

    /** Binds the one unknown size of an input's shape, if it has exactly one, from the array's length. */
    private void learnSize(int i) {
        int unknown = -1;
        long known = 1;
        for (ModelSpec.Monomial d : inputDims[i]) {
            long v = d.coefficient();
            for (int s : d.symbols()) {
                if (sizeSource[s] == -2) {
                    if (unknown >= 0 && unknown != s) {
                        return;
                    }
                    unknown = s;
                } else {
                    v *= sizes[s];
                }
            }
            known *= v;
        }
        if (unknown < 0) {
            return;
        }
        int power = 0;
        for (ModelSpec.Monomial d : inputDims[i]) {
            for (int s : d.symbols()) {
                power += s == unknown ? 1 : 0;
            }
        }
        long length = length(inputs[i]);
        if (power == 1 && known > 0 && length % known == 0) {
            sizes[unknown] = (int) (length / known);
            sizeSource[unknown] = i;
        }
    }

    /** Checks input {@code i}'s length at the bound sizes; {@link #prepare} has checked that it is set and its dtype. */
    private void checkInput(int i) {
        TensorSpec t = spec.inputs().get(i);
        Object a = inputs[i];
        long expected = 1;
        for (ModelSpec.Monomial d : inputDims[i]) {
            for (int s : d.symbols()) {
                if (sizeSource[s] == -2) {
                    throw new IllegalArgumentException("input " + t.name() + ": expected " + t.typeText()
                            + ", but size " + spec.sizes().get(s) + " cannot be learned from an array of length "
                            + length(a) + "; set it with setSize");
                }
            }
            expected *= d.evaluate(sizes);
        }
        if (expected != length(a)) {
            StringBuilder bound = new StringBuilder();
            for (int s = 0; s < sizes.length; s++) {
                bound.append(bound.length() == 0 ? " with " : ", ").append(spec.sizes().get(s)).append(" = ")
                        .append(sizes[s]);
                if (sizeSource[s] >= 0 && sizeSource[s] != i) {
                    bound.append(" (from input ").append(spec.inputs().get(sizeSource[s]).name()).append(')');
                }
            }
            throw new IllegalArgumentException("input " + t.name() + ": expected " + t.typeText() + bound
                    + ", that is " + expected + " elements, but the array has " + length(a));
        }
    }
}
