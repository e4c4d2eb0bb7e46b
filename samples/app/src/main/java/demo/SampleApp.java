package demo;

import java.util.Random;

/**
 * Trains the two models of {@code src/main/mdl/demo} through the classes modelc generated from them and runs
 * inference. {@code LinReg} and {@code Net} do not exist as Java sources: the modelc plugin writes them into
 * {@code target/classes} before javac compiles this file, so a call that does not fit a model fails to compile.
 *
 * <pre>
 *   mvn -pl samples/app -am verify
 *   java -cp samples/app/target/classes:runtime/target/modelc-runtime-0.1.0-SNAPSHOT.jar demo.SampleApp
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
   * Synthetic 28x28 grey images of two classes: class 0 is bright in the top half, class 1 in the bottom half, both
   * with noise. Fills {@code images} ({@code [batch, 1, 28, 28]}) and {@code labels}.
   */
  public static void images(Random random, float[] images, int[] labels) {
    int batch = labels.length;
    for (int b = 0; b < batch; b++) {
      labels[b] = random.nextInt(2);
      for (int r = 0; r < 28; r++) {
        boolean lit = (r < 14) == (labels[b] == 0);
        for (int c = 0; c < 28; c++) {
          images[(b * 28 + r) * 28 + c] = (lit ? 0.8f : 0.1f) + random.nextFloat() * 0.2f;
        }
      }
    }
  }

  /** Trains the CNN on fresh synthetic batches with the model's Adam; returns the loss of every step. */
  public static float[] trainCnn(Net net, int steps, int batch, long seed) {
    Random random = new Random(seed);
    float[] x = new float[batch * 28 * 28];
    int[] t = new int[batch];
    float[] losses = new float[steps];
    for (int s = 0; s < steps; s++) {
      images(random, x, t);
      losses[s] = net.trainStep(x, t, batch);
    }
    return losses;
  }

  /** Inference: the logits of a batch, {@code [batch, 10]} row-major, computed without keeping anything for backward. */
  public static float[] classify(Net net, float[] images, int batch) {
    float[] logits = new float[batch * 10];
    net.predict(images, batch, logits);
    return logits;
  }

  /** The class with the largest logit for every image. */
  public static int[] argmax(float[] logits, int classes) {
    int[] best = new int[logits.length / classes];
    for (int i = 0; i < best.length; i++) {
      for (int c = 1; c < classes; c++) {
        if (logits[i * classes + c] > logits[i * classes + best[i]]) {
          best[i] = c;
        }
      }
    }
    return best;
  }

  public static void main(String[] args) {
    float[] line = fitLine(300, 1);
    System.out.printf("LinReg: loss %.4f -> %.4f%n", line[0], line[line.length - 1]);

    Net net = new Net(42L);                                  // initialized like torch.nn.Conv2d and Linear
    float[] cnn = trainCnn(net, 40, 16, 7);
    System.out.printf("Net: loss %.4f -> %.4f%n", cnn[0], cnn[cnn.length - 1]);

    int batch = 64;
    float[] x = new float[batch * 28 * 28];
    int[] t = new int[batch];
    images(new Random(99), x, t);
    int[] predicted = argmax(classify(net, x, batch), 10);
    int right = 0;
    for (int i = 0; i < batch; i++) {
      right += predicted[i] == t[i] ? 1 : 0;
    }
    System.out.printf("Net: %d of %d held-out images classified right%n", right, batch);
  }
}
