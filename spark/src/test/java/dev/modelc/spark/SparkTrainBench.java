package dev.modelc.spark;

import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.data.Batch;
import dev.modelc.runtime.data.DataBinding;
import dev.modelc.runtime.data.Loader;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Steps per second and bytes per step of data-parallel training in local mode against single-machine training at
 * the same global batch. Run with {@code spark/run-bench.sh [master] [records] [steps]}.
 */
public final class SparkTrainBench {
    private SparkTrainBench() {}

    public static void main(String[] args) throws Exception {
        String master = args.length > 0 ? args[0] : "local[2]";
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int partitions = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        AtomicLong resultBytes = new AtomicLong();
        AtomicLong tasks = new AtomicLong();
        try (JavaSparkContext sc = new JavaSparkContext(Fixtures.conf(master))) {
            sc.sc().addSparkListener(new SparkListener() {
                @Override
                public void onTaskEnd(SparkListenerTaskEnd end) {
                    if (end.taskMetrics() != null) {
                        resultBytes.addAndGet(end.taskMetrics().resultSize());
                        tasks.incrementAndGet();
                    }
                }
            });
            System.out.printf(Locale.ROOT, "master %s, %d partitions, %d records, %d measured steps, kernel: %s%n",
                    master, partitions, records, steps, dev.modelc.runtime.kernels.Kernels.selectionReason());
            System.out.println("| model (global batch) | mode | steps/s | ms/step | broadcast B/step | results B/step (measured) | tasks/step |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (String which : List.of("mlp", "cnn")) {
                ModelClass cls = which.equals("mlp") ? Fixtures.mlp() : Fixtures.cnn();
                int batch = 256;
                DataBinding binding = Fixtures.bind(Fixtures.fashionTrain(records), cls);
                String label = (which.equals("mlp") ? "MLP 784-128-64-10" : "seeds' CNN") + " (" + batch + ")";

                // single machine: the loader and trainStep
                Model single = cls.newInstance(1);
                double t = timeSingle(single, binding, batch, steps);
                double tSingle = t;
                System.out.printf(Locale.ROOT, "| %s | single machine | %.1f | %.1f | 0 | 0 | 0 |%n", label, 1 / tSingle, 1000 * tSingle);

                try (TrainData data = TrainData.parallelize(sc, binding, partitions)) {
                    // the fixed cost of a step: broadcast the parameters, one task per partition, collect nothing
                    float[] params = new float[single.flatParameterSize()];
                    long e0 = 0;
                    for (int i = 0; i < Math.max(2, steps / 3) + steps; i++) {
                        if (i == Math.max(2, steps / 3)) {
                            e0 = System.nanoTime();
                        }
                        var b = sc.broadcast(params);
                        data.shards().map(x -> b.value().length).collect();
                        b.destroy();
                    }
                    double empty = (System.nanoTime() - e0) / 1e9 / steps;
                    System.out.printf(Locale.ROOT, "| %s | Spark step without compute (broadcast, tasks, collect) | %.1f | %.1f | %d | | |%n",
                            label, 1 / empty, 1000 * empty, 4L * params.length);
                    for (SparkTrainer.Mode mode : SparkTrainer.Mode.values()) {
                        SparkTrainer.Config cfg = SparkTrainer.Config.defaults().withBatchSize(batch).withMode(mode).withLocalSteps(4);
                        SparkTrainer tr = SparkTrainer.create(sc, cls, 1, data, cfg);
                        int rounds = mode == SparkTrainer.Mode.LOCAL_SGD ? Math.max(1, steps / 4) : steps;
                        tr.train(Math.max(2, rounds / 3));             // warm-up
                        SparkTrainer.Traffic before = tr.traffic();
                        long r0 = resultBytes.get();
                        long k0 = tasks.get();
                        long t0 = System.nanoTime();
                        tr.train(rounds);
                        double perRound = (System.nanoTime() - t0) / 1e9 / rounds;
                        int stepsPerRound = mode == SparkTrainer.Mode.LOCAL_SGD ? 4 : 1;
                        double perStep = perRound / stepsPerRound;
                        SparkTrainer.Traffic after = tr.traffic();
                        double bcast = (double) (after.broadcastBytes() - before.broadcastBytes()) / rounds / stepsPerRound;
                        double res = (double) (resultBytes.get() - r0) / rounds / stepsPerRound;
                        double tk = (double) (tasks.get() - k0) / rounds;
                        System.out.printf(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.0f | %.0f | %.1f |%n", label,
                                mode == SparkTrainer.Mode.LOCAL_SGD ? "local SGD, K = 4 (per local step)" : mode.name().toLowerCase(Locale.ROOT),
                                1 / perStep, 1000 * perStep, bcast, res, tk);
                        tr.close();
                    }
                }
                System.out.printf(Locale.ROOT, "  %s: %d parameters, %d bytes as float[]%n", label,
                        single.flatParameterSize(), 4L * single.flatParameterSize());
            }
        }
    }

    private static double timeSingle(Model model, DataBinding binding, int batch, int steps) {
        Loader loader = new Loader(binding, batch, 0);
        int warm = Math.max(2, steps / 3);
        int done = 0;
        long t0 = 0;
        for (int epoch = 0; done < warm + steps; epoch++) {
            for (Batch b : loader.epoch(epoch)) {
                if (done == warm) {
                    t0 = System.nanoTime();
                }
                if (done == warm + steps) {
                    break;
                }
                b.bindTo(model);
                model.trainStep();
                done++;
            }
        }
        return (System.nanoTime() - t0) / 1e9 / steps;
    }
}
