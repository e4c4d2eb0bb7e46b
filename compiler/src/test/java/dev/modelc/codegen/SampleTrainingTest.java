package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.runtime.api.Model;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The transformer and ResNet samples, compiled (bytecode verified), learn small tasks made here: their training loss
 * falls and their accuracy on held-out examples drawn the same way is far above chance.
 */
class SampleTrainingTest {
  /** A data set: {@code x} is an {@code int[]} or a {@code float[]} of {@code n} examples, with class labels. */
  private record Data(Object x, int[] labels, int n) {}

  /**
   * Majority: 8 tokens, each one of the classes' tokens 0-3 or a filler (4, 5); the label is the class token that
   * occurs most often (examples with a tie are drawn again). Order does not matter; counting does.
   */
  private static Data majority(Random rnd, int n) {
    int[] tokens = new int[n * 8];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int best;
      do {
        int[] count = new int[6];
        for (int j = 0; j < 8; j++) {
          int tok = rnd.nextDouble() < 0.25 ? 4 + rnd.nextInt(2) : rnd.nextInt(4);
          tokens[i * 8 + j] = tok;
          count[tok]++;
        }
        best = 0;
        for (int c = 1; c < 4; c++) best = count[c] > count[best] ? c : best;
        int top = count[best];
        int ties = 0;
        for (int c = 0; c < 4; c++) ties += count[c] == top ? 1 : 0;
        best = ties == 1 ? best : -1;
      } while (best < 0);
      labels[i] = best;
    }
    return new Data(tokens, labels, n);
  }

  @Test
  void theTransformerLearnsWhichTokenIsInTheMajority() {
    CheckedModel checked = sample("transformer");
    assertEquals(List.of("tok.weight", "pos", "ln1.weight", "ln1.bias", "attn.q.weight", "attn.q.bias",
        "attn.k.weight", "attn.v.weight", "attn.v.bias", "attn.proj.weight", "attn.proj.bias", "ln2.weight",
        "ln2.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias", "lnf.weight", "lnf.bias",
        "head.weight", "head.bias"), checked.params().stream().map(CheckedModel.Param::name).toList());
    Random rnd = new Random(11);
    double[] losses = train(checked, "tokens", majority(rnd, 512), 32, 4);
    assertTrue(losses[1] < 0.5 * losses[0], "mean loss of the first epoch " + losses[0] + ", of the last "
        + losses[1]);
    double accuracy = accuracy(lastModel, "tokens", majority(rnd, 256), 4);
    assertTrue(accuracy > 0.9, "held-out accuracy " + accuracy + " (chance 0.25)");
    // gelu, softmax, layer norms and attention allocate nothing once warm, in a JVM that has run other kernels
    Data batch = majority(rnd, 32);
    lastModel.setInput("tokens", batch.x());
    lastModel.setInput("t", batch.labels());
    assertEquals(0, Harness.steadyStepAllocation(lastModel), "bytes allocated by 20 steady-state training steps");
  }

  /**
   * Where is the bright patch: 4 channels of 6 x 6 noise, and a 2 x 2 patch brighter by 2.5 in every channel at a
   * random row, in the left, middle or right third of the columns (the label).
   */
  private static Data patches(Random rnd, int n) {
    float[] x = new float[n * 4 * 36];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = rnd.nextInt(3);
      int row = rnd.nextInt(5);
      for (int c = 0; c < 4; c++) {
        for (int p = 0; p < 36; p++) {
          int h = p / 6;
          int w = p % 6;
          boolean patch = h >= row && h < row + 2 && w / 2 == labels[i];
          x[(i * 4 + c) * 36 + p] = (float) (rnd.nextGaussian() + (patch ? 2.5 : 0));
        }
      }
    }
    return new Data(x, labels, n);
  }

  @Test
  void theResidualBlockLearnsWhereThePatchIs() {
    CheckedModel checked = sample("resnet");
    Random rnd = new Random(5);
    double[] losses = train(checked, "x", patches(rnd, 384), 32, 3);
    assertTrue(losses[1] < 0.5 * losses[0], "mean loss of the first epoch " + losses[0] + ", of the last "
        + losses[1]);
    // predict normalizes with the running statistics the training steps left (evaluation mode)
    double accuracy = accuracy(lastModel, "x", patches(rnd, 192), 3);
    assertTrue(accuracy > 0.9, "held-out accuracy " + accuracy + " (chance 0.33)");
  }

  private Model lastModel;

  private static CheckedModel sample(String name) {
    try {
      return Samples.load(name, false);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Epochs of minibatch steps in a fixed order; returns the mean loss of the first and of the last epoch. */
  private double[] train(CheckedModel checked, String input, Data data, int batch, int epochs) {
    CompiledClass compiled = Driver.compile(checked, "samples", checked.name() + ".mdl", true);
    Harness.verify(compiled);
    Model m = compiled.newUninitialized();
    m.initialize(1);
    lastModel = m;
    int per = java.lang.reflect.Array.getLength(data.x()) / data.n();
    double first = 0;
    double last = 0;
    for (int epoch = 0; epoch < epochs; epoch++) {
      double sum = 0;
      int steps = 0;
      for (int start = 0; start + batch <= data.n(); start += batch) {
        m.setInput(input, slice(data.x(), start * per, batch * per));
        m.setInput(labelName(checked), java.util.Arrays.copyOfRange(data.labels(), start, start + batch));
        double loss = m.trainStep();
        assertTrue(Double.isFinite(loss), "loss at epoch " + epoch + ": " + loss);
        sum += loss;
        steps++;
      }
      first = epoch == 0 ? sum / steps : first;
      last = sum / steps;
    }
    return new double[] {first, last};
  }

  private static String labelName(CheckedModel m) {
    return m.inputs().get(m.inputs().size() - 1).name();
  }

  private static double accuracy(Model m, String input, Data data, int classes) {
    m.setInput(input, data.x());
    m.setInput(m.inputs().get(m.inputs().size() - 1).name(), data.labels());
    m.predict();
    float[] logits = (float[]) m.output("logits");
    int correct = 0;
    for (int i = 0; i < data.n(); i++) {
      int best = 0;
      for (int c = 1; c < classes; c++) best = logits[i * classes + c] > logits[i * classes + best] ? c : best;
      correct += best == data.labels()[i] ? 1 : 0;
    }
    return correct / (double) data.n();
  }

  private static Object slice(Object array, int from, int length) {
    Object out = java.lang.reflect.Array.newInstance(array.getClass().getComponentType(), length);
    System.arraycopy(array, from, out, 0, length);
    return out;
  }
}
