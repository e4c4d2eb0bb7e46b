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
 * {@code x ** 0.5} and {@code x ** -0.5} are PyTorch's sqrt and rsqrt (its pow kernel's cases for those number
 * exponents), which differ from {@code pow} at -infinity (NaN, not infinity or 0) and at -0.0 (-0.0 and -infinity,
 * not +0.0 and +infinity); so is the gradient, {@code 0.5 x ** -0.5}. The values are torch 1.13's, in the compiled
 * class and the reference interpreter.
 */
class PowScalarTest {
  @Test
  void halfPowersAreSqrtAndRsqrtAsInPyTorch() {
    CheckedModel checked = Samples.check("p.mdl", """
        model P {
          input x : f32[4]
          let a = x ** 0.5
          let b = x ** -0.5
          let g = grad(sum(a), x)
          output a
          output b
          output g
        }
        """);
    float[] x = {Float.NEGATIVE_INFINITY, -0f, 4, 0.25f};
    double[] a = {Double.NaN, -0.0, 2, 0.5};
    double[] b = {Double.NaN, Double.NEGATIVE_INFINITY, 0.5, 2};
    double[] grad = {Double.NaN, Double.NEGATIVE_INFINITY, 0.25, 1};
    Model m = Driver.compile(checked, "", "p.mdl", true).newInstance();
    m.setInput("x", x);
    m.predict();
    Interpreter it = new Interpreter(checked, 0);
    it.setInput("x", Tensor.of(x, 4));
    Map<String, Tensor> out = it.forward();
    for (int i = 0; i < 4; i++) {
      String at = "x = " + x[i];
      assertEquals(a[i], ((float[]) m.output("a"))[i], "compiled x ** 0.5, " + at);
      assertEquals(b[i], ((float[]) m.output("b"))[i], "compiled x ** -0.5, " + at);
      assertEquals(grad[i], ((float[]) m.output("g"))[i], "compiled gradient, " + at);
      assertEquals(a[i], out.get("a").doubles()[i], "interpreter x ** 0.5, " + at);
      assertEquals(b[i], out.get("b").doubles()[i], "interpreter x ** -0.5, " + at);
      assertEquals(grad[i], out.get("g").doubles()[i], "interpreter gradient, " + at);
    }
  }
}
