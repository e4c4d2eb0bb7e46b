package dev.modelc.runtime.api;

import dev.modelc.runtime.kernels.Conv2dShape;
import dev.modelc.runtime.kernels.Workspace;
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
    /** Optimizer steps taken (Adam's bias correction). */
    protected int stepCount;

    private final ModelSpec.Monomial[][] inputDims;
    private final boolean[] sizeGiven;
    private final boolean[] sizeForOneCall;
    private final int[] sizeSource;
    private Conv2dShape[] convShapes = new Conv2dShape[4];
    private GraphState graph = GraphState.NONE;

    protected CompiledModel(String description) {
        spec = ModelSpec.parse(description);
        sizes = new int[spec.sizes().size()];
        sizeGiven = new boolean[sizes.length];
        sizeForOneCall = new boolean[sizes.length];
        sizeSource = new int[sizes.length];
        inputs = new Object[spec.inputs().size()];
        inputDims = new ModelSpec.Monomial[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            List<String> shape = spec.inputs().get(i).shape();
            inputDims[i] = new ModelSpec.Monomial[shape.size()];
            for (int d = 0; d < shape.size(); d++) {
                inputDims[i][d] = ModelSpec.monomial(shape.get(d), spec.sizes());
            }
        }
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

    // ---- binding (typed methods call these) ----

    /** Binds a size for the next pass only (typed methods); {@link #setSize} binds it until changed. */
    protected final void bindSize(int index, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("size " + spec.sizes().get(index) + " must not be negative, got "
                    + value);
        }
        sizes[index] = value;
        sizeForOneCall[index] = true;
    }

    protected final void bindInput(int index, Object array) {
        inputs[index] = array;
    }

    @Override
    public final void setSize(String symbol, int value) {
        int index = spec.sizes().indexOf(symbol);
        if (index < 0) {
            throw new IllegalArgumentException("model " + spec.name() + " has no size " + symbol + "; it has "
                    + spec.sizes());
        }
        bindSize(index, value);
        sizeForOneCall[index] = false;
        sizeGiven[index] = true;
    }

    @Override
    public final void setInput(String name, Object array) {
        bindInput(indexOf(spec.inputs(), name, "input"), array);
    }

    /** Learns the sizes not given from the inputs' lengths, checks every input, grows the buffers. */
    private void prepare(boolean predictOnly) {
        for (int s = 0; s < sizes.length; s++) {
            sizeSource[s] = sizeGiven[s] || sizeForOneCall[s] ? -1 : -2;
            sizeForOneCall[s] = false;
        }
        for (int i = 0; i < inputs.length; i++) {
            if (predictOnly && !spec.predictInputs().get(i)) {
                continue;
            }
            if (inputs[i] == null) {
                throw new IllegalStateException("input " + spec.inputs().get(i).name() + " is not set");
            }
            learnSize(i);
        }
        for (int i = 0; i < inputs.length; i++) {
            if (!predictOnly || spec.predictInputs().get(i)) {
                checkInput(i);
            }
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

    private void checkInput(int i) {
        TensorSpec t = spec.inputs().get(i);
        Object a = inputs[i];
        String want = t.dtype();
        String have = a instanceof float[] ? "f32" : a instanceof double[] ? "f64" : a instanceof int[] ? "i32" : null;
        if (!want.equals(have)) {
            throw new IllegalArgumentException("input " + t.name() + ": expected " + t.typeText() + " as "
                    + javaType(want) + ", got " + (a == null ? "null" : a.getClass().getSimpleName()));
        }
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

    // ---- passes ----

    @Override
    public final void forward() {
        prepare(false);
        runForward();
        graph = spec.objective() == null ? GraphState.NONE : GraphState.READY;
    }

    @Override
    public final void predict() {
        prepare(true);
        runPredict();
        graph = GraphState.NONE;
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
        runStep();
    }

    @Override
    public final double trainStep() {
        zeroGrad();
        forward();
        if (spec.objective() == null) {
            throw new IllegalStateException("model " + spec.name() + " has no objective to differentiate");
        }
        stepCount++;
        runTrainBackward();
        graph = GraphState.FREED;
        return loss();
    }

    /** Typed predict: runs inference and copies the first output into {@code out}. */
    protected final void predictInto(Object out) {
        predict();
        ModelSpec.Location at = spec.outputLocations().get(0);
        int n = count(spec.outputs().get(0));
        if (out == null || length(out) != n || out.getClass() != array(at).getClass()) {
            throw new IllegalArgumentException("output " + spec.outputs().get(0).name() + ": expected "
                    + spec.outputs().get(0).typeText() + ", that is " + n + " elements, but the array has "
                    + (out == null ? "null" : length(out) + " elements of " + out.getClass().getSimpleName()));
        }
        System.arraycopy(array(at), 0, out, 0, n);
    }

    // ---- reading ----

    @Override
    public final double loss() {
        if (spec.objective() == null) {
            throw new IllegalStateException("model " + spec.name() + " has no objective");
        }
        Object a = array(spec.objectiveLocation());
        return a instanceof float[] f ? f[0] : ((double[]) a)[0];
    }

    @Override
    public final Object output(String name) {
        int i = indexOf(spec.outputs(), name, "output");
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

    @Override
    public final String name() {
        return spec.name();
    }

    @Override
    public final List<TensorSpec> inputs() {
        return spec.inputs();
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

    private static int constantCount(TensorSpec t) {
        long n = 1;
        for (String d : t.shape()) {
            n *= Long.parseLong(d);
        }
        return Math.toIntExact(n);
    }

    private static Object newArray(TensorSpec t, int n) {
        return t.dtype().equals("f64") ? new double[n] : new float[n];
    }

    private static int length(Object a) {
        return a instanceof float[] f ? f.length : a instanceof double[] d ? d.length : ((int[]) a).length;
    }

    private static String javaType(String dtype) {
        return switch (dtype) {
            case "f32" -> "float[]";
            case "f64" -> "double[]";
            default -> "int[]";
        };
    }

    private static int indexOf(List<TensorSpec> list, String name, String what) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no " + what + " named " + name + "; have "
                + list.stream().map(TensorSpec::name).toList());
    }
}
