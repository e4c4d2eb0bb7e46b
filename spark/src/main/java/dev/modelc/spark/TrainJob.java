package dev.modelc.spark;

import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.data.DataBinding;
import dev.modelc.runtime.data.Dataset;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The training job for {@code spark-submit}: a model ({@code .mdl} compiled on the driver, or a class from a jar on
 * every class path), data every node can read, synchronous or local-SGD training, evaluation, checkpoints.
 *
 * <pre>
 * spark-submit --class dev.modelc.spark.TrainJob --master spark://head:7077 modelc-spark-job.jar \
 *     --model cnn.mdl --data /shared/fashion-mnist --eval /shared/fashion-mnist --eval-held-out \
 *     --partitions 8 --batch 256 --epochs 2 --checkpoint /shared/runs/cnn.safetensors
 * </pre>
 *
 * From Java: {@code TrainJob.run(sc, TrainJob.Options.parse(args), System.out)}.
 */
public final class TrainJob {
    private TrainJob() {}

    /** The job's settings. */
    public static final class Options {
        public Path model;
        public String modelName;
        public String modelClass;
        public String data;
        public boolean dataOnDriver;
        public boolean dataHeldOut;
        public String eval;
        public boolean evalHeldOut;
        public int partitions = 2;
        public int batch = 64;
        public int steps = -1;
        public int epochs = -1;
        public SparkTrainer.Mode mode = SparkTrainer.Mode.ORDERED;
        public int localSteps = 4;
        public long seed;
        public long initSeed;
        public double lr = Double.NaN;
        /** Null: the model's own ({@link Reduction#of}). */
        public Reduction reduction;
        public boolean dropLast;
        public Path checkpoint;
        public int checkpointEvery;
        public Path resume;
        public int logEvery = 10;
        public String master;

        public static Options parse(String... args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--data-on-driver")) {
                    o.dataOnDriver = true;
                    continue;
                }
                if (a.equals("--data-held-out")) {
                    o.dataHeldOut = true;
                    continue;
                }
                if (a.equals("--eval-held-out")) {
                    o.evalHeldOut = true;
                    continue;
                }
                if (a.equals("--drop-last")) {
                    o.dropLast = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + a + "\n" + USAGE);
                }
                String v = args[++i];
                switch (a) {
                    case "--model" -> o.model = Path.of(v);
                    case "--model-name" -> o.modelName = v;
                    case "--model-class" -> o.modelClass = v;
                    case "--data" -> o.data = v;
                    case "--eval" -> o.eval = v;
                    case "--partitions" -> o.partitions = Integer.parseInt(v);
                    case "--batch" -> o.batch = Integer.parseInt(v);
                    case "--steps" -> o.steps = Integer.parseInt(v);
                    case "--epochs" -> o.epochs = Integer.parseInt(v);
                    case "--mode" -> o.mode = switch (v.toLowerCase(Locale.ROOT)) {
                        case "ordered" -> SparkTrainer.Mode.ORDERED;
                        case "tree" -> SparkTrainer.Mode.TREE;
                        case "local", "local-sgd" -> SparkTrainer.Mode.LOCAL_SGD;
                        default -> throw new IllegalArgumentException("--mode " + v + ": expected ordered, tree or local");
                    };
                    case "--local-steps" -> o.localSteps = Integer.parseInt(v);
                    case "--seed" -> o.seed = Long.parseLong(v);
                    case "--init-seed" -> o.initSeed = Long.parseLong(v);
                    case "--lr" -> o.lr = Double.parseDouble(v);
                    case "--reduction" -> o.reduction = Reduction.valueOf(v.toUpperCase(Locale.ROOT));
                    case "--checkpoint" -> o.checkpoint = Path.of(v);
                    case "--checkpoint-every" -> o.checkpointEvery = Integer.parseInt(v);
                    case "--resume" -> o.resume = Path.of(v);
                    case "--log-every" -> o.logEvery = Integer.parseInt(v);
                    case "--master" -> o.master = v;
                    default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
                }
            }
            if ((o.model == null) == (o.modelClass == null)) {
                throw new IllegalArgumentException("give one of --model file.mdl or --model-class name\n" + USAGE);
            }
            if (o.data == null) {
                throw new IllegalArgumentException("--data is required\n" + USAGE);
            }
            if (o.steps < 0 && o.epochs < 0) {
                o.epochs = 1;
            }
            return o;
        }
    }

    static final String USAGE = """
            usage: TrainJob (--model file.mdl [--model-name M] | --model-class pkg.Name) --data PATH [options]
              --data PATH            training data every node can read (IDX directory, .csv, .npz, .npy, .safetensors)
              --data-held-out        read the directory's t10k-* pair instead of train-*
              --data-on-driver       read the data on the driver and send it to the executors
              --eval PATH            evaluate on this data after training (--eval-held-out: its t10k-* pair)
              --partitions N         shards of the data (default 2)
              --batch B              global batch size (default 64)
              --steps S | --epochs E training length (default 1 epoch); a round of local SGD counts its local steps
              --mode ordered|tree|local  gradient sum in partition order (default), treeAggregate, or local SGD
              --local-steps K        local steps per round of local SGD (default 4)
              --seed S               loader seed (record order per epoch); --init-seed S: parameter initialization
              --lr X                 learning rate (default: the model's)
              --reduction mean|sum   how the objective reduces over the batch (default: the model's)
              --drop-last            drop the partial last batch of each epoch
              --checkpoint FILE      write a checkpoint at the end (and every --checkpoint-every N steps)
              --resume FILE          start from a checkpoint
              --log-every N          print the loss every N steps (default 10)
              --master URL           when not started by spark-submit (local[4], ...)
            """;

    /** What a run did. */
    public record Report(double[] losses, Evaluation evaluation, SparkTrainer.Traffic traffic, long stepCount,
            double seconds) {}

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        SparkConf conf = new SparkConf().setAppName("modelc train");
        if (o.master != null) {
            conf.setMaster(o.master);
        }
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            run(sc, o, System.out);
        }
    }

    /** Runs the job on a running context. */
    public static Report run(JavaSparkContext sc, Options o, PrintStream log) throws IOException {
        ModelClass cls = o.model != null ? ModelClass.compile(o.model, o.modelName) : ModelClass.named(o.modelClass);
        Model model = cls.newInstance(o.initSeed);
        if (o.resume != null) {
            SparkTrainer.restore(model, o.resume);
            log.printf("resumed %s at step %d%n", o.resume, model.stepCount());
        }
        if (!Double.isNaN(o.lr)) {
            model.setLearningRate(o.lr);
        }
        TrainData data = open(sc, o.data, o.dataHeldOut, o.dataOnDriver, cls, model, o.partitions);
        if (!data.uniformKernels()) {
            log.println("warning: executors use different matrix kernels, results depend on task placement: " + data.kernels());
        }
        SparkTrainer.Config cfg = SparkTrainer.Config.defaults().withBatchSize(o.batch).withSeed(o.seed).withMode(o.mode)
                .withLocalSteps(o.localSteps).withReduction(o.reduction != null ? o.reduction : Reduction.of(model))
                .withDropLast(o.dropLast);
        SparkTrainer trainer = new SparkTrainer(sc, cls, model, data, cfg);
        long total = o.steps >= 0 ? o.steps : (long) o.epochs * trainer.schedule().batchesPerEpoch();
        long end = model.stepCount() + total;
        log.printf("training %s on %d records in %d partitions, batch %d, %s, steps %d to %d%n", model.name(), data.size(),
                data.partitions(), o.batch, o.mode, model.stepCount(), end);
        if (o.checkpoint != null && o.checkpoint.toAbsolutePath().getParent() != null) {
            Files.createDirectories(o.checkpoint.toAbsolutePath().getParent());
        }
        List<Double> losses = new ArrayList<>();
        long t0 = System.nanoTime();
        long lastCheckpoint = model.stepCount();
        while (model.stepCount() < end) {
            double loss = trainer.step();
            losses.add(loss);
            long s = model.stepCount();
            if (o.logEvery > 0 && (losses.size() % o.logEvery == 0 || s >= end)) {
                log.printf("step %d: loss %.6f%n", s, loss);
            }
            if (o.checkpoint != null && o.checkpointEvery > 0 && s - lastCheckpoint >= o.checkpointEvery) {
                trainer.saveCheckpoint(o.checkpoint);
                lastCheckpoint = s;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (o.checkpoint != null) {
            trainer.saveCheckpoint(o.checkpoint);
            log.printf("checkpoint %s (step %d)%n", o.checkpoint, model.stepCount());
        }
        Evaluation ev = null;
        if (o.eval != null) {
            try (TrainData e = open(sc, o.eval, o.evalHeldOut, o.dataOnDriver, cls, model, o.partitions)) {
                ev = trainer.evaluate(e);
                log.println("evaluation: " + ev);
            }
        }
        SparkTrainer.Traffic traffic = trainer.traffic();
        log.printf("%d steps in %.2f s (%.1f steps/s); per step %.0f bytes broadcast, %.0f bytes of results%n",
                losses.size(), seconds, losses.size() / seconds, traffic.broadcastPerStep(), traffic.resultPerStep());
        trainer.close();
        data.close();
        return new Report(losses.stream().mapToDouble(Double::doubleValue).toArray(), ev, traffic, model.stepCount(), seconds);
    }

    private static TrainData open(JavaSparkContext sc, String path, boolean heldOut, boolean onDriver, ModelClass cls,
            Model model, int partitions) throws IOException {
        if (!onDriver) {
            return TrainData.load(sc, path, heldOut, cls, partitions);
        }
        Dataset d = heldOut ? Dataset.openHeldOut(Path.of(path)) : Dataset.open(Path.of(path));
        DataBinding b = d.bind(model);
        return TrainData.parallelize(sc, b, partitions);
    }
}
