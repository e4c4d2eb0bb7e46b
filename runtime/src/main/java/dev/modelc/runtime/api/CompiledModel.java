package dev.modelc.runtime.api;

import static dev.modelc.runtime.api.ModelArrays.constantCount;
import static dev.modelc.runtime.api.ModelArrays.copyFlat;
import static dev.modelc.runtime.api.ModelArrays.dtypeOf;
import static dev.modelc.runtime.api.ModelArrays.firstNonFinite;
import static dev.modelc.runtime.api.ModelArrays.indexOf;
import static dev.modelc.runtime.api.ModelArrays.javaType;
import static dev.modelc.runtime.api.ModelArrays.length;
import static dev.modelc.runtime.api.ModelArrays.newArray;
import static dev.modelc.runtime.api.ModelArrays.value;

import dev.modelc.runtime.kernels.Conv2dShape;
import dev.modelc.runtime.kernels.Workspace;
import dev.modelc.runtime.optim.Updates;
import java.util.Arrays;
import java.util.List;

/**
 * The generic half of every generated model class: binding and checking inputs and symbolic sizes, growing the
 * working buffers, PyTorch's rules for backward and gradient accumulation, and name-based access. The generated
 * subclass supplies the computation ({@link #runForward}, {@link #runPredict}, {@link #runBackward},
 * {@link #runStep}) and typed methods that bind their arguments with {@link #bindSize} and {@link #bindInput}.
 *
 * <p>All state lives in the arrays below, indexed as in the {@link ModelSpec}; generated kernels load the arrays
 * they use once per call. Nothing here allocates once the buffers have grown to the largest batch seen.
 */
public abstract class CompiledModel implements Model {
    /** PyTorch's message for a second backward through a freed graph. */
    public static final String SECOND_BACKWARD = "Trying to backward through the graph a second time (or directly "
            + "access saved tensors after they have already been freed). Saved intermediate values of the graph are "
            + "freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
            + "through the graph a second time or if you need to access saved tensors after calling backward.";

    private enum GraphState { NONE, READY, FREED }

    protected final ModelSpec spec;
    protected final int[] sizes;
    protected final Object[] inputs;
    protected final Object[] params;
    protected final Object[] grads;
    protected final Object[] buffers;
    /** {@code state[k][p]}: the k-th optimizer state array of parameter p (momentum, or Adam's two moments). */
    protected final Object[][] state;
    protected final Workspace workspace = new Workspace();
    /** Optimizer steps taken (Adam's bias correction; SGD initializes its momentum buffer at step 1). */
    protected int stepCount;
    /** The optimizer's hyperparameters, read by the generated updates at every step (see {@link #setHyperparameter}). */
    protected double lr;
    protected double momentum;
    protected double dampening;
    protected double weightDecay;
    protected boolean nesterov;
    protected double beta1;
    protected double beta2;
    protected double eps;
    /**
     * Adam's scalars of the current step, {@code lr / (1 - beta1^t)} and {@code sqrt(1 - beta2^t)}: computed once per
     * step, before the first update, and read by every parameter's update.
     */
    protected double adamStepSize;
    protected double adamBias2Sqrt;
    /**
     * Dropout: the seed and the number of masks drawn so far (one per training forward pass, the draw the generated
     * dropout steps and their gradients read), and whether the current pass drops at all (a training forward pass;
     * not predict, nor a forward pass in evaluation mode). See {@link dev.modelc.runtime.kernels.Dropout}.
     */
    protected long dropoutSeed;
    protected long dropoutDraws;
    protected boolean dropoutActive;
    private boolean training = true;
    /**
     * Whether anomaly detection is on ({@link #setDetectAnomaly}): every generated step reads it once, after it ran,
     * and when it is set calls {@link #checkStep}; each update calls {@link #checkUpdate}.
     */
    protected boolean anomaly;
    /** For a kernel step with an epilogue, the kernel's output before the chain ran over it in place (detection on). */
    protected Object anomalyScratch;
    /** The non-finite value the last {@link #diagnose} found. */
    protected double anomalyValue;
    private AnomalyTable anomalyTable;

    private final InputBinding binding;
    private Conv2dShape[] convShapes = new Conv2dShape[4];
    private GraphState graph = GraphState.NONE;
    /** Whether a forward pass (loss and outputs) or a predict (outputs) has run since construction. */
    private boolean lossReady;
    private boolean outputsReady;
    private final List<String> hyperparameterNames;
    private final List<String> stateKinds;
    private final List<TensorSpec> stateSpecs;
    private final int flatSize;
    private final boolean allF32;
    /** Whether the optimizer is Adam or AdamW, whose updates read {@link #adamStepSize} and {@link #adamBias2Sqrt}. */
    private final boolean adam;
    /** The optimizer state arrays in flat order: kind by kind, parameters in state_dict order within a kind. */
    private final Object[] stateInFlatOrder;

    protected CompiledModel(String description) {
        spec = ModelSpec.parse(description);
        sizes = new int[spec.sizes().size()];
        inputs = new Object[spec.inputs().size()];
        binding = new InputBinding(spec, sizes, inputs);
        params = new Object[spec.params().size()];
        grads = new Object[params.length];
        for (int p = 0; p < params.length; p++) {
            params[p] = newArray(spec.params().get(p), constantCount(spec.params().get(p)));
            grads[p] = newArray(spec.params().get(p), constantCount(spec.params().get(p)));
        }
        state = new Object[spec.statePerParam()][params.length];
        for (Object[] s : state) {
            for (int p = 0; p < params.length; p++) {
                s[p] = newArray(spec.params().get(p), constantCount(spec.params().get(p)));
            }
        }
        buffers = new Object[spec.buffers().size()];
        hyperparameterNames = List.copyOf(spec.hyperparameters().keySet());
        for (String h : hyperparameterNames) {
            assign(h, spec.hyperparameters().get(h));
        }
        stateKinds = spec.optimizer() == null || state.length == 0 ? List.of()
                : spec.optimizer().equals("sgd") ? List.of("momentum_buffer") : List.of("exp_avg", "exp_avg_sq");
        if (stateKinds.size() != state.length) {
            throw new IllegalStateException("optimizer " + spec.optimizer() + " with " + state.length
                    + " state arrays per parameter");
        }
        List<TensorSpec> specs = new java.util.ArrayList<>();
        for (String kind : stateKinds) {
            for (TensorSpec t : spec.params()) {
                specs.add(new TensorSpec(t.name() + "." + kind, t.dtype(), t.shape()));
            }
        }
        stateSpecs = List.copyOf(specs);
        stateInFlatOrder = new Object[state.length * params.length];
        for (int k = 0; k < state.length; k++) {
            System.arraycopy(state[k], 0, stateInFlatOrder, k * params.length, params.length);
        }
        long total = 0;
        boolean f32 = true;
        for (Object p : params) {
            total += length(p);
            f32 &= p instanceof float[];
        }
        if (total * Math.max(1, state.length) > Integer.MAX_VALUE) {
            throw new IllegalStateException("model " + spec.name() + " has " + total
                    + " parameter elements, more than one flat array can hold");
        }
        flatSize = (int) total;
        allF32 = f32;
        adam = "adam".equals(spec.optimizer()) || "adamw".equals(spec.optimizer());
    }

    @Override
    public final void initialize(long seed) {
        dev.modelc.runtime.random.Rng rng = new dev.modelc.runtime.random.Rng(seed);
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
            dev.modelc.runtime.nn.ParameterInit pi = dev.modelc.runtime.nn.ParameterInit.parse(init);
            if (params[p] instanceof float[] f) {
                pi.fill(f, shape, rng);
                java.util.Arrays.fill((float[]) grads[p], 0f);
                for (Object[] s : state) {
                    java.util.Arrays.fill((float[]) s[p], 0f);
                }
            } else {
                pi.fill((double[]) params[p], shape, rng);
                java.util.Arrays.fill((double[]) grads[p], 0.0);
                for (Object[] s : state) {
                    java.util.Arrays.fill((double[]) s[p], 0.0);
                }
            }
        }
        stepCount = 0;
        dropoutSeed = seed;
        dropoutDraws = 0;
    }

    /** Computes every output, the objective and what the backward pass needs. */
    protected abstract void runForward();

    /** Computes the outputs only. */
    protected abstract void runPredict();

    /** Adds the objective's gradient into every parameter's gradient. */
    protected abstract void runBackward();

    /** One optimizer update; {@link #stepCount} is already incremented. */
    protected abstract void runStep();

    /**
     * The backward pass of a training step with the optimizer's updates inside it: each parameter is updated as
     * soon as its gradient is final and no later step reads it. Leaves the same gradients and parameters as
     * {@link #runBackward} followed by {@link #runStep}.
     */
    protected abstract void runTrainBackward();

    // ---- anomaly detection ----

    /**
     * Turns anomaly detection on or off for the following calls. When on, every input and parameter is checked before
     * a forward pass or predict, and
     * after every step of the forward and backward passes and every optimizer update, the values just written are
     * checked; the first NaN or infinity throws {@link AnomalyException} naming the {@code .mdl} position and op that
     * made it. Off (the default unless the class was compiled with {@code --anomaly}), nothing is checked.
     */
    @Override
    public final void setDetectAnomaly(boolean on) {
        if (on && anomalyTable == null) {
            anomalyTable = AnomalyTable.parse(anomalyTableText(), spec.sizes());
        }
        anomaly = on;
    }

    @Override
    public final boolean detectAnomaly() {
        return anomaly;
    }

    /** The steps' {@link AnomalyTable} as text; generated classes override it. */
    protected String anomalyTableText() {
        return "";
    }

    /**
     * For a step with a fused elementwise chain: evaluates the chain's nodes at element {@code i} (of the output, or
     * of the summed operand for a sum) and returns the position in the chain of the first whose value is not
     * finite, storing that value in {@link #anomalyValue}; -1 when all are finite. Generated classes override it.
     */
    protected int diagnose(int step, int i) {
        return -1;
    }

    /** After step {@code k}: throws {@link AnomalyException} if what it wrote holds a NaN or an infinity. */
    protected final void checkStep(int k) {
        AnomalyTable.Check c = anomalyTable.checks[k];
        if (c == null) {
            return;
        }
        Object a = array(c.target());
        int i = firstNonFinite(a, c.count().evaluate(sizes));
        if (i < 0) {
            return;
        }
        List<AnomalyTable.Op> ops = c.ops();
        if (c.chainCount() != null) {
            int n = c.chainCount().evaluate(sizes);
            for (int j = 0; j < n; j++) {
                int p = diagnose(k, j);
                if (p >= 0) {
                    throw anomalyTable.step(c, ops.get(p), anomalyValue, j);
                }
            }
        } else if (c.kind() != AnomalyTable.Kind.KERNEL && c.kind() != AnomalyTable.Kind.ACCUMULATE) {
            int p = diagnose(k, i);
            if (p >= 0) {
                throw anomalyTable.step(c, ops.get(p), anomalyValue, i);
            }
        }
        throw anomalyTable.step(c, c.whole(), value(a, i), i);
    }

    /**
     * Inside an epilogue step {@code k}, between the kernel and its in-place chain: checks the kernel's output and
     * keeps a copy of it, so that {@link #diagnose} can evaluate the chain if the chain makes a non-finite value.
     */
    protected final void checkKernel(int k) {
        AnomalyTable.Check c = anomalyTable.checks[k];
        Object a = array(c.target());
        int n = c.count().evaluate(sizes);
        int i = firstNonFinite(a, n);
        if (i >= 0) {
            throw anomalyTable.step(c, c.whole(), value(a, i), i);
        }
        if (anomalyScratch == null || anomalyScratch.getClass() != a.getClass() || length(anomalyScratch) < n) {
            anomalyScratch = a instanceof float[] ? new float[n] : new double[n];
        }
        System.arraycopy(a, 0, anomalyScratch, 0, n);
    }

    /** After the optimizer's update of parameter {@code p}: the parameter must hold finite values only. */
    protected final void checkUpdate(int p) {
        int i = firstNonFinite(params[p], length(params[p]));
        if (i >= 0) {
            throw anomalyTable.update(spec.params().get(p).name(), spec.optimizer(), value(params[p], i), i);
        }
    }

    /** Before a pass: the inputs it reads and every parameter (which may have been set or loaded). */
    private void checkInputs(boolean predictOnly) {
        for (int i = 0; i < inputs.length; i++) {
            if (predictOnly && !spec.predictInputs().get(i) || inputs[i] instanceof int[]) {
                continue;
            }
            int at = firstNonFinite(inputs[i], length(inputs[i]));
            if (at >= 0) {
                throw AnomalyTable.input(spec.inputs().get(i).name(), binding.shape(i), value(inputs[i], at), at);
            }
        }
        for (int p = 0; p < params.length; p++) {
            int at = firstNonFinite(params[p], length(params[p]));
            if (at >= 0) {
                throw AnomalyTable.parameter(spec.params().get(p).name(), value(params[p], at), at);
            }
        }
    }

    // ---- binding (typed methods call these) ----

    /** Binds a size for the next pass only (typed methods); {@link #setSize} binds it until changed. */
    protected final void bindSize(int index, int value) {
        binding.bindSize(index, value);
    }

    protected final void bindInput(int index, Object array) {
        inputs[index] = array;
    }

    @Override
    public final void setSize(String symbol, int value) {
        binding.setSize(symbol, value);
    }

    @Override
    public final void setInput(String name, Object array) {
        int i = indexOf(spec.inputs(), name, "input");
        TensorSpec t = spec.inputs().get(i);
        if (!t.dtype().equals(dtypeOf(array))) {
            throw new IllegalArgumentException("input " + name + ": expected " + javaType(t.dtype()) + " ("
                    + t.typeText() + ") but got " + (array == null ? "null" : array.getClass().getSimpleName()));
        }
        bindInput(i, array);
    }

    /** Learns the sizes not given from the inputs' lengths, checks every input, grows the buffers. */
    private void prepare(boolean predictOnly) {
        binding.prepare(predictOnly);
        if (anomaly) {
            checkInputs(predictOnly);
        }
        for (int b = 0; b < buffers.length; b++) {
            ModelSpec.Buffer buffer = spec.buffers().get(b);
            int need = buffer.length().evaluate(sizes);
            if (buffers[b] == null || length(buffers[b]) < need) {
                buffers[b] = buffer.dtype().equals("f64") ? new double[need]
                        : buffer.dtype().equals("i32") ? new int[need] : new float[need];
            }
        }
    }

    // ---- passes ----

    @Override
    public final void forward() {
        prepare(false);
        dropoutActive = training;
        if (training) {
            dropoutDraws++;
        }
        runForward();
        graph = spec.objective() == null ? GraphState.NONE : GraphState.READY;
        lossReady = true;
        outputsReady = true;
    }

    @Override
    public final void predict() {
        lossReady = false;
        prepare(true);
        dropoutActive = false;
        runPredict();
        graph = GraphState.NONE;
        outputsReady = true;
    }

    @Override
    public final void backward() {
        backward(false);
    }

    @Override
    public final void backward(boolean retainGraph) {
        if (spec.objective() == null) {
            throw new IllegalStateException("model " + spec.name() + " has no objective to differentiate");
        }
        if (graph == GraphState.FREED) {
            throw new IllegalStateException(SECOND_BACKWARD);
        }
        if (graph == GraphState.NONE) {
            throw new IllegalStateException("backward() needs a forward() first");
        }
        runBackward();
        if (!retainGraph) {
            graph = GraphState.FREED;
        }
    }

    @Override
    public final void zeroGrad() {
        for (Object g : grads) {
            if (g instanceof float[] f) {
                Arrays.fill(f, 0f);
            } else {
                Arrays.fill((double[]) g, 0.0);
            }
        }
    }

    @Override
    public final void step() {
        stepCount++;
        beginStep();
        runStep();
    }

    /** After the step count grows: the scalars every parameter's update shares. */
    private void beginStep() {
        if (adam) {
            adamStepSize = Updates.adamStepSize(lr, beta1, stepCount);
            adamBias2Sqrt = Updates.adamBias2Sqrt(beta2, stepCount);
        }
    }

    @Override
    public final double trainStep() {
        zeroGrad();
        forward();
        if (spec.objective() == null) {
            throw new IllegalStateException("model " + spec.name() + " has no objective to differentiate");
        }
        stepCount++;
        beginStep();
        runTrainBackward();
        graph = GraphState.FREED;
        return loss();
    }

    /**
     * Runs inference and copies every output, in declaration order, into the caller's arrays: one array per output,
     * each of the output's element type and exactly its element count at the sizes of this call; all are checked
     * before any is written. The typed {@code predict} of a generated class does the same through
     * {@link #checkOutput} and {@link #copyOutput}, without the varargs array.
     */
    @Override
    public final void predict(Object... outs) {
        if (outs == null || outs.length != spec.outputs().size()) {
            throw new IllegalArgumentException("predict of model " + spec.name() + " takes one array per output "
                    + spec.outputs().stream().map(TensorSpec::name).toList() + ", got "
                    + (outs == null ? "null" : outs.length + " arrays"));
        }
        predict();
        for (int i = 0; i < outs.length; i++) {
            checkOutput(i, outs[i]);
        }
        for (int i = 0; i < outs.length; i++) {
            copyOutput(i, outs[i]);
        }
    }

    /** After a pass: throws {@link IllegalArgumentException} unless {@code out} can hold output {@code i}. */
    protected final void checkOutput(int i, Object out) {
        TensorSpec t = spec.outputs().get(i);
        Object at = array(spec.outputLocations().get(i));
        int n = count(t);
        if (out == null || out.getClass() != at.getClass() || length(out) != n) {
            throw new IllegalArgumentException("output " + t.name() + ": expected " + javaType(t.dtype()) + " ("
                    + t.typeText() + "), that is " + n + " elements, but the array has "
                    + (out == null ? "null" : length(out) + " elements of " + out.getClass().getSimpleName()));
        }
    }

    /** Copies output {@code i} of the last pass into {@code out}, checked by {@link #checkOutput}. */
    protected final void copyOutput(int i, Object out) {
        System.arraycopy(array(spec.outputLocations().get(i)), 0, out, 0, count(spec.outputs().get(i)));
    }

    // ---- reading ----

    @Override
    public final double loss() {
        if (spec.objective() == null) {
            throw new IllegalStateException("model " + spec.name() + " has no objective");
        }
        if (!lossReady) {
            throw new IllegalStateException("no forward pass has run yet; call forward() or trainStep() first"
                    + (outputsReady ? " (predict() computes the outputs only)" : ""));
        }
        Object a = array(spec.objectiveLocation());
        return a instanceof float[] f ? f[0] : ((double[]) a)[0];
    }

    @Override
    public final Object output(String name) {
        int i = indexOf(spec.outputs(), name, "output");
        if (!outputsReady) {
            throw new IllegalStateException("no forward pass has run yet; call forward(), predict() or trainStep() "
                    + "first");
        }
        Object a = array(spec.outputLocations().get(i));
        int n = count(spec.outputs().get(i));
        return a instanceof float[] f ? Arrays.copyOf(f, n) : Arrays.copyOf((double[]) a, n);
    }

    @Override
    public final Object parameter(String name) {
        return params[indexOf(spec.params(), name, "parameter")];
    }

    @Override
    public final Object gradient(String name) {
        return grads[indexOf(spec.params(), name, "parameter")];
    }

    @Override
    public final void setParameter(String name, Object values) {
        int p = indexOf(spec.params(), name, "parameter");
        if (values == null || values.getClass() != params[p].getClass() || length(values) != length(params[p])) {
            throw new IllegalArgumentException("parameter " + name + ": expected " + spec.params().get(p).typeText()
                    + ", that is " + length(params[p]) + " elements, got "
                    + (values == null ? "null" : length(values) + " elements of " + values.getClass().getSimpleName()));
        }
        System.arraycopy(values, 0, params[p], 0, length(values));
    }

    // ---- optimizer hyperparameters ----

    @Override
    public final List<String> hyperparameterNames() {
        return hyperparameterNames;
    }

    @Override
    public final double hyperparameter(String name) {
        checkHyperparameter(name);
        return switch (name) {
            case "lr" -> lr;
            case "momentum" -> momentum;
            case "dampening" -> dampening;
            case "weight_decay" -> weightDecay;
            case "nesterov" -> nesterov ? 1 : 0;
            case "beta1" -> beta1;
            case "beta2" -> beta2;
            default -> eps;
        };
    }

    @Override
    public final void setHyperparameter(String name, double value) {
        checkHyperparameter(name);
        String invalid = switch (name) {
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
        if (invalid != null) {
            throw new IllegalArgumentException(invalid);
        }
        assign(name, value);
    }

    @Override
    public final double learningRate() {
        return hyperparameter("lr");
    }

    @Override
    public final void setLearningRate(double lr) {
        setHyperparameter("lr", lr);
    }

    private void checkHyperparameter(String name) {
        if (!hyperparameterNames.contains(name)) {
            throw new IllegalArgumentException(hyperparameterNames.isEmpty()
                    ? "model " + spec.name() + " has no optimizer, so no hyperparameter " + name
                    : "the " + spec.optimizer() + " optimizer of model " + spec.name() + " has no hyperparameter "
                    + name + "; it has " + hyperparameterNames);
        }
    }

    private void assign(String name, double value) {
        switch (name) {
            case "lr" -> lr = value;
            case "momentum" -> momentum = value;
            case "dampening" -> dampening = value;
            case "weight_decay" -> weightDecay = value;
            case "nesterov" -> nesterov = value != 0;
            case "beta1" -> beta1 = value;
            case "beta2" -> beta2 = value;
            case "eps" -> eps = value;
            default -> throw new IllegalStateException("unknown hyperparameter " + name + " in the description");
        }
    }

    // ---- optimizer state ----

    @Override
    public final List<TensorSpec> optimizerState() {
        return stateSpecs;
    }

    @Override
    public final Object optimizerState(String name) {
        return stateInFlatOrder[indexOf(stateSpecs, name, "optimizer state")];
    }

    @Override
    public final long stepCount() {
        return stepCount;
    }

    @Override
    public final void setStepCount(long steps) {
        if (steps < 0 || steps > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("step count must be in [0, " + (Integer.MAX_VALUE - 1) + "], got "
                    + steps);
        }
        stepCount = (int) steps;
    }

    // ---- training and evaluation modes, dropout's masks ----

    @Override
    public final void setTraining(boolean on) {
        training = on;
    }

    @Override
    public final boolean training() {
        return training;
    }

    @Override
    public final long dropoutSeed() {
        return dropoutSeed;
    }

    @Override
    public final void setDropoutSeed(long seed) {
        dropoutSeed = seed;
    }

    @Override
    public final long dropoutDraws() {
        return dropoutDraws;
    }

    @Override
    public final void setDropoutDraws(long draws) {
        if (draws < 0) {
            throw new IllegalArgumentException("dropout draws must be at least 0, got " + draws);
        }
        dropoutDraws = draws;
    }

    // ---- flat copies ----

    @Override
    public final int flatParameterSize() {
        return flatSize;
    }

    @Override
    public final int flatOptimizerStateSize() {
        return flatSize * state.length;
    }

    @Override
    public final void readParameters(Object dst) {
        copyFlat(params, dst, flatSize, "parameters", true, allF32, spec.name());
    }

    @Override
    public final void writeParameters(Object src) {
        copyFlat(params, src, flatSize, "parameters", false, allF32, spec.name());
    }

    @Override
    public final void readGradients(Object dst) {
        copyFlat(grads, dst, flatSize, "gradients", true, allF32, spec.name());
    }

    @Override
    public final void writeGradients(Object src) {
        copyFlat(grads, src, flatSize, "gradients", false, allF32, spec.name());
    }

    @Override
    public final void readOptimizerState(Object dst) {
        copyFlat(stateInFlatOrder, dst, flatSize * state.length, "optimizer state", true, allF32, spec.name());
    }

    @Override
    public final void writeOptimizerState(Object src) {
        copyFlat(stateInFlatOrder, src, flatSize * state.length, "optimizer state", false, allF32, spec.name());
    }

    @Override
    public final String name() {
        return spec.name();
    }

    @Override
    public final List<TensorSpec> inputs() {
        return spec.inputs();
    }

    /**
     * The inputs {@link #predict()} reads: those the outputs depend on (the labels a loss reads are not among them),
     * so that inference data need not carry them.
     */
    public final List<TensorSpec> predictInputs() {
        List<TensorSpec> out = new java.util.ArrayList<>();
        for (int i = 0; i < spec.inputs().size(); i++) {
            if (spec.predictInputs().get(i)) {
                out.add(spec.inputs().get(i));
            }
        }
        return out;
    }

    @Override
    public final List<TensorSpec> parameters() {
        return spec.params();
    }

    @Override
    public final List<TensorSpec> outputs() {
        return spec.outputs();
    }

    @Override
    public final TensorSpec objective() {
        return spec.objective();
    }

    @Override
    public final List<String> sizeNames() {
        return spec.sizes();
    }

    /** A convolution's geometry for the current batch, made once per batch size and slot. */
    protected final Conv2dShape convShape(int slot, int batch, int cin, int h, int w, int cout, int kh, int kw,
                                          int sh, int sw, int ph, int pw) {
        if (slot >= convShapes.length) {
            convShapes = Arrays.copyOf(convShapes, slot + 4);
        }
        Conv2dShape s = convShapes[slot];
        if (s == null || s.batch() != batch) {
            s = new Conv2dShape(batch, cin, h, w, cout, kh, kw, sh, sw, ph, pw);
            convShapes[slot] = s;
        }
        return s;
    }

    // ---- helpers ----

    private Object array(ModelSpec.Location at) {
        return switch (at.kind()) {
            case "buffer" -> buffers[at.index()];
            case "input" -> inputs[at.index()];
            case "param" -> params[at.index()];
            case "grad" -> grads[at.index()];
            default -> throw new IllegalStateException("bad location " + at);
        };
    }

    private int count(TensorSpec t) {
        long n = 1;
        for (String d : t.shape()) {
            n *= ModelSpec.monomial(d, spec.sizes()).evaluate(sizes);
        }
        return (int) n;
    }


}
