package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.eval.IrEvaluator;
import dev.modelc.eval.NdArray;
import dev.modelc.ir.Graph;
import dev.modelc.runtime.api.CompiledModel;
import dev.modelc.runtime.api.Model;
import dev.modelc.types.DType;
import org.junit.jupiter.api.Test;

/** PyTorch's autograd rules and the argument checks, on the compiled linear regression. */
class SemanticsTest {
  private final Harness h = new Harness("LinReg", DType.F32, 5);
  private final Graph g = LinearRegressionTest.linReg(h, 6);
  private final CompiledClass c = Harness.compile(g, OptimizerSettings.sgd(0.1));

  @Test
  void secondBackwardWithoutRetainGraphFailsWithPyTorchsMessage() {
    Model m = h.instance(c);
    m.forward();
    m.backward();
    IllegalStateException e = assertThrows(IllegalStateException.class, m::backward);
    assertEquals(CompiledModel.SECOND_BACKWARD, e.getMessage());
    assertTrue(e.getMessage().startsWith("Trying to backward through the graph a second time"));
  }

  @Test
  void backwardBeforeForwardFails() {
    Model m = h.instance(c);
    assertThrows(IllegalStateException.class, m::backward);
  }

  @Test
  void gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
    Model m = h.instance(c);
    IrEvaluator.Values ref = h.reference(g);
    m.zeroGrad();
    m.forward();
    m.backward(true);
    m.backward();
    for (String p : h.params.keySet()) {
      double[] twice = ref.result(p).data().clone();
      for (int i = 0; i < twice.length; i++) twice[i] = (float) (2 * (float) twice[i]);
      Harness.assertClose("twice grad " + p, twice, Harness.toDoubles(m.gradient(p)), 1e-5);
    }
    m.forward();
    m.backward();
    m.zeroGrad();
    m.forward();
    m.backward();
    for (String p : h.params.keySet()) {
      Harness.assertClose("grad " + p, ref.result(p).data(), Harness.toDoubles(m.gradient(p)), 1e-5);
    }
  }

  @Test
  void aParameterOfTheWrongArrayTypeSaysWhichTypeItWants() {
    Model m = c.newInstance();
    var e = assertThrows(IllegalArgumentException.class, () -> m.setParameter("w", new double[1]));
    assertEquals("parameter w: expected float[] (f32[1, 1]), that is 1 elements, got 1 elements of double[]",
        e.getMessage());
  }

  @Test
  void wrongLengthsNameTheInputAndTheShape() throws Exception {
    Model m = c.newInstance();
    var forward = m.getClass().getMethod("forward", float[].class, float[].class, int.class);
    var e = assertThrows(java.lang.reflect.InvocationTargetException.class,
        () -> forward.invoke(m, new float[6], new float[5], 6));
    String msg = e.getCause().getMessage();
    assertTrue(e.getCause() instanceof IllegalArgumentException, msg);
    assertTrue(msg.contains("input y") && msg.contains("f32[N, 1]") && msg.contains("N = 6")
        && msg.contains("has 5"), msg);
    e = assertThrows(java.lang.reflect.InvocationTargetException.class,
        () -> forward.invoke(m, new float[6], null, 6));
    assertEquals("input y: expected float[] (f32[N, 1]) but got null", e.getCause().getMessage());
  }

  @Test
  void disagreeingSymbolicSizesAreReported() {
    Model m = c.newInstance();
    m.setInput("x", new float[6]);
    m.setInput("y", new float[4]);
    var e = assertThrows(IllegalArgumentException.class, m::forward);
    assertTrue(e.getMessage().contains("input y") && e.getMessage().contains("N = 6 (from input x)"),
        e.getMessage());
  }

  @Test
  void buffersFollowTheBatchAndPredictNeedsOnlyItsInputs() throws Exception {
    Model m = c.newInstance();
    h.params.forEach((name, v) -> m.setParameter(name, Harness.toArray(v)));
    for (int n : new int[] {6, 20, 3}) {
      Harness other = new Harness("LinReg", DType.F32, n);
      LinearRegressionTest.linReg(other, n);
      other.params.clear();
      other.params.putAll(h.params);
      other.inputs.forEach((name, v) -> m.setInput(name, Harness.toArray(v)));
      m.forward();
      IrEvaluator.Values ref = other.reference(g);
      assertEquals(ref.result("loss").item(), m.loss(), 1e-5 * Math.abs(m.loss()));
      float[] out = new float[n];
      var predict = m.getClass().getMethod("predict", float[].class, int.class, float[].class);
      predict.invoke(m, (float[]) Harness.toArray(other.inputs.get("x")), n, out);
      Harness.assertClose("predict", ref.result("pred").data(), Harness.toDoubles(out), 1e-6);
    }
    NdArray x = h.inputs.get("x");
    assertEquals(6, x.size());
  }
}
