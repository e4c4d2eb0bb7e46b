package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.eval.IrEvaluator;
import dev.modelc.ir.Graph;
import dev.modelc.ir.Node;
import dev.modelc.ir.Origin;
import dev.modelc.lower.Sugar;
import dev.modelc.runtime.api.Model;
import dev.modelc.types.DType;
import org.junit.jupiter.api.Test;

/** The seeds' linear regression compiled and run against the reference evaluator, f32 and f64. */
class LinearRegressionTest {

  static Graph linReg(Harness h, int n) {
    Sugar s = new Sugar(h.ir);
    Node x = h.input("x", Harness.shape("N", 1), new int[] {n, 1}, -1, 1);
    Node y = h.input("y", Harness.shape("N", 1), new int[] {n, 1}, -2, 4);
    Node w = h.param("w", 0, 1, 1, 1);
    Node b = h.param("b", 0, 1, 1);
    h.ir.at(new Origin(7, 14));
    Node pred = h.ir.label(s.add(s.matmul(x, w), b), "pred");
    h.ir.at(new Origin(8, 14));
    Node loss = h.ir.label(s.mean(s.pow(s.sub(pred, y), s.number(2, h.dtype)), null, false), "loss");
    h.ir.result("pred", Graph.Kind.OUTPUT, pred);
    return h.train(loss);
  }

  private void oneStep(DType dtype) {
    Harness h = new Harness("LinReg", dtype, 1);
    Graph g = linReg(h, 10);
    CompiledClass c = Harness.compile(g, OptimizerSettings.sgd(0.01));
    Model m = h.instance(c);
    IrEvaluator.Values ref = h.reference(g);
    double tol = h.tolerance();

    h.assertPassMatches("linear regression " + dtype, m, ref, tol, "pred");
    m.step();
    for (String p : h.params.keySet()) {
      double[] before = h.params.get(p).data();
      double[] grad = ref.result(p).data();
      double[] want = new double[before.length];
      for (int i = 0; i < want.length; i++) {
        want[i] = dtype == DType.F32 ? (float) before[i] - (float) 0.01 * (float) grad[i] : before[i] - 0.01 * grad[i];
      }
      Harness.assertClose("updated " + p, want, Harness.toDoubles(m.parameter(p)), tol);
    }
  }

  @Test
  void oneStepF32() {
    oneStep(DType.F32);
  }

  @Test
  void oneStepF64() {
    oneStep(DType.F64);
  }

  @Test
  void typedTrainStepLearnsTheLine() throws Exception {
    Harness h = new Harness("LinReg", DType.F32, 2);
    Graph g = linReg(h, 100);
    CompiledClass c = Harness.compile(g, OptimizerSettings.sgd(0.1));
    Model m = c.newInstance();
    float[] x = new float[100];
    float[] y = new float[100];
    for (int i = 0; i < 100; i++) {
      x[i] = (float) h.rnd.nextGaussian();
      y[i] = 3 * x[i] + 1;
    }
    var trainStep = m.getClass().getMethod("trainStep", float[].class, float[].class, int.class);
    float loss = 0;
    for (int i = 0; i < 300; i++) loss = (float) trainStep.invoke(m, x, y, 100);
    assertTrue(loss < 1e-6, "loss " + loss);
    float[] w = (float[]) m.getClass().getMethod("w").invoke(m);
    float[] b = (float[]) m.getClass().getMethod("b").invoke(m);
    assertEquals(3, w[0], 1e-3);
    assertEquals(1, b[0], 1e-3);
  }
}
