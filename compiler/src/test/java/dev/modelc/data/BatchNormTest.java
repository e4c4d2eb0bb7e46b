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

  /**
   * A gradient penalty on an input re-evaluates the interpreter's values from a fresh leaf for that input; the
   * batch_norm calls among them must not update the running statistics and the counter a second time: one forward
   * pass updates them once, as the compiled class and PyTorch (whose forward runs once) do.
   */
  @Test
  void aGradientPenaltyOnAnInputUpdatesTheRunningStatisticsOnce() {
    String src = """
        model P {
          input x : f64[B, 3]
          param w : f64[3, 2] init normal(0, 0.5)
          buffer running_mean : f64[2] init zeros
          buffer running_var  : f64[2] init ones
          buffer num_batches_tracked : i32 init zeros
          let h = batch_norm(x @ w, running_mean, running_var, num_batches_tracked = num_batches_tracked)
          let fit = sum(tanh(h) * h)
          let gx = grad(fit, x)
          let loss = fit + sum(gx ** 2)
          minimize loss with sgd(lr = 0.1)
        }
        """;
    CheckedModel checked = Samples.check("penalty.mdl", src);
    Model m = Driver.compile(checked, "bn", "penalty.mdl", true).newUninitialized();
    m.initialize(3);
    Interpreter ref = new Interpreter(checked, 3);
    double[] x = {0.5, -1, 2, 1.5, 0.3, -0.7, -2, 0.1, 1};
    m.setInput("x", x);
    ref.setInput("x", Tensor.of(x, 3, 3));
    for (int step = 1; step <= 2; step++) {
      assertEquals(ref.trainStep(), m.trainStep(), 1e-12, "loss at step " + step);
      assertArrayEquals(new int[] {step}, (int[]) m.parameter("num_batches_tracked"), "compiled, step " + step);
      assertEquals(step, ref.param("num_batches_tracked").doubles()[0], "interpreter, step " + step);
      for (String name : List.of("running_mean", "running_var")) {
        assertArrayEquals((double[]) m.parameter(name), ref.param(name).doubles(), 1e-12, name + " at step " + step);
      }
    }
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

  /**
   * The counters are int[1] parameters outside the float flat copies, written as int64 in safetensors and npz and
   * read back from them; a counter beyond an int does not load.
   */
  @Test
  void countersAreInt64InFilesAndOutsideTheFlatCopies(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    CheckedModel checked = Samples.load("resnet", false);
    Model m = Driver.compile(checked, "bn", "resnet.mdl", true).newUninitialized();
    m.initialize(1);
    int floats = 0;
    for (var p : m.parameters()) floats += p.dtype().equals("i32") ? 0 : Math.toIntExact(Math.max(1,
        p.shape().stream().mapToLong(Long::parseLong).reduce(1, (a, b) -> a * b)));
    assertEquals(floats, m.flatParameterSize(), "the flat copies hold the float parameters and buffers only");
    ((int[]) m.parameter("bn2.num_batches_tracked"))[0] = 123456789;
    for (String name : List.of("w.safetensors", "w.npz")) {
      java.nio.file.Path file = dir.resolve(name);
      dev.modelc.runtime.io.Weights.save(m, file);
      dev.modelc.runtime.io.ArrayFile read = name.endsWith(".npz") ? dev.modelc.runtime.io.Npz.read(file)
          : dev.modelc.runtime.io.SafeTensors.read(file);
      assertEquals("i32", read.get("bn2.num_batches_tracked").dtype(), "int64 in the file, read as i32");
      assertEquals(0, read.get("bn2.num_batches_tracked").rank(), "a scalar, as PyTorch's");
      Model back = Driver.compile(checked, "bn", "resnet.mdl", true).newUninitialized();
      dev.modelc.runtime.io.Weights.load(back, file);
      assertArrayEquals(new int[] {123456789}, (int[]) back.parameter("bn2.num_batches_tracked"), name);
    }
    String header = new String(java.nio.file.Files.readAllBytes(dir.resolve("w.safetensors")), 8, 2000,
        java.nio.charset.StandardCharsets.ISO_8859_1);
    assertTrue(header.contains("\"bn2.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[]"), header);

    java.util.Map<String, dev.modelc.runtime.io.ArrayData> big = new java.util.LinkedHashMap<>(
        dev.modelc.runtime.io.Weights.fileArrays(m));
    big.put("bn1.num_batches_tracked", new dev.modelc.runtime.io.ArrayData("bn1.num_batches_tracked", "i64",
        new int[0], new long[] {1L << 33}));
    dev.modelc.runtime.io.SafeTensors.write(dir.resolve("big.safetensors"), big, java.util.Map.of());
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
        () -> dev.modelc.runtime.io.Weights.load(m, dir.resolve("big.safetensors")));
    assertTrue(e.getMessage().contains("bn1.num_batches_tracked") && e.getMessage().contains("does not fit i32"),
        e.getMessage());
  }

  private static double[] doubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }
}
