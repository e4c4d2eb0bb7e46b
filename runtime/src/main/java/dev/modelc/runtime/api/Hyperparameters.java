package dev.modelc.runtime.api;

import java.util.List;

/**
 * The optimizer hyperparameters a {@link CompiledModel} was compiled with: their names, and PyTorch's checks of a new
 * value (with its messages) plus the ones a compiled update adds (momentum cannot switch between zero and non-zero,
 * since the momentum buffers exist or not). The values themselves stay in the model's fields, which the generated
 * updates read; {@link #get} and {@link #assign} map a name to its field.
 */
final class Hyperparameters {
    private final ModelSpec spec;
    private final List<String> names;

    Hyperparameters(ModelSpec spec) {
        this.spec = spec;
        names = List.copyOf(spec.hyperparameters().keySet());
    }

    List<String> names() {
        return names;
    }

    /** Throws unless the optimizer has a hyperparameter of this name. */
    void check(String name) {
        if (!names.contains(name)) {
            throw new IllegalArgumentException(names.isEmpty()
                    ? "model " + spec.name() + " has no optimizer, so no hyperparameter " + name
                    : "the " + spec.optimizer() + " optimizer of model " + spec.name() + " has no hyperparameter "
                    + name + "; it has " + names);
        }
    }

    /** Why {@code value} is not a valid new value of {@code name} given the current ones; null when it is. */
    String invalid(String name, double value, double momentum, double dampening, boolean nesterov) {
        return switch (name) {
            case "lr" -> value >= 0 ? null : "Invalid learning rate: " + value;
            case "momentum" -> !(value >= 0) ? "Invalid momentum value: " + value
                    : (value != 0) != (spec.statePerParam() > 0)
                    ? "momentum cannot change between zero and non-zero: model " + spec.name() + " was compiled "
                    + (value != 0 ? "without a momentum buffer; give the .mdl's sgd a momentum"
                    : "with a momentum buffer; give the .mdl's sgd momentum = 0") : nesterov && value == 0
                    ? "Nesterov momentum requires a momentum and zero dampening" : null;
            case "dampening" -> !Double.isFinite(value) ? "Invalid dampening value: " + value
                    : nesterov && value != 0 ? "Nesterov momentum requires a momentum and zero dampening" : null;
            case "weight_decay" -> value >= 0 ? null : "Invalid weight_decay value: " + value;
            case "nesterov" -> value != 0 && value != 1 ? "nesterov is 0 or 1, got " + value
                    : value == 1 && (momentum <= 0 || dampening != 0)
                    ? "Nesterov momentum requires a momentum and zero dampening" : null;
            case "beta1" -> value >= 0 && value < 1 ? null : "Invalid beta parameter at index 0: " + value;
            case "beta2" -> value >= 0 && value < 1 ? null : "Invalid beta parameter at index 1: " + value;
            default -> value >= 0 ? null : "Invalid epsilon value: " + value;
        };
    }

    /** The value of hyperparameter {@code name} (already checked) of {@code m}; nesterov reads 1 or 0. */
    double get(CompiledModel m, String name) {
        return switch (name) {
            case "lr" -> m.lr;
            case "momentum" -> m.momentum;
            case "dampening" -> m.dampening;
            case "weight_decay" -> m.weightDecay;
            case "nesterov" -> m.nesterov ? 1 : 0;
            case "beta1" -> m.beta1;
            case "beta2" -> m.beta2;
            default -> m.eps;
        };
    }

    /** Sets {@code m}'s field of hyperparameter {@code name}, without checks (the description's values, or checked). */
    void assign(CompiledModel m, String name, double value) {
        switch (name) {
            case "lr" -> m.lr = value;
            case "momentum" -> m.momentum = value;
            case "dampening" -> m.dampening = value;
            case "weight_decay" -> m.weightDecay = value;
            case "nesterov" -> m.nesterov = value != 0;
            case "beta1" -> m.beta1 = value;
            case "beta2" -> m.beta2 = value;
            case "eps" -> m.eps = value;
            default -> throw new IllegalStateException("unknown hyperparameter " + name + " in the description");
        }
    }
}
