package dev.modelc.runtime.api;

import static dev.modelc.runtime.api.ModelArrays.dtypeOf;
import static dev.modelc.runtime.api.ModelArrays.indexOf;
import static dev.modelc.runtime.api.ModelArrays.javaType;

import dev.modelc.runtime.kernels.Conv2dShape;
import dev.modelc.runtime.kernels.MatMul;
import dev.modelc.runtime.kernels.OneCpuJit;
import dev.modelc.runtime.kernels.Parallel;
import dev.modelc.runtime.kernels.Team;
import dev.modelc.runtime.kernels.Workspace;
import dev.modelc.runtime.optim.Updates;
import java.lang.ref.Cleaner;
import java.util.List;

/**
 * The generic half of every generated model class: binding and checking inputs and symbolic sizes, growing the
 * working buffers, PyTorch's rules for backward and gradient accumulation, and name-based access. The generated
 * subclass supplies the computation ({@link #runForward}, {@link #runPredict}, {@link #runBackward},
 * {@link #runStep}) and typed methods that bind their arguments with {@link #bindSize} and {@link #bindInput}.
 *
 * <p>All state lives in the arrays below, indexed as in the {@link ModelSpec}; generated kernels load the arrays
 * they use once per call. Nothing here allocates once the buffers have grown to the largest batch seen.
 *
 * <p>The parts that need no generated code live in helpers of this package: {@link InputBinding} (sizes and
 * inputs), {@link PassState} (backward's graph and what is readable), {@link Hyperparameters} (names and checks),
 * {@link FlatLayout} (flat copies and optimizer state names), {@link AnomalyChecks} (the scans of anomaly
 * detection) and {@link ConvShapeCache}.
 */
public abstract class CompiledModel implements Model {
    /** The most threads {@link #setThreads} takes (the command line's {@code --threads} has the same bound). */
    public static final int MAX_THREADS = 256;

    /** PyTorch's message for a second backward through a freed graph. */
    public static final String SECOND_BACKWARD = "Trying to backward through the graph a second time (or directly "
            + "access saved tensors after they have already been freed). Saved intermediate values of the graph are "
            + "freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
            + "through the graph a second time or if you need to access saved tensors after calling backward.";

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
    /**
     * Whether the parameters have gradients, PyTorch's {@code .grad} not None: false in a new or re-initialized
     * instance, true from its first backward pass ({@link #backward}, {@link #trainStep}), {@link #writeGradients}
     * or a gradient array handed out ({@link #sharedGradient}) on; {@link #zeroGrad} zeroes them in place and leaves
     * this set, as PyTorch 1.13's {@code zero_grad()} ({@code set_to_none=False}). Until it is set, {@link #step}
     * does nothing.
     */
    private boolean hasGradients;
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
     * dropout steps and their gradients read). See {@link dev.modelc.runtime.kernels.Dropout}.
     */
    protected long dropoutSeed;
    protected long dropoutDraws;
    /** The mode of the following forward passes ({@link #setTraining}); {@link #trainingPass} is that of one pass. */
    private boolean training = true;
    /**
     * Whether the pass that runs, or the forward pass a backward pass goes through, is a training pass: a forward
     * pass in training mode, where dropout drops and batch_norm normalizes with the batch's statistics (and updates
     * its running ones); false in predict and in a forward pass in evaluation mode. Generated dropout steps read it,
     * and the IR's TRAINING source is it as a number, 1 or 0.
     */
    protected boolean trainingPass;
    /**
     * Whether anomaly detection is on ({@link #setDetectAnomaly}): every generated step reads it once, after it ran,
     * and when it is set calls {@link #checkStep}; each update calls {@link #checkUpdate}.
     */
    protected boolean anomaly;
    /** For a kernel step with an epilogue, the kernel's output before the chain ran over it in place (detection on). */
    protected Object anomalyScratch;
    /** The non-finite value the last {@link #diagnose} found. */
    protected double anomalyValue;
    private AnomalyChecks anomalyChecks;

    private final InputBinding binding;
    private final ModelParameters parameters;
    final ModelLocations locations;
    private final ConvShapeCache convShapes = new ConvShapeCache();
    private final PassState passes = new PassState();
    /** One call at a time: a call from a second thread meanwhile throws (docs/generated-classes.md, Threads). */
    private final CallGuard guard;
    /** {@link #paramsUpdatedByStep()}, read at the first batch-split step. */
    private boolean[] updatedByStep;
    /** {@link #gradsWrittenByTrainStep()}, read at the first training step. */
    private boolean[] writtenByTrainStep;
    private final Hyperparameters hyperparameters;
    private final FlatLayout flat;
    /** Whether the optimizer is Adam or AdamW, whose updates read {@link #adamStepSize} and {@link #adamBias2Sqrt}. */
    private final boolean adam;
    /** AdamW: the weight decay applied to the parameter rather than added to the gradient. */
    private final boolean decoupled;
    /** The worker threads of {@link #setThreads}, or null on one thread; {@link #workspace} carries the same. */
    private Team team;
    /** The replicas of a batch-split {@link #trainStep}, or null ({@link ThreadSplit#BATCH}). */
    private BatchReplicas batch;
    /**
     * The replicas of the last pass when it was a batch-split step, else null: the pass's loss is {@link #splitLoss}
     * and its outputs are theirs (kept until the next pass, even when the threads are stopped meanwhile).
     */
    private BatchReplicas lastSplit;
    private double splitLoss;
    /** Closes {@link #team} or {@link #batch} when this instance becomes unreachable. */
    private Cleaner.Cleanable teamCleanup;
    /**
     * The state of the parameters, raised before every write this class makes or lets through (see
     * {@link WeightTransposes}); predict's transposed weights are reused while it stays the same.
     */
    private long parameterState;
    /** Whether a parameter array was handed out, after which predict's transposed weights are not kept. */
    private boolean parametersShared;
    private final WeightTransposes transposes;

    /** One daemon thread for all instances, created with the first team. */
    private static final class TeamCleaner {
        static final Cleaner CLEANER = Cleaner.create();
    }

    protected CompiledModel(String description) {
        spec = ModelSpec.parse(description);
        guard = new CallGuard(spec.name());
        sizes = new int[spec.sizes().size()];
        inputs = new Object[spec.inputs().size()];
        binding = new InputBinding(spec, sizes, inputs);
        parameters = new ModelParameters(spec);
        params = parameters.params;
        grads = parameters.grads;
        state = parameters.state;
        buffers = new Object[spec.buffers().size()];
        locations = new ModelLocations(spec, sizes, buffers, inputs, params, grads);
        hyperparameters = new Hyperparameters(spec);
        for (String h : hyperparameters.names()) {
            hyperparameters.assign(this, h, spec.hyperparameters().get(h));
        }
        flat = new FlatLayout(spec, params, state);
        adam = "adam".equals(spec.optimizer()) || "adamw".equals(spec.optimizer());
        decoupled = "adamw".equals(spec.optimizer());
        transposes = new WeightTransposes(params.length);
    }

    @Override
    public final void initialize(long seed) {
        boolean took = guard.enter();
        try {
            parameterState++;
            parameters.initialize(seed);
            stepCount = 0;
            hasGradients = false;
            dropoutSeed = seed;
            dropoutDraws = 0;
        } finally {
            guard.exit(took);
        }
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

    /**
     * The backward pass of a batch-split replica: {@link #runBackward} with the gradients that
     * {@link #gradsWrittenByTrainStep} marks written whole rather than added to (so the caller zeroes only the
     * others), and no updates. Generated classes override it; the default zeroes every gradient and runs
     * {@link #runBackward}.
     */
    protected void runWritingBackward() {
        parameters.zeroGrad();
        runBackward();
    }

    /**
     * One character per gradient: '1' where the backward pass of {@link #trainStep} writes the whole gradient
     * rather than adding to it (its only writer), so that {@code trainStep} need not zero it first; '0' elsewhere.
     * Generated classes override it; the default zeroes every gradient.
     */
    protected String gradsWrittenByTrainStep() {
        return "";
    }

    /**
     * One character per parameter: '1' where {@link #runStep} updates it (it has a gradient; PyTorch skips a
     * parameter whose {@code .grad} is None), '0' elsewhere. Generated classes override it; the default (empty)
     * leaves a batch-split step's update to {@link #runStep}.
     */
    protected String paramsUpdatedByStep() {
        return "";
    }

    /**
     * Whether a batch-split step may update each range of the parameters as soon as its share of the reduction
     * has made that range's gradient final ({@link BatchReplicas}), instead of running {@link #runStep} after the
     * whole reduction: with an optimizer, the class's list of updated parameters, and no anomaly detection (whose
     * checks follow each parameter's whole update).
     */
    final boolean updatesInRanges() {
        return spec.optimizer() != null && !anomaly && updatedByStep().length == params.length;
    }

    /** {@link #paramsUpdatedByStep}, read once: whether {@link #runStep} updates each parameter. */
    final boolean[] updatedByStep() {
        if (updatedByStep == null) {
            updatedByStep = flags(paramsUpdatedByStep());
        }
        return updatedByStep;
    }

    /**
     * {@link #runStep}'s update of parameter p on its elements {@code from <= i < to} only: the same
     * {@link Updates} range loop the generated update reaches through {@link Optimizers}, with the same
     * hyperparameters, so each element gets the same bits. {@link #stepCount} is already incremented.
     */
    final void updateRange(int p, int from, int to) {
        if (params[p] instanceof float[] w) {
            float[] g = (float[]) grads[p];
            if (adam) {
                Updates.adamRange(w, g, (float[]) state[0][p], (float[]) state[1][p], from, to, adamStepSize,
                        adamBias2Sqrt, lr, beta1, beta2, eps, weightDecay, decoupled);
            } else {
                Updates.sgdRange(w, g, state.length > 0 ? (float[]) state[0][p] : null, from, to, stepCount == 1, lr,
                        momentum, dampening, nesterov, weightDecay);
            }
        } else {
            double[] w = (double[]) params[p];
            double[] g = (double[]) grads[p];
            if (adam) {
                Updates.adamRange(w, g, (double[]) state[0][p], (double[]) state[1][p], from, to, adamStepSize,
                        adamBias2Sqrt, lr, beta1, beta2, eps, weightDecay, decoupled);
            } else {
                Updates.sgdRange(w, g, state.length > 0 ? (double[]) state[0][p] : null, from, to, stepCount == 1,
                        lr, momentum, dampening, nesterov, weightDecay);
            }
        }
    }

    private static boolean[] flags(String text) {
        boolean[] f = new boolean[text.length()];
        for (int i = 0; i < f.length; i++) {
            f[i] = text.charAt(i) == '1';
        }
        return f;
    }

    // ---- threads ----

    @Override
    public final void setThreads(int n) {
        setThreads(n, ThreadSplit.KERNELS);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException for {@link ThreadSplit#BATCH} on a model whose batch cannot be split, saying
     *     why ({@link #batchSplit()})
     */
    @Override
    public final void setThreads(int n, ThreadSplit split) {
        if (n < 1 || n > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be in [1, " + MAX_THREADS + "], got " + n);
        }
        if (n == 1) {
            split = ThreadSplit.KERNELS;
        }
        if (n == threads() && split == threadSplit()) {
            return;
        }
        if (split == ThreadSplit.BATCH && !spec.batchSplit().splits()) {
            throw new IllegalArgumentException("model " + spec.name() + " cannot split its batch over threads: "
                    + spec.batchSplit().refusal());
        }
        close();
        if (split == ThreadSplit.BATCH) {
            batch = new BatchReplicas(this, n);
            workspace.setTeam(batch.team()); // the other calls split their kernels over the same threads
            teamCleanup = TeamCleaner.CLEANER.register(this, batch.team()::close); // nothing of this instance
            return;
        }
        if (n > 1) {
            Team t = new Team(n, "modelc-" + spec.name());
            team = t;
            workspace.setTeam(t);
            teamCleanup = TeamCleaner.CLEANER.register(this, t::close); // the action must not hold this instance
        }
    }

    @Override
    public final int threads() {
        return batch != null ? batch.threads() : team == null ? 1 : team.threads();
    }

    @Override
    public final ThreadSplit threadSplit() {
        return batch != null ? ThreadSplit.BATCH : ThreadSplit.KERNELS;
    }

    /**
     * Whether {@code trainStep} can be split over the rows of the batch ({@link ThreadSplit#BATCH}), as the compiler
     * found it: the batch size and the objective's reduction over it, or why not.
     */
    public final ModelSpec.BatchSplit batchSplit() {
        return spec.batchSplit();
    }

    /**
     * The worker threads {@link #setThreads} started, or null on one thread: for tests and tools (the threads, and
     * how many ranges of the generated loops they ran, {@link Team#loopRangesOnWorkers}; none when the threads
     * split the batch).
     */
    public final Team team() {
        return batch != null ? batch.team() : team;
    }

    /** Stops the worker threads, if any; the instance keeps working on the calling thread. */
    @Override
    public final void close() {
        if (team != null) {
            workspace.setTeam(null);
            teamCleanup.clean();
            team = null;
            teamCleanup = null;
        }
        if (batch != null) {
            workspace.setTeam(null);
            teamCleanup.clean();
            batch = null;
            teamCleanup = null;
        }
    }

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
        if (on && anomalyChecks == null) {
            anomalyChecks = new AnomalyChecks(this, AnomalyTable.parse(anomalyTableText(), spec.sizes()));
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
        anomalyChecks.checkStep(k);
    }

    /**
     * Inside an epilogue step {@code k}, between the kernel and its in-place chain: checks the kernel's output and
     * keeps a copy of it, so that {@link #diagnose} can evaluate the chain if the chain makes a non-finite value.
     */
    protected final void checkKernel(int k) {
        anomalyChecks.checkKernel(k);
    }

    /** After the optimizer's update of parameter {@code p}: the parameter must hold finite values only. */
    protected final void checkUpdate(int p) {
        anomalyChecks.checkUpdate(p);
    }

    // ---- binding (typed methods call these) ----

    /** Binds a size for the next pass only (typed methods); {@link #setSize} binds it until changed. */
    protected final void bindSize(int index, int value) {
        guard.check();
        binding.bindSize(index, value);
    }

    protected final void bindInput(int index, Object array) {
        guard.check();
        if (array == null) {   // a typed method's argument; setInput checks its own
            TensorSpec t = spec.inputs().get(index);
            throw new IllegalArgumentException("input " + t.name() + ": expected " + javaType(t.dtype()) + " ("
                    + t.typeText() + ") but got null");
        }
        inputs[index] = array;
    }

    @Override
    public final void setSize(String symbol, int value) {
        guard.check();
        binding.setSize(symbol, value);
    }

    @Override
    public final void setInput(String name, Object array) {
        guard.check();
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
        prepareInputs(predictOnly);
        locations.growBuffers();
    }

    /** {@link #prepare} but the buffers. */
    private void prepareInputs(boolean predictOnly) {
        binding.prepare(predictOnly);
        if (anomaly) {
            AnomalyChecks.checkInputs(spec, binding, inputs, params, predictOnly);
        }
    }

    // ---- passes ----

    @Override
    public final void forward() {
        boolean took = guard.enter();
        try {
            parameterState++; // a training pass may update batch-norm running statistics
            prepare(false);
            forwardPrepared();
        } finally {
            guard.exit(took);
        }
    }

    /** {@link #forward} once the inputs are prepared. */
    private void forwardPrepared() {
        passes.forwardStarts();
        lastSplit = null;
        trainingPass = training;
        if (training) {
            dropoutDraws++;
        }
        runForward();
        passes.forwardRan(spec.objective() != null);
    }

    @Override
    public final void predict() {
        boolean took = guard.enter();
        try {
            passes.predictStarts();
            lastSplit = null;
            prepare(true);
            boolean recorded = trainingPass; // a predict that fails leaves the earlier forward pass's graph to backward
            trainingPass = false;
            try {
                runPredict();
            } finally {
                trainingPass = recorded;
            }
            passes.predictRan();
        } finally {
            guard.exit(took);
        }
    }

    @Override
    public final void backward() {
        backward(false);
    }

    @Override
    public final void backward(boolean retainGraph) {
        boolean took = guard.enter();
        try {
            requireObjective();
            OneCpuJit.beforeTraining();
            passes.checkBackward();
            hasGradients = true;
            runBackward();
            passes.backwardRan(retainGraph);
        } finally {
            guard.exit(took);
        }
    }

    @Override
    public final void zeroGrad() {
        boolean took = guard.enter();
        try {
            parameters.zeroGrad();
        } finally {
            guard.exit(took);
        }
    }

    /**
     * One update of every parameter from its gradient; before the instance has gradients (no backward pass yet,
     * see {@link #hasGradients}) nothing at all, as PyTorch's optimizers skip every parameter whose {@code .grad} is
     * None: no step is counted, no momentum buffer started, no weight decay applied, no Adam moment moved.
     */
    @Override
    public final void step() {
        boolean took = guard.enter();
        try {
            if (!hasGradients) {
                return;
            }
            parameterState++;
            stepCount++;
            beginStep();
            runStep();
        } finally {
            guard.exit(took);
        }
    }

    /** After the step count grows: the scalars every parameter's update shares. */
    private void beginStep() {
        if (adam) {
            adamStepSize = Updates.adamStepSize(lr, beta1, stepCount);
            adamBias2Sqrt = Updates.adamBias2Sqrt(beta2, stepCount);
        }
    }

    private void requireObjective() {
        if (spec.objective() == null) {
            throw new IllegalStateException("model " + spec.name() + " has no objective to differentiate");
        }
    }

    @Override
    public final double trainStep() {
        boolean took = guard.enter();
        try {
            requireObjective();
            OneCpuJit.beforeTraining();
            parameterState++;                          // the updates below write the parameters
            prepareInputs(false);
            if (batch != null && sizes[batch.batchSizeIndex()] >= batch.threads()) {
                return splitTrainStep();
            }
            locations.growBuffers();
            parameters.zeroGrad(writtenByTrainStep()); // the gradients trainStep's backward writes whole are left alone
            forwardPrepared();
            hasGradients = true;
            stepCount++;
            beginStep();
            runTrainBackward();
            passes.backwardRan(false);
            return loss();
        } finally {
            guard.exit(took);
        }
    }

    /**
     * A batch-split replica's share of a step ({@link BatchReplicas}): zero_grad, forward and backward of its bound
     * rows, where the gradients the backward writes whole are not zeroed first (for the wide MLP, 7.4 MB a thread a
     * step), as in {@link #trainStep}.
     */
    final void replicaPasses() {
        parameters.zeroGrad(writtenByTrainStep());
        forward();
        requireObjective();
        passes.checkBackward();
        runWritingBackward();
        passes.backwardRan(false);
    }

    /** {@link #gradsWrittenByTrainStep} as flags, read from the class once. */
    private boolean[] writtenByTrainStep() {
        if (writtenByTrainStep == null) {
            writtenByTrainStep = flags(gradsWrittenByTrainStep());
        }
        return writtenByTrainStep;
    }

    /** {@link #trainStep} split over the rows of the batch ({@link BatchReplicas}); inputs prepared. */
    private double splitTrainStep() {
        passes.forwardStarts();
        trainingPass = training;
        lastSplit = null;
        boolean inRanges = updatesInRanges();      // each thread updates its ranges as their gradients are final
        splitLoss = batch.passes();
        lastSplit = batch;
        passes.forwardRan(true);
        hasGradients = true;
        stepCount++;                               // counted once every replica's passes are through: a pass
                                                   // that throws leaves the count and the parameters as they were
        beginStep();
        batch.reduce(inRanges);
        if (!inRanges) {
            runStep();
        }
        passes.backwardRan(false);
        return splitLoss;
    }

    /**
     * Runs inference and copies every output, in declaration order, into the caller's arrays: one array per output,
     * each of the output's element type and exactly its element count at the sizes of this call; all are checked
     * before any is written. The typed {@code predict} of a generated class does the same through
     * {@link #checkOutput} and {@link #copyOutput}, without the varargs array.
     */
    @Override
    public final void predict(Object... outs) {
        boolean took = guard.enter();
        try {
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
        } finally {
            guard.exit(took);
        }
    }

    /** After a pass: throws {@link IllegalArgumentException} unless {@code out} can hold output {@code i}. */
    protected final void checkOutput(int i, Object out) {
        guard.check();
        locations.checkOutput(i, out);
    }

    /** Copies output {@code i} of the last pass into {@code out}, checked by {@link #checkOutput}. */
    protected final void copyOutput(int i, Object out) {
        guard.check();
        locations.copyOutput(i, out);
    }

    // ---- reading ----

    @Override
    public final double loss() {
        guard.check();
        if (spec.objective() == null) {
            throw new IllegalStateException("model " + spec.name() + " has no objective");
        }
        passes.checkLoss();
        if (lastSplit != null) {
            return splitLoss;
        }
        Object a = locations.array(spec.objectiveLocation());
        return a instanceof float[] f ? f[0] : ((double[]) a)[0];
    }

    @Override
    public final Object output(String name) {
        guard.check();
        int i = indexOf(spec.outputs(), name, "output");
        passes.checkOutputs();
        return lastSplit != null ? lastSplit.output(name) : locations.output(i);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Once a parameter array has been handed out, writes to it can come at any time, so from then on this
     * instance's {@code predict} no longer keeps the transposed copies of its weights ({@link WeightTransposes}) and
     * packs them at every call instead, as a training step does. {@link #parameterCopy}, {@link #readParameters}
     * and {@code Weights.save} read the parameters without handing them out.
     */
    @Override
    public final Object parameter(String name) {
        return sharedParameter(indexOf(spec.params(), name, "parameter"));
    }

    /** Parameter {@code p}'s live array, handed out: what {@link #parameter} and the typed getters return. */
    protected final Object sharedParameter(int p) {
        shareParameters();
        return params[p];
    }

    /**
     * Whether {@code predict} keeps the transposes of the weights it multiplies as {@code x W^T} between calls: until
     * a parameter array is handed out ({@link #parameter}). For tests and tools.
     */
    public final boolean keepsWeightTransposes() {
        return !parametersShared;
    }

    private void shareParameters() {
        if (!parametersShared) {
            parametersShared = true;
            transposes.clear();
        }
    }

    @Override
    public final Object parameterCopy(String name) {
        return ModelArrays.copy(params[indexOf(spec.params(), name, "parameter")]);
    }

    /**
     * Predict's product {@code C[m, n] (=|+=) op(A)[m, k] W^T} with W parameter {@code p}, {@code n x k}, read
     * whole: the same bits as {@code Parallel.gemm(workspace, transA, true, ...)}, through W's panels or a
     * transposed copy of W ({@link WeightTransposes}) kept while the parameters do not change, when the product
     * packs its B ({@link MatMul#packsB}), and through the transposed copy for an f32 product too small to pack that
     * overwrites C and runs in vectors from it ({@link MatMul#smallFasterWithTranspose}: predict on one sample).
     */
    protected final void productWithWeight(int p, boolean transA, int m, int n, int k, float[] a, float[] c,
                                           boolean accumulate) {
        float[] w = (float[]) params[p];
        boolean kept = !parametersShared && w.length == n * k;
        boolean packs = MatMul.packsB(m, n, k);
        if (kept && packs && MatMul.packedWeightLength(n, k) > 0) {
            float[] packed = transposes.packed(p, w, n, k, parameterState);
            Parallel.gemmPackedWeight(workspace, transA, m, n, k, a, w, packed, c, accumulate);
        } else if (kept && (packs || !accumulate && MatMul.smallFasterWithTranspose(m, n, k))) {
            float[] t = transposes.of(p, w, n, k, parameterState);
            Parallel.gemm(workspace, transA, false, m, n, k, a, 0, t, 0, c, 0, accumulate);
        } else {
            Parallel.gemm(workspace, transA, true, m, n, k, a, 0, w, 0, c, 0, accumulate);
        }
    }

    /** f64 {@link #productWithWeight(int, boolean, int, int, int, float[], float[], boolean)}. */
    protected final void productWithWeight(int p, boolean transA, int m, int n, int k, double[] a, double[] c,
                                           boolean accumulate) {
        double[] w = (double[]) params[p];
        boolean kept = !parametersShared && w.length == n * k;
        boolean packs = MatMul.packsB(m, n, k);
        if (kept && packs && MatMul.packedWeightLength(n, k) > 0) {
            double[] packed = transposes.packed(p, w, n, k, parameterState);
            Parallel.gemmPackedWeight(workspace, transA, m, n, k, a, w, packed, c, accumulate);
        } else if (kept && packs) {
            double[] t = transposes.of(p, w, n, k, parameterState);
            Parallel.gemm(workspace, transA, false, m, n, k, a, 0, t, 0, c, 0, accumulate);
        } else {
            Parallel.gemm(workspace, transA, true, m, n, k, a, 0, w, 0, c, 0, accumulate);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The live array is handed out, so the caller may write a gradient into it, as PyTorch code assigns
     * {@code p.grad}: from then on the instance has gradients and {@link #step} updates from them.
     */
    @Override
    public final Object gradient(String name) {
        return sharedGradient(indexOf(spec.params(), name, "parameter"));
    }

    /** Parameter {@code p}'s gradient array, handed out: what {@link #gradient} and the typed getters return. */
    protected final Object sharedGradient(int p) {
        hasGradients = true;
        return grads[p];
    }

    @Override
    public final void setParameter(String name, Object values) {
        boolean took = guard.enter();
        try {
            parameterState++;
            parameters.set(indexOf(spec.params(), name, "parameter"), values);
        } finally {
            guard.exit(took);
        }
    }

    // ---- optimizer hyperparameters ----

    @Override
    public final List<String> hyperparameterNames() {
        return hyperparameters.names();
    }

    @Override
    public final double hyperparameter(String name) {
        hyperparameters.check(name);
        return hyperparameters.get(this, name);
    }

    @Override
    public final void setHyperparameter(String name, double value) {
        hyperparameters.check(name);
        String invalid = hyperparameters.invalid(name, value, momentum, dampening, nesterov);
        if (invalid != null) {
            throw new IllegalArgumentException(invalid);
        }
        hyperparameters.assign(this, name, value);
    }

    @Override
    public final double learningRate() {
        return hyperparameter("lr");
    }

    @Override
    public final void setLearningRate(double lr) {
        setHyperparameter("lr", lr);
    }

    // ---- optimizer state ----

    @Override
    public final List<TensorSpec> optimizerState() {
        return flat.stateSpecs();
    }

    @Override
    public final Object optimizerState(String name) {
        return flat.state(name);
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
        return flat.parameterSize();
    }

    @Override
    public final int flatOptimizerStateSize() {
        return flat.stateSize();
    }

    @Override
    public final void readParameters(Object dst) {
        flat.copy(params, dst, "parameters", true);
    }

    @Override
    public final void writeParameters(Object src) {
        boolean took = guard.enter();
        try {
            parameterState++;
            flat.copy(params, src, "parameters", false);
        } finally {
            guard.exit(took);
        }
    }

    @Override
    public final void readGradients(Object dst) {
        flat.copy(grads, dst, "gradients", true);
    }

    @Override
    public final void writeGradients(Object src) {
        boolean took = guard.enter();
        try {
            flat.copy(grads, src, "gradients", false);
            hasGradients = true;
        } finally {
            guard.exit(took);
        }
    }

    @Override
    public final void readOptimizerState(Object dst) {
        flat.copyState(dst, true);
    }

    @Override
    public final void writeOptimizerState(Object src) {
        boolean took = guard.enter();
        try {
            flat.copyState(src, false);
        } finally {
            guard.exit(took);
        }
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
        return convShapes.get(slot, batch, cin, h, w, cout, kh, kw, sh, sw, ph, pw);
    }
}
