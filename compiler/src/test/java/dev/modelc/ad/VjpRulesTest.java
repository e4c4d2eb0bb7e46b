package dev.modelc.ad;

import static dev.modelc.ir.Op.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.eval.IrEvaluator;
import dev.modelc.eval.NdArray;
import dev.modelc.ir.Attr;
import dev.modelc.ir.Dims;
import dev.modelc.ir.Graph;
import dev.modelc.ir.GraphBuilder;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.ir.Verifier;
import dev.modelc.types.DType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One row per op: the op applied to random f64 operands from the row's domain, contracted with a random cotangent
 * c into a scalar L = sum(op(x...) * c). The adjoint's dL/dx (evaluated) must match central finite differences.
 */
class VjpRulesTest {
  /** Where operand values are drawn from, chosen so the op is smooth around them. */
  enum Domain {
    ANY(-1, 1), POSITIVE(0.5, 2), AWAY_FROM_ZERO(0.2, 1), DISTINCT(-1, 1), LOGITS(-3, 3);
    final double lo;
    final double hi;

    Domain(double lo, double hi) {
      this.lo = lo;
      this.hi = hi;
    }

    double[] sample(Random rnd, int n) {
      double[] d = GradCheck.uniform(rnd, n, lo, hi);
      if (this == AWAY_FROM_ZERO) for (int i = 0; i < n; i++) d[i] *= rnd.nextBoolean() ? 1 : -1;
      if (this == DISTINCT) for (int i = 0; i < n; i++) d[i] = (i * 7919 % n) * 0.1 + 0.01 * d[i];
      return d;
    }
  }

  record Row(Op op, Domain domain, long[][] shapes, BiFunction<GraphBuilder, List<Node>, Node> apply, double tol,
      NdArray index) {
    @Override
    public String toString() {
      return op.mnemonic();
    }
  }

  static Row row(Op op, Domain domain, long[][] shapes, BiFunction<GraphBuilder, List<Node>, Node> apply) {
    return new Row(op, domain, shapes, apply, 1e-6, null);
  }

  /** A row whose op also reads the i32 input "idx" (no gradient), bound to {@code values} of {@code shape}. */
  static Row indexed(Op op, long[][] shapes, int[] shape, double[] values, BiFunction<GraphBuilder, List<Node>, Node> apply) {
    BiFunction<GraphBuilder, List<Node>, Node> withIndex = (ir, x) -> {
      List<Node> all = new ArrayList<>(x);
      all.add(ir.input("idx", Dims.type(DType.I32, Dims.shape(java.util.Arrays.stream(shape).asLongStream().toArray()))));
      return apply.apply(ir, all);
    };
    return new Row(op, Domain.ANY, shapes, withIndex, 1e-6, new NdArray(DType.I32, shape, values));
  }

  static long[][] s(long[]... shapes) {
    return shapes;
  }

  static long[] d(long... dims) {
    return dims;
  }

  static Row unary(Op op, Domain domain) {
    return row(op, domain, s(d(2, 3)), (ir, x) -> ir.unary(op, x.get(0)));
  }

  static Row binary(Op op, Domain domain) {
    return row(op, domain, s(d(2, 3), d(2, 3)), (ir, x) -> ir.binary(op, x.get(0), x.get(1)));
  }

  static final Attr.Window CONV = new Attr.Window(0, 0, 2, 1, 1, 0);
  static final Attr.Window POOL = new Attr.Window(2, 2, 2, 2, 0, 0);
  static final Attr.Window POOL_PADDED = new Attr.Window(3, 3, 2, 2, 1, 1);

  /** x[:, 1::2, 2:4] of a [3, 5, 4] operand. */
  static final Attr.Slice SLICE_1_2 = new Attr.Slice(List.of(0, 1, 2), List.of(1, 2, 1), Dims.shape(3, 2, 2));

  static Stream<Row> rows() {
    return Stream.of(
        unary(NEG, Domain.ANY),
        unary(EXP, Domain.ANY),
        unary(LOG, Domain.POSITIVE),
        unary(SQRT, Domain.POSITIVE),
        unary(ABS, Domain.AWAY_FROM_ZERO),
        unary(SIN, Domain.ANY),
        unary(COS, Domain.ANY),
        unary(TANH, Domain.ANY),
        unary(SIGMOID, Domain.LOGITS),
        unary(ERF, Domain.LOGITS),
        unary(RELU, Domain.AWAY_FROM_ZERO),
        row(LEAKY_RELU, Domain.AWAY_FROM_ZERO, s(d(2, 3)),
            (ir, x) -> ir.add(LEAKY_RELU, new Attr.Value(0.1), x)),
        row(SOFTPLUS, Domain.LOGITS, s(d(2, 3)),
            (ir, x) -> ir.add(SOFTPLUS, new Attr.Softplus(2, 4), x)),
        binary(ADD, Domain.ANY),
        binary(MUL, Domain.ANY),
        binary(DIV, Domain.POSITIVE),
        binary(POW, Domain.POSITIVE),
        binary(MAXIMUM, Domain.ANY),
        binary(MINIMUM, Domain.ANY),
        row(BCE, Domain.ANY, s(d(2, 3), d(2, 3)),
            (ir, x) -> ir.binary(BCE, ir.sigmoid(x.get(0)), ir.sigmoid(x.get(1)))),
        binary(BCE_WITH_LOGITS, Domain.LOGITS),
        row(BROADCAST_TO, Domain.ANY, s(d(3, 1)),
            (ir, x) -> ir.broadcastTo(x.get(0), Dims.shape(2, 3, 4))),
        row(RESHAPE, Domain.ANY, s(d(2, 3, 2)), (ir, x) -> ir.reshape(x.get(0), Dims.shape(3, 4))),
        row(PERMUTE, Domain.ANY, s(d(2, 3, 4)), (ir, x) -> ir.permute(x.get(0), List.of(2, 0, 1))),
        row(SLICE, Domain.ANY, s(d(3, 5, 4)), (ir, x) -> ir.slice(x.get(0), SLICE_1_2)),
        row(SLICE_BACKWARD, Domain.ANY, s(d(3, 2, 2)),
            (ir, x) -> ir.sliceBackward(x.get(0), SLICE_1_2, Dims.shape(3, 5, 4))),
        row(REDUCE_SUM, Domain.ANY, s(d(2, 3, 4)), (ir, x) -> ir.reduceSum(x.get(0), List.of(0, 2), false)),
        row(REDUCE_MAX, Domain.DISTINCT, s(d(2, 3, 4)), (ir, x) -> ir.reduce(REDUCE_MAX, x.get(0), List.of(1), true)),
        row(REDUCE_MAX, Domain.DISTINCT, s(d(2, 3, 4)),
            (ir, x) -> ir.reduce(REDUCE_MAX, x.get(0), List.of(0, 2), false)),
        row(REDUCE_AMAX, Domain.DISTINCT, s(d(2, 3, 4)),
            (ir, x) -> ir.reduce(REDUCE_AMAX, x.get(0), List.of(0, 2), true)),
        row(REDUCE_MAX_ALL, Domain.DISTINCT, s(d(2, 3, 4)),
            (ir, x) -> ir.reduce(REDUCE_MAX_ALL, x.get(0), List.of(0, 1, 2), false)),
        row(LOGSUMEXP, Domain.LOGITS, s(d(2, 3, 4)), (ir, x) -> ir.reduce(LOGSUMEXP, x.get(0), List.of(2), false)),
        row(LOG_SOFTMAX, Domain.LOGITS, s(d(2, 5)),
            (ir, x) -> ir.add(LOG_SOFTMAX, new Attr.Axes(List.of(1), true), x)),
        row(MATMUL, Domain.ANY, s(d(2, 3, 4), d(2, 4, 5)), (ir, x) -> ir.matmul(x.get(0), x.get(1))),
        row(CONV2D, Domain.ANY, s(d(2, 2, 6, 5), d(3, 2, 3, 2)), (ir, x) -> ir.conv2d(x.get(0), x.get(1), CONV)),
        row(CONV2D_BACKWARD_INPUT, Domain.ANY, s(d(2, 3, 3, 4), d(3, 2, 3, 2)),
            (ir, x) -> ir.conv2dBackwardInput(x.get(0), x.get(1), CONV, Dims.shape(2, 2, 6, 5))),
        row(CONV2D_BACKWARD_WEIGHT, Domain.ANY, s(d(2, 2, 6, 5), d(2, 3, 3, 4)),
            (ir, x) -> ir.conv2dBackwardWeight(x.get(0), x.get(1), CONV, Dims.shape(3, 2, 3, 2))),
        row(MAXPOOL2D, Domain.DISTINCT, s(d(1, 2, 5, 5)), (ir, x) -> ir.add(MAXPOOL2D, POOL_PADDED, x)),
        row(MAXPOOL2D_BACKWARD, Domain.DISTINCT, s(d(1, 2, 3, 3), d(1, 2, 5, 5)),
            (ir, x) -> ir.add(MAXPOOL2D_BACKWARD, POOL_PADDED, x)),
        row(MAXPOOL2D_GATHER, Domain.DISTINCT, s(d(1, 2, 5, 5), d(1, 2, 5, 5)),
            (ir, x) -> ir.add(MAXPOOL2D_GATHER, POOL_PADDED, x)),
        row(AVGPOOL2D, Domain.ANY, s(d(1, 2, 5, 5)), (ir, x) -> ir.add(AVGPOOL2D, POOL_PADDED, x)),
        row(AVGPOOL2D_BACKWARD, Domain.ANY, s(d(1, 2, 2, 2)),
            (ir, x) -> ir.avgpool2dBackward(x.get(0), POOL, Dims.shape(1, 2, 5, 4))),
        // ops that pass no gradient: the adjoint must be exactly zero, as finite differences say
        unary(SIGN, Domain.AWAY_FROM_ZERO),
        row(FIRST_MAX, Domain.DISTINCT, s(d(2, 3, 4)),
            (ir, x) -> ir.add(FIRST_MAX, new Attr.Axes(List.of(1), true), x)),
        unary(STOP_GRADIENT, Domain.ANY),
        binary(GREATER, Domain.DISTINCT),
        // a where a > b else c: the mask is cut from the gradient, so b's finite difference sees only its branch
        row(SELECT, Domain.DISTINCT, s(d(2, 3), d(2, 3), d(2, 3)),
            (ir, x) -> ir.select(ir.greater(x.get(0), x.get(1)), x.get(0), ir.mul(x.get(1), x.get(2)))),
        binary(EQUAL, Domain.DISTINCT),
        // indexing: duplicate indices accumulate; with a padding, the zeroed read and the skipping add
        indexed(GATHER, s(d(3, 4)), new int[] {5}, new double[] {2, 0, 2, 1, 2},
            (ir, x) -> ir.gather(x.get(0), x.get(1), new Attr.Index(0, true, -1, false, "index_select"))),
        indexed(GATHER, s(d(3, 4)), new int[] {2, 2}, new double[] {3, 0, 3, 3},
            (ir, x) -> ir.gather(x.get(0), x.get(1), new Attr.Index(1, true, 0, true, "embedding"))),
        indexed(GATHER, s(d(3, 4)), new int[] {2, 4}, new double[] {2, 0, 2, 1, 0, 0, 1, 2},
            (ir, x) -> ir.gather(x.get(0), x.get(1), new Attr.Index(0, false, -1, false, "gather"))),
        indexed(SCATTER_ADD, s(d(5, 4)), new int[] {5}, new double[] {2, 0, 2, 1, 2},
            (ir, x) -> ir.scatterAdd(x.get(0), x.get(1), new Attr.Index(0, true, 2, false, "embedding"), Dims.shape(3, 4))),
        indexed(SCATTER_ADD, s(d(3, 2)), new int[] {3, 2}, new double[] {3, 0, 3, 3, 1, 1},
            (ir, x) -> ir.scatterAdd(x.get(0), x.get(1), new Attr.Index(1, false, -1, false, "gather"), Dims.shape(3, 4))),
        // dropout with the evaluator's fixed mask (seed 0, draw 1): linear in x, zero where dropped
        row(DROPOUT, Domain.ANY, s(d(3, 4)), (ir, x) -> ir.add(DROPOUT, new Attr.Dropout(0.4, 0), x)),
        row(DROPOUT, Domain.ANY, s(d(2, 5)), (ir, x) -> ir.add(DROPOUT, new Attr.Dropout(1, 3), x)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void symbolicGradientMatchesFiniteDifferences(Row row) {
    Random rnd = new Random(row.op.ordinal() * 31L + 7);
    GraphBuilder ir = new GraphBuilder("vjp_" + row.op.mnemonic());
    List<Node> xs = new ArrayList<>();
    Map<String, NdArray> inputs = new HashMap<>();
    for (int i = 0; i < row.shapes.length; i++) {
      long[] shape = row.shapes[i];
      xs.add(ir.input("x" + i, Dims.type(DType.F64, Dims.shape(shape))));
      int[] ints = java.util.Arrays.stream(shape).mapToInt(v -> (int) v).toArray();
      inputs.put("x" + i, new NdArray(DType.F64, ints, row.domain.sample(rnd, NdArray.count(ints))));
    }
    if (row.index != null) inputs.put("idx", row.index);
    Node y = row.apply.apply(ir, xs);
    assertEquals(row.op, y.op, "the row builds the op it is named after");
    Node c = ir.input("c", y.type);
    int[] yShape = Dims.evaluate(y.shape(), Map.of());
    inputs.put("c", new NdArray(DType.F64, yShape, GradCheck.uniform(rnd, NdArray.count(yShape), -1, 1)));
    Node loss = ir.reduceSum(ir.mul(y, c), GraphBuilder.allAxes(y.rank()), false);
    List<Node> grads = Adjoint.grad(ir, loss, xs);
    ir.result("L", Graph.Kind.OBJECTIVE, loss);
    for (int i = 0; i < grads.size(); i++) ir.result("x" + i, Graph.Kind.GRADIENT, grads.get(i));
    Graph g = ir.build();
    assertEquals(List.of(), Verifier.check(g));
    IrEvaluator.Values v = new IrEvaluator(g).run(inputs, Map.of());
    for (int i = 0; i < xs.size(); i++) {
      double[] fd = GradCheck.numeric(g, "L", inputs, Map.of(), "x" + i, false, 1e-6);
      if (row.op == STOP_GRADIENT) fd = new double[fd.length]; // detach: zero by definition, not by calculus
      GradCheck.assertClose(row.op.mnemonic() + " d/dx" + i, fd, v.result("x" + i).data(), row.tol);
    }
  }

  /**
   * Every op that is not a source or an op of an i32 operand (one_hot of labels, to_float of batch_norm's counter:
   * no finite differences there; both are in OpTableTest) has a row above.
   */
  @Test
  void everyOpHasARow() {
    Set<Op> covered = EnumSet.noneOf(Op.class);
    rows().forEach(r -> covered.add(r.op));
    for (Op op : Op.values()) {
      boolean exempt = op.is(Op.Group.SOURCE) || op == ONE_HOT || op == Op.TO_FLOAT;
      assertTrue(exempt || covered.contains(op), "no gradient test row for " + op.mnemonic());
    }
  }
}
