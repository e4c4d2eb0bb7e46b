package dev.modelc.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.interp.Interpreter;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * batch_norm in the ResNet-style sample (samples/models/resnet.mdl): PyTorch's state_dict names, training steps that
 * update the running statistics as the reference interpreter does, and predict normalizing with them (the
 * interpreter in evaluation mode), leaving them as they are.
 */
class BatchNormTest {
  private static final int B = 5;

  @Test
  void theResidualBlockHasPyTorchsStateDictNames() throws Exception {
    List<String> names = Samples.load("resnet", false).params().stream().map(CheckedModel.Param::name).toList();
    assertEquals(List.of("conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
        "bn1.num_batches_tracked", "conv2.weight", "bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var",
        "bn2.num_batches_tracked", "fc.weight", "fc.bias"), names);
  }

  @Test
  void trainingUpdatesTheRunningStatisticsAndPredictUsesThem() throws Exception {
    CheckedModel checked = Samples.load("resnet", false);
    Model m = Driver.compile(checked, "bn", "resnet.mdl", true).newUninitialized();
    m.initialize(3);
    Interpreter ref = new Interpreter(checked, 3);
    Random rnd = new Random(5);
    float[] x = new float[B * 4 * 6 * 6];
    for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * 2 + 1);
    int[] y = {0, 2, 1, 1, 0};
    m.setInput("x", x);
    m.setInput("y", y);
    ref.setInput("x", Tensor.of(x, B, 4, 6, 6));
    ref.setLabels("y", y);
    double first = 0;
    double last = 0;
    for (int step = 0; step < 4; step++) {
      double loss = m.trainStep();
      assertEquals(ref.trainStep(), loss, 1e-4, "loss at step " + step);
      first = step == 0 ? loss : first;
      last = loss;
      for (CheckedModel.Param p : checked.params()) {
        if (p.name().endsWith("num_batches_tracked")) {
          assertArrayEquals(new int[] {step + 1}, (int[]) m.parameter(p.name()), p.name() + " after step " + step);
          assertEquals(step + 1, ref.param(p.name()).doubles()[0], p.name() + " after step " + step);
          continue;
        }
        assertArrayEquals(ref.param(p.name()).doubles(), doubles((float[]) m.parameter(p.name())), 2e-4,
            p.name() + " after step " + step);
      }
    }
    assertTrue(last < first, "the loss goes down: " + first + " then " + last);
    // copies: parameter() returns the live arrays, which predict would have to leave alone
    float[] mean = ((float[]) m.parameter("bn1.running_mean")).clone();
    float[] var = ((float[]) m.parameter("bn1.running_var")).clone();
    assertTrue(mean[0] != 0 && var[0] != 1, "the running statistics moved");

    float[] logits = new float[B * 3];
    m.predict();
    System.arraycopy((float[]) m.output("logits"), 0, logits, 0, logits.length);
    assertArrayEquals(mean, (float[]) m.parameter("bn1.running_mean"), "predict leaves the statistics as they are");
    assertArrayEquals(var, (float[]) m.parameter("bn1.running_var"), "predict leaves the statistics as they are");
    assertArrayEquals(new int[] {4}, (int[]) m.parameter("bn1.num_batches_tracked"), "and counts no batch");
    ref.setTraining(false);
    Tensor want = ref.forward().get("logits");
    assertArrayEquals(want.doubles(), doubles(logits), 2e-4, "predict normalizes with the running statistics");
    assertArrayEquals(doubles(mean), ref.param("bn1.running_mean").doubles(), 2e-4,
        "an evaluation forward leaves the statistics as they are");
    m.forward();
    double[] training = doubles((float[]) m.output("logits"));
    assertTrue(Math.abs(training[0] - logits[0]) > 1e-6, "a training forward normalizes with the batch");
  }

  @Test
  void anEvaluationModeForwardIsPredict() throws Exception {
    CheckedModel checked = Samples.load("resnet", false);
    Model m = Driver.compile(checked, "bn", "resnet.mdl", true).newUninitialized();
    m.initialize(3);
    Random rnd = new Random(7);
    float[] x = new float[B * 4 * 6 * 6];
    for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * 2 + 1);
    m.setInput("x", x);
    m.setInput("y", new int[] {0, 2, 1, 1, 0});
    m.trainStep();
    m.trainStep();
    float[] mean = ((float[]) m.parameter("bn1.running_mean")).clone();
    float[] var = ((float[]) m.parameter("bn1.running_var")).clone();
    m.predict();
    float[] predicted = ((float[]) m.output("logits")).clone();

    m.setTraining(false);
    m.forward();
    assertArrayEquals(predicted, (float[]) m.output("logits"), "model.eval(): forward normalizes as predict does");
    assertArrayEquals(mean, (float[]) m.parameter("bn1.running_mean"), "and leaves the running mean");
    assertArrayEquals(var, (float[]) m.parameter("bn1.running_var"), "and the running variance");
    assertArrayEquals(new int[] {2}, (int[]) m.parameter("bn1.num_batches_tracked"), "and the counter");

    m.setTraining(true);
    m.forward();
    assertTrue(((float[]) m.parameter("bn1.running_mean"))[0] != mean[0], "model.train(): the statistics move again");
    assertArrayEquals(new int[] {3}, (int[]) m.parameter("bn2.num_batches_tracked"), "a training forward counts");
  }

  private static double[] doubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }
}
