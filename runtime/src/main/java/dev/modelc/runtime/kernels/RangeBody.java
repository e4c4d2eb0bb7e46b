package dev.modelc.runtime.kernels;

/**
 * Loops that can run over any range of their index: {@link Parallel#forRange} splits a loop of {@code n} indices into
 * ranges and calls {@link #range} for each, on the calling thread and the team's workers at once.
 *
 * <p>A generated model class implements it for its fused elementwise loops: {@code range} is a switch on the loop's
 * number (the step's index) to a private method {@code r<k>(from, to)} holding the loop body, so one object serves
 * every loop of the model and a split loop allocates nothing. A loop body must write only the elements of its range
 * and read nothing another range writes, so that the ranges can run in any order and on any thread with the same
 * result.
 */
public interface RangeBody {

    /** Runs loop {@code loop} over the indices {@code [from, to)}. */
    void range(int loop, int from, int to);
}
