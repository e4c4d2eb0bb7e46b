package dev.modelc.spark;

import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.data.DataBinding;
import dev.modelc.runtime.data.Dataset;
import dev.modelc.runtime.data.Loader;
import dev.modelc.runtime.data.Batch;
import dev.modelc.runtime.io.ArrayData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** Models, data and single-machine references shared by the tests. */
final class Fixtures {
    private Fixtures() {}

    static final Path SAMPLES = Path.of(System.getProperty("modelc.samples", "../samples"));
    private static ModelClass cnn;
    private static ModelClass mlp;
    private static Dataset fashion;

    static SparkConf conf(String master) {
        return new SparkConf()
                .setMaster(master)
                .setAppName("modelc-spark-test")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false")
                .set("spark.ui.showConsoleProgress", "false")
                .set("spark.sql.shuffle.partitions", "2");
    }

    static synchronized ModelClass cnn() throws IOException {
        if (cnn == null) {
            cnn = ModelClass.compile(SAMPLES.resolve("models/cnn.mdl"), null);
        }
        return cnn;
    }

    static synchronized ModelClass mlp() throws IOException {
        if (mlp == null) {
            mlp = ModelClass.compile(SAMPLES.resolve("models/mlp.mdl"), null);
        }
        return mlp;
    }

    /** The first {@code n} of the bundled Fashion-MNIST subset's 1,000 test records (quicker to read than its 6,000 training records). */
    static synchronized Dataset fashion(int n) {
        try {
            if (fashion == null) {
                fashion = Dataset.openHeldOut(SAMPLES.resolve("data/fashion-mnist"));
            }
            return fashion.slice(0, n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first {@code n} of the bundled subset's 6,000 training records. */
    static Dataset fashionTrain(int n) {
        try {
            return Dataset.open(SAMPLES.resolve("data/fashion-mnist")).slice(0, n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DataBinding bind(Dataset d, ModelClass cls) {
        try {
            return d.bind(cls.newInstance());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Single-machine training: the runtime's loader at the global batch size, {@code trainStep} per batch. */
    static double[] singleMachine(Model model, DataBinding binding, int batch, long seed, int steps) {
        Loader loader = new Loader(binding, batch, seed);
        double[] out = new double[steps];
        int s = 0;
        for (int epoch = 0; s < steps; epoch++) {
            for (Batch b : loader.epoch(epoch)) {
                if (s == steps) {
                    break;
                }
                b.bindTo(model);
                out[s++] = model.trainStep();
            }
        }
        return out;
    }

    /** The shards {@link TrainData#parallelize} makes, on this machine. */
    static List<Shard> shards(DataBinding binding, int partitions) {
        int n = binding.size();
        List<Shard> list = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            list.add(Shard.slice(binding.dataset().arrays(), n, (int) ((long) n * i / partitions),
                    (int) ((long) n * (i + 1) / partitions)));
        }
        return list;
    }

    /**
     * The sharded serial reference: the same per-shard arithmetic as the Spark trainer, one shard after the other in
     * one JVM, sums in partition order.
     */
    static double[] shardedSerial(ModelClass cls, Model model, List<Shard> shards, SparkTrainer.Config cfg, int n, int steps) {
        DataParallel.Schedule sched = new DataParallel.Schedule(n, cfg.batchSize(), cfg.seed(), cfg.dropLast());
        Model worker = cls.newInstance();
        double[] out = new double[steps];
        for (int i = 0; i < steps; i++) {
            long s = model.stepCount();
            Object params = DataParallel.readParameters(model);
            List<Partial> parts = new ArrayList<>();
            for (Shard shard : shards) {
                parts.add(DataParallel.gradient(worker, shard, params, sched, s, cfg.reduction()));
            }
            Partial sum = SparkTrainer.sumInOrder(parts);
            model.writeGradients(sum.values());
            model.step();
            out[i] = sum.loss();
        }
        return out;
    }

    static float[] params(Model m) {
        float[] p = new float[m.flatParameterSize()];
        m.readParameters(p);
        return p;
    }

    static double maxRelative(double[] a, double[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-12));
        }
        return worst;
    }

    static ArrayData flat(ArrayData images) {
        return images.reshape(images.dim(0), images.length() / images.dim(0));
    }
}
