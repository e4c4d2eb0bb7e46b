package dev.modelc.runtime.io;

import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.api.TensorSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@link Model} that only stores what is set on it: enough to test binding, loading and saving by name. */
public final class TestModel implements Model {
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> params;
    private final Map<String, Object> paramValues = new LinkedHashMap<>();
    public final Map<String, Object> boundInputs = new HashMap<>();
    public final Map<String, Integer> boundSizes = new HashMap<>();

    public TestModel(List<TensorSpec> inputs, List<TensorSpec> params) {
        this.inputs = inputs;
        this.params = params;
        for (TensorSpec p : params) {
            paramValues.put(p.name(), ArrayData.newArray(p.dtype(), (int) ArrayData.elementCount(Weights.shapeOf(p))));
        }
    }

    public static TensorSpec spec(String name, String dtype, String... shape) {
        return new TensorSpec(name, dtype, List.of(shape));
    }

    @Override public String name() { return "Net"; }
    @Override public List<TensorSpec> inputs() { return inputs; }
    @Override public List<TensorSpec> parameters() { return params; }
    @Override public List<TensorSpec> outputs() { return List.of(); }
    @Override public TensorSpec objective() { return null; }

    @Override
    public List<String> sizeNames() {
        List<String> s = new ArrayList<>();
        for (TensorSpec t : inputs) {
            for (String d : t.shape()) {
                if (!Character.isDigit(d.charAt(0)) && !s.contains(d)) {
                    s.add(d);
                }
            }
        }
        return s;
    }

    @Override public void setSize(String symbol, int value) { boundSizes.put(symbol, value); }
    @Override public void setInput(String name, Object array) { boundInputs.put(name, array); }
    @Override public void forward() { }
    @Override public void predict() { }
    @Override public void predict(Object... outs) { }
    @Override public void backward() { }
    @Override public void backward(boolean retainGraph) { }
    @Override public void zeroGrad() { }
    @Override public void initialize(long seed) { }
    @Override public void step() { }
    @Override public double trainStep() { return 0; }
    @Override public double loss() { return 0; }
    @Override public Object output(String name) { return null; }
    @Override public Object parameter(String name) { return paramValues.get(name); }
    @Override public Object gradient(String name) { return null; }

    @Override
    public void setParameter(String name, Object values) {
        Object p = paramValues.get(name);
        if (p == null || p.getClass() != values.getClass() || ArrayData.length(p) != ArrayData.length(values)) {
            throw new IllegalArgumentException("bad parameter " + name);
        }
        System.arraycopy(values, 0, p, 0, ArrayData.length(values));
    }

    // Training state: not needed by the binding and weights tests.
    @Override public List<String> hyperparameterNames() { return List.of(); }
    @Override public double hyperparameter(String name) { throw new UnsupportedOperationException(); }
    @Override public void setHyperparameter(String name, double value) { throw new UnsupportedOperationException(); }
    @Override public double learningRate() { throw new UnsupportedOperationException(); }
    @Override public void setLearningRate(double lr) { throw new UnsupportedOperationException(); }
    @Override public List<TensorSpec> optimizerState() { return List.of(); }
    @Override public Object optimizerState(String name) { throw new UnsupportedOperationException(); }
    @Override public long stepCount() { return 0; }
    @Override public void setStepCount(long steps) { throw new UnsupportedOperationException(); }
    @Override public int flatParameterSize() { throw new UnsupportedOperationException(); }
    @Override public void readParameters(Object dst) { throw new UnsupportedOperationException(); }
    @Override public void writeParameters(Object src) { throw new UnsupportedOperationException(); }
    @Override public void readGradients(Object dst) { throw new UnsupportedOperationException(); }
    @Override public void writeGradients(Object src) { throw new UnsupportedOperationException(); }
    @Override public int flatOptimizerStateSize() { return 0; }
    @Override public void readOptimizerState(Object dst) { throw new UnsupportedOperationException(); }
    @Override public void writeOptimizerState(Object src) { throw new UnsupportedOperationException(); }
}
