package dev.modelc.runtime.nn;

import dev.modelc.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A building block with parameters and sub-modules, like {@code torch.nn.Module}. Names follow PyTorch's
 * {@code state_dict}: a module's own parameters in registration order, then each sub-module's, prefixed with the
 * sub-module's name and a dot ({@code fc1.weight}, {@code features.0.bias}). Parameters are initialized in this
 * same order when modules are built from one {@link dev.modelc.runtime.random.Rng}.
 */
public abstract class Module {

    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();

    /** The module applied to one input. */
    public abstract Tensor forward(Tensor x);

    protected final Parameter registerParameter(String name, Tensor value) {
        checkName(name);
        Parameter p = value instanceof Parameter ? (Parameter) value : new Parameter(value);
        parameters.put(name, p);
        return p;
    }

    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("invalid name '" + name + "': must be non-empty and contain no dot");
        }
        if (parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("attribute '" + name + "' already exists");
        }
    }

    /** Every parameter with its dotted name, in {@code state_dict} order. */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        parameters.forEach((name, p) -> out.put(prefix + name, p));
        children.forEach((name, m) -> m.collect(prefix + name + ".", out));
    }

    /** The parameters in {@code state_dict} order. */
    public final List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** The direct sub-modules with their names. */
    public final Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    /**
     * The parameters' values by {@code state_dict} name, like {@code module.state_dict()}: detached tensors sharing
     * storage with the parameters (writing into their {@code floatData()}/{@code doubleData()} changes the module).
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedParameters().forEach((name, p) -> out.put(name, p.detach()));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Copies values into the parameters by name, like {@code module.load_state_dict(values, strict)}. Every value
     * must have its parameter's shape; its dtype is converted when it differs. With {@code strict}, names missing
     * from {@code values} and names the module does not have are errors; without it they are skipped. Nothing is
     * copied unless every check passes.
     *
     * @throws IllegalArgumentException naming every missing and unexpected key and every shape mismatch, in
     *     PyTorch's words
     */
    public final void loadStateDict(Map<String, ? extends Tensor> values, boolean strict) {
        Map<String, Parameter> params = namedParameters();
        List<String> problems = new ArrayList<>();
        if (strict) {
            List<String> missing = new ArrayList<>();
            params.keySet().stream().filter(k -> !values.containsKey(k)).forEach(missing::add);
            List<String> unexpected = new ArrayList<>();
            values.keySet().stream().filter(k -> !params.containsKey(k)).forEach(unexpected::add);
            if (!missing.isEmpty()) {
                problems.add("Missing key(s) in state_dict: " + quoted(missing) + ".");
            }
            if (!unexpected.isEmpty()) {
                problems.add("Unexpected key(s) in state_dict: " + quoted(unexpected) + ".");
            }
        }
        values.forEach((name, value) -> {
            Parameter p = params.get(name);
            if (p != null && !java.util.Arrays.equals(p.shape(), value.shape())) {
                problems.add("size mismatch for " + name + ": copying a param with shape "
                        + java.util.Arrays.toString(value.shape()) + " from checkpoint, the shape in current model is "
                        + java.util.Arrays.toString(p.shape()) + ".");
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Error(s) in loading state_dict for " + getClass().getSimpleName()
                    + ":\n\t" + String.join("\n\t", problems));
        }
        values.forEach((name, value) -> {
            Parameter p = params.get(name);
            if (p == null) {
                return;
            }
            if (p.floatData() != null) {
                float[] src = value.toFloatArray();
                System.arraycopy(src, 0, p.floatData(), 0, src.length);
            } else {
                double[] src = value.toDoubleArray();
                System.arraycopy(src, 0, p.doubleData(), 0, src.length);
            }
        });
    }

    private static String quoted(List<String> names) {
        return String.join(", ", names.stream().map(n -> "\"" + n + "\"").toList());
    }

    /** Sets every parameter's gradient to null ({@code set_to_none=True}, PyTorch 2's default). */
    public final void zeroGrad() {
        zeroGrad(true);
    }

    /**
     * PyTorch's {@code zero_grad(set_to_none)}: null gradients, or with {@code setToNone} false (PyTorch 1.13's
     * default) gradients zeroed in place, which an optimizer's step counts (see
     * {@link dev.modelc.runtime.optim.Optimizer}).
     */
    public final void zeroGrad(boolean setToNone) {
        Tensor.zeroGrads(parameters(), setToNone);
    }
}
