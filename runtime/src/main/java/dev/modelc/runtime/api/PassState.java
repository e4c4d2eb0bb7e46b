package dev.modelc.runtime.api;

/**
 * What the passes of a {@link CompiledModel} have left behind, with PyTorch's rules for backward: a forward pass
 * records a graph that one {@code backward()} frees (unless told to retain it), a second backward through a freed
 * graph fails with PyTorch's message, and the loss and outputs are readable only once a pass computed them.
 */
final class PassState {
    private enum Graph { NONE, READY, FREED, FAILED }

    private Graph graph = Graph.NONE;
    /** Whether a forward pass (loss and outputs) or a predict (outputs) has run since construction. */
    private boolean lossReady;
    private boolean outputsReady;

    /**
     * Before a forward pass (or a train step): until it ends, nothing of the last one is readable, since its buffers
     * are being overwritten; a pass that throws leaves no graph, loss or outputs (PyTorch would keep the earlier
     * graph, whose tensors it still has; this class has one set of buffers).
     */
    void forwardStarts() {
        graph = Graph.FAILED;
        lossReady = false;
        outputsReady = false;
    }

    /** After a forward pass: loss and outputs are readable, and a model with an objective has a graph. */
    void forwardRan(boolean hasObjective) {
        graph = hasObjective ? Graph.READY : Graph.NONE;
        lossReady = true;
        outputsReady = true;
    }

    /** Before a predict: the loss of an earlier forward pass no longer belongs to the inputs. */
    void predictStarts() {
        lossReady = false;
    }

    /** After a predict: the outputs are readable, and there is no graph. */
    void predictRan() {
        graph = Graph.NONE;
        outputsReady = true;
    }

    /** Before a backward pass: there must be a graph, and it must not have been freed. */
    void checkBackward() {
        if (graph == Graph.FREED) {
            throw new IllegalStateException(CompiledModel.SECOND_BACKWARD);
        }
        if (graph == Graph.NONE) {
            throw new IllegalStateException("backward() needs a forward() first");
        }
        if (graph == Graph.FAILED) {
            throw new IllegalStateException(FAILED);
        }
    }

    /** After a backward pass: the graph is freed unless retained. */
    void backwardRan(boolean retainGraph) {
        if (!retainGraph) {
            graph = Graph.FREED;
        }
    }

    /** The message for a backward, loss or output read after a pass that threw. */
    private static final String FAILED = "the last forward pass threw, so it left no graph, loss or outputs (its "
            + "buffers are partly overwritten); run forward(), trainStep() or predict() again";

    void checkLoss() {
        if (graph == Graph.FAILED) {
            throw new IllegalStateException(FAILED);
        }
        if (!lossReady) {
            throw new IllegalStateException("no forward pass has run yet; call forward() or trainStep() first"
                    + (outputsReady ? " (predict() computes the outputs only)" : ""));
        }
    }

    void checkOutputs() {
        if (graph == Graph.FAILED) {
            throw new IllegalStateException(FAILED);
        }
        if (!outputsReady) {
            throw new IllegalStateException("no forward pass has run yet; call forward(), predict() or trainStep() "
                    + "first");
        }
    }
}
