package dev.modelc.runtime.api;

import java.util.List;

/**
 * What every generated model class offers, so that tools can drive any model by name. Arrays are
 * {@code float[]} (f32), {@code double[]} (f64) or {@code int[]} (i32), row-major.
 *
 * <p>Semantics follow PyTorch autograd: {@link #backward()} adds into the parameters' gradients until
 * {@link #zeroGrad()}; a second {@code backward} without {@code retainGraph} fails; {@link #step()} reads the
 * gradients. Symbolic sizes are set with {@link #setSize} or, when not set, learned from the inputs' lengths.
 * Generated classes also have typed methods (for example {@code float trainStep(float[] x, int[] t, int batch)});
 * see {@code docs/generated-classes.md}.
 *
 * <p>The training state is data: the optimizer's hyperparameters ({@link #setHyperparameter}), its state per
 * parameter ({@link #optimizerState(String)}) and the step count can be read and set between steps, and
 * parameters, gradients and optimizer state can each be copied to and from one flat array
 * ({@link #readParameters}), so that a restored model resumes bit for bit.
 *
 * <p>An instance is not thread-safe: use one instance per thread. An instance can itself use several threads for
 * its kernels ({@link #setThreads}); {@link #close} stops them.
 */
public interface Model extends AutoCloseable {
    /** The model's name in its {@code .mdl} file. */
    String name();

    List<TensorSpec> inputs();

    List<TensorSpec> parameters();

    List<TensorSpec> outputs();

    /** The scalar objective, or null for a model without one. */
    TensorSpec objective();

    /** The symbolic sizes, in the order the typed methods take them. */
    List<String> sizeNames();

    /** Binds a symbolic size for the next calls (typed methods bind it themselves). */
    void setSize(String symbol, int value);

    /** Binds an input array (kept, not copied, until the next call binds another). */
    void setInput(String name, Object array);

    /** Runs the forward pass on the bound inputs, keeping what the backward pass needs. */
    void forward();

    /** Inference only: computes the outputs, keeps nothing for a backward pass. */
    void predict();

    /**
     * Inference into the caller's arrays: {@link #predict()}, then every output copied, in the order of
     * {@link #outputs()}, into {@code outs} (one array per output, of its element type and exactly its element count
     * at the sizes of this call, else {@link IllegalArgumentException}, before any is written), without allocating.
     */
    void predict(Object... outs);

    void backward();

    void backward(boolean retainGraph);

    void zeroGrad();

    /**
     * Re-initializes every parameter from {@code seed} with the model's initializers, in state_dict order from one
     * {@link dev.modelc.runtime.random.Rng}, exactly as the reference interpreter does; clears gradients and
     * optimizer state.
     */
    void initialize(long seed);

    /**
     * One optimizer update from the current gradients. Before the first backward pass ({@link #backward},
     * {@link #trainStep}) or {@link #writeGradients}, and after {@link #initialize}, there are none (PyTorch's
     * {@code .grad} is None) and it does nothing: no step is counted and no optimizer state changes.
     */
    void step();

    /** zeroGrad, forward, backward, step; returns the objective before the update. */
    double trainStep();

    /** The objective's value from the last forward pass. */
    double loss();

    /** A copy of an output's elements from the last forward or predict. */
    Object output(String name);

    /**
     * The live parameter array (writes change the model). A compiled model that has handed one out packs its
     * weights at every {@code predict} from then on (see {@link CompiledModel#parameter}); to read values, use
     * {@link #parameterCopy}.
     */
    Object parameter(String name);

    /** A new array holding a parameter's current values; writing to it does not change the model. */
    default Object parameterCopy(String name) {
        return ModelArrays.copy(parameter(name));
    }

    /** The live gradient array of a parameter. */
    Object gradient(String name);

    /** Copies values into a parameter; the array's type and length must match. */
    void setParameter(String name, Object values);

    // ---- optimizer hyperparameters ----

    /**
     * The optimizer's settable hyperparameters with PyTorch's names, empty for a model without an objective:
     * {@code sgd}: {@code lr, momentum, dampening, weight_decay, nesterov} (nesterov is 0 or 1);
     * {@code adam}, {@code adamw}: {@code lr, beta1, beta2, eps, weight_decay}.
     */
    List<String> hyperparameterNames();

    /** A hyperparameter's current value (the {@code .mdl}'s value until set). */
    double hyperparameter(String name);

    /**
     * Sets a hyperparameter for the following steps. Throws {@link IllegalArgumentException} for an unknown name
     * (listing the known ones) and for values PyTorch rejects (negative lr, eps, momentum or weight_decay, betas
     * outside [0, 1), nesterov without momentum or with dampening). SGD's momentum buffer exists only when the
     * model was compiled with momentum, so momentum cannot change between zero and non-zero.
     */
    void setHyperparameter(String name, double value);

    /** {@code hyperparameter("lr")}. */
    double learningRate();

    /** {@code setHyperparameter("lr", lr)}. */
    void setLearningRate(double lr);

    // ---- optimizer state ----

    /**
     * The optimizer's state arrays, named {@code <parameter>.<kind>} with PyTorch's kinds ({@code momentum_buffer}
     * for SGD with momentum, {@code exp_avg} and {@code exp_avg_sq} for Adam and AdamW), each of its parameter's
     * dtype and shape; kind by kind, parameters in state_dict order within a kind.
     */
    List<TensorSpec> optimizerState();

    /** The live optimizer state array of that name (writes change the model). */
    Object optimizerState(String name);

    /** Optimizer steps taken so far (Adam's bias correction; SGD's momentum buffer is initialized when it is 0). */
    long stepCount();

    /** Sets the step count, for instance when restoring a checkpoint. */
    void setStepCount(long steps);

    // ---- training and evaluation modes, dropout's masks ----

    /**
     * PyTorch's {@code model.train()} ({@code true}, the default) and {@code model.eval()} ({@code false}): in
     * evaluation mode {@link #forward()} (and so {@link #trainStep()}) treats dropout as the identity, as
     * {@link #predict()} always does. Only dropout reads the mode; this default, for a model without dropout,
     * ignores it.
     */
    default void setTraining(boolean on) {
    }

    /** Whether forward passes run in training mode. */
    default boolean training() {
        return true;
    }

    /**
     * The seed of dropout's masks: {@link #initialize(long)} (and so the seeded constructors) sets it to the
     * initialization seed; a class without dropout ignores it.
     */
    default long dropoutSeed() {
        return 0;
    }

    /** Sets the seed of dropout's masks for the following passes. */
    default void setDropoutSeed(long seed) {
        if (seed != 0) {
            throw new UnsupportedOperationException(getClass().getName() + " has no dropout seed");
        }
    }

    /**
     * Dropout masks drawn so far: one per forward pass in training mode; that pass and its backward read the mask
     * of (seed, draws), so a model restored with its seed and draws draws the masks the original would have.
     */
    default long dropoutDraws() {
        return 0;
    }

    /** Sets the count of masks drawn, for instance when restoring a checkpoint. */
    default void setDropoutDraws(long draws) {
        if (draws != 0) {
            throw new UnsupportedOperationException(getClass().getName() + " has no dropout draws");
        }
    }

    // ---- flat copies, in state_dict order ----

    /** Elements of all parameters together. */
    int flatParameterSize();

    /**
     * Copies every parameter, in state_dict order, each row-major, into {@code dst} of exactly
     * {@link #flatParameterSize()} elements: a {@code float[]} when every parameter is f32, or a {@code double[]}
     * (for any model; f32 values are widened exactly).
     */
    void readParameters(Object dst);

    /** The inverse of {@link #readParameters}; a {@code double[]} is rounded to float for f32 parameters. */
    void writeParameters(Object src);

    /** Like {@link #readParameters}, for the gradients. */
    void readGradients(Object dst);

    /** Like {@link #writeParameters}, for the gradients. */
    void writeGradients(Object src);

    /** Elements of all optimizer state: state arrays per parameter times {@link #flatParameterSize()}. */
    int flatOptimizerStateSize();

    /**
     * Copies the optimizer state in the order of {@link #optimizerState()}: for each state kind, every parameter in
     * state_dict order. The step count is not included ({@link #stepCount()}).
     */
    void readOptimizerState(Object dst);

    /** The inverse of {@link #readOptimizerState}. */
    void writeOptimizerState(Object src);

    // ---- anomaly detection ----

    /**
     * Turns NaN/infinity detection on or off (PyTorch's {@code torch.autograd.detect_anomaly}): when on, inputs are
     * checked before each pass and the values of every step and optimizer update after it ran, and the first
     * non-finite value throws {@link AnomalyException} naming the {@code .mdl} position and op that made it.
     * Generated classes support it; this default refuses.
     */
    default void setDetectAnomaly(boolean on) {
        if (on) {
            throw new UnsupportedOperationException(getClass().getName() + " has no anomaly detection");
        }
    }

    /** Whether anomaly detection is on. */
    default boolean detectAnomaly() {
        return false;
    }

    // ---- threads ----

    /**
     * Runs the heavy kernels of the following calls (matrix products, convolutions, max pooling, the optimizer's
     * update) on {@code n} threads: the calling thread and {@code n - 1} worker threads the instance keeps (daemon
     * threads, stopped by {@link #close}, by {@code setThreads(1)} or when the instance is garbage collected).
     * Results are the same run to run; see {@code docs/generated-classes.md} for which are bit-identical to one
     * thread's. 1 (the default) uses the calling thread only. Generated classes support it; this default refuses
     * anything but 1.
     *
     * @throws IllegalArgumentException if {@code n < 1} (or, in generated classes, above 256)
     * @throws IllegalStateException if a worker thread cannot be started (the process's thread limit); the
     *     threads started for it are stopped, and the instance runs on one thread
     */
    default void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + n);
        }
        if (n != 1) {
            throw new UnsupportedOperationException(getClass().getName() + " runs on one thread only");
        }
    }

    /** The number of threads the kernels run on ({@link #setThreads}). */
    default int threads() {
        return 1;
    }

    /**
     * How {@link #setThreads(int, ThreadSplit)} shares a step among threads: {@link #KERNELS} splits each heavy
     * kernel call (bit-identical to one thread for models without convolutions); {@link #BATCH} runs the whole
     * forward and backward pass of {@code trainStep} on each thread's own rows of the batch, with its own
     * activations, and adds the threads' gradients once, in a fixed order.
     */
    enum ThreadSplit { KERNELS, BATCH }

    /**
     * Runs the following calls on {@code n} threads, split as {@code split} says. {@link ThreadSplit#BATCH} needs a
     * model whose rows do not mix ({@code CompiledModel.batchSplit()} says why one cannot); it splits
     * {@code trainStep}, and the other calls split their kernels over the same threads.
     */
    default void setThreads(int n, ThreadSplit split) {
        if (split == ThreadSplit.KERNELS || n == 1) {
            setThreads(n);
        } else {
            throw new UnsupportedOperationException(getClass().getName() + " cannot split its batch over threads");
        }
    }

    /** How the threads of {@link #setThreads(int, ThreadSplit)} share a step. */
    default ThreadSplit threadSplit() {
        return ThreadSplit.KERNELS;
    }

    /**
     * Stops the worker threads of {@link #setThreads}, if any; the instance stays usable and runs on one thread
     * afterwards. Does nothing for an instance on one thread.
     */
    @Override
    default void close() {
    }
}
