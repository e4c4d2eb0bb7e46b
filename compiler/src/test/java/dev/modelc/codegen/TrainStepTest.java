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
 * every optimizer of the samples (SGD, SGD with momentum, Adam).
 */
class TrainStepTest {
  @ParameterizedTest
  @ValueSource(strings = {"linreg", "logreg", "mlp", "cnn"})
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
        assertArrayEquals((float[]) separate.parameter(p.name()), (float[]) fused.parameter(p.name()),
            sample + " " + p.name() + " at step " + step);
        assertArrayEquals((float[]) separate.gradient(p.name()), (float[]) fused.gradient(p.name()),
            sample + " grad " + p.name() + " at step " + step);
      }
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
