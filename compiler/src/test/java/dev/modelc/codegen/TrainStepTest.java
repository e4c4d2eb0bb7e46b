package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.api.TensorSpec;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code trainStep()} updates each parameter inside the backward pass, as soon as its gradient is final; it must
 * leave exactly (bit for bit) what {@code zeroGrad(); forward(); backward(); step()} leaves, step after step, for
 * every optimizer of the samples (SGD, SGD with momentum, Adam). Gradients too: a gradient that trainStep's backward
 * writes whole (its only writer, {@code Schedule.overwritingInTraining}) is not zeroed first, and must come out as
 * zeroGrad-and-add does, including where a parameter has several writers (penalty, transformer) or none.
 */
class TrainStepTest {
  @ParameterizedTest
  @ValueSource(strings = {"linreg", "logreg", "mlp", "cnn", "penalty", "bow", "norm", "resnet", "transformer"})
  void fusedUpdatesEqualSeparateSteps(String sample) throws Exception {
    CheckedModel checked = Samples.load(sample, false);
    CompiledClass cls = Driver.compile(checked, "t", sample + ".mdl", true);
    Model fused = cls.newInstance();
    Model separate = cls.newInstance();
    fused.initialize(3);
    separate.initialize(3);
    setInputs(checked, fused, separate, 5);
    for (int step = 0; step < 4; step++) {
      double loss = fused.trainStep();
      separate.zeroGrad();
      separate.forward();
      double expected = separate.loss();
      separate.backward();
      separate.step();
      assertEquals(expected, loss, 0.0, sample + " loss at step " + step);
      assertTrue(Double.isFinite(loss));
      for (TensorSpec p : separate.parameters()) {
        same(separate.parameter(p.name()), fused.parameter(p.name()), sample + " " + p.name() + " at step " + step);
        same(separate.gradient(p.name()), fused.gradient(p.name()), sample + " grad " + p.name() + " at step " + step);
      }
    }
  }

  /** Which gradients trainStep writes whole: all six of the MLP's; not penalty's w, whose one writer adds a value. */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"mlp, 111111", "cnn, 11111111", "penalty, 0"})
  void gradientsWrittenWholeAreNotZeroedFirst(String sample, String flags) throws Exception {
    CompiledClass cls = Driver.compile(Samples.load(sample, false), "t", sample + ".mdl", true);
    Model m = cls.newInstance();
    java.lang.reflect.Method written = m.getClass().getDeclaredMethod("gradsWrittenByTrainStep");
    written.setAccessible(true);
    assertEquals(flags, written.invoke(m));
  }

  /** Bit for bit, whatever the array's element type (batch_norm's counter is an int). */
  private static void same(Object want, Object got, String what) {
    if (want instanceof float[] f) {
      assertArrayEquals(f, (float[]) got, what);
    } else if (want instanceof double[] d) {
      assertArrayEquals(d, (double[]) got, what);
    } else {
      assertArrayEquals((int[]) want, (int[]) got, what);
    }
  }

  private static void setInputs(CheckedModel checked, Model a, Model b, int batch) {
    Random rnd = new Random(11);
    for (CheckedModel.Input in : checked.inputs()) {
      int n = 1;
      for (int d = 0; d < in.type().shape().rank(); d++) {
        Dim dim = in.type().shape().dim(d);
        n *= (int) (dim.coefficient() * Math.pow(batch, dim.symbols().size()));
      }
      if (in.type().dtype() == DType.I32) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = rnd.nextInt(2);
        a.setInput(in.name(), labels);
        b.setInput(in.name(), labels.clone());
      } else {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rnd.nextFloat() * 2 - 1;
        a.setInput(in.name(), x);
        b.setInput(in.name(), x.clone());
      }
    }
  }
}
