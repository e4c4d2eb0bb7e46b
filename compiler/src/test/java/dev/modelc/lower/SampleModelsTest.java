package dev.modelc.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.ad.GradCheck;
import dev.modelc.types.DType;
import dev.modelc.types.Shape;
import dev.modelc.eval.IrEvaluator;
import dev.modelc.eval.NdArray;
import dev.modelc.ad.Differentiation;
import dev.modelc.ir.Dims;
import dev.modelc.ir.DotWriter;
import dev.modelc.ir.Graph;
import dev.modelc.ir.GraphBuilder;
import dev.modelc.ir.IrPrinter;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.ir.Origin;
import dev.modelc.ir.Verifier;
import dev.modelc.opt.PassOptions;
import dev.modelc.opt.Pipeline;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The samples' models written with the language's operations ({@link Sugar}) in f64, trained one step's worth:
 * each parameter's symbolic gradient (evaluated, before and after the verified pipeline) against finite differences
 * of the objective on a sample of elements.
 */
class SampleModelsTest {
  private final Random rnd = new Random(7);
  private final Map<String, NdArray> inputs = new HashMap<>();
  private final Map<String, NdArray> params = new HashMap<>();

  private static Shape shape(Object... dims) {
    return Dims.shape(java.util.Arrays.stream(dims)
        .map(d -> d instanceof String s ? Dims.symbol(s) : Dims.of(((Number) d).longValue())).toList());
  }

  private Node input(GraphBuilder ir, String name, Shape type, int[] actual, double lo, double hi) {
    inputs.put(name, new NdArray(DType.F64, actual, GradCheck.uniform(rnd, NdArray.count(actual), lo, hi)));
    return ir.input(name, Dims.type(DType.F64, type));
  }

  private Node labels(GraphBuilder ir, String name, int n, int classes) {
    double[] t = new double[n];
    for (int i = 0; i < n; i++) t[i] = rnd.nextInt(classes);
    inputs.put(name, new NdArray(DType.I32, new int[] {n}, t));
    return ir.input(name, Dims.type(DType.I32, shape("B")));
  }

  private Node param(GraphBuilder ir, String name, int... dims) {
    double bound = 1 / Math.sqrt(dims.length > 1 ? NdArray.count(dims) / dims[0] : dims[0]);
    params.put(name, new NdArray(DType.F64, dims, GradCheck.uniform(rnd, NdArray.count(dims), -bound, bound)));
    return ir.param(name, Dims.type(DType.F64, Dims.shape(java.util.Arrays.stream(dims).asLongStream().toArray())));
  }

  private Node linear(Sugar s, String prefix, Node x, int in, int out) {
    return s.linear(x, param(s.ir(), prefix + ".weight", out, in), param(s.ir(), prefix + ".bias", out));
  }

  /** Differentiates, optimizes with verification, checks values kept, and compares gradients with differences. */
  private Graph checkTraining(GraphBuilder ir, Node loss, int samplesPerParam) {
    ir.result("loss", Graph.Kind.OBJECTIVE, loss);
    Graph g = Differentiation.addGradients(ir.build());
    assertEquals(List.of(), Verifier.check(g));
    Graph o = Pipeline.standard(PassOptions.training().withVerify(true)).run(g);
    var before = new IrEvaluator(g).run(inputs, params);
    var after = new IrEvaluator(o).run(inputs, params);
    for (String p : params.keySet()) {
      double[] sym = before.result(p).data();
      GradCheck.assertClose("optimized grad " + p, sym, after.result(p).data(), 1e-10);
      int[] picks = rnd.ints(Math.min(samplesPerParam, sym.length), 0, sym.length).toArray();
      for (int i : picks) {
        double fd = finiteDifference(g, p, i, 1e-6);
        GradCheck.assertClose("d loss / d " + p + "[" + i + "]", new double[] {fd}, new double[] {sym[i]}, 1e-6);
      }
    }
    return o;
  }

  private double finiteDifference(Graph g, String p, int i, double h) {
    NdArray base = params.get(p);
    double[] lossAt = new double[2];
    for (int k = 0; k < 2; k++) {
      double[] d = base.data().clone();
      d[i] += k == 0 ? h : -h;
      Map<String, NdArray> moved = new HashMap<>(params);
      moved.put(p, new NdArray(base.dtype(), base.shape(), d));
      lossAt[k] = new IrEvaluator(g).run(inputs, moved).result("loss").item();
    }
    return (lossAt[0] - lossAt[1]) / (2 * h);
  }

  @Test
  void linearRegression() {
    GraphBuilder ir = new GraphBuilder("LinReg");
    Sugar s = new Sugar(ir);
    Node x = input(ir, "x", shape("N", 1), new int[] {8, 1}, -1, 1);
    Node y = input(ir, "y", shape("N", 1), new int[] {8, 1}, -1, 4);
    Node w = param(ir, "w", 1, 1);
    Node b = param(ir, "b", 1);
    ir.at(new Origin(8, 14));
    Node pred = ir.label(s.add(s.matmul(x, w), b), "pred");
    ir.at(new Origin(9, 14));
    Node d = s.sub(pred, y);
    Node loss = ir.label(s.mean(s.pow(d, s.number(2, DType.F64)), null, false), "loss");
    ir.result("pred", Graph.Kind.OUTPUT, pred);
    Graph o = checkTraining(ir, loss, 10);
    String text = IrPrinter.print(o);
    assertTrue(text.contains("= size size=N"), "mean over the symbolic N divides by its size:\n" + text);
    assertTrue(text.contains("; loss @ 9:14"), text);
  }

  @Test
  void convolutionalNetFromTheSamples() {
    GraphBuilder ir = new GraphBuilder("Net");
    Sugar s = new Sugar(ir);
    Node x = input(ir, "x", shape("B", 1, 28, 28), new int[] {2, 1, 28, 28}, 0, 1);
    Node t = labels(ir, "t", 2, 10);
    Node convW = param(ir, "conv.weight", 6, 1, 5, 5);
    Node convB = param(ir, "conv.bias", 6);
    Node c = s.conv2d(x, convW, convB, new int[] {1, 1}, new int[] {0, 0});
    Node h = s.pool(Op.MAXPOOL2D, s.unary(Op.RELU, c), new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0});
    Node flat = s.reshape(h, shape("B", 864));
    Node z1 = s.unary(Op.RELU, linear(s, "fc1", flat, 864, 120));
    Node z2 = s.unary(Op.RELU, linear(s, "fc2", z1, 120, 84));
    Node logits = ir.label(linear(s, "fc3", z2, 84, 10), "logits");
    Node loss = ir.label(s.crossEntropy(logits, t, "mean"), "loss");
    ir.result("logits", Graph.Kind.OUTPUT, logits);
    Graph o = checkTraining(ir, loss, 6);
    String dot = DotWriter.write(o);
    assertTrue(dot.contains("cluster_adjoint") && dot.contains("grad conv.weight") && dot.contains("[B, 864]"), dot);
    Graph inference = Pipeline.standard(PassOptions.inference().withVerify(true)).run(o);
    assertTrue(!inference.hasAdjoint() && inference.results().size() == 1);
  }

  @Test
  void mlpWithEveryLossAndActivation() {
    GraphBuilder ir = new GraphBuilder("MLP");
    Sugar s = new Sugar(ir);
    Node x = input(ir, "x", shape("B", 4), new int[] {3, 4}, -1, 1);
    Node target = input(ir, "y", shape("B", 3), new int[] {3, 3}, 0.1, 0.9);
    Node t = labels(ir, "t", 3, 3);
    Node h1 = s.gelu(linear(s, "fc1", x, 4, 6), "none");
    Node h2 = s.softplus(s.leakyRelu(linear(s, "fc2", h1, 6, 5), 0.1), 1, 20);
    Node h3 = s.gelu(s.unary(Op.TANH, linear(s, "fc3", h2, 5, 3)), "tanh");
    Node p = s.softmax(h3, -1);
    Node loss = s.add(s.add(s.mse(h3, target, "mean"), s.l1(h3, target, "sum")),
        s.add(s.add(s.bce(p, target, "mean"), s.bceWithLogits(h3, target, "sum")),
            s.add(s.nll(s.logSoftmax(h3, 1), t, "sum"), s.logsumexp(s.max(h3, List.of(-1), true), null, false))));
    checkTraining(ir, loss, 8);
  }

  @Test
  void vectorJacobianProductModel() {
    GraphBuilder ir = new GraphBuilder("Vjp");
    Sugar s = new Sugar(ir);
    Node a = input(ir, "a", shape(3), new int[] {3}, -1, 1);
    Node v = input(ir, "v", shape(2), new int[] {2}, -1, 1);
    Node w = param(ir, "w", 2, 3);
    Node f = s.unary(Op.SIN, s.matmul(w, s.mul(a, a)));
    Node ga = ir.label(s.grad(f, a, v), "ga");
    ir.result("ga", Graph.Kind.OUTPUT, ga);
    Node loss = s.sum(s.mul(ga, ga), null, false);
    checkTraining(ir, loss, 6);
  }
}
