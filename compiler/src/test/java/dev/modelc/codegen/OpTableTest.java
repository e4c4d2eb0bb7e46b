package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelc.ad.Adjoint;
import dev.modelc.eval.IrEvaluator;
import dev.modelc.ir.Attr;
import dev.modelc.ir.Graph;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.lower.Sugar;
import dev.modelc.runtime.api.Model;
import dev.modelc.types.DType;
import dev.modelc.types.SliceSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One row per operation: a model {@code out = op(params...)}, {@code loss = sum(out * c)} with a random input c,
 * compiled and compared with the reference evaluator (output, loss, every parameter's gradient), in f32 and f64.
 */
class OpTableTest {
  record Row(String name, BiFunction<Harness, Sugar, Node> build) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Row unary(Op op, double lo, double hi) {
    return new Row(op.mnemonic(), (h, s) -> s.unary(op, h.param("a", lo, hi, 3, 4)));
  }

  static Row binary(Op op, double lo, double hi) {
    return new Row(op.mnemonic(), (h, s) -> s.binary(op, h.param("a", lo, hi, 3, 4), h.param("b", lo, hi, 3, 4)));
  }

  static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (Op op : List.of(Op.NEG, Op.EXP, Op.SQRT, Op.LOG, Op.ABS, Op.SIN, Op.COS, Op.TANH, Op.SIGMOID, Op.ERF,
        Op.RELU, Op.SIGN)) {
      boolean positive = op == Op.SQRT || op == Op.LOG;
      rows.add(unary(op, positive ? 0.2 : -2, 2));
    }
    rows.add(new Row("leaky_relu", (h, s) -> s.leakyRelu(h.param("a", -2, 2, 3, 4), 0.1)));
    rows.add(new Row("softplus", (h, s) -> s.softplus(h.param("a", -2, 2, 3, 4), 2, 3)));
    rows.add(new Row("detach", (h, s) -> s.mul(s.detach(h.param("a", -2, 2, 3, 4)), h.param("b", -1, 1, 3, 4))));
    for (Op op : List.of(Op.ADD, Op.MUL, Op.DIV, Op.MAXIMUM, Op.MINIMUM, Op.GREATER, Op.EQUAL)) {
      rows.add(binary(op, 0.5, 2));
    }
    rows.add(binary(Op.POW, 0.5, 2));
    rows.add(new Row("clamp", (h, s) -> s.mul(s.clamp(h.param("a", -2, 2, 3, 4), -0.5, 0.7), h.param("b", -1, 1, 3, 4))));
    rows.add(new Row("clamp min", (h, s) -> s.clamp(s.unary(Op.TANH, h.param("a", -2, 2, 3, 4)), 0.2,
        Double.POSITIVE_INFINITY)));
    for (String op : List.of("LT", "LE", "GT", "GE", "EQ", "NE")) {
      rows.add(new Row("where " + op, (h, s) -> {
        Node a = h.param("a", -1, 1, 3, 4);
        Node b = h.param("b", -1, 1, 4);
        return s.where(s.compare(op, a, s.unary(Op.RELU, b)), s.unary(Op.TANH, a), b);
      }));
    }
    rows.add(new Row("where of masks & | ~", (h, s) -> {
      Node a = h.param("a", -1, 1, 3, 4);
      Node b = h.param("b", -1, 1, 4);
      Node inside = s.and(s.compare("GT", a, s.number(-0.5, h.dtype)), s.compare("LT", a, b));
      return s.where(s.or(s.not(inside), s.compare("GT", b, s.number(0.5, h.dtype))), s.unary(Op.TANH, a), b);
    }));
    rows.add(new Row("float of a mask", (h, s) -> {
      Node a = h.param("a", -1, 1, 3, 4);
      Node b = h.param("b", -1, 1, 4);
      return s.mul(s.and(s.compare("LE", a, b), s.not(s.compare("EQ", a, s.number(0, h.dtype)))),
          s.unary(Op.EXP, a));
    }));
    rows.add(new Row("select", (h, s) -> {
      Node a = h.param("a", -1, 1, 3, 4);
      Node b = h.param("b", -1, 1, 3, 4);
      return s.ir().select(s.ir().greater(a, b), s.unary(Op.EXP, a), b);
    }));
    rows.add(new Row("square", (h, s) -> s.pow(h.param("a", -2, 2, 3, 4), s.number(2, h.dtype))));
    rows.add(new Row("bce_with_logits", (h, s) -> s.binary(Op.BCE_WITH_LOGITS, h.param("a", -3, 3, 3, 4),
        h.param("b", 0, 1, 3, 4))));
    rows.add(new Row("broadcast bias", (h, s) -> s.add(h.param("a", -1, 1, 2, 3, 4), h.param("b", -1, 1, 4))));
    rows.add(new Row("broadcast middle", (h, s) -> s.mul(h.param("a", -1, 1, 2, 3, 4), h.param("b", -1, 1, 3, 1))));
    rows.add(new Row("broadcast column", (h, s) -> s.mul(h.param("a", -1, 1, 3, 4), h.param("b", -1, 1, 3, 1))));
    rows.add(new Row("broadcast row and column", (h, s) -> s.add(s.mul(h.param("a", -1, 1, 3, 4),
        h.param("b", -1, 1, 4)), s.unary(Op.TANH, h.param("c", -1, 1, 3, 1)))));
    rows.add(new Row("broadcast two splits", (h, s) -> s.add(s.add(h.param("a", -1, 1, 2, 3, 4),
        h.param("b", -1, 1, 3, 4)), h.param("c", -1, 1, 2, 3, 1))));
    rows.add(new Row("broadcast rank 5", (h, s) -> s.mul(h.param("a", -1, 1, 2, 1, 1, 1, 1),
        h.param("b", -1, 1, 2, 3, 1, 2))));
    rows.add(new Row("broadcast rank 5 maximum", (h, s) -> s.binary(Op.MAXIMUM, h.param("a", -1, 1, 2, 2, 3, 1, 2),
        h.param("b", -1, 1, 3, 4, 1))));
    rows.add(new Row("reshape", (h, s) -> s.unary(Op.TANH, s.reshape(h.param("a", -1, 1, 2, 6), Harness.shape(3, 4)))));
    rows.add(new Row("transpose", (h, s) -> s.transpose(h.param("a", -1, 1, 3, 4), 0, 1)));
    rows.add(new Row("transpose rank 5 last two", (h, s) -> s.transpose(h.param("a", -1, 1, 2, 2, 3, 4, 2), 3, 4)));
    rows.add(new Row("transpose rank 5 with ones", (h, s) -> s.transpose(h.param("a", -1, 1, 2, 1, 3, 1, 4), 0, 2)));
    rows.add(new Row("permute rank 6 in blocks", (h, s) -> s.ir().permute(h.param("a", -1, 1, 2, 3, 2, 2, 3, 2),
        List.of(4, 5, 0, 1, 3, 2))));
    rows.add(new Row("permute 3d", (h, s) -> s.ir().permute(h.param("a", -1, 1, 2, 3, 4), List.of(2, 0, 1))));
    rows.add(new Row("slice", (h, s) -> s.index(h.param("a", -1, 1, 3, 5, 4),
        new SliceSpec(List.of(0, 1, 3), List.of(1, 2, 1), Harness.shape(3, 2, 1)), Harness.shape(3, 2))));
    rows.add(new Row("slice rank 4 of a chain", (h, s) -> s.index(s.unary(Op.TANH, h.param("a", -1, 1, 2, 3, 4, 5)),
        new SliceSpec(List.of(1, 0, 1, 0), List.of(1, 2, 2, 3), Harness.shape(1, 2, 2, 2)), Harness.shape(2, 2, 2))));
    rows.add(new Row("cat", (h, s) -> s.cat(List.of(h.param("a", -1, 1, 3, 2, 4), h.param("b", -1, 1, 3, 1, 4),
        s.unary(Op.EXP, h.param("c", -1, 1, 3, 2, 4))), 1, false)));
    rows.add(new Row("stack", (h, s) -> s.cat(List.of(h.param("a", -1, 1, 3, 4), h.param("b", -1, 1, 3, 4)), 2, true)));
    rows.add(new Row("sum axis 1", (h, s) -> s.sum(h.param("a", -1, 1, 2, 3, 4), List.of(1), false)));
    rows.add(new Row("sum axes 0 2 keepdim", (h, s) -> s.sum(h.param("a", -1, 1, 2, 3, 4), List.of(0, 2), true)));
    rows.add(new Row("sum of a chain axis 1", (h, s) -> s.sum(s.mul(s.unary(Op.TANH, h.param("a", -1, 1, 2, 3, 4)),
        h.param("b", -1, 1, 2, 3, 4)), List.of(1), false)));
    rows.add(new Row("sum of a chain axes 0 2", (h, s) -> s.sum(s.unary(Op.EXP, h.param("a", -1, 1, 2, 3, 4)),
        List.of(0, 2), true)));
    rows.add(new Row("sum of a chain all", (h, s) -> s.reshape(s.sum(s.mul(h.param("a", -1, 1, 3, 4),
        h.param("b", -1, 1, 3, 4)), null, false), Harness.shape(1))));
    rows.add(new Row("mean all", (h, s) -> s.mean(h.param("a", -1, 1, 3, 4), null, false)));
    rows.add(new Row("max axis 1", (h, s) -> s.max(h.param("a", -1, 1, 3, 4), List.of(1), false)));
    rows.add(new Row("max axes 0 2", (h, s) -> s.max(h.param("a", -1, 1, 2, 3, 4), List.of(0, 2), true)));
    rows.add(new Row("amax axes 0 2", (h, s) -> s.amax(h.param("a", -1, 1, 2, 3, 4), List.of(0, 2), false)));
    rows.add(new Row("logsumexp", (h, s) -> s.logsumexp(h.param("a", -1, 1, 3, 4), List.of(0), true)));
    rows.add(new Row("log_softmax", (h, s) -> s.logSoftmax(h.param("a", -2, 2, 3, 4), 1)));
    rows.add(new Row("softmax axis 0", (h, s) -> s.softmax(h.param("a", -2, 2, 3, 4), 0)));
    rows.add(new Row("matmul", (h, s) -> s.matmul(h.param("a", -1, 1, 3, 5), h.param("b", -1, 1, 5, 4))));
    rows.add(new Row("batched matmul", (h, s) -> s.matmul(h.param("a", -1, 1, 2, 3, 5), h.param("b", -1, 1, 2, 5, 4))));
    rows.add(new Row("linear", (h, s) -> s.linear(h.param("x", -1, 1, 3, 5), h.param("w", -1, 1, 4, 5),
        h.param("b", -1, 1, 4))));
    rows.add(new Row("conv2d", (h, s) -> s.conv2d(h.param("x", -1, 1, 2, 2, 7, 6), h.param("w", -1, 1, 3, 2, 3, 2),
        h.param("b", -1, 1, 3), new int[] {2, 1}, new int[] {1, 0})));
    rows.add(new Row("maxpool2d", (h, s) -> s.pool(Op.MAXPOOL2D, h.param("x", -1, 1, 2, 2, 6, 5), new int[] {2, 2},
        new int[] {2, 2}, new int[] {1, 0})));
    // the second derivative of max pooling: the gather at the argmax, whose gradient is max-pool's scatter again
    rows.add(new Row("maxpool2d_gather", (h, s) -> s.ir().add(Op.MAXPOOL2D_GATHER, new Attr.Window(3, 3, 2, 2, 1, 1),
        List.of(h.param("t", -1, 1, 2, 2, 5, 5), h.param("x", -1, 1, 2, 2, 5, 5)))));
    // a gradient inside the model: its maxpool2d_backward (forward) and the gather and maxpool2d_backward of the
    // training step (backward) all read the argmax the pooling records
    rows.add(new Row("maxpool2d gradient inside", (h, s) -> {
      Node x = h.param("x", -1, 1, 2, 2, 5, 6);
      Node y = s.pool(Op.MAXPOOL2D, x, new int[] {2, 2}, new int[] {2, 2}, new int[] {1, 1});
      return Adjoint.grad(s.ir(), s.sum(s.mul(y, y), null, false), List.of(x)).get(0);
    }));
    rows.add(new Row("avgpool2d", (h, s) -> s.pool(Op.AVGPOOL2D, h.param("x", -1, 1, 2, 2, 6, 5), new int[] {3, 2},
        new int[] {1, 2}, new int[] {1, 1})));
    rows.add(new Row("index_select", (h, s) -> s.indexSelect(h.param("x", -1, 1, 3, 4), 1, h.indices("i", 4, 6))));
    rows.add(new Row("gather", (h, s) -> s.gather(h.param("x", -1, 1, 3, 4), 0, h.indices("i", 3, 5, 4))));
    rows.add(new Row("embedding", (h, s) -> s.embedding(h.indices("i", 5, 2, 3), h.param("w", -1, 1, 5, 4), -1)));
    rows.add(new Row("embedding padding", (h, s) -> s.embedding(h.indices("i", 5, 2, 6), h.param("w", -1, 1, 5, 4),
        1)));
    rows.add(new Row("scatter_add", (h, s) -> s.ir().scatterAdd(h.param("g", -1, 1, 2, 6), h.indices("i", 4, 2, 6),
        new Attr.Index(1, false, -1, false, "gather"), Harness.shape(2, 4))));
    rows.add(new Row("one_hot", (h, s) -> s.mul(h.param("a", -1, 1, 2, 3, 4),
        s.oneHot(h.indices("i", 4, 2, 3), 4, h.dtype == DType.F64 ? "f64" : "f32"))));
    rows.add(new Row("layer_norm", (h, s) -> s.layerNorm(h.param("x", -2, 2, 3, 2, 5), List.of(1, 2),
        h.param("w", -1, 1, 2, 5), h.param("b", -1, 1, 2, 5), 1e-5)));
    rows.add(new Row("group_norm", (h, s) -> s.groupNorm(h.param("x", -2, 2, 2, 6, 3, 2), 3, h.param("w", -1, 1, 6),
        null, 1e-5)));
    rows.add(new Row("batch_norm", (h, s) -> s.batchNorm(h.param("x", -2, 2, 3, 2, 2, 2), h.param("m", -1, 1, 2),
        h.param("v", 0.5, 2, 2), h.param("w", -1, 1, 2), h.param("b", -1, 1, 2), 0.1, 1e-5, null, false).y()));
    rows.add(new Row("batch_norm [N, C]", (h, s) -> s.batchNorm(h.param("x", -2, 2, 4, 3), h.param("m", -1, 1, 3),
        h.param("v", 0.5, 2, 3), null, null, 0.1, 1e-3, null, false).y()));
    // momentum none: the running statistics' update (the output here) reads the i32 counter through to_float
    rows.add(new Row("batch_norm cumulative update", (h, s) -> {
      Sugar.BatchNorm bn = s.batchNorm(h.param("x", -2, 2, 3, 2, 2, 2), h.param("m", -1, 1, 2),
          h.param("v", 0.5, 2, 2), h.param("w", -1, 1, 2), null, 0, 1e-5, h.indices("n", 9), true);
      return s.add(s.mul(bn.y(), bn.y()), s.reshape(s.add(bn.runningMean(), bn.runningVar()), Harness.shape(1, 2, 1, 1)));
    }));
    // the counter's increment, an i32 add, fused into a float loop after to_float
    rows.add(new Row("to_float of i32 add", (h, s) -> s.mul(h.param("a", -1, 1, 2, 3),
        s.ir().toFloat(s.ir().add(h.indices("i", 7, 2, 3), h.indices("j", 7, 2, 3)), h.dtype))));
    rows.add(new Row("cross_entropy", (h, s) -> s.reshape(s.crossEntropy(h.param("x", -2, 2, 3, 4),
        h.labels("t", Harness.shape(3), 3, 4), "mean"), Harness.shape(1))));
    rows.add(new Row("mse + l1", (h, s) -> s.reshape(s.add(s.mse(h.param("x", -2, 2, 3, 4), h.param("y", -2, 2, 3, 4),
        "mean"), s.l1(h.param("z", -2, 2, 3, 4), h.param("u", -2, 2, 3, 4), "sum")), Harness.shape(1))));
    rows.add(new Row("bce", (h, s) -> s.reshape(s.bce(s.unary(Op.SIGMOID, h.param("x", -2, 2, 3, 4)), h.param("y", 0, 1, 3, 4),
        "mean"), Harness.shape(1))));
    // dropout draws the evaluator's masks (seed 0, first draw): a class compiled from a bare graph has seed 0
    rows.add(new Row("dropout", (h, s) -> s.mul(s.dropout(h.param("a", -2, 2, 4, 5), 0.4, 0),
        s.dropout(h.param("b", -2, 2, 4, 5), 0.7, 1))));
    rows.add(new Row("dropout of dropout", (h, s) -> s.dropout(s.dropout(h.param("a", -2, 2, 3, 4), 0.5, 0), 0.25, 1)));
    rows.add(new Row("gelu", (h, s) -> s.add(s.gelu(h.param("a", -2, 2, 3, 4), "none"),
        s.gelu(h.param("b", -2, 2, 3, 4), "tanh"))));
    return rows;
  }

  static Stream<Arguments> cases() {
    return rows().stream().flatMap(r -> Stream.of(Arguments.of(r, DType.F32), Arguments.of(r, DType.F64)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void compiledMatchesTheEvaluator(Row row, DType dtype) {
    Harness h = new Harness("Op", dtype, row.name().hashCode());
    Sugar s = new Sugar(h.ir);
    Node out = row.build().apply(h, s);
    int[] shape = out.shape().dims().stream().mapToInt(d -> (int) d.coefficient()).toArray();
    Node c = h.input("c", out.shape(), shape, -1, 1);
    h.ir.result("out", Graph.Kind.OUTPUT, out);
    Graph g = h.train(s.sum(s.mul(out, c), null, false));
    Model m = h.instance(Harness.compile(g, OptimizerSettings.sgd(0.1)));
    IrEvaluator.Values ref = h.reference(g);
    double tol = dtype == DType.F32 ? 1e-4 : 1e-10;
    m.zeroGrad();
    m.forward();
    m.backward();
    Harness.assertClose("out", ref.result("out").data(), Harness.toDoubles(m.output("out")), tol);
    assertEquals(ref.result("loss").item(), m.loss(), tol * Math.max(1, Math.abs(m.loss())), "loss");
    for (String p : h.params.keySet()) {
      // a parameter the loss does not reach has no gradient result (PyTorch: .grad is None); it reads as zeros
      double[] want = ref.results().containsKey(p) ? ref.result(p).data() : new double[h.params.get(p).size()];
      Harness.assertClose("grad " + p, want, Harness.toDoubles(m.gradient(p)), tol);
    }
  }
}
