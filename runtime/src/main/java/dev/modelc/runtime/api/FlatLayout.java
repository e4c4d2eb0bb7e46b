package dev.modelc.runtime.api;

import static dev.modelc.runtime.api.ModelArrays.copyFlat;
import static dev.modelc.runtime.api.ModelArrays.indexOf;
import static dev.modelc.runtime.api.ModelArrays.length;

import java.util.ArrayList;
import java.util.List;

/**
 * The flat order of a {@link CompiledModel}'s parameters, gradients and optimizer state, as data-parallel training
 * exchanges them: parameters concatenated in state_dict order; optimizer state kind by kind (SGD's
 * {@code momentum_buffer}, Adam's {@code exp_avg} then {@code exp_avg_sq}), parameters in state_dict order within a
 * kind, each state array named {@code <parameter>.<kind>}. Integer buffers (batch_norm's
 * {@code num_batches_tracked}, an {@code int[]}) are not in the flat copies, which are float: they travel in the
 * state_dict ({@code parameter}/{@code setParameter}, weights files, checkpoints).
 */
final class FlatLayout {
    private final String model;
    private final List<TensorSpec> stateSpecs;
    /** The optimizer state arrays in flat order. */
    private final Object[] stateInFlatOrder;
    private final int flatSize;
    private final boolean allF32;
    private final int statePerParam;
    /** The indices of the float parameters (every parameter but the integer buffers), in state_dict order. */
    private final int[] floats;

    FlatLayout(ModelSpec spec, Object[] params, Object[][] state) {
        model = spec.name();
        List<String> stateKinds = spec.optimizer() == null || state.length == 0 ? List.of()
                : spec.optimizer().equals("sgd") ? List.of("momentum_buffer") : List.of("exp_avg", "exp_avg_sq");
        if (stateKinds.size() != state.length) {
            throw new IllegalStateException("optimizer " + spec.optimizer() + " with " + state.length
                    + " state arrays per parameter");
        }
        floats = java.util.stream.IntStream.range(0, params.length).filter(p -> !(params[p] instanceof int[]))
                .toArray();
        List<TensorSpec> specs = new ArrayList<>();
        for (String kind : stateKinds) {
            for (int p : floats) {
                TensorSpec t = spec.params().get(p);
                specs.add(new TensorSpec(t.name() + "." + kind, t.dtype(), t.shape()));
            }
        }
        stateSpecs = List.copyOf(specs);
        stateInFlatOrder = new Object[state.length * floats.length];
        for (int k = 0; k < state.length; k++) {
            for (int i = 0; i < floats.length; i++) {
                stateInFlatOrder[k * floats.length + i] = state[k][floats[i]];
            }
        }
        long total = 0;
        boolean f32 = true;
        for (int p : floats) {
            total += length(params[p]);
            f32 &= params[p] instanceof float[];
        }
        if (total * Math.max(1, state.length) > Integer.MAX_VALUE) {
            throw new IllegalStateException("model " + spec.name() + " has " + total
                    + " parameter elements, more than one flat array can hold");
        }
        flatSize = (int) total;
        allF32 = f32;
        statePerParam = state.length;
    }

    List<TensorSpec> stateSpecs() {
        return stateSpecs;
    }

    Object state(String name) {
        return stateInFlatOrder[indexOf(stateSpecs, name, "optimizer state")];
    }

    int parameterSize() {
        return flatSize;
    }

    /** The optimizer state's flat length: one parameter-sized block per state kind. */
    int stateSize() {
        return flatSize * statePerParam;
    }

    /** Copies parameters or gradients ({@code arrays}, one per parameter) to or from one flat array. */
    void copy(Object[] arrays, Object flat, String what, boolean read) {
        Object[] floatArrays = arrays;
        if (floats.length != arrays.length) {
            floatArrays = new Object[floats.length];
            for (int i = 0; i < floats.length; i++) {
                floatArrays[i] = arrays[floats[i]];
            }
        }
        copyFlat(floatArrays, flat, flatSize, what, read, allF32, model);
    }

    /** Copies the optimizer state to or from one flat array. */
    void copyState(Object flat, boolean read) {
        copyFlat(stateInFlatOrder, flat, stateSize(), "optimizer state", read, allF32, model);
    }
}
