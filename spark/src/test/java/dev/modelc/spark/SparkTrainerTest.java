package dev.modelc.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.data.DataBinding;
import dev.modelc.runtime.data.Dataset;
import dev.modelc.runtime.io.ArrayData;
import dev.modelc.runtime.io.Npz;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training in {@code local[2,2]}: two task threads, a failed task retried once. */
class SparkTrainerTest {
    static final int STEPS = 20;
    static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(Fixtures.conf("local[2,2]"));
    }

    @AfterAll
    static void stop() {
        if (sc != null) {
            sc.stop();
        }
    }

    /** The MLP on 600 flattened Fashion-MNIST images, 3 partitions, global batch 64 (a partial last batch at step 9). */
    @Test
    void mlpEqualsSingleMachineAtTheSameGlobalBatch() throws Exception {
        ModelClass cls = Fixtures.mlp();
        DataBinding binding = Fixtures.bind(Fixtures.fashion(600), cls);
        SparkTrainer.Config cfg = SparkTrainer.Config.defaults().withBatchSize(64).withSeed(7);
        checkModes(cls, binding, cfg, 3);
    }

    /** The seeds' CNN on 256 Fashion-MNIST images, 2 partitions, global batch 32. */
    @Test
    void cnnEqualsSingleMachineAtTheSameGlobalBatch() throws Exception {
        ModelClass cls = Fixtures.cnn();
        DataBinding binding = Fixtures.bind(Fixtures.fashion(256), cls);
        SparkTrainer.Config cfg = SparkTrainer.Config.defaults().withBatchSize(32).withSeed(3);
        checkModes(cls, binding, cfg, 2);
    }

    private void checkModes(ModelClass cls, DataBinding binding, SparkTrainer.Config cfg, int partitions) {
        double[] single = Fixtures.singleMachine(cls.newInstance(1), binding, cfg.batchSize(), cfg.seed(), STEPS);
        Model refModel = cls.newInstance(1);
        double[] serial = Fixtures.shardedSerial(cls, refModel, Fixtures.shards(binding, partitions), cfg, binding.size(), STEPS);
        try (TrainData data = TrainData.parallelize(sc, binding, partitions)) {
            SparkTrainer ordered = SparkTrainer.create(sc, cls, 1, data, cfg.withMode(SparkTrainer.Mode.ORDERED));
            double[] o = ordered.train(STEPS);
            assertArrayEquals(serial, o, 0.0, "ordered mode against the sharded serial reference, bit for bit");
            assertArrayEquals(Fixtures.params(refModel), Fixtures.params(ordered.model()), 0f);
            assertEquals(STEPS, ordered.model().stepCount());

            SparkTrainer tree = SparkTrainer.create(sc, cls, 1, data, cfg.withMode(SparkTrainer.Mode.TREE));
            double[] t = tree.train(STEPS);
            double treeErr = Fixtures.maxRelative(t, serial);
            double singleErr = Math.max(Fixtures.maxRelative(o, single), Fixtures.maxRelative(t, single));
            System.out.printf("%s: tree vs ordered %.3g, distributed vs single machine %.3g, loss %.4f -> %.4f%n",
                    cls.className(), treeErr, singleErr, o[0], o[STEPS - 1]);
            assertTrue(treeErr <= 1e-5, "treeAggregate within 1e-5 relative: " + treeErr);
            assertTrue(singleErr <= 1e-5, "distributed within 1e-5 relative of single-machine training: " + singleErr);
            assertTrue(o[STEPS - 1] < o[0], "the loss falls");
            ordered.close();
            tree.close();
        }
    }

    /**
     * The weighting of Reduction: a mean objective over shards of unequal size combines to the full batch's mean
     * gradient only with weights b_i / B; a summed objective with weights 1. Checked on one step from the same
     * parameters, against the gradient of the whole batch on one instance.
     */
    @Test
    void shardWeightsGiveTheGlobalBatchGradient() throws Exception {
        for (String reduce : List.of("mean", "sum")) {
            ModelClass cls = ModelClass.compileSource("lin.mdl", """
                    model Lin {
                      input x : f64[N, 3]
                      input y : f64[N, 1]
                      param w : f64[3, 1] init uniform(-1, 1)
                      param b : f64[1]    init uniform(-1, 1)
                      let loss = %s((x @ w + b - y) ** 2)
                      minimize loss with sgd(lr = 0.01)
                    }
                    """.formatted(reduce), null);
            Reduction red = reduce.equals("mean") ? Reduction.MEAN : Reduction.SUM;
            int n = 10;
            double[] x = new double[n * 3];
            double[] y = new double[n];
            for (int i = 0; i < x.length; i++) {
                x[i] = Math.sin(i * 1.3);
            }
            for (int i = 0; i < n; i++) {
                y[i] = Math.cos(i);
            }
            Dataset d = new Dataset("synthetic", List.of(ArrayData.of("x", x, n, 3), ArrayData.of("y", y, n, 1)));
            Model whole = cls.newInstance(5);
            DataBinding binding = d.bind(whole);
            // shards of 2, 5 and 3 records; global batch of all 10
            List<Shard> shards = List.of(Shard.slice(binding.dataset().arrays(), n, 0, 2),
                    Shard.slice(binding.dataset().arrays(), n, 2, 7), Shard.slice(binding.dataset().arrays(), n, 7, 10));
            DataParallel.Schedule sched = new DataParallel.Schedule(n, n, 0, false);
            Object params = DataParallel.readParameters(whole);
            List<Partial> parts = new ArrayList<>();
            for (Shard s : shards) {
                parts.add(DataParallel.gradient(cls.newInstance(), s, params, sched, 0, red));
            }
            Partial sum = SparkTrainer.sumInOrder(parts);

            int[] all = new int[n];
            int m = sched.select(0, 0, n, all);
            Shard.slice(binding.dataset().arrays(), n, 0, n).bind(whole, "N", all, m);
            whole.zeroGrad();
            whole.forward();
            whole.backward();
            double[] g = new double[whole.flatParameterSize()];
            whole.readGradients(g);
            assertArrayEquals(g, sum.values(), 1e-12, reduce);
            assertEquals(whole.loss(), sum.loss(), 1e-12, reduce);
            assertEquals(n, sum.count());
            if (red == Reduction.MEAN) {
                // the unweighted sum of shard means is not the global mean
                Partial unweighted = new Partial();
                for (Shard s : shards) {
                    unweighted.add(DataParallel.gradient(cls.newInstance(), s, params, sched, 0, Reduction.SUM));
                }
                assertNotEquals(g[0], unweighted.values()[0], 1e-6);
            }
        }
    }

    @Test
    void theModelsOwnReductionIsTheDefaultAndAMismatchIsRefused() throws Exception {
        ModelClass sum = ModelClass.compileSource("lin.mdl", """
                model Lin {
                  input x : f64[N, 3]
                  input y : f64[N, 1]
                  param w : f64[3, 1] init uniform(-1, 1)
                  minimize sum((x @ w - y) ** 2) with sgd(lr = 0.01)
                }
                """, null);
        Model model = sum.newInstance(5);
        assertEquals(Reduction.SUM, Reduction.of(model));
        int n = 6;
        Dataset d = new Dataset("synthetic", List.of(ArrayData.of("x", new double[n * 3], n, 3),
                ArrayData.of("y", new double[n], n, 1)));
        try (TrainData data = TrainData.parallelize(sc, d.bind(model), 2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new SparkTrainer(sc, sum, model, data, SparkTrainer.Config.defaults()));
            assertTrue(e.getMessage().contains("its objective is a sum over the rows of the batch, but the shards "
                    + "would be weighed as for a mean"), e.getMessage());
            new SparkTrainer(sc, sum, model, data, SparkTrainer.Config.defaults().withReduction(Reduction.of(model)));
        }
        assertEquals(Reduction.MEAN, Reduction.of(ModelClass.compile(Fixtures.SAMPLES.resolve("models/mlp.mdl"), null)
                .newInstance(0)));
    }

    /** The first attempt of partition 1 fails at step 3; Spark runs it again and the trajectory is unchanged. */
    @Test
    void aFailedTaskIsRetriedAndTheResultIsUnchanged() throws Exception {
        ModelClass cls = Fixtures.mlp();
        DataBinding binding = Fixtures.bind(Fixtures.fashion(300), cls);
        SparkTrainer.Config cfg = SparkTrainer.Config.defaults().withBatchSize(50).withSeed(11);
        try (TrainData data = TrainData.parallelize(sc, binding, 2)) {
            double[] clean = Fixtures.shardedSerial(cls, cls.newInstance(2), Fixtures.shards(binding, 2), cfg, 300, 6);
            TaskFault fault = (step, partition) -> {
                if (step == 3 && partition == 1 && TaskContext.get().attemptNumber() == 0) {
                    FailureLog.failures.incrementAndGet();
                    throw new IllegalStateException("injected failure at step 3, partition 1");
                }
            };
            FailureLog.failures.set(0);
            SparkTrainer faulty = SparkTrainer.create(sc, cls, 2, data, cfg.withFault(fault));
            double[] retried = faulty.train(6);
            assertEquals(1, FailureLog.failures.get(), "one task failed");
            assertArrayEquals(clean, retried, 0.0);

            // tree mode recovers too
            FailureLog.failures.set(0);
            double[] tree = SparkTrainer.create(sc, cls, 2, data, cfg.withMode(SparkTrainer.Mode.TREE).withFault(fault)).train(6);
            assertEquals(1, FailureLog.failures.get());
            assertTrue(Fixtures.maxRelative(tree, clean) <= 1e-5);
        }
    }

    /** Holds the count of injected failures (local mode: tasks run in this JVM). */
    static final class FailureLog {
        static final AtomicInteger failures = new AtomicInteger();
    }

    @Test
    void localSgdWithOnePartitionAndOneLocalStepIsSingleMachineTraining() throws Exception {
        ModelClass cls = Fixtures.mlp();
        DataBinding binding = Fixtures.bind(Fixtures.fashion(200), cls);
        SparkTrainer.Config cfg = SparkTrainer.Config.defaults().withBatchSize(40).withSeed(5)
                .withMode(SparkTrainer.Mode.LOCAL_SGD).withLocalSteps(1);
        Model single = cls.newInstance(4);
        double[] expected = Fixtures.singleMachine(single, binding, 40, 5, 6);
        try (TrainData data = TrainData.parallelize(sc, binding, 1)) {
            SparkTrainer t = SparkTrainer.create(sc, cls, 4, data, cfg);
            assertArrayEquals(expected, t.train(6), 0.0);
            assertArrayEquals(Fixtures.params(single), Fixtures.params(t.model()), 0f);
        }
    }

    @Test
    void localSgdAveragesAndIsReproducible() throws Exception {
        ModelClass cls = Fixtures.mlp();
        DataBinding binding = Fixtures.bind(Fixtures.fashion(256), cls);
        SparkTrainer.Config cfg = SparkTrainer.Config.defaults().withBatchSize(32).withSeed(9)
                .withMode(SparkTrainer.Mode.LOCAL_SGD).withLocalSteps(4);
        try (TrainData data = TrainData.parallelize(sc, binding, 2)) {
            SparkTrainer a = SparkTrainer.create(sc, cls, 1, data, cfg);
            double[] la = a.train(3);
            double[] lb = SparkTrainer.create(sc, cls, 1, data, cfg).train(3);
            assertArrayEquals(la, lb, 0.0, "local SGD sums in partition order: reproducible");
            assertEquals(12, a.model().stepCount(), "3 rounds of 4 local steps");
            assertTrue(la[2] < la[0], "the loss falls: " + java.util.Arrays.toString(la));
            // synchronous training on the same global batches takes another path
            Model sync = cls.newInstance(1);
            Fixtures.shardedSerial(cls, sync, Fixtures.shards(binding, 2), cfg, 256, 12);
            assertFalse(java.util.Arrays.equals(Fixtures.params(sync), Fixtures.params(a.model())));
        }
    }

    @Test
    void evaluationEqualsSerialEvaluation() throws Exception {
        ModelClass cls = Fixtures.cnn();
        DataBinding binding = Fixtures.bind(Fixtures.fashion(300), cls);
        try (TrainData data = TrainData.parallelize(sc, binding, 2)) {
            SparkTrainer t = SparkTrainer.create(sc, cls, 1, data, SparkTrainer.Config.defaults().withBatchSize(30).withEvalBatch(64));
            t.train(3);
            Evaluation e = t.evaluate(data);
            // serial: the whole set as one batch on the driver's parameters
            Model m = cls.newInstance();
            m.writeParameters(DataParallel.readParameters(t.model()));
            int[] idx = new int[300];
            for (int i = 0; i < 300; i++) {
                idx[i] = i;
            }
            Shard.slice(binding.dataset().arrays(), 300, 0, 300).bind(m, "B", idx, 300);
            m.forward();
            dev.modelc.runtime.train.Accuracy acc = new dev.modelc.runtime.train.Accuracy();
            acc.add(m.output("logits"), binding.dataset().array("t").ints());
            assertEquals(300, e.count());
            assertTrue(e.hasAccuracy());
            assertEquals(acc.correct(), e.correct());
            assertEquals(m.loss(), e.loss(), 1e-5 * m.loss());
            System.out.println("evaluation after 3 steps: " + e);
        }
    }

    @Test
    void checkpointResumesExactly(@TempDir Path dir) throws Exception {
        ModelClass cls = Fixtures.cnn();
        DataBinding binding = Fixtures.bind(Fixtures.fashion(128), cls);
        SparkTrainer.Config cfg = SparkTrainer.Config.defaults().withBatchSize(32).withSeed(1);
        try (TrainData data = TrainData.parallelize(sc, binding, 2)) {
            double[] straight = Fixtures.shardedSerial(cls, cls.newInstance(1), Fixtures.shards(binding, 2), cfg, 128, 5);
            SparkTrainer first = SparkTrainer.create(sc, cls, 1, data, cfg);
            first.train(3);
            Path ckpt = dir.resolve("net.safetensors");
            first.saveCheckpoint(ckpt);
            dev.modelc.runtime.io.Checkpoint c = dev.modelc.runtime.io.Checkpoint.read(ckpt);
            assertEquals(3, c.step());
            assertEquals(0, c.epoch());
            assertEquals(3, c.batch(), "128 records in batches of 32: the fourth batch of epoch 0 is next");
            assertEquals(1, c.seed());
            assertEquals("32", c.extra().get("spark_batch_size"));
            Model restored = cls.newInstance();
            SparkTrainer.restore(restored, ckpt);
            assertEquals(3, restored.stepCount());
            double[] rest = new SparkTrainer(sc, cls, restored, data, cfg).train(2);
            assertArrayEquals(java.util.Arrays.copyOfRange(straight, 3, 5), rest, 0.0);
        }
    }

    /** The same data from an RDD of records and from a file read on the executors trains as parallelized data. */
    @Test
    void recordsAndFilesGiveTheSameTraining(@TempDir Path dir) throws Exception {
        ModelClass cls = Fixtures.mlp();
        Dataset d = Fixtures.fashion(240);
        DataBinding binding = Fixtures.bind(d, cls);
        SparkTrainer.Config cfg = SparkTrainer.Config.defaults().withBatchSize(48).withSeed(2);
        double[] expected3 = Fixtures.shardedSerial(cls, cls.newInstance(1), Fixtures.shards(binding, 3), cfg, 240, 5);
        double[] expected4 = Fixtures.shardedSerial(cls, cls.newInstance(1), Fixtures.shards(binding, 4), cfg, 240, 5);

        float[] x = binding.dataset().array("x").floats();
        int[] t = binding.dataset().array("t").ints();
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < 240; i++) {
            Map<String, Object> r = new HashMap<>();
            r.put("x", java.util.Arrays.copyOfRange(x, i * 784, (i + 1) * 784));
            r.put("t", t[i]);
            records.add(r);
        }
        JavaRDD<Map<String, Object>> rdd = sc.parallelize(records, 4);
        try (TrainData data = TrainData.fromRecords(rdd, cls)) {
            assertEquals(240, data.size());
            assertEquals(4, data.partitions());
            assertArrayEquals(expected4, SparkTrainer.create(sc, cls, 1, data, cfg).train(5), 0.0,
                    "the RDD's four partitions of 60 records are the shards");
            assertTrue(Fixtures.maxRelative(expected4, expected3) < 1e-5, "other shards, the same global batches");
        }

        Path file = dir.resolve("fashion.npz");
        Map<String, ArrayData> arrays = new LinkedHashMap<>();
        arrays.put("images", d.array("images"));
        arrays.put("labels", d.array("labels"));
        Npz.write(file, arrays);
        try (TrainData data = TrainData.load(sc, file.toString(), false, cls, 3)) {
            assertEquals(240, data.size());
            assertArrayEquals(expected3, SparkTrainer.create(sc, cls, 1, data, cfg).train(5), 0.0,
                    "the same partitions as parallelize: bit for bit");
        }
    }

    /** The spark-submit job from Java: data read on the executors, a checkpoint, a resumed run, evaluation. */
    @Test
    void theJobTrainsChecksAndResumes(@TempDir Path dir) throws Exception {
        Dataset d = Fixtures.fashion(160);
        Path file = dir.resolve("train.npz");
        Map<String, ArrayData> arrays = new LinkedHashMap<>();
        arrays.put("images", d.array("images"));
        arrays.put("labels", d.array("labels"));
        Npz.write(file, arrays);
        String model = Fixtures.SAMPLES.resolve("models/mlp.mdl").toString();
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        java.io.PrintStream log = new java.io.PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8);

        ModelClass cls = Fixtures.mlp();
        SparkTrainer.Config cfg = SparkTrainer.Config.defaults().withBatchSize(32).withSeed(4);
        double[] straight = Fixtures.shardedSerial(cls, cls.newInstance(0), Fixtures.shards(Fixtures.bind(d, cls), 2), cfg, 160, 5);
        Path ckpt = dir.resolve("run/mlp.safetensors");
        TrainJob.Report first = TrainJob.run(sc, TrainJob.Options.parse("--model", model, "--data", file.toString(),
                "--batch", "32", "--steps", "3", "--partitions", "2", "--seed", "4", "--checkpoint", ckpt.toString()), log);
        TrainJob.Report rest = TrainJob.run(sc, TrainJob.Options.parse("--model", model, "--data", file.toString(),
                "--batch", "32", "--steps", "2", "--partitions", "2", "--seed", "4", "--resume", ckpt.toString(),
                "--eval", file.toString(), "--data-on-driver"), log);
        assertArrayEquals(java.util.Arrays.copyOfRange(straight, 0, 3), first.losses(), 0.0);
        assertArrayEquals(java.util.Arrays.copyOfRange(straight, 3, 5), rest.losses(), 0.0);
        assertEquals(5, rest.stepCount());
        assertEquals(160, rest.evaluation().count());
        String out = text.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(out.contains("resumed " + ckpt + " at step 3"), out);
        assertTrue(out.contains("evaluation: loss "), out);
        System.out.print(out);
    }
}
