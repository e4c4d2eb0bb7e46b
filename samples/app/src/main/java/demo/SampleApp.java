package demo;

import dev.modelc.runtime.data.Batch;
import dev.modelc.runtime.data.DataBinding;
import dev.modelc.runtime.data.Dataset;
import dev.modelc.runtime.data.Loader;
import dev.modelc.runtime.io.Weights;
import dev.modelc.runtime.train.Accuracy;
import dev.modelc.runtime.train.MeanLoss;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Trains the two models of {@code src/main/mdl/demo} through the classes modelc generated from them and runs
 * inference. {@code LinReg} and {@code Net} do not exist as Java sources: the modelc plugin writes them into
 * {@code target/classes} before javac compiles this file, so a call that does not fit a model fails to compile.
 * Data loading, batching, metrics and weight files come from the runtime jar ({@code dev.modelc.runtime.data},
 * {@code .train}, {@code .io}).
 *
 * <pre>
 *   mvn -pl samples/app -am verify
 *   java -cp samples/app/target/classes:runtime/target/modelc-runtime-0.1.0-SNAPSHOT.jar demo.SampleApp \
 *       samples/data/fashion-mnist [weights file, default target/net.safetensors]
 * </pre>
 */
public final class SampleApp {
  private SampleApp() {}

  /** Fits {@code y = 3x + 1} from noisy points with the model's SGD; returns the loss of every step. */
  public static float[] fitLine(int steps, long seed) {
    int n = 32;
    Random random = new Random(seed);
    float[] x = new float[n];                                // f32[N, 1], row-major
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = random.nextFloat() * 4 - 2;
      y[i] = 3 * x[i] + 1 + (float) random.nextGaussian() * 0.1f;
    }
    LinReg model = new LinReg(seed);                         // parameters from the .mdl initializers
    float[] losses = new float[steps];
    for (int s = 0; s < steps; s++) {
      losses[s] = model.trainStep(x, y, n);                  // zeroGrad, forward, backward, sgd step
    }
    System.out.printf("LinReg: w = %.3f, b = %.3f (the line is y = 3x + 1)%n", model.w()[0], model.b()[0]);
    return losses;
  }

  /**
   * One epoch of the CNN over the first {@code samples} training images of an IDX folder (Fashion-MNIST), in
   * shuffled batches of {@code batch}; returns the mean loss of each tenth of the epoch.
   */
  public static double[] trainCnn(Net net, Path data, int samples, int batch, long seed) throws IOException {
    Dataset images = Dataset.open(data);                     // train-images/labels-idx*-ubyte[.gz]
    DataBinding train = images.slice(0, Math.min(samples, images.size())).bind(net);  // images -> x, labels -> t
    Loader loader = new Loader(train, batch, seed);          // reshuffled every epoch, same arrays every batch
    double[] curve = new double[10];
    MeanLoss tenth = new MeanLoss();
    for (Batch b : loader.epoch(0)) {
      b.bindTo(net);                                         // setInput("x"), setInput("t"), setSize("B")
      tenth.add(net.trainStep(), b.size());                 // zeroGrad, forward, backward, Adam step
      int part = (int) ((long) (b.index() + 1) * 10 / loader.batchCount()) - 1;
      if (part >= 0 && curve[part] == 0) {
        curve[part] = tenth.mean();
        tenth = new MeanLoss();
      }
    }
    return curve;
  }

  /** Accuracy on the held-out {@code t10k-*} images of the same folder, computed with {@code predict}. */
  public static double heldOutAccuracy(Net net, Path data) throws IOException {
    DataBinding test = Dataset.openHeldOut(data).bind(net);
    Accuracy accuracy = new Accuracy();
    for (Batch b : new Loader(test, 500, 0).shuffle(false).epoch(0)) {
      float[] logits = new float[b.size() * 10];
      net.predict(b.floats("x"), b.size(), logits);          // typed inference: [B, 1, 28, 28] -> [B, 10]
      accuracy.add(logits, b.ints("t"));
    }
    return accuracy.value();
  }

  /** Inference: the logits of a batch, {@code [batch, 10]} row-major, computed without keeping anything for backward. */
  public static float[] classify(Net net, float[] images, int batch) {
    float[] logits = new float[batch * 10];
    net.predict(images, batch, logits);
    return logits;
  }

  public static void main(String[] args) throws IOException {
    float[] line = fitLine(300, 1);
    System.out.printf("LinReg: loss %.4f -> %.4f%n", line[0], line[line.length - 1]);

    Path data = Path.of(args.length > 0 ? args[0] : "samples/data/fashion-mnist");
    Net net = new Net(42L);                                  // initialized like torch.nn.Conv2d and Linear
    double[] curve = trainCnn(net, data, 6000, 64, 7);
    System.out.printf("Net: loss %.4f -> %.4f over one epoch%n", curve[0], curve[9]);
    System.out.printf("Net: held-out accuracy %.3f%n", heldOutAccuracy(net, data));
    Path weights = Path.of(args.length > 1 ? args[1] : "target/net.safetensors");
    if (weights.toAbsolutePath().getParent() != null) {
      Files.createDirectories(weights.toAbsolutePath().getParent());
    }
    Weights.save(net, weights);                              // state_dict names: conv.weight, fc1.bias, ...
    System.out.println("Net: weights saved to " + weights);
  }
}
