package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.interp.Interpreter;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A logit masked with -infinity, in a class other than the label's, leaves cross_entropy and nll finite, as in
 * PyTorch (whose nll_loss reads only the label's log-probability): log_softmax([-inf, 0, 1]) picked at class 1 is
 * -log(1 + e). A -infinity at the label's own class gives an infinite loss in both.
 */
class MaskedLogitsTest {
  private static final float NEG_INF = Float.NEGATIVE_INFINITY;

  private static String source(String loss) {
    return String.join("\n",
        "model Masked {",
        "  input z : f32[B, 3]",
        "  input t : i32[B]",
        "  param s : f32[3] init ones",
        "  let loss = " + loss + "(z * s, t)",
        "  minimize loss with sgd(lr = 0.01)",
        "}",
        "");
  }

  @Test
  void aMaskedClassOtherThanTheLabelsLeavesTheLossFinite() {
    assertLosses("cross_entropy", new float[] {NEG_INF, 0, 1, 2, NEG_INF, 0}, new int[] {1, 2},
        (Math.log(1 + Math.E) + Math.log(1 + Math.exp(2))) / 2);
    assertLosses("nll", new float[] {NEG_INF, -0.5f, 1, 2, NEG_INF, -3}, new int[] {1, 2}, (0.5 + 3) / 2);
    assertLosses("cross_entropy", new float[] {NEG_INF, 0, 1}, new int[] {0}, Double.POSITIVE_INFINITY);
  }

  /**
   * A row holding +infinity is NaN throughout in PyTorch's log_softmax and softmax (they subtract the maximum:
   * {@code inf - inf}), so cross_entropy over it is NaN whatever the label, and so is every gradient of the row;
   * other rows keep their values (torch 1.13: {@code F.cross_entropy([[0, inf, 0], [1, 2, 3]], [0, 2])} is NaN,
   * and {@code softmax([0, inf, 0])} is {@code [nan, nan, nan]}).
   */
  @Test
  void aPositiveInfiniteLogitMakesItsRowNaNAsInPyTorch() {
    float inf = Float.POSITIVE_INFINITY;
    assertLosses("cross_entropy", new float[] {0, inf, 0}, new int[] {0}, Double.NaN);
    assertLosses("cross_entropy", new float[] {inf, 0, 0}, new int[] {0}, Double.NaN);

    CheckedModel checked = Samples.check("soft.mdl", """
        model Soft {
          input z : f32[B, 3]
          param s : f32[3] init ones
          let p = softmax(z * s, dim = 1)
          let loss = sum(p * p)
          output p
          minimize loss with sgd(lr = 0.01)
        }
        """);
    Model m = Driver.compile(checked, "demo", "soft.mdl", true).newInstance();
    float[] z = {0, inf, 0, 1, 2, 3};
    m.setInput("z", z);
    m.zeroGrad();
    m.forward();
    m.backward();
    float[] p = (float[]) m.output("p");
    Interpreter it = new Interpreter(checked, 1);
    it.setInput("z", Tensor.of(z, 2, 3));
    double[] q = it.forward().get("p").doubles();
    double e = Math.exp(1) + Math.exp(2) + Math.exp(3);
    for (int j = 0; j < 3; j++) {
      assertEquals(Float.NaN, p[j], "compiled softmax, row 0, " + j);
      assertEquals(Double.NaN, q[j], "interpreter softmax, row 0, " + j);
      assertEquals(Math.exp(j + 1) / e, p[3 + j], 1e-6, "compiled softmax, row 1, " + j);
      assertEquals(Math.exp(j + 1) / e, q[3 + j], 1e-6, "interpreter softmax, row 1, " + j);
      assertEquals(Float.NaN, ((float[]) m.gradient("s"))[j], "the row's NaN reaches every gradient, " + j);
    }
  }

  /**
   * Large logits keep their log-probabilities: PyTorch subtracts the maximum before the log of the sum, so two tied
   * maxima of 3e38 each get log(1/2) (the other order, {@code x - (max + log(sum))}, gave 0: softmax 1 each).
   */
  @Test
  void tiedHugeLogitsShareTheProbability() {
    float[] z = {3e38f, 3e38f, 1, -3e38f, 1e30f, 1e30f};
    assertLosses("cross_entropy", z, new int[] {0, 2}, (Math.log(2) + Math.log(2)) / 2);
    CheckedModel checked = Samples.check("big.mdl", """
        model Big {
          input z : f32[B, 3]
          let p = softmax(z, dim = 1)
          output p
        }
        """);
    Model m = Driver.compile(checked, "demo", "big.mdl", true).newInstance();
    m.setInput("z", z);
    m.predict();
    Interpreter it = new Interpreter(checked, 1);
    it.setInput("z", Tensor.of(z, 2, 3));
    double[] q = it.forward().get("p").doubles();
    double[] want = {0.5, 0.5, 0, 0, 0.5, 0.5};
    for (int i = 0; i < 6; i++) {
      assertEquals(want[i], ((float[]) m.output("p"))[i], 1e-7, "compiled softmax at " + i);
      assertEquals(want[i], q[i], 1e-7, "interpreter softmax at " + i);
    }
  }

  private static void assertLosses(String loss, float[] z, int[] t, double expected) {
    CheckedModel checked = Samples.check("masked.mdl", source(loss));
    CompiledClass compiled = Driver.compile(checked, "demo", "masked.mdl", true);
    Harness.verify(compiled);
    Model m = compiled.newInstance();
    m.setInput("z", z);
    m.setInput("t", t);
    assertEquals(expected, m.trainStep(), 1e-6, loss + " compiled");

    Interpreter it = new Interpreter(checked, 1);
    it.setInput("z", Tensor.of(z, t.length, 3));
    it.setLabels("t", t);
    it.forward();
    assertEquals(expected, it.loss().item(), 1e-6, loss + " in the reference interpreter");
  }
}
