package dev.modelc.bench.dl4j;

import dev.modelc.bench.models.BenchModels;
import dev.modelc.runtime.data.Dataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The DL4J peer of {@code EpochRun}: one epoch of the seeds' CNN (batch 64, Adam) on an IDX folder of Fashion-MNIST
 * in a fresh JVM, then the held-out accuracy. The images are read into memory first with the runtime's IDX reader
 * (not timed, the same {@code x / 255} floats the compiled side trains on); then the network is built (timed apart),
 * one epoch of shuffled batches is trained with one {@code fit(DataSet)} per batch (timed, each batch copied from the
 * arrays into a new INDArray, JIT warm-up included) and the accuracy is computed with {@code output} on batches of
 * 500 (timed apart). Prints one JSON line with the fields of {@code EpochRun}'s.
 *
 * <pre>
 *   OMP_NUM_THREADS=1 java -cp bench/target/benchmarks.jar:$(cat bench/target/dl4j.classpath) \
 *       dev.modelc.bench.dl4j.Dl4jEpochRun samples/data/fashion-mnist [seed]
 * </pre>
 */
public final class Dl4jEpochRun {
  private static final int PIXELS = 28 * 28;

  private Dl4jEpochRun() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: Dl4jEpochRun DIR [seed]   (DIR holds the Fashion-MNIST IDX files)");
      System.exit(2);
    }
    Path data = Path.of(args[0]);
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
    Dataset trainSet = Dataset.open(data);
    Dataset testSet = Dataset.openHeldOut(data);
    float[] images = trainSet.array("images").floats();
    int[] labels = trainSet.array("labels").ints();
    int n = trainSet.size();
    int batch = BenchModels.batch("cnn");

    long t0 = System.nanoTime();
    MultiLayerNetwork net = Dl4jModels.network("cnn", seed);
    long t1 = System.nanoTime();

    int[] order = permutation(n, seed);
    double lossSum = 0;
    int steps = 0;
    for (int start = 0; start < n; start += batch) {
      int size = Math.min(batch, n - start);
      float[] x = new float[size * PIXELS];
      int[] t = new int[size];
      for (int i = 0; i < size; i++) {
        int s = order[start + i];
        System.arraycopy(images, s * PIXELS, x, i * PIXELS, PIXELS);
        t[i] = labels[s];
      }
      net.fit(new DataSet(Nd4j.create(x, new long[] {size, 1, 28, 28}, DataType.FLOAT), Dl4jModels.oneHot(t)));
      lossSum += net.score() * size;
      steps++;
    }
    long t2 = System.nanoTime();

    float[] testImages = testSet.array("images").floats();
    int[] testLabels = testSet.array("labels").ints();
    int m = testSet.size();
    int correct = 0;
    for (int start = 0; start < m; start += 500) {
      int size = Math.min(500, m - start);
      float[] x = new float[size * PIXELS];
      System.arraycopy(testImages, start * PIXELS, x, 0, size * PIXELS);
      INDArray predicted = net.output(Nd4j.create(x, new long[] {size, 1, 28, 28}, DataType.FLOAT)).argMax(1);
      for (int i = 0; i < size; i++) {
        if (predicted.getInt(i) == testLabels[start + i]) {
          correct++;
        }
      }
    }
    long t3 = System.nanoTime();
    System.out.println(String.format(Locale.ROOT,
        "{\"train_samples\": %d, \"test_samples\": %d, \"steps\": %d, \"compile_s\": %.4f, \"epoch_s\": %.4f, "
            + "\"eval_s\": %.4f, \"train_loss\": %.5f, \"accuracy\": %.5f}",
        n, m, steps, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, lossSum / n, correct / (double) m));
  }

  /** A seeded random order of {@code 0..n-1} (Fisher-Yates). */
  private static int[] permutation(int n, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    Random rnd = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }
}
