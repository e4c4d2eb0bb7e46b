package dev.modelc.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.eval.IrEvaluator;
import dev.modelc.eval.NdArray;
import dev.modelc.ir.Attr;
import dev.modelc.ir.Dims;
import dev.modelc.ir.Graph;
import dev.modelc.ir.GraphBuilder;
import dev.modelc.ir.IrException;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.ir.Origin;
import dev.modelc.ir.Verifier;
import dev.modelc.opt.PassOptions;
import dev.modelc.opt.Pipeline;
import dev.modelc.types.DType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Gradients of gradients, end to end: the adjoint is IR, so the adjoint builder runs again over it. Checked against
 * finite differences of the first-order quantities, before and after the optimization pipeline (which verifies the
 * graph after every pass).
 */
class SecondOrderTest {
  private final Random rnd = new Random(42);
  private final Map<String, NdArray> inputs = new HashMap<>();
  private final Map<String, NdArray> params = new HashMap<>();

  private Node input(GraphBuilder ir, String name, int... shape) {
    inputs.put(name, new NdArray(DType.F64, shape, GradCheck.uniform(rnd, NdArray.count(shape), -1, 1)));
    return ir.input(name, Dims.type(DType.F64, shape(shape)));
  }

  private Node param(GraphBuilder ir, String name, int... shape) {
    params.put(name, new NdArray(DType.F64, shape, GradCheck.uniform(rnd, NdArray.count(shape), -1, 1)));
    return ir.param(name, Dims.type(DType.F64, shape(shape)));
  }

  private static dev.modelc.types.Shape shape(int... dims) {
    return Dims.shape(java.util.Arrays.stream(dims).asLongStream().toArray());
  }

  private static Node sumAll(GraphBuilder ir, Node x) {
    return ir.reduceSum(x, GraphBuilder.allAxes(x.rank()), false);
  }

  /** Checks a graph's values before and after the verified pipeline agree, and returns the optimized graph. */
  private Graph optimized(Graph g) {
    assertEquals(List.of(), Verifier.check(g));
    Graph o = Pipeline.standard(PassOptions.training().withVerify(true)).run(g);
    var before = new IrEvaluator(g).run(inputs, params).results();
    var after = new IrEvaluator(o).run(inputs, params).results();
    for (String name : before.keySet()) {
      GradCheck.assertClose("optimized " + name, before.get(name).data(), after.get(name).data(), 1e-12);
    }
    return o;
  }

  @Test
  void hessianVectorProductMatchesFiniteDifferencesOfTheGradient() {
    GraphBuilder ir = new GraphBuilder("hvp");
    Node x = input(ir, "x", 4, 3);
    Node v = input(ir, "v", 2, 3);
    Node w = param(ir, "w", 2, 3);
    Node b = param(ir, "b", 2);
    Node h = ir.unary(Op.TANH, ir.add(ir.matmul(x, ir.transposeLast(w)), ir.broadcastTo(b, shape(4, 2))));
    Node logp = ir.add(Op.LOG_SOFTMAX, new Attr.Axes(List.of(1), true), List.of(h));
    Node f = ir.add(sumAll(ir, ir.mul(logp, logp)), sumAll(ir, ir.pow(w, ir.full(3, w))));
    Node gw = Adjoint.grad(ir, f, List.of(w)).get(0);
    Node hv = Adjoint.grad(ir, sumAll(ir, ir.mul(gw, v)), List.of(w)).get(0);
    ir.result("gw", Graph.Kind.GRADIENT, gw);
    ir.result("hv", Graph.Kind.GRADIENT, hv);
    Graph g = optimized(ir.build());

    double eps = 1e-6;
    double[] plus = gradAt(g, "w", inputs.get("v"), eps);
    double[] minus = gradAt(g, "w", inputs.get("v"), -eps);
    double[] fd = new double[plus.length];
    for (int i = 0; i < fd.length; i++) fd[i] = (plus[i] - minus[i]) / (2 * eps);
    GradCheck.assertClose("H v", fd, new IrEvaluator(g).run(inputs, params).result("hv").data(), 1e-6);
  }

  /** The gradient "gw" with param name moved by delta * direction. */
  private double[] gradAt(Graph g, String name, NdArray direction, double delta) {
    NdArray p = params.get(name);
    double[] d = p.data().clone();
    for (int i = 0; i < d.length; i++) d[i] += delta * direction.data()[i];
    Map<String, NdArray> moved = new HashMap<>(params);
    moved.put(name, new NdArray(p.dtype(), p.shape(), d));
    return new IrEvaluator(g).run(inputs, moved).result("gw").data();
  }

  @Test
  void gradientPenaltyLossHasTheGradientFiniteDifferencesGive() {
    GraphBuilder ir = new GraphBuilder("penalty");
    Node x = input(ir, "x", 5, 3);
    Node w = param(ir, "w", 2, 3);
    Node b = param(ir, "b", 2);
    Node y = ir.add(Op.SOFTPLUS, new Attr.Softplus(1, 20),
        List.of(ir.add(ir.matmul(x, ir.transposeLast(w)), ir.broadcastTo(b, shape(5, 2)))));
    Node out = sumAll(ir, ir.mul(y, y));
    Node dx = Adjoint.grad(ir, out, List.of(x)).get(0);
    Node loss = ir.add(out, ir.scale(sumAll(ir, ir.mul(dx, dx)), 0.5));
    List<Node> grads = Adjoint.grad(ir, loss, List.of(w, b));
    ir.result("loss", Graph.Kind.OBJECTIVE, loss);
    ir.result("w", Graph.Kind.GRADIENT, grads.get(0));
    ir.result("b", Graph.Kind.GRADIENT, grads.get(1));
    checkAgainstFiniteDifferences(optimized(ir.build()), List.of("w", "b"));
  }

  @Test
  void gradientPenaltyThroughConvolutionAndAveragePooling() {
    GraphBuilder ir = new GraphBuilder("conv_penalty");
    Node x = input(ir, "x", 2, 2, 6, 6);
    Node c = input(ir, "c", 2, 3, 2, 2);
    Node w = param(ir, "w", 3, 2, 3, 3);
    Node h = ir.unary(Op.TANH, ir.conv2d(x, w, new Attr.Window(0, 0, 1, 1, 1, 1)));
    Node y = ir.add(Op.AVGPOOL2D, new Attr.Window(3, 3, 3, 3, 0, 0), List.of(h));
    Node out = sumAll(ir, ir.mul(y, c));
    Node dx = Adjoint.grad(ir, out, List.of(x)).get(0);
    Node loss = ir.add(out, sumAll(ir, ir.mul(dx, dx)));
    ir.result("loss", Graph.Kind.OBJECTIVE, loss);
    ir.result("w", Graph.Kind.GRADIENT, Adjoint.grad(ir, loss, List.of(w)).get(0));
    checkAgainstFiniteDifferences(optimized(ir.build()), List.of("w"));
  }

  private void checkAgainstFiniteDifferences(Graph g, List<String> paramNames) {
    var values = new IrEvaluator(g).run(inputs, params);
    for (String p : paramNames) {
      double[] fd = GradCheck.numeric(g, "loss", inputs, params, p, true, 1e-6);
      GradCheck.assertClose("d loss / d " + p, fd, values.result(p).data(), 1e-6);
    }
  }

  @Test
  void vectorJacobianProductOfANonScalarOutput() {
    GraphBuilder ir = new GraphBuilder("vjp");
    Node x = input(ir, "x", 3, 4);
    Node v = input(ir, "v", 3, 4);
    Node y = ir.mul(ir.exp(x), ir.unary(Op.SIN, x));
    Node vjp = Adjoint.vjp(ir, y, v, List.of(x)).get(0);
    ir.result("vjp", Graph.Kind.OUTPUT, vjp);
    ir.result("loss", Graph.Kind.OBJECTIVE, sumAll(ir, ir.mul(y, v)));
    Graph g = optimized(ir.build());
    double[] fd = GradCheck.numeric(g, "loss", inputs, params, "x", false, 1e-6);
    GradCheck.assertClose("v^T J", fd, new IrEvaluator(g).run(inputs, params).result("vjp").data(), 1e-6);
  }

  @Test
  void nonScalarWithoutSeedIsRefusedWithTorchWording() {
    GraphBuilder ir = new GraphBuilder("noseed");
    Node x = ir.input("x", Dims.type(DType.F64, shape(3)));
    ir.at(new Origin(4, 9));
    Node y = ir.exp(x);
    IrException e = assertThrows(IrException.class, () -> Adjoint.grad(ir, y, List.of(x)));
    assertEquals("grad can be implicitly created only for scalar outputs", e.getMessage());
    assertEquals(new Origin(4, 9), e.origin);
  }

  @Test
  void detachStopsTheGradient() {
    GraphBuilder ir = new GraphBuilder("detach");
    Node x = input(ir, "x", 3);
    Node y = sumAll(ir, ir.mul(x, ir.unary(Op.STOP_GRADIENT, x)));
    ir.result("dx", Graph.Kind.GRADIENT, Adjoint.grad(ir, y, List.of(x)).get(0));
    var dx = new IrEvaluator(ir.build()).run(inputs, params).result("dx").data();
    GradCheck.assertClose("d(x * detach(x))/dx = detach(x)", inputs.get("x").data(), dx, 0);
  }

  /**
   * Max pooling twice differentiated, as PyTorch defines it: the backward's derivative in its incoming gradient is a
   * gather at the argmax, in the pooled input zero. The cotangent reaching the pool (2y) depends on w, so the gather
   * is on the path of d loss / d w.
   */
  @Test
  void gradientPenaltyThroughMaxPooling() {
    GraphBuilder ir = new GraphBuilder("maxpool_penalty");
    Node x = input(ir, "x", 2, 2, 6, 6);
    Node w = param(ir, "w", 3, 2, 3, 3);
    Node h = ir.unary(Op.TANH, ir.conv2d(x, w, new Attr.Window(0, 0, 1, 1, 1, 1)));
    ir.at(new Origin(7, 12));
    Node y = ir.add(Op.MAXPOOL2D, new Attr.Window(2, 2, 2, 2, 0, 0), List.of(h));
    Node out = sumAll(ir, ir.mul(y, y));
    Node dx = Adjoint.grad(ir, out, List.of(x)).get(0);
    Node loss = ir.add(out, sumAll(ir, ir.mul(dx, dx)));
    ir.result("loss", Graph.Kind.OBJECTIVE, loss);
    ir.result("w", Graph.Kind.GRADIENT, Adjoint.grad(ir, loss, List.of(w)).get(0));
    Graph g = ir.build();
    assertTrue(g.nodes().stream().anyMatch(n -> n.op == Op.MAXPOOL2D_GATHER), "the gather is on the path");
    checkAgainstFiniteDifferences(optimized(g), List.of("w"));
  }
}
