package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.interp.Interpreter;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An index or label out of range at run time names the function the user wrote and its place in the .mdl source,
 * with the same message from the generated class and from the reference interpreter: one row per function that
 * reads by an i32 value.
 */
class IndexErrorsTest {
  private static final String SOURCE = String.join("\n",
      "model Reads {",
      "  input i : i32[K]",
      "  input j : i32[K]",
      "  input k : i32[K]",
      "  input g : i32[K, 3]",
      "  input t : i32[N]",
      "  input u : i32[N]",
      "  input x : f32[N, 3]",
      "  param w : f32[5, 3] init uniform(-1, 1)",
      "  param b : f32[3] init uniform(-1, 1)",
      "  let a = index_select(w, 0, i)",
      "  let e = embedding(j, w)",
      "  let r = gather(w, 0, g)",
      "  let h = one_hot(k, 5) @ w",
      "  let c = cross_entropy(x + b, t)",
      "  let l = nll(log_softmax(x + b, 1), u)",
      "  minimize sum(a) + sum(e) + sum(r) + sum(h) + c + l with sgd(lr = 0.1)",
      "}",
      "");

  /** Two indices per K input, in range, and two labels per N input. */
  private static Map<String, int[]> valid() {
    Map<String, int[]> v = new LinkedHashMap<>();
    v.put("i", new int[] {0, 4});
    v.put("j", new int[] {1, 3});
    v.put("k", new int[] {2, 2});
    v.put("g", new int[] {0, 1, 2, 4, 3, 0});
    v.put("t", new int[] {0, 2});
    v.put("u", new int[] {1, 0});
    return v;
  }

  private final CheckedModel checked = Samples.check("reads.mdl", SOURCE);
  private final CompiledClass compiled = Driver.compile(checked, "demo", "reads.mdl", true);

  @Test
  void eachReadNamesItsFunctionAndPlaceAlikeInTheGeneratedClassAndTheInterpreter() {
    Harness.verify(compiled);
    check("i", 1, 5, "reads.mdl:11:11: index_select: index 5 at position 1 is out of range [0, 5)");
    check("j", 0, -1, "reads.mdl:12:11: embedding: index -1 at position 0 is out of range [0, 5)");
    check("g", 4, 7, "reads.mdl:13:11: gather: index 7 at position 4 is out of range [0, 5)");
    check("k", 1, 5, "reads.mdl:14:11: one_hot: label 5 at position 1 is out of range [0, 5)");
    check("t", 1, 3, "reads.mdl:15:11: cross_entropy: label 3 at position 1 is out of range [0, 3)");
    check("u", 0, -2, "reads.mdl:16:11: nll: label -2 at position 0 is out of range [0, 3)");
  }

  /**
   * A bce input outside [0, 1] (NaN included) fails as PyTorch's binary_cross_entropy does, with its value, at the
   * call's place, alike in the generated class (which computed NaN) and in the interpreter; 0 and 1 themselves are
   * inputs (their logs clamped at -100).
   */
  @Test
  void aBceInputOutsideZeroOneNamesItsPlaceAsPyTorchRefusesIt() {
    CheckedModel bce = Samples.check("probs.mdl", String.join("\n",
        "model Probs {",
        "  input p : f32[N]",
        "  input y : f32[N]",
        "  param s : f32[1] init ones()",
        "  let loss = bce(p * s, y)",
        "  minimize loss with sgd(lr = 0.1)",
        "}",
        ""));
    CompiledClass c = Driver.compile(bce, "demo", "probs.mdl", true);
    Harness.verify(c);
    float[] y = {1, 0, 1};
    for (float bad : new float[] {1.5f, -0.25f, Float.NaN}) {
      float[] p = {0, 1, bad};
      Model m = c.newInstance();
      m.setInput("p", p);
      m.setInput("y", y);
      String message = "probs.mdl:5:14: bce: all elements of input should be between 0 and 1, got " + (double) bad;
      assertEquals(message, assertThrows(IllegalArgumentException.class, m::trainStep).getMessage(), "compiled");
      Interpreter it = new Interpreter(bce, 0);
      it.setInput("p", Tensor.of(p, 3));
      it.setInput("y", Tensor.of(y, 3));
      assertEquals(message, assertThrows(IllegalArgumentException.class, it::forward).getMessage(), "interpreter");
    }
    Model m = c.newInstance();
    m.setInput("p", new float[] {0, 1, 0.5f});
    m.setInput("y", y);
    assertEquals((100 + 100 + Math.log(2)) / 3, m.trainStep(), 1e-5, "0 and 1 are inputs, their logs clamped");
  }

  /** Runs a forward pass of both with {@code input[position] = bad} and the rest valid; both fail with message. */
  private void check(String input, int position, int bad, String message) {
    Map<String, int[]> values = valid();
    values.get(input)[position] = bad;
    Model m = compiled.newInstance();
    Interpreter it = new Interpreter(checked, 0);
    float[] x = {0.5f, -1, 2, 0, 1, -0.5f};
    m.setInput("x", x);
    it.setInput("x", Tensor.of(x, 2, 3));
    for (Map.Entry<String, int[]> v : values.entrySet()) {
      m.setInput(v.getKey(), v.getValue());
      it.setIndices(v.getKey(), v.getValue(), v.getKey().equals("g") ? new int[] {2, 3} : new int[] {2});
    }
    assertEquals(message, assertThrows(IllegalArgumentException.class, m::forward).getMessage(), "compiled");
    assertEquals(message, assertThrows(IllegalArgumentException.class, it::forward).getMessage(), "interpreter");
  }
}
