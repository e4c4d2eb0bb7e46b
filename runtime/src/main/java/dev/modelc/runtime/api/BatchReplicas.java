package dev.modelc.runtime.api;

import dev.modelc.runtime.kernels.OutOfRangeException;
import dev.modelc.runtime.kernels.Team;

/**
 * A training step split over the rows of its batch ({@link Model.ThreadSplit#BATCH}): {@code n} instances of the
 * model's own class, the replicas, each with its own inputs, activations and gradients and the owner's parameter
 * arrays (shared, never written by a replica), run the forward and backward passes on consecutive chunks of the
 * batch, one chunk per thread; the owner's gradients are then {@code sum_i w_i g_i}, added in the order of the
 * chunks, with {@code w_i = b_i / B} for an objective that is a mean over the rows and 1 for a sum, and the owner's
 * optimizer updates each thread's share of the parameters right after that share of the reduction (or runs once
 * after it, with anomaly detection on). Chunk {@code i} always runs on thread {@code i} (the caller's is 0), so the
 * results do not depend on timing, only on the number of threads.
 */
final class BatchReplicas {
    /**
     * Elements of a gradient reduced and then updated at a time (16 KB of floats): small enough that the block's
     * sum is still in the core's nearest caches when the update reads it, large enough that the calls cost nothing
     * beside the loops.
     */
    static final int BLOCK = 4096;

    private final CompiledModel owner;
    private final CompiledModel[] replicas;
    private final Team team;
    private final int batchSize;
    private final boolean mean;
    /** {@code chunkInputs[r][i]}: replica r's copy of its rows of input i, reallocated when its row count changes. */
    private final Object[][] chunkInputs;
    private final int[] firstRow;
    private final int[] rowCount;
    private final double[] weights;

    private final Team.Job passes = new Team.Job() {
        @Override
        public void part(int r) {
            try {
                bind(r, owner.sizes[batchSize]);
                replicas[r].replicaPasses();
            } catch (OutOfRangeException e) {
                // the replica counts positions from the first of its own rows
                throw r == 0 ? e : e.inPart(firstRow[r], " (counted from row " + firstRow[r] + " of the batch: this "
                        + "part of it, rows " + firstRow[r] + " to " + (firstRow[r] + rowCount[r] - 1) + ", ran on its "
                        + "own thread)");
            }
        }
    };

    private final Team.Job reduce = new Team.Job() {
        @Override
        public void part(int r) {
            reduceRange(r, false);
        }
    };

    private final Team.Job reduceAndUpdate = new Team.Job() {
        @Override
        public void part(int r) {
            reduceRange(r, true);
        }
    };

    BatchReplicas(CompiledModel owner, int threads) {
        this.owner = owner;
        ModelSpec.BatchSplit split = owner.spec.batchSplit();
        batchSize = owner.spec.sizes().indexOf(split.symbol());
        mean = split.mean();
        replicas = new CompiledModel[threads];
        for (int r = 0; r < threads; r++) {
            replicas[r] = newReplica(owner);
        }
        // Every replica, the first too, has gradient arrays of its own: the owner's are written by the reduction
        // alone, each range always by the same thread, so no core takes over lines another core last wrote.
        chunkInputs = new Object[threads][owner.inputs.length];
        firstRow = new int[threads];
        rowCount = new int[threads];
        weights = new double[threads];
        team = new Team(threads, "modelc-" + owner.spec.name() + "-batch");
    }

    /** A new instance of the owner's class that reads the owner's parameters and keeps no optimizer state. */
    private static CompiledModel newReplica(CompiledModel owner) {
        CompiledModel m;
        try {
            m = (CompiledModel) owner.getClass().getMethod("uninitialized").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make another instance of " + owner.getClass().getName()
                    + " for the batch split", e);
        }
        System.arraycopy(owner.params, 0, m.params, 0, m.params.length);
        for (int k = 0; k < m.state.length; k++) {
            System.arraycopy(owner.state[k], 0, m.state[k], 0, m.params.length);
        }
        return m;
    }

    int threads() {
        return replicas.length;
    }

    /** The index of the batch size in the model's sizes. */
    int batchSizeIndex() {
        return batchSize;
    }

    /**
     * The forward and backward passes of the owner's bound inputs at its bound sizes, split over the threads (a
     * batch of at least one row per thread); returns the loss of the whole batch. The owner's gradients are left
     * as they were until {@link #reduce}.
     */
    double passes() {
        int rows = owner.sizes[batchSize];
        int chunks = replicas.length;
        for (int r = 0; r < chunks; r++) {
            firstRow[r] = r == 0 ? 0 : firstRow[r - 1] + rowCount[r - 1];
            rowCount[r] = rows / chunks + (r < rows % chunks ? 1 : 0);
            weights[r] = mean ? (double) rowCount[r] / rows : 1.0;
        }
        team.run(passes, chunks);
        double loss = 0;
        for (int r = 0; r < chunks; r++) {
            loss += weights[r] * replicas[r].loss();
        }
        return loss;
    }

    /**
     * After {@link #passes}: leaves the weighted sum of the replicas' gradients in the owner's. With
     * {@code update}, also the optimizer's step, each thread's share of the parameters updated after its share of
     * the reduction ({@link CompiledModel#updateRange}; the owner has already counted the step).
     */
    void reduce(boolean update) {
        team.run(update ? reduceAndUpdate : reduce, replicas.length);
    }

    /**
     * Copies replica r's rows of every input and binds its sizes: the owner's, with its own row count. Each part
     * does its own at its start, on its own thread, so the copies run side by side and the workers start at once.
     */
    private void bind(int r, int rows) {
        CompiledModel m = replicas[r];
        for (int s = 0; s < owner.sizes.length; s++) {
            m.bindSize(s, s == batchSize ? rowCount[r] : owner.sizes[s]);
        }
        for (int i = 0; i < owner.inputs.length; i++) {
            Object all = owner.inputs[i];
            int perRow = ModelArrays.length(all) / rows;
            int n = rowCount[r] * perRow;
            Object mine = chunkInputs[r][i];
            if (mine == null || mine.getClass() != all.getClass() || ModelArrays.length(mine) != n) {
                mine = java.lang.reflect.Array.newInstance(all.getClass().getComponentType(), n);
                chunkInputs[r][i] = mine;
            }
            System.arraycopy(all, firstRow[r] * perRow, mine, 0, n);
            m.bindInput(i, mine);
        }
        m.setTraining(owner.training());
        m.setDetectAnomaly(owner.detectAnomaly());
    }

    /**
     * Part r of the reduction: its share of every gradient's elements, the chunks added in order into the owner's
     * arrays. With {@code update}, the
     * owner's optimizer then updates the same share of each parameter it updates (the replicas' passes have all
     * ended, so no one reads the parameters meanwhile), {@link #BLOCK} elements at a time, each block right after
     * its reduction, while its sum is in this core's cache. Every element goes through the same operations in the
     * same order whatever the blocks, so they change no bits.
     */
    private void reduceRange(int part, boolean update) {
        for (int p = 0; p < owner.grads.length; p++) {
            int n = ModelArrays.length(owner.grads[p]);
            int from = (int) ((long) n * part / replicas.length);
            int to = (int) ((long) n * (part + 1) / replicas.length);
            boolean updates = update && owner.updatedByStep()[p];
            for (int lo = from; lo < to; lo += BLOCK) {
                int hi = Math.min(to, lo + BLOCK);
                reduceBlock(p, lo, hi);
                if (updates) {
                    owner.updateRange(p, lo, hi);
                }
            }
        }
    }

    /** Elements {@code [from, to)} of gradient p: the weighted sum of the replicas', in the order of the chunks. */
    private void reduceBlock(int p, int from, int to) {
        Object g = owner.grads[p];
        if (g instanceof float[] sum) {
            float w0 = (float) weights[0];
            float w1 = (float) weights[1];
            float[] g0 = (float[]) replicas[0].grads[p];
            float[] g1 = (float[]) replicas[1].grads[p];
            for (int j = from; j < to; j++) {          // one pass for the first two chunks (a weight of 1 is exact)
                sum[j] = w0 * g0[j] + w1 * g1[j];
            }
            for (int r = 2; r < replicas.length; r++) {
                float w = (float) weights[r];
                float[] gr = (float[]) replicas[r].grads[p];
                for (int j = from; j < to; j++) {
                    sum[j] += w * gr[j];
                }
            }
        } else {
            double[] sum = (double[]) g;
            double w0 = weights[0];
            double w1 = weights[1];
            double[] g0 = (double[]) replicas[0].grads[p];
            double[] g1 = (double[]) replicas[1].grads[p];
            for (int j = from; j < to; j++) {
                sum[j] = w0 * g0[j] + w1 * g1[j];
            }
            for (int r = 2; r < replicas.length; r++) {
                double w = weights[r];
                double[] gr = (double[]) replicas[r].grads[p];
                for (int j = from; j < to; j++) {
                    sum[j] += w * gr[j];
                }
            }
        }
    }

    /** Output {@code name} of the last split step: the replicas' rows, in order. */
    Object output(String name) {
        Object[] parts = new Object[replicas.length];
        int total = 0;
        for (int r = 0; r < replicas.length; r++) {
            parts[r] = replicas[r].output(name);
            total += ModelArrays.length(parts[r]);
        }
        Object out = java.lang.reflect.Array.newInstance(parts[0].getClass().getComponentType(), total);
        int at = 0;
        for (Object part : parts) {
            int n = ModelArrays.length(part);
            System.arraycopy(part, 0, out, at, n);
            at += n;
        }
        return out;
    }

    /** The threads: closing the team is all there is to stop (it holds nothing of the owner's). */
    Team team() {
        return team;
    }
}
