package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.runtime.api.Model;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * leaky_relu and its gradient in generated code ({@code Masks.scaleUnlessGreater}, in vector lanes where the Vector
 * API is in use) equal PyTorch's kernels bit for bit: {@code x > 0 ? x : x * slope} and
 * {@code x > 0 ? grad : grad * slope}, in the model's precision with the slope rounded to it, over a length that
 * leaves a tail after the last whole vector, with NaN, the infinities and signed zeros among the inputs.
 */
class LeakyReluBitsTest {
  private static final String SOURCE = """
      model L {
        param x : f32[1003] init zeros()
        param s : f32[1003] init zeros()
        let y = leaky_relu(x, negative_slope = SLOPE)
        let loss = sum(y * s)
        output y
        minimize loss with sgd(lr = 0)
      }
      """;
  private static final float[] SPECIAL = {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 0f, -0f,
      Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE};

  @Test
  void f32ForwardAndGradientAreTorchsBits() {
    for (double slope : new double[] {0.01, 0.2, 1.0 / 3}) {
      Random r = new Random(11);
      float[] x = values(r);
      float[] s = values(r);
      Model m = compile(SOURCE.replace("SLOPE", Double.toString(slope)));
      m.setParameter("x", x);
      m.setParameter("s", s);
      m.zeroGrad();
      m.forward();
      m.backward();
      float[] y = (float[]) m.output("y");
      float[] gx = (float[]) m.gradient("x");
      float k = (float) slope;
      for (int i = 0; i < x.length; i++) {
        String where = "slope " + slope + " x=" + x[i] + " s=" + s[i] + " i=" + i;
        assertEquals(Float.floatToRawIntBits(x[i] > 0 ? x[i] : x[i] * k), Float.floatToRawIntBits(y[i]), where);
        // a parameter's gradient is added to its zeroed array, so a -0 contribution reads +0 (the sum's sign rule)
        assertEquals(Float.floatToRawIntBits(0f + (x[i] > 0 ? s[i] : s[i] * k)), Float.floatToRawIntBits(gx[i]), where);
      }
    }
  }

  @Test
  void f64ForwardAndGradientAreTheSelectInDouble() {
    Random r = new Random(12);
    float[] xf = values(r);
    float[] sf = values(r);
    double[] x = new double[xf.length];
    double[] s = new double[sf.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = xf[i];
      s[i] = sf[i] * 1.1;
    }
    Model m = compile(SOURCE.replace("SLOPE", "0.01").replace("f32", "f64"));
    m.setParameter("x", x);
    m.setParameter("s", s);
    m.zeroGrad();
    m.forward();
    m.backward();
    double[] y = (double[]) m.output("y");
    double[] gx = (double[]) m.gradient("x");
    for (int i = 0; i < x.length; i++) {
      String where = "x=" + x[i] + " s=" + s[i] + " i=" + i;
      assertEquals(Double.doubleToRawLongBits(x[i] > 0 ? x[i] : x[i] * 0.01), Double.doubleToRawLongBits(y[i]), where);
      assertEquals(Double.doubleToRawLongBits(0.0 + (x[i] > 0 ? s[i] : s[i] * 0.01)), Double.doubleToRawLongBits(gx[i]),
          where);
    }
  }

  /**
   * In a predict-only model, leaky_relu after a product and its bias runs in place over the product's output (the
   * epilogue), as the same mask call: the values are the product's, leaky_relu'd.
   */
  @Test
  void afterAProductWithBiasItRunsInPlace() {
    String source = """
        model K {
          input x : f32[B, 20]
          param w : f32[30, 20] init normal(0, 1)
          param b : f32[30] init normal(0, 1)
          let y = leaky_relu(x @ w^T + b, negative_slope = 0.1)
          output y
        }
        """;
    CheckedModel checked = Samples.check("k.mdl", source);
    String schedule = dev.modelc.sched.Scheduler.schedule(Driver.inference(checked, true)).print();
    org.junit.jupiter.api.Assertions.assertTrue(
        schedule.contains("in place: leaky_relu") && schedule.contains("as Masks.scaleUnlessGreater"), schedule);
    CompiledClass c = Driver.compile(checked, "", "k.mdl", true);
    Harness.verify(c);
    Model m = c.newInstance();
    m.initialize(5);
    Random r = new Random(14);
    int rows = 70;
    float[] x = new float[rows * 20];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
    m.setSize("B", rows);
    m.setInput("x", x);
    m.predict();
    float[] y = (float[]) m.output("y");
    float[] w = (float[]) m.parameter("w");
    float[] b = (float[]) m.parameter("b");
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < 30; j++) {
        double z = b[j];
        for (int p = 0; p < 20; p++) z += (double) x[i * 20 + p] * w[j * 20 + p];
        double want = z > 0 ? z : z * 0.1;
        assertEquals(want, y[i * 30 + j], 1e-5 * Math.max(1, Math.abs(want)), "row " + i + " column " + j);
      }
    }
  }

  private static Model compile(String source) {
    CheckedModel m = Samples.check("leaky.mdl", source);
    CompiledClass c = Driver.compile(m, "", "leaky.mdl", true);
    Harness.verify(c);
    return c.newInstance();
  }

  private static float[] values(Random r) {
    float[] v = new float[1003];
    for (int i = 0; i < v.length; i++) {
      int kind = r.nextInt(10);
      v[i] = kind == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
    }
    return v;
  }
}
