package dev.modelc.spark;

import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.api.TensorSpec;
import dev.modelc.runtime.io.Checkpoint;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Data-parallel training of a compiled model on Spark.
 *
 * <p>{@link Mode#ORDERED} and {@link Mode#TREE} are synchronous: every step broadcasts the flat parameters; each
 * partition computes the gradient of its records of the global batch (chosen by record index as the runtime's
 * {@code Loader} chooses it), weighted by {@link Reduction}; the gradients are summed (in partition order on the
 * driver, or by {@code treeAggregate}); the driver writes the sum into its model and applies the model's own
 * optimizer, whose state stays on the driver. A step equals one single-machine step on the same global batch.
 *
 * <p>{@link Mode#LOCAL_SGD} runs {@code localSteps} optimizer steps on each partition's records of consecutive
 * global batches, then averages parameters and optimizer state (weighted by records seen): fewer rounds of
 * communication, a different algorithm.
 */
public final class SparkTrainer implements AutoCloseable {

    /** How gradients or parameters are combined. */
    public enum Mode {
        /** Collect per-partition gradients, sum in partition order: reproducible bit for bit. */
        ORDERED,
        /** {@code treeAggregate}: the last merges happen in task-completion order, so sums vary in the last bits. */
        TREE,
        /** Local steps on each partition, then parameter and optimizer-state averaging. */
        LOCAL_SGD
    }

    /** Training settings; immutable, with withers. */
    public record Config(int batchSize, long seed, Mode mode, int localSteps, Reduction reduction, boolean dropLast,
            int treeDepth, int evalBatch, TaskFault fault) implements Serializable {

        public static Config defaults() {
            return new Config(64, 0L, Mode.ORDERED, 1, Reduction.MEAN, false, 2, 1000, null);
        }

        public Config withBatchSize(int b) {
            return new Config(b, seed, mode, localSteps, reduction, dropLast, treeDepth, evalBatch, fault);
        }

        /** The loader seed: the order of records in each epoch. */
        public Config withSeed(long s) {
            return new Config(batchSize, s, mode, localSteps, reduction, dropLast, treeDepth, evalBatch, fault);
        }

        public Config withMode(Mode m) {
            return new Config(batchSize, seed, m, localSteps, reduction, dropLast, treeDepth, evalBatch, fault);
        }

        public Config withLocalSteps(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("local steps must be at least 1, got " + k);
            }
            return new Config(batchSize, seed, mode, k, reduction, dropLast, treeDepth, evalBatch, fault);
        }

        public Config withReduction(Reduction r) {
            return new Config(batchSize, seed, mode, localSteps, r, dropLast, treeDepth, evalBatch, fault);
        }

        public Config withDropLast(boolean d) {
            return new Config(batchSize, seed, mode, localSteps, reduction, d, treeDepth, evalBatch, fault);
        }

        public Config withTreeDepth(int d) {
            return new Config(batchSize, seed, mode, localSteps, reduction, dropLast, d, evalBatch, fault);
        }

        public Config withEvalBatch(int b) {
            return new Config(batchSize, seed, mode, localSteps, reduction, dropLast, treeDepth, b, fault);
        }

        public Config withFault(TaskFault f) {
            return new Config(batchSize, seed, mode, localSteps, reduction, dropLast, treeDepth, evalBatch, f);
        }
    }

    /**
     * Bytes of payload moved so far: parameters (and for local SGD optimizer state) broadcast, one copy, and the
     * partials sent back. For {@code TREE} the partials are counted as one per partition that can hold records of the
     * batch (an upper bound: empty partitions send none, and merges on executors send fewer to the driver).
     */
    public record Traffic(long steps, long broadcastBytes, long resultBytes) {
        public double broadcastPerStep() {
            return steps == 0 ? 0 : (double) broadcastBytes / steps;
        }

        public double resultPerStep() {
            return steps == 0 ? 0 : (double) resultBytes / steps;
        }
    }

    private static final Map<String, ConcurrentLinkedQueue<Model>> POOLS = new ConcurrentHashMap<>();

    private final JavaSparkContext sc;
    private final ModelClass modelClass;
    private final Broadcast<ModelClass> classCast;
    private final Model model;
    private final TrainData data;
    private final Config config;
    private final DataParallel.Schedule schedule;
    private long broadcastBytes;
    private long resultBytes;
    private long steps;

    /**
     * A trainer of {@code model} (the driver's instance, of {@code modelClass}; its parameters, optimizer state and
     * step count are the starting point, and the step count is the index of the next global batch).
     */
    public SparkTrainer(JavaSparkContext sc, ModelClass modelClass, Model model, TrainData data, Config config) {
        this.sc = sc;
        this.modelClass = modelClass;
        this.model = model;
        this.data = data;
        this.config = config;
        this.schedule = new DataParallel.Schedule(data.size(), config.batchSize(), config.seed(), config.dropLast());
        this.classCast = sc.broadcast(modelClass);
        DataParallel.batchSymbol(model);
        if (model.objective() == null) {
            throw new IllegalArgumentException(model.name() + " has no objective to train");
        }
        Reduction.check(model, config.reduction());
    }

    /** A trainer of a new instance of the class initialized from {@code initSeed}. */
    public static SparkTrainer create(JavaSparkContext sc, ModelClass modelClass, long initSeed, TrainData data, Config config) {
        return new SparkTrainer(sc, modelClass, modelClass.newInstance(initSeed), data, config);
    }

    /** The driver's model: the trained parameters, optimizer state and step count. */
    public Model model() {
        return model;
    }

    public Config config() {
        return config;
    }

    public DataParallel.Schedule schedule() {
        return schedule;
    }

    /** The payload moved so far. */
    public Traffic traffic() {
        return new Traffic(steps, broadcastBytes, resultBytes);
    }

    /** Runs {@code n} steps (rounds of local SGD) and returns each one's loss. */
    public double[] train(int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = step();
        }
        return out;
    }

    /**
     * One synchronous step on global batch {@code model().stepCount()}, or one round of local SGD on the next
     * {@code localSteps} global batches; returns the loss of the global batch (for local SGD, the mean of the local
     * losses weighted by records).
     */
    public double step() {
        return config.mode() == Mode.LOCAL_SGD ? localRound() : syncStep();
    }

    private double syncStep() {
        long s = model.stepCount();
        Object params = DataParallel.readParameters(model);
        Broadcast<Object> p = sc.broadcast(params);
        try {
            Broadcast<ModelClass> cls = classCast;
            DataParallel.Schedule sched = schedule;
            Reduction red = config.reduction();
            TaskFault fault = config.fault();
            JavaRDD<Partial> partials = data.shards().mapPartitionsWithIndex((index, it) -> {
                if (fault != null) {
                    fault.check(s, index);
                }
                List<Partial> out = new ArrayList<>(1);
                while (it.hasNext()) {
                    Shard shard = it.next();
                    Model m = borrow(cls.value());
                    try {
                        out.add(DataParallel.gradient(m, shard, p.value(), sched, s, red));
                    } finally {
                        release(cls.value(), m);
                    }
                }
                return out.iterator();
            }, true);
            Partial sum;
            if (config.mode() == Mode.TREE) {
                sum = partials.treeAggregate(new Partial(), Partial::add, Partial::add, config.treeDepth());
                resultBytes += 8L * model.flatParameterSize() * Math.min(data.partitions(), schedule.sizeOf(s));
            } else {
                List<Partial> parts = partials.collect();
                sum = sumInOrder(parts);
                for (Partial x : parts) {
                    resultBytes += x.values == null ? 0 : 8L * x.values.length;
                }
            }
            broadcastBytes += bytesOf(params);
            steps++;
            if (sum.values == null || sum.count != schedule.sizeOf(s)) {
                throw new IllegalStateException("step " + s + ": partitions returned " + sum.count + " records of a batch of "
                        + schedule.sizeOf(s));
            }
            model.writeGradients(sum.values);
            model.step();
            return sum.loss;
        } finally {
            p.destroy();
        }
    }

    /** Sums partials in list order, as the ordered mode does on the driver (and a serial reference must). */
    public static Partial sumInOrder(List<Partial> parts) {
        Partial sum = new Partial();
        for (Partial x : parts) {
            sum.add(x);
        }
        return sum;
    }

    private double localRound() {
        long s = model.stepCount();
        int k = config.localSteps();
        Object params = DataParallel.readParameters(model);
        Object state = DataParallel.floatParameters(model) ? new float[model.flatOptimizerStateSize()]
                : new double[model.flatOptimizerStateSize()];
        model.readOptimizerState(state);
        Broadcast<Object> p = sc.broadcast(params);
        Broadcast<Object> st = sc.broadcast(state);
        try {
            Broadcast<ModelClass> cls = classCast;
            DataParallel.Schedule sched = schedule;
            TaskFault fault = config.fault();
            List<Partial> parts = data.shards().mapPartitionsWithIndex((index, it) -> {
                if (fault != null) {
                    fault.check(s, index);
                }
                List<Partial> out = new ArrayList<>(1);
                while (it.hasNext()) {
                    Shard shard = it.next();
                    Model m = borrow(cls.value());
                    try {
                        out.add(DataParallel.localSteps(m, shard, p.value(), st.value(), s, sched, s, k));
                    } finally {
                        release(cls.value(), m);
                    }
                }
                return out.iterator();
            }, true).collect();
            Partial sum = sumInOrder(parts);
            broadcastBytes += bytesOf(params) + bytesOf(state);
            for (Partial x : parts) {
                resultBytes += x.values == null ? 0 : 8L * x.values.length;
            }
            steps++;
            int np = model.flatParameterSize();
            double[] avgP = new double[np];
            double[] avgS = new double[model.flatOptimizerStateSize()];
            for (int i = 0; i < np; i++) {
                avgP[i] = sum.values[i] / sum.count;
            }
            for (int i = 0; i < avgS.length; i++) {
                avgS[i] = sum.values[np + i] / sum.count;
            }
            model.writeParameters(avgP);
            model.writeOptimizerState(avgS);
            model.setStepCount(s + k);
            return sum.loss / sum.count;
        } finally {
            p.destroy();
            st.destroy();
        }
    }

    /**
     * Evaluates the driver's current parameters on {@code eval}, distributed the same way: each partition runs its
     * records in order, {@code evalBatch} at a time. Accuracy needs an output with a row per record and an
     * {@code i32} input of labels (the first output and the only {@code i32} input).
     */
    public Evaluation evaluate(TrainData eval) {
        Object params = DataParallel.readParameters(model);
        Broadcast<Object> p = sc.broadcast(params);
        try {
            Broadcast<ModelClass> cls = classCast;
            Reduction red = config.reduction();
            int chunk = config.evalBatch();
            String output = model.outputs().isEmpty() ? null : model.outputs().get(0).name();
            String labels = null;
            for (TensorSpec in : model.inputs()) {
                if (in.dtype().equals("i32")) {
                    labels = labels == null ? in.name() : "";
                }
            }
            String lab = labels == null || labels.isEmpty() ? null : labels;
            List<Evaluation.Part> parts = eval.shards().map(shard -> {
                Model m = borrow(cls.value());
                try {
                    return DataParallel.evaluate(m, shard, p.value(), chunk, red, output, lab);
                } finally {
                    release(cls.value(), m);
                }
            }).collect();
            Evaluation.Part sum = new Evaluation.Part();
            for (Evaluation.Part x : parts) {
                sum.add(x);
            }
            return new Evaluation(sum.count == 0 ? Double.NaN : sum.lossSum / sum.count, sum.count, sum.correct,
                    output != null && lab != null);
        } finally {
            p.destroy();
        }
    }

    /**
     * Writes a checkpoint in the training format ({@code dev.modelc.runtime.io.Checkpoint}, as {@code modelc train}
     * writes it): parameters under their state_dict names, optimizer state under {@code optim.<name>}, the step
     * count, the hyperparameters, and the position in the record order (epoch and batch of the next global batch,
     * the loader seed). The trainer's own settings go in the metadata as {@code spark_batch_size},
     * {@code spark_mode}, {@code spark_partitions}.
     */
    public void saveCheckpoint(Path file) throws IOException {
        long s = model.stepCount();
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("spark_batch_size", Integer.toString(config.batchSize()));
        extra.put("spark_mode", config.mode().name().toLowerCase(java.util.Locale.ROOT));
        extra.put("spark_partitions", Integer.toString(data.partitions()));
        Checkpoint.save(file, model, new Checkpoint.Position(null, schedule.epochOf(s),
                (int) (s % schedule.batchesPerEpoch()), config.seed(), extra));
    }

    /**
     * Restores parameters, optimizer state, hyperparameters and step count from a checkpoint; training resumes
     * exactly, at the global batch after the last one taken.
     */
    public void loadCheckpoint(Path file) throws IOException {
        restore(model, file);
    }

    /** Restores a model from a checkpoint ({@link #saveCheckpoint}, or {@code modelc train}'s). */
    public static void restore(Model model, Path file) throws IOException {
        Checkpoint.read(file).restore(model);
    }

    /** Releases the broadcast model class. The data stays cached; close it separately. */
    @Override
    public void close() {
        classCast.destroy();
    }

    static long bytesOf(Object flat) {
        return flat instanceof float[] f ? 4L * f.length : 8L * ((double[]) flat).length;
    }

    static Model borrow(ModelClass cls) {
        Model m = POOLS.computeIfAbsent(cls.toString(), k -> new ConcurrentLinkedQueue<>()).poll();
        return m != null ? m : cls.newInstance();
    }

    static void release(ModelClass cls, Model m) {
        POOLS.computeIfAbsent(cls.toString(), k -> new ConcurrentLinkedQueue<>()).offer(m);
    }
}
