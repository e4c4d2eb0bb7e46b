package dev.modelc.spark;

import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.api.TensorSpec;
import dev.modelc.runtime.data.Loader;
import java.util.List;

/**
 * The arithmetic of data-parallel training, free of Spark: which records form global batch {@code s}, the weighted
 * gradient of one shard, the local steps of local SGD, evaluation of a shard. The Spark trainer runs these in tasks;
 * a serial loop over the same shards gives the same bits.
 */
public final class DataParallel {
    private DataParallel() {}

    /** The permutation last computed in this JVM (tasks of one epoch share it). */
    private static volatile Perm lastPerm;

    private record Perm(long seed, int epoch, int n, int[] order) {}

    /** The global batch schedule: {@code n} records, batch size, loader seed, whether the last partial batch is dropped. */
    public record Schedule(int n, int batchSize, long seed, boolean dropLast) implements java.io.Serializable {
        public Schedule {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
            }
            if (n <= 0 || (dropLast && n < batchSize)) {
                throw new IllegalArgumentException(n + " records give no batch of " + batchSize);
            }
        }

        /** Batches per epoch, as {@link Loader#batchCount()}. */
        public int batchesPerEpoch() {
            return n / batchSize + (dropLast || n % batchSize == 0 ? 0 : 1); // n + batchSize - 1 could overflow
        }

        public int epochOf(long step) {
            return (int) (step / batchesPerEpoch());
        }

        /** The size of global batch {@code step} (smaller for a partial last batch). */
        public int sizeOf(long step) {
            int k = (int) (step % batchesPerEpoch());
            return Math.min(batchSize, n - k * batchSize);
        }

        /**
         * The records of global batch {@code step} that lie in {@code [from, from + count)}, in batch order, written
         * to {@code out}; returns how many. The batch is the one {@link Loader} gives at the same step: epoch
         * {@code step / batchesPerEpoch}, batch {@code step % batchesPerEpoch} of {@link Loader#permutation}.
         */
        public int select(long step, int from, int count, int[] out) {
            int[] order = order(epochOf(step));
            int k = (int) (step % batchesPerEpoch());
            int begin = k * batchSize;
            int end = begin + sizeOf(step);
            int m = 0;
            for (int i = begin; i < end; i++) {
                int r = order[i];
                if (r >= from && r < from + count) {
                    out[m++] = r;
                }
            }
            return m;
        }

        int[] order(int epoch) {
            Perm p = lastPerm;
            if (p != null && p.seed == seed && p.epoch == epoch && p.n == n) {
                return p.order;
            }
            int[] order = new int[n];
            Loader.permutation(seed, epoch, order);
            lastPerm = new Perm(seed, epoch, n, order);
            return order;
        }
    }

    /** The batch size symbol: the first dimension of the first input. */
    public static String batchSymbol(Model model) {
        List<TensorSpec> in = model.inputs();
        if (in.isEmpty() || in.get(0).shape().isEmpty()) {
            throw new IllegalArgumentException(model.name() + " has no batched input");
        }
        String s = in.get(0).shape().get(0);
        if (s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0))) {
            throw new IllegalArgumentException(model.name() + ": the first dimension of input " + in.get(0).name()
                    + " is " + s + ", not a batch size symbol");
        }
        return s;
    }

    /** Whether every parameter is f32, so that parameters travel as {@code float[]}. */
    public static boolean floatParameters(Model model) {
        for (TensorSpec p : model.parameters()) {
            if (!p.dtype().equals("f32")) {
                return false;
            }
        }
        return true;
    }

    /** A flat parameter array of the model's kind ({@code float[]} when every parameter is f32). */
    public static Object readParameters(Model model) {
        Object a = floatParameters(model) ? new float[model.flatParameterSize()] : new double[model.flatParameterSize()];
        model.readParameters(a);
        return a;
    }

    /**
     * The weighted gradient of the shard's records of global batch {@code step}, computed with parameters
     * {@code params}: {@code w * grad(L_shard)} and {@code w * L_shard} with {@code w} the {@link Reduction}'s
     * weight. A shard without records of the batch gives an empty partial (null values).
     */
    public static Partial gradient(Model model, Shard shard, Object params, Schedule schedule, long step, Reduction reduction) {
        int[] idx = new int[Math.min(shard.size, schedule.batchSize())];
        int b = schedule.select(step, shard.start, shard.size, idx);
        if (b == 0) {
            return new Partial(null, 0, 0);
        }
        model.writeParameters(params);
        shard.bind(model, batchSymbol(model), idx, b);
        model.zeroGrad();
        model.forward();
        model.backward();
        double w = reduction.weight(b, schedule.sizeOf(step));
        double[] g = new double[model.flatParameterSize()];
        model.readGradients(g);
        if (w != 1.0) {
            for (int i = 0; i < g.length; i++) {
                g[i] *= w;
            }
        }
        return new Partial(g, w * model.loss(), b);
    }

    /**
     * Local SGD: {@code k} local steps of the model's optimizer on the shard's records of global batches
     * {@code first .. first + k - 1}, from the given parameters, optimizer state and step count. Returns the
     * parameters followed by the optimizer state, each times the records seen, the summed (records x loss), and the
     * records seen; a shard that saw none returns an empty partial.
     */
    public static Partial localSteps(Model model, Shard shard, Object params, Object optState, long stepCount,
            Schedule schedule, long first, int k) {
        model.writeParameters(params);
        model.writeOptimizerState(optState);
        model.setStepCount(stepCount);
        String symbol = batchSymbol(model);
        int[] idx = new int[Math.min(shard.size, schedule.batchSize())];
        long seen = 0;
        double lossSum = 0;
        for (int j = 0; j < k; j++) {
            int b = schedule.select(first + j, shard.start, shard.size, idx);
            if (b == 0) {
                continue;
            }
            shard.bind(model, symbol, idx, b);
            lossSum += b * model.trainStep();
            seen += b;
        }
        if (seen == 0) {
            return new Partial(null, 0, 0);
        }
        int np = model.flatParameterSize();
        double[] out = new double[np + model.flatOptimizerStateSize()];
        double[] p = new double[np];
        double[] s = new double[model.flatOptimizerStateSize()];
        model.readParameters(p);
        model.readOptimizerState(s);
        for (int i = 0; i < np; i++) {
            out[i] = seen * p[i];
        }
        for (int i = 0; i < s.length; i++) {
            out[np + i] = seen * s[i];
        }
        return new Partial(out, lossSum, seen);
    }

    /**
     * Evaluates the shard in order, {@code chunk} records at a time: summed (records x loss) for a mean objective
     * (the loss itself for a sum), records, and in {@code correct[0]} the records whose {@code output}'s argmax
     * equals {@code labels} (when both are named).
     */
    public static Evaluation.Part evaluate(Model model, Shard shard, Object params, int chunk, Reduction reduction,
            String output, String labels) {
        Evaluation.Part part = new Evaluation.Part();
        if (shard.size == 0) {
            return part;
        }
        model.writeParameters(params);
        String symbol = batchSymbol(model);
        int[] labelData = labels == null ? null : (int[]) shard.array(labels);
        dev.modelc.runtime.train.Accuracy acc = new dev.modelc.runtime.train.Accuracy();
        for (int from = 0; from < shard.size; from += chunk) {
            int b = Math.min(chunk, shard.size - from);
            shard.bindRange(model, symbol, from, b);
            model.forward();
            part.lossSum += reduction == Reduction.MEAN ? b * model.loss() : model.loss();
            part.count += b;
            if (output != null && labelData != null) {
                acc.add(model.output(output), java.util.Arrays.copyOfRange(labelData, from, from + b));
            }
        }
        part.correct = acc.correct();
        return part;
    }
}
