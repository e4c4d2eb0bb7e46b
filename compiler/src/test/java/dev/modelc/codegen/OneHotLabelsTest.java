package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.interp.Interpreter;
import dev.modelc.runtime.api.Model;
import org.junit.jupiter.api.Test;

/**
 * A label out of one_hot's range is an error naming the call's place in the .mdl source, in the generated class and
 * in the reference interpreter.
 */
class OneHotLabelsTest {
  private static final String SOURCE = String.join("\n",
      "model OneHot {",
      "  input t : i32[B]",
      "  param w : f32[4] init uniform(-1, 1)",
      "  let h = one_hot(t, 4) * w",
      "  minimize sum(h) with sgd(lr = 0.1)",
      "}",
      "");

  @Test
  void aLabelOutOfRangeNamesTheCall() {
    CheckedModel checked = Samples.check("labels.mdl", SOURCE);
    CompiledClass compiled = Driver.compile(checked, "demo", "labels.mdl", true);
    Harness.verify(compiled);
    Model m = compiled.newInstance();
    m.setInput("t", new int[] {1, 3, 0});
    m.trainStep();
    m.setInput("t", new int[] {1, 4, 0});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, m::trainStep);
    assertEquals("labels.mdl:4:11: one_hot: label 4 at position 1 is out of range [0, 4)", e.getMessage());
    m.setInput("t", new int[] {-1});
    e = assertThrows(IllegalArgumentException.class, m::forward);
    assertEquals("labels.mdl:4:11: one_hot: label -1 at position 0 is out of range [0, 4)", e.getMessage());

    Interpreter it = new Interpreter(checked, 1);
    it.setLabels("t", new int[] {1, 4, 0});
    e = assertThrows(IllegalArgumentException.class, it::forward);
    assertEquals("labels.mdl:4:11: one_hot: label 4 at position 1 is out of range [0, 4)", e.getMessage());
  }
  /** A pass that throws leaves no graph to backward: its buffers are partly those of the new inputs. */
  @Test
  void aFailedPassLeavesNothingToBackwardOrRead() {
    CheckedModel checked = Samples.check("labels.mdl", SOURCE);
    Model m = Driver.compile(checked, "demo", "labels.mdl", true).newInstance();
    m.setInput("t", new int[] {1, 3, 0});
    m.forward();
    double first = m.loss();
    m.setInput("t", new int[] {1, 4, 0});
    assertThrows(IllegalArgumentException.class, m::forward);
    String failed = "the last forward pass threw, so it left no graph, loss or outputs (its buffers are partly "
        + "overwritten); run forward(), trainStep() or predict() again";
    assertEquals(failed, assertThrows(IllegalStateException.class, m::backward).getMessage());
    assertEquals(failed, assertThrows(IllegalStateException.class, m::loss).getMessage());
    assertThrows(IllegalArgumentException.class, m::trainStep);
    assertEquals(failed, assertThrows(IllegalStateException.class, m::backward).getMessage());
    m.setInput("t", new int[] {1, 3, 0});
    m.forward();
    m.backward();
    assertEquals(first, m.loss(), "the same inputs as the first pass, the same loss");
  }
}
