package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.eval.IrEvaluator;
import dev.modelc.eval.NdArray;
import dev.modelc.ir.Graph;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.ir.Origin;
import dev.modelc.lower.Sugar;
import dev.modelc.runtime.api.CompiledModel;
import dev.modelc.runtime.api.Model;
import dev.modelc.sched.Schedule;
import dev.modelc.types.DType;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The seeds' CNN end to end: values and several Adam steps against the evaluator, the schedule, allocation. */
class ConvNetTest {
  static Node linear(Harness h, Sugar s, String prefix, Node x, int in, int out) {
    double bound = 1 / Math.sqrt(in);
    return s.linear(x, h.param(prefix + ".weight", -bound, bound, out, in), h.param(prefix + ".bias", -bound, bound, out));
  }

  static Graph net(Harness h, int batch) {
    Sugar s = new Sugar(h.ir);
    h.ir.at(new Origin(20, 3));
    Node x = h.input("x", Harness.shape("B", 1, 28, 28), new int[] {batch, 1, 28, 28}, 0, 1);
    Node t = h.labels("t", Harness.shape("B"), batch, 10);
    h.ir.at(new Origin(23, 10));
    Node c = s.conv2d(x, h.param("conv.weight", -0.2, 0.2, 6, 1, 5, 5), h.param("conv.bias", -0.2, 0.2, 6),
        new int[] {1, 1}, new int[] {0, 0});
    h.ir.at(new Origin(28, 16));
    Node pooled = s.pool(Op.MAXPOOL2D, s.unary(Op.RELU, c), new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0});
    h.ir.at(new Origin(29, 16));
    Node z1 = s.unary(Op.RELU, linear(h, s, "fc1", s.reshape(pooled, Harness.shape("B", 864)), 864, 120));
    Node z2 = s.unary(Op.RELU, linear(h, s, "fc2", z1, 120, 84));
    Node logits = h.ir.label(linear(h, s, "fc3", z2, 84, 10), "logits");
    h.ir.at(new Origin(30, 16));
    Node loss = h.ir.label(s.crossEntropy(logits, t, "mean"), "loss");
    h.ir.result("logits", Graph.Kind.OUTPUT, logits);
    return h.train(loss);
  }

  @Test
  void adamStepsFollowTheEvaluator() {
    Harness h = new Harness("Net", DType.F64, 3);
    Graph g = net(h, 3);
    OptimizerSettings adam = OptimizerSettings.adam(1e-3, 0.9, 0.999, 1e-8, 0);
    Model m = h.instance(Harness.compile(g, adam));
    Map<String, double[]> mom = new HashMap<>();
    Map<String, double[]> vel = new HashMap<>();
    for (int step = 1; step <= 5; step++) {
      IrEvaluator.Values ref = h.reference(g);
      double loss = m.trainStep();
      assertEquals(ref.result("loss").item(), loss, 1e-10, "loss at step " + step);
      Harness.assertClose("logits", ref.result("logits").data(), Harness.toDoubles(m.output("logits")), 1e-10);
      for (String p : h.params.keySet()) {
        Harness.assertClose("grad " + p, ref.result(p).data(), Harness.toDoubles(m.gradient(p)), 1e-9);
        NdArray before = h.params.get(p);
        double[] w = before.data().clone();
        double[] gr = ref.result(p).data();
        double[] mm = mom.computeIfAbsent(p, k -> new double[w.length]);
        double[] vv = vel.computeIfAbsent(p, k -> new double[w.length]);
        for (int i = 0; i < w.length; i++) {
          mm[i] = 0.9 * mm[i] + 0.1 * gr[i];
          vv[i] = 0.999 * vv[i] + 0.001 * gr[i] * gr[i];
          double mhat = mm[i] / (1 - Math.pow(0.9, step));
          double vhat = vv[i] / (1 - Math.pow(0.999, step));
          w[i] -= 1e-3 * mhat / (Math.sqrt(vhat) + 1e-8);
        }
        Harness.assertClose("updated " + p, w, Harness.toDoubles(m.parameter(p)), 1e-9);
        h.params.put(p, new NdArray(before.dtype(), before.shape(), w));
      }
    }
  }

  @Test
  void f32ValuesAndSchedule() {
    Harness h = new Harness("Net", DType.F32, 4);
    Graph g = net(h, 4);
    CompiledClass c = Harness.compile(g, OptimizerSettings.sgd(0.01, 0.9, 0, true, 1e-4));
    Model m = h.instance(c);
    IrEvaluator.Values ref = h.reference(g);
    m.forward();
    m.backward();
    assertEquals(ref.result("loss").item(), m.loss(), 1e-5);
    for (String p : h.params.keySet()) {
      Harness.assertClose("grad " + p, ref.result(p).data(), Harness.toDoubles(m.gradient(p)), 1e-4);
    }
    Schedule s = c.schedule();
    String text = s.print();
    assertTrue(s.buffers().stream().anyMatch(b -> b.values().size() > 1), "some buffer is reused:\n" + text);
    assertTrue(text.contains("conv2d") && text.contains("matmul") && text.contains("(+=)"), text);
  }

  /**
   * The forward pass records the pooling's argmax for the backward pass to read; predict gives the same outputs
   * without writing it.
   */
  @Test
  void predictLeavesTheArgmaxAlone() throws ReflectiveOperationException {
    Harness h = new Harness("Net", DType.F32, 6);
    Graph g = net(h, 4);
    CompiledClass c = Harness.compile(g, OptimizerSettings.sgd(0.01));
    Model m = h.instance(c);
    Schedule s = c.schedule();
    Node pool = s.graph().nodes().stream().filter(n -> n.op == Op.MAXPOOL2D).findFirst().orElseThrow();
    Field field = CompiledModel.class.getDeclaredField("buffers");
    field.setAccessible(true);
    m.forward();
    double[] logits = Harness.toDoubles(m.output("logits"));
    int[] argmax = (int[]) ((Object[]) field.get(m))[s.argmax(pool).index()];
    int[] recorded = argmax.clone();
    assertTrue(Arrays.stream(recorded).distinct().count() > 1, "positions recorded");
    Arrays.fill(argmax, -7);
    m.predict();
    Harness.assertClose("predict's logits", logits, Harness.toDoubles(m.output("logits")), 0);
    assertTrue(Arrays.stream(argmax).allMatch(i -> i == -7), "predict wrote the argmax");
    m.forward();
    assertArrayEquals(recorded, argmax);
  }

  @Test
  void steadyStateTrainStepAllocatesNothing() {
    Harness h = new Harness("Net", DType.F32, 5);
    Graph g = net(h, 8);
    Model m = h.instance(Harness.compile(g, OptimizerSettings.adam(1e-3, 0.9, 0.999, 1e-8, 0)));
    long allocated = Harness.steadyStepAllocation(m);
    assertTrue(Double.isFinite(m.loss()));
    assertEquals(0, allocated, "bytes allocated by 20 steady-state training steps");
  }
}
