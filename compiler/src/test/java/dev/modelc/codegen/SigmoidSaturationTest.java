package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.interp.Interpreter;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * sigmoid where PyTorch's {@code 1 / (1 + exp(-x))} overflows {@code exp(-x)}: 0 from -88.72283935546875 down in f32
 * and below -709.78 in f64, so that {@code log(sigmoid(x))} is -inf there as in PyTorch (1.13 gives these values),
 * in the compiled class (an elementwise loop, and the array call after a product) and in the reference interpreter.
 */
class SigmoidSaturationTest {
  private static final String SOURCE = """
      model S {
        input x : T[N]
        param w : T[1] init ones()
        let s = sigmoid(x)
        let l = log(sigmoid(x * w))
        output s
        output l
      }
      """;

  /** The compiled class after predict, and the interpreter's outputs, for the model in {@code dtype} at {@code x}. */
  private record Run(Model compiled, Map<String, Tensor> reference) {}

  private static Run run(String dtype, Object x, Tensor tensor) {
    CheckedModel checked = Samples.check("s.mdl", SOURCE.replace("T[", dtype + "["));
    Model m = Driver.compile(checked, "", "s.mdl", true).newInstance();
    m.initialize(1);
    m.setSize("N", tensor.numel());
    m.setInput("x", x);
    m.predict();
    Interpreter it = new Interpreter(checked, 1);
    it.setInput("x", tensor);
    return new Run(m, it.forward());
  }

  @Test
  void f32IsZeroWherePyTorchsFloatExpOverflows() {
    float[] x = {-88.72283935546875f, -100f, -88f, 0f, 20f};
    double[] torchS = {0, 0, 6.054601485195952e-39, 0.5, 1};
    double[] torchL = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, -88.0, -0.6931471824645996, 0};
    Run r = run("f32", x, Tensor.of(x, x.length));
    Model m = r.compiled();
    Map<String, Tensor> ref = r.reference();
    float[] s = (float[]) m.output("s");
    float[] l = (float[]) m.output("l");
    for (int i = 0; i < x.length; i++) {
      String at = "x = " + x[i];
      assertEquals(torchS[i], s[i], Math.ulp((float) torchS[i]) * 2, "compiled sigmoid, " + at);
      assertEquals(torchL[i], l[i], 1e-6, "compiled log(sigmoid), " + at);
      assertEquals(torchS[i], ref.get("s").doubles()[i], Math.ulp((float) torchS[i]) * 2, "interpreter, " + at);
      assertEquals(torchL[i], ref.get("l").doubles()[i], 1e-6, "interpreter log(sigmoid), " + at);
    }
  }

  @Test
  void f64IsZeroWherePyTorchsDoubleExpOverflows() {
    double[] x = {-709.8, -1000, -700, 0};
    double[] torchS = {0, 0, 9.859676543759770e-305, 0.5};
    Run r = run("f64", x, Tensor.of(x));
    Model m = r.compiled();
    Map<String, Tensor> ref = r.reference();
    double[] s = (double[]) m.output("s");
    for (int i = 0; i < x.length; i++) {
      assertEquals(torchS[i], s[i], torchS[i] * 1e-12, "compiled, x = " + x[i]);
      assertEquals(torchS[i], ref.get("s").doubles()[i], torchS[i] * 1e-12, "interpreter, x = " + x[i]);
    }
    assertEquals(Double.NEGATIVE_INFINITY, ((double[]) m.output("l"))[0]);
  }
}
