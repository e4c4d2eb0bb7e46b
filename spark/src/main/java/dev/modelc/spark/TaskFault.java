package dev.modelc.spark;

import java.io.Serializable;

/**
 * A hook every training task calls before it computes: for tests of failure handling (throw on the first attempt
 * of a task, {@code TaskContext.get().attemptNumber() == 0}, and Spark runs it again).
 */
@FunctionalInterface
public interface TaskFault extends Serializable {
    void check(long step, int partition);
}
