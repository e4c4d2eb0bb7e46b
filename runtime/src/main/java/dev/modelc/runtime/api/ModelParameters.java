package dev.modelc.runtime.api;

import static dev.modelc.runtime.api.ModelArrays.constantCount;
import static dev.modelc.runtime.api.ModelArrays.length;
import static dev.modelc.runtime.api.ModelArrays.newArray;

import dev.modelc.runtime.nn.ParameterInit;
import dev.modelc.runtime.random.Rng;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link CompiledModel}'s parameters with their gradients and optimizer state arrays (one per parameter and state
 * kind), allocated once from the {@link ModelSpec} at their constant shapes, and what is done to all of them at once:
 * initialization from the class's initializers, zeroing the gradients, and a checked overwrite of one parameter.
 * The model's {@code params}, {@code grads} and {@code state} fields hold these same arrays.
 */
final class ModelParameters {
    final Object[] params;
    final Object[] grads;
    /** {@code state[k][p]}: the k-th optimizer state array of parameter p. */
    final Object[][] state;
    private final ModelSpec spec;

    /**
     * Allocates every array. A model too large for the Java heap throws a {@link ModelTooLargeError} that says how
     * much the arrays need and how much heap there is, for the caller to tell the user.
     */
    ModelParameters(ModelSpec spec) {
        this.spec = spec;
        List<TensorSpec> specs = spec.params();
        params = new Object[specs.size()];
        grads = new Object[params.length];
        state = new Object[spec.statePerParam()][params.length];
        try {
            for (int p = 0; p < params.length; p++) {
                params[p] = newArray(specs.get(p), constantCount(specs.get(p)));
                grads[p] = newArray(specs.get(p), constantCount(specs.get(p)));
            }
            for (Object[] s : state) {
                for (int p = 0; p < params.length; p++) {
                    s[p] = newArray(specs.get(p), constantCount(specs.get(p)));
                }
            }
        } catch (OutOfMemoryError e) {
            Arrays.fill(params, null); // let what was allocated go before building the message
            Arrays.fill(grads, null);
            for (Object[] s : state) {
                Arrays.fill(s, null);
            }
            throw tooLarge(spec, e);
        }
    }

    /** The bytes of one copy of all parameters (the values; gradients and each optimizer state are as large). */
    static long parameterBytes(ModelSpec spec) {
        long bytes = 0;
        for (TensorSpec t : spec.params()) {
            bytes += (long) constantCount(t) * (t.dtype().equals("f64") ? 8 : 4);
        }
        return bytes;
    }

    private static ModelTooLargeError tooLarge(ModelSpec spec, OutOfMemoryError cause) {
        long one = parameterBytes(spec);
        int copies = 2 + spec.statePerParam();
        return new ModelTooLargeError("model " + spec.name() + " needs " + gigabytes(one * copies) + " for its "
                + "parameters (" + gigabytes(one) + "), their gradients and optimizer state (" + copies + " arrays "
                + "the size of each parameter), which the Java heap (at most "
                + gigabytes(Runtime.getRuntime().maxMemory()) + ") cannot hold", one * copies, cause);
    }

    static String gigabytes(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f GB", bytes / 1e9);
    }

    /** Draws every parameter from its initializer with one generator seeded {@code seed}; zeroes gradients and state. */
    void initialize(long seed) {
        Rng rng = new Rng(seed);
        for (int p = 0; p < params.length; p++) {
            TensorSpec t = spec.params().get(p);
            String init = spec.initializers().get(t.name());
            if (init == null) {
                throw new IllegalStateException("parameter " + t.name() + " has no initializer in this class");
            }
            int[] shape = new int[t.shape().size()];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = Integer.parseInt(t.shape().get(d));
            }
            ParameterInit pi = ParameterInit.parse(init);
            if (params[p] instanceof int[] counter) { // an i32 buffer, batch_norm's num_batches_tracked: init zeros
                if (!pi.kind().equals("zeros")) {
                    throw new IllegalStateException("i32 buffer " + t.name() + " has the initializer " + init
                            + "; counters start at zeros");
                }
                Arrays.fill(counter, 0);
                Arrays.fill((int[]) grads[p], 0);
                for (Object[] s : state) {
                    Arrays.fill((int[]) s[p], 0);
                }
            } else if (params[p] instanceof float[] f) {
                pi.fill(f, shape, rng);
                Arrays.fill((float[]) grads[p], 0f);
                for (Object[] s : state) {
                    Arrays.fill((float[]) s[p], 0f);
                }
            } else {
                pi.fill((double[]) params[p], shape, rng);
                Arrays.fill((double[]) grads[p], 0.0);
                for (Object[] s : state) {
                    Arrays.fill((double[]) s[p], 0.0);
                }
            }
        }
    }

    void zeroGrad() {
        zeroGrad(null);
    }

    /** Zeroes every gradient but those marked in {@code keep} (null: none kept). */
    void zeroGrad(boolean[] keep) {
        for (int k = 0; k < grads.length; k++) {
            if (keep != null && k < keep.length && keep[k]) {
                continue;
            }
            Object g = grads[k];
            if (g instanceof float[] f) {
                Arrays.fill(f, 0f);
            } else if (g instanceof int[] i) {
                Arrays.fill(i, 0);
            } else {
                Arrays.fill((double[]) g, 0.0);
            }
        }
    }

    /** Copies {@code values} into parameter {@code p}; they must have its array type and length. */
    void set(int p, Object values) {
        if (values == null || values.getClass() != params[p].getClass() || length(values) != length(params[p])) {
            TensorSpec t = spec.params().get(p);
            throw new IllegalArgumentException("parameter " + t.name() + ": expected " + ModelArrays.javaType(t.dtype())
                    + " (" + t.typeText() + "), that is " + length(params[p]) + " elements, got "
                    + (values == null ? "null" : length(values) + " elements of " + values.getClass().getSimpleName()));
        }
        System.arraycopy(values, 0, params[p], 0, length(values));
    }
}
