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

    /** Clears every parameter's gradient (PyTorch's default {@code set_to_none=True}). */
    public final void zeroGrad() {
        for (Parameter p : parameters()) {
            p.setGrad(null);
        }
    }
}
