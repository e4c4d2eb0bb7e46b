package dev.modelc.bench.train;

import dev.modelc.bench.models.BenchModels;
import dev.modelc.check.CheckedModel;
import dev.modelc.check.Frontend;
import dev.modelc.diag.Diagnostics;
import dev.modelc.driver.Driver;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.data.Batch;
import dev.modelc.runtime.data.DataBinding;
import dev.modelc.runtime.data.Dataset;
import dev.modelc.runtime.data.Loader;
import dev.modelc.runtime.kernels.OneCpuJit;
import dev.modelc.runtime.train.Accuracy;
import dev.modelc.runtime.train.MeanLoss;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One epoch of the seeds' CNN (batch 64, Adam) on an IDX folder of Fashion-MNIST, end to end in a fresh JVM: the
 * training and held-out sets are read into memory first (not timed), then the model is compiled (timed apart), one
 * epoch of shuffled batches is trained (timed, JIT warm-up included) and the held-out accuracy is computed with
 * {@code predict} (timed apart). {@code one_cpu_jit} says whether the first step had C2 compile the kernels in the
 * foreground ({@link OneCpuJit}: on a JVM with one processor, as when pinned). Prints one JSON line. The PyTorch
 * peer ({@code bench/peers/torch_bench.py epoch})
 * does the same.
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar dev.modelc.bench.train.EpochRun samples/data/fashion-mnist [seed]
 * </pre>
 */
public final class EpochRun {
  private EpochRun() {}

  public static void main(String[] args) throws IOException {
    Path data = Path.of(args[0]);
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
    Dataset trainSet = Dataset.open(data);
    Dataset testSet = Dataset.openHeldOut(data);

    long t0 = System.nanoTime();
    Diagnostics d = new Diagnostics();
    CheckedModel m = Frontend.load(BenchModels.path("cnn"), d).models().get(0);
    if (d.hasErrors()) {
      throw new IllegalStateException("cnn.mdl does not check");
    }
    Model net = Driver.compile(m, "bench", "cnn.mdl", false).newUninitialized();
    net.initialize(seed);
    long t1 = System.nanoTime();

    DataBinding train = trainSet.bind(net);
    Loader loader = new Loader(train, BenchModels.batch("cnn"), seed);
    MeanLoss loss = new MeanLoss();
    for (Batch b : loader.epoch(0)) {
      b.bindTo(net);
      loss.add(net.trainStep(), b.size());
    }
    long t2 = System.nanoTime();

    DataBinding test = testSet.bind(net);
    Accuracy accuracy = new Accuracy();
    for (Batch b : new Loader(test, 500, 0).shuffle(false).epoch(0)) {
      b.bindTo(net);
      net.predict();
      accuracy.add(net.output("logits"), b.ints("t"));
    }
    long t3 = System.nanoTime();
    System.out.println(String.format(Locale.ROOT,
        "{\"train_samples\": %d, \"test_samples\": %d, \"steps\": %d, \"compile_s\": %.4f, \"epoch_s\": %.4f, "
            + "\"eval_s\": %.4f, \"train_loss\": %.5f, \"accuracy\": %.5f, \"one_cpu_jit\": \"%s\"}",
        trainSet.size(), testSet.size(), loader.batchCount(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9,
        loss.mean(), accuracy.value(), OneCpuJit.outcome()));
  }
}
