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
 */
public interface Model {
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

    void backward();

    void backward(boolean retainGraph);

    void zeroGrad();

    /**
     * Re-initializes every parameter from {@code seed} with the model's initializers, in state_dict order from one
     * {@link dev.modelc.runtime.random.Rng}, exactly as the reference interpreter does; clears gradients and
     * optimizer state.
     */
    void initialize(long seed);

    /** One optimizer update from the current gradients. */
    void step();

    /** zeroGrad, forward, backward, step; returns the objective before the update. */
    double trainStep();

    /** The objective's value from the last forward pass. */
    double loss();

    /** A copy of an output's elements from the last forward or predict. */
    Object output(String name);

    /** The live parameter array (writes change the model). */
    Object parameter(String name);

    /** The live gradient array of a parameter. */
    Object gradient(String name);

    /** Copies values into a parameter; the array's type and length must match. */
    void setParameter(String name, Object values);
}
