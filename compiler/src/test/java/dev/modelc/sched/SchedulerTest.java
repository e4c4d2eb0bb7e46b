package dev.modelc.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.ad.Differentiation;
import dev.modelc.ir.Attr;
import dev.modelc.ir.Dims;
import dev.modelc.ir.Graph;
import dev.modelc.ir.GraphBuilder;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.lower.Sugar;
import dev.modelc.opt.PassOptions;
import dev.modelc.opt.Pipeline;
import dev.modelc.types.DType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The schedule of the seeds' linear regression: fusion forms, passes, direct gradient accumulation, buffers. */
class SchedulerTest {
  private static Graph linReg() {
    GraphBuilder ir = new GraphBuilder("LinReg");
    Sugar s = new Sugar(ir);
    Node x = ir.input("x", Dims.type(DType.F32, Dims.shape(List.of(Dims.symbol("N"), Dims.of(1)))));
    Node y = ir.input("y", Dims.type(DType.F32, Dims.shape(List.of(Dims.symbol("N"), Dims.of(1)))));
    Node w = ir.param("w", Dims.type(DType.F32, Dims.shape(1, 1)));
    Node b = ir.param("b", Dims.type(DType.F32, Dims.shape(1)));
    Node pred = s.add(s.matmul(x, w), b);
    Node loss = s.mean(s.pow(s.sub(pred, y), s.number(2, DType.F32)), null, false);
    ir.result("pred", Graph.Kind.OUTPUT, pred);
    ir.result("loss", Graph.Kind.OBJECTIVE, loss);
    return Pipeline.standard(PassOptions.training()).run(Differentiation.addGradients(ir.build()));
  }

  @Test
  void linearRegression() {
    Schedule s = Scheduler.schedule(linReg());
    String text = s.print();
    assertEquals(List.of("N"), s.sizes());
    // pred = x @ w + broadcast(b): the product's step adds b[0], a scalar, in place (an epilogue)
    Step predStep = s.steps().stream().filter(st -> st.node() == s.graph().result("pred").get().node())
        .findFirst().orElseThrow();
    assertEquals(Step.Kind.KERNEL, predStep.kind(), text);
    assertEquals(Op.MATMUL, predStep.computed().op, text);
    assertEquals(List.of(predStep.node()), predStep.fused(), text);
    // the loss sum(d ** 2) is one loop nest: the square is computed inside the sum (d = pred - y is kept for the
    // backward pass)
    assertTrue(s.steps().stream().anyMatch(st -> st.kind() == Step.Kind.REDUCE
        && st.fused().equals(List.of(st.node().in(0))) && st.node().in(0).op == Op.POW), text);
    // (pred - y) ** 2 is fused into one loop feeding the sum
    assertTrue(s.steps().stream().anyMatch(st -> st.kind() == Step.Kind.LOOP && st.fused().size() >= 2), text);
    // both gradients are written straight into the parameters' gradients with +=
    assertTrue(s.steps().stream().noneMatch(st -> st.kind() == Step.Kind.ACCUMULATE), text);
    assertEquals(2, s.steps().stream().filter(st -> st.accumulate()
        && st.target().kind() == Location.Kind.GRAD).count(), text);
    // the transposed x feeding the weight gradient is a flag, not a copy
    assertTrue(s.forms().values().contains(Form.VIEW), text);
    // inference needs x only
    assertEquals(List.of("x"), s.predictInputs().stream().map(Node::label).toList());
    assertTrue(text.startsWith("schedule LinReg {") && text.contains("forward {") && text.contains("backward {"),
        text);
  }

  @Test
  void broadcastsAreReadInsideTheLoop() {
    GraphBuilder ir = new GraphBuilder("Bcast");
    Sugar s = new Sugar(ir);
    Node x = ir.input("x", Dims.type(DType.F32, Dims.shape(List.of(Dims.symbol("B"), Dims.of(4)))));
    Node row = ir.param("row", Dims.type(DType.F32, Dims.shape(4)));
    Node column = ir.input("column", Dims.type(DType.F32, Dims.shape(List.of(Dims.symbol("B"), Dims.of(1)))));
    ir.result("y", Graph.Kind.OUTPUT, s.add(s.mul(x, row), column));
    Schedule sched = Scheduler.schedule(Pipeline.standard(PassOptions.inference()).run(ir.build()));
    String text = sched.print();
    // one loop nest, for b < B, j < 4: y = x * row[j] + column[b]; neither broadcast is stored
    assertEquals(1, sched.steps().size(), text);
    assertEquals(Step.Kind.LOOP, sched.steps().get(0).kind(), text);
    assertTrue(sched.graph().nodes().stream().filter(n -> n.op == Op.BROADCAST_TO)
        .allMatch(n -> sched.form(n) == Form.INLINE), text);
  }

  /**
   * A max pooling in a training step records its argmax in an int buffer of its own, which its gradient reads;
   * inference runs the pooling without it. A gradient op with no pooling of its input to read from searches.
   */
  @Test
  void maxPoolingRecordsTheArgmaxItsGradientReads() {
    GraphBuilder ir = new GraphBuilder("Pool");
    Sugar s = new Sugar(ir);
    Node x = ir.input("x", Dims.type(DType.F32, Dims.shape(List.of(Dims.symbol("B"), Dims.of(2), Dims.of(6),
        Dims.of(6)))));
    Node w = ir.param("w", Dims.type(DType.F32, Dims.shape(2, 6, 6)));
    Node y = s.pool(Op.MAXPOOL2D, s.mul(x, w), new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0});
    Node loss = s.sum(s.mul(y, y), null, false);
    ir.result("y", Graph.Kind.OUTPUT, y);
    ir.result("loss", Graph.Kind.OBJECTIVE, loss);
    Schedule sched = Scheduler.schedule(Pipeline.standard(PassOptions.training())
        .run(Differentiation.addGradients(ir.build())));
    String text = sched.print();
    Node pool = sched.graph().nodes().stream().filter(n -> n.op == Op.MAXPOOL2D).findFirst().orElseThrow();
    Node backward = sched.graph().nodes().stream().filter(n -> n.op == Op.MAXPOOL2D_BACKWARD).findFirst()
        .orElseThrow();
    Location at = sched.argmax(pool);
    assertEquals(at, sched.argmax(backward), text);
    Schedule.Buffer buffer = sched.buffers().get(at.index());
    assertEquals(DType.I32, buffer.dtype(), text);
    assertEquals(Dims.count(pool.shape()), buffer.length(), text);
    assertEquals(List.of(pool), buffer.values(), text);
    Step poolStep = sched.steps().stream().filter(st -> st.computed() == pool).findFirst().orElseThrow();
    assertTrue(sched.writesArgmax(poolStep) && sched.predict().contains(poolStep.index()), text);
    assertTrue(text.contains("argmax of " + pool.ref() + " -> " + at + ", read by " + backward.ref()), text);

    GraphBuilder alone = new GraphBuilder("Gather");
    Node t = alone.param("t", Dims.type(DType.F32, Dims.shape(2, 2, 6, 6)));
    Node v = alone.param("v", Dims.type(DType.F32, Dims.shape(2, 2, 6, 6)));
    Node gather = alone.add(Op.MAXPOOL2D_GATHER, new dev.modelc.ir.Attr.Window(2, 2, 2, 2, 0, 0), List.of(t, v));
    Node sum = new Sugar(alone).sum(gather, null, false);
    alone.result("loss", Graph.Kind.OBJECTIVE, sum);
    Schedule searching = Scheduler.schedule(Pipeline.standard(PassOptions.training())
        .run(Differentiation.addGradients(alone.build())));
    assertTrue(searching.graph().nodes().stream().allMatch(n -> searching.argmax(n) == null), searching.print());
    assertTrue(searching.buffers().stream().noneMatch(b -> b.dtype() == DType.I32), searching.print());
  }

  /**
   * A logistic regression: its whole-tensor sigmoid and its summed bce_with_logits become runtime calls
   * ({@link LogisticCalls}); a sigmoid of a sum with a broadcast bias stays an emitted loop.
   */
  @Test
  void logisticLoopsBecomeRuntimeCalls() {
    GraphBuilder ir = new GraphBuilder("LogReg");
    Sugar s = new Sugar(ir);
    Node x = ir.input("x", Dims.type(DType.F32, Dims.shape(List.of(Dims.symbol("B"), Dims.of(3)))));
    Node y = ir.input("y", Dims.type(DType.F32, Dims.shape(List.of(Dims.symbol("B"), Dims.of(1)))));
    Node w = ir.param("w", Dims.type(DType.F32, Dims.shape(3, 1)));
    Node b = ir.param("b", Dims.type(DType.F32, Dims.shape(3)));
    Node z = s.matmul(x, w);
    ir.result("p", Graph.Kind.OUTPUT, s.unary(Op.SIGMOID, z));
    ir.result("q", Graph.Kind.OUTPUT, s.unary(Op.SIGMOID, s.add(x, b)));
    ir.result("loss", Graph.Kind.OBJECTIVE, s.sum(ir.binary(Op.BCE_WITH_LOGITS, z, y), null, false));
    Schedule sched = Scheduler.schedule(Pipeline.standard(PassOptions.training())
        .run(Differentiation.addGradients(ir.build())));
    String text = sched.print();
    List<LogisticCalls.Call> calls = sched.steps().stream().map(st -> LogisticCalls.of(sched, st)).toList();
    assertEquals(1, calls.stream().filter(c -> c == LogisticCalls.Call.SUM_BCE_WITH_LOGITS).count(), text);
    assertEquals(1, calls.stream().filter(c -> c == LogisticCalls.Call.SIGMOID).count(), text);
    assertTrue(text.contains("sigmoid") && text.contains(", as Logistic.sigmoid")
        && text.contains(", as Logistic.sumBceWithLogits"), text);
    assertTrue(text.lines().anyMatch(l -> l.contains("sigmoid") && !l.contains("as Logistic")), text);
  }

  /**
   * gelu's erf in an f32 model is computed alone, over its materialized operand, by one {@code Logistic.erf} call
   * (the Vector API evaluates it in lanes); in f64 it stays fused in the emitted loop.
   */
  @Test
  void f32ErfBecomesARuntimeCall() {
    for (DType dtype : List.of(DType.F32, DType.F64)) {
      GraphBuilder ir = new GraphBuilder("Gelu");
      Sugar s = new Sugar(ir);
      Node x = ir.input("x", Dims.type(dtype, Dims.shape(List.of(Dims.symbol("B"), Dims.of(8)))));
      Node w = ir.param("w", Dims.type(dtype, Dims.shape(8, 8)));
      ir.result("loss", Graph.Kind.OBJECTIVE, s.sum(s.gelu(s.matmul(x, w), "none"), null, false));
      Schedule sched = Scheduler.schedule(Pipeline.standard(PassOptions.training())
          .run(Differentiation.addGradients(ir.build())));
      String text = sched.print();
      List<Step> erfs = sched.steps().stream().filter(st -> st.fused().stream().anyMatch(n -> n.op == Op.ERF))
          .toList();
      assertEquals(1, erfs.size(), text);
      if (dtype == DType.F32) {
        assertEquals(LogisticCalls.Call.ERF, LogisticCalls.of(sched, erfs.get(0)), text);
        assertEquals(1, erfs.get(0).fused().size(), text);
        assertTrue(text.contains(", as Logistic.erf"), text);
      } else {
        assertEquals(LogisticCalls.Call.NONE, LogisticCalls.of(sched, erfs.get(0)), text);
        assertTrue(erfs.get(0).fused().size() > 1, text);
      }
    }
  }

  /** An f32 exp inside an elementwise chain is split out into one {@code Logistic.exp} call over a whole array. */
  @Test
  void f32ExpBecomesARuntimeCall() {
    GraphBuilder ir = new GraphBuilder("Exp");
    Sugar s = new Sugar(ir);
    Node x = ir.input("x", Dims.type(DType.F32, Dims.shape(List.of(Dims.symbol("B"), Dims.of(8)))));
    Node w = ir.param("w", Dims.type(DType.F32, Dims.shape(8, 8)));
    Node h = s.matmul(x, w);
    Node y = ir.mul(h, ir.unary(Op.EXP, ir.scale(ir.mul(h, h), -0.5)));
    ir.result("loss", Graph.Kind.OBJECTIVE, s.sum(y, null, false));
    Schedule sched = Scheduler.schedule(Pipeline.standard(PassOptions.training())
        .run(Differentiation.addGradients(ir.build())));
    String text = sched.print();
    List<Step> exps = sched.steps().stream().filter(st -> st.fused().stream().anyMatch(n -> n.op == Op.EXP))
        .toList();
    assertTrue(!exps.isEmpty(), text);
    for (Step st : exps) {
      assertEquals(LogisticCalls.Call.EXP, LogisticCalls.of(sched, st), text);
    }
    assertTrue(text.contains(", as Logistic.exp"), text);
  }

  /**
   * The backward of relu is select(relu(x) == 0, 0, y_bar): in place on the product computing the gradient (the
   * epilogue), that chain becomes one {@link MaskCalls} call of {@code Masks.zeroWhereEqual}; a mask against a
   * non-constant stays an emitted loop. A mask a model multiplies by itself, {@code a * (v > 0)}, keeps the product
   * (NaN * 0 is NaN, as in PyTorch) and becomes {@code Masks.mulGreater}.
   */
  @Test
  void reluGradientMasksBecomeRuntimeCalls() {
    GraphBuilder ir = new GraphBuilder("Mlp");
    Sugar s = new Sugar(ir);
    Node x = ir.input("x", Dims.type(DType.F32, Dims.shape(List.of(Dims.symbol("B"), Dims.of(5)))));
    Node w1 = ir.param("w1", Dims.type(DType.F32, Dims.shape(5, 4)));
    Node w2 = ir.param("w2", Dims.type(DType.F32, Dims.shape(4, 3)));
    Node t = ir.param("t", Dims.type(DType.F32, Dims.shape(3)));
    Node h = s.unary(Op.RELU, s.matmul(x, w1));
    Node z = s.matmul(h, w2);
    Node masked = s.mul(z, s.compare("GT", z, s.add(z, t)));
    ir.result("loss", Graph.Kind.OBJECTIVE, s.mean(masked, null, false));
    Schedule sched = Scheduler.schedule(Pipeline.standard(PassOptions.training())
        .run(Differentiation.addGradients(ir.build())));
    String text = sched.print();
    List<MaskCalls.Call> calls = sched.steps().stream().map(st -> MaskCalls.of(sched, st))
        .filter(java.util.Objects::nonNull).toList();
    MaskCalls.Call relu = calls.stream().filter(c -> c.kernel() == MaskCalls.Kernel.ZERO_WHERE_EQUAL).findFirst()
        .orElseThrow(() -> new AssertionError(text));
    assertEquals(0.0, relu.c(), text);
    assertEquals(Op.RELU, relu.x().op, text);
    assertTrue(text.contains("equal") && text.contains(", as Masks.zeroWhereEqual"), text);
    assertTrue(text.lines().anyMatch(l -> l.contains("greater") && !l.contains("as Masks")), text);

    GraphBuilder product = new GraphBuilder("Masked");
    Sugar p = new Sugar(product);
    Node a = product.input("a", Dims.type(DType.F32, Dims.shape(List.of(Dims.symbol("B"), Dims.of(5)))));
    Node v = product.input("v", Dims.type(DType.F32, Dims.shape(List.of(Dims.symbol("B"), Dims.of(5)))));
    product.result("y", Graph.Kind.OUTPUT, p.mul(a, p.compare("GT", v, p.number(0, DType.F32))));
    Schedule forward = Scheduler.schedule(Pipeline.standard(PassOptions.training()).run(product.build()));
    List<MaskCalls.Call> products = forward.steps().stream().map(st -> MaskCalls.of(forward, st))
        .filter(java.util.Objects::nonNull).toList();
    assertEquals(1, products.size(), forward.print());
    assertEquals(MaskCalls.Kernel.MUL_GREATER, products.get(0).kernel(), forward.print());
    assertTrue(forward.print().contains(", as Masks.mulGreater"), forward.print());
  }

  /**
   * leaky_relu alone becomes {@code Masks.scaleUnlessGreater(x, x, 0, slope)}, and its backward,
   * {@code select(x > 0, y_bar, y_bar * slope)}, the same call on the incoming gradient.
   */
  @Test
  void leakyReluAndItsGradientBecomeRuntimeCalls() {
    GraphBuilder ir = new GraphBuilder("Leaky");
    Sugar s = new Sugar(ir);
    Node x = ir.input("x", Dims.type(DType.F32, Dims.shape(List.of(Dims.symbol("B"), Dims.of(5)))));
    Node w = ir.param("w", Dims.type(DType.F32, Dims.shape(5, 4)));
    Node h = s.leakyRelu(s.matmul(x, w), 0.2);
    ir.result("loss", Graph.Kind.OBJECTIVE, s.mean(s.matmul(h, s.transpose(w, 0, 1)), null, false));
    Schedule sched = Scheduler.schedule(Pipeline.standard(PassOptions.training())
        .run(Differentiation.addGradients(ir.build())));
    String text = sched.print();
    List<MaskCalls.Call> calls = sched.steps().stream().map(st -> MaskCalls.of(sched, st))
        .filter(java.util.Objects::nonNull).toList();
    assertEquals(2, calls.size(), text);
    for (MaskCalls.Call c : calls) {
      assertEquals(MaskCalls.Kernel.SCALE_UNLESS_GREATER, c.kernel(), text);
      assertEquals(0.0, c.c(), text);
      assertEquals(0.2, c.s(), 1e-12, text);
    }
    assertTrue(calls.stream().anyMatch(c -> c.a() == c.x()), "the forward reads x alone: " + text);
    assertTrue(calls.stream().anyMatch(c -> c.a() != c.x()), "the backward scales the gradient: " + text);
    assertTrue(text.contains("leaky_relu") && text.contains(", as Masks.scaleUnlessGreater"), text);
  }

  /**
   * A permute of rank above 4 takes the rank-4 loop when its dims merge into four (dims of size 1 drop out, dims that
   * stay together in order merge); otherwise the any-rank walk over the merged dims, at each dim's operand stride.
   */
  @Test
  void permutesOfRankFiveMergeIntoFourDimsOrWalkThemAll() {
    GraphBuilder ir = new GraphBuilder("P");
    Node x = ir.input("x", Dims.type(DType.F32, Dims.shape(List.of(Dims.symbol("B"), Dims.of(2), Dims.of(3),
        Dims.of(4), Dims.of(5)))));
    PermuteRuns swap = PermuteRuns.of(ir.permute(x, List.of(0, 1, 2, 4, 3)));
    assertTrue(swap.fitsFour());
    assertEquals(List.of(Dims.of(1), Dims.symbol("B").times(Dims.of(6)), Dims.of(4), Dims.of(5)), swap.dims());
    assertEquals(List.of(0, 1, 3, 2), swap.perm());
    PermuteRuns blocks = PermuteRuns.of(ir.permute(x, List.of(3, 4, 1, 2, 0)));
    assertEquals(List.of(Dims.of(1), Dims.symbol("B"), Dims.of(6), Dims.of(20)), blocks.dims());
    assertEquals(List.of(0, 3, 2, 1), blocks.perm());

    Node y = ir.permute(x, List.of(0, 3, 2, 1, 4));
    PermuteRuns all = PermuteRuns.of(y);
    assertFalse(all.fitsFour());
    StridedWalk w = StridedWalk.ofPermute(all);
    assertEquals(List.of(Dims.symbol("B"), Dims.of(4), Dims.of(3), Dims.of(2), Dims.of(5)), w.sizes());
    assertEquals(List.of(Dims.of(120), Dims.of(5), Dims.of(20), Dims.of(60), Dims.of(1)), w.strides());
    ir.result("y", Graph.Kind.OUTPUT, y);
    Schedule sched = Scheduler.schedule(ir.build());
    assertEquals(1, sched.steps().size(), sched.print());
  }

  /**
   * A slice of rank 5 with an integer index (a dim of size 1 at an offset) walks the other dims at step times stride
   * from the summed offset; rows 1-2 of dim 1 with every other row of dim 2 (stride 90 = 3 x 30) walk as one dim.
   */
  @Test
  void aSliceOfRankFiveIsAWalkFromItsOffset() {
    GraphBuilder ir = new GraphBuilder("S");
    Node x = ir.input("x", Dims.type(DType.F32, Dims.shape(List.of(Dims.symbol("B"), Dims.of(4), Dims.of(6),
        Dims.of(5), Dims.of(3)))));
    Node y = ir.slice(x, new Attr.Slice(List.of(0, 1, 0, 0, 2), List.of(1, 1, 2, 1, 1),
        Dims.shape(List.of(Dims.symbol("B"), Dims.of(2), Dims.of(3), Dims.of(5), Dims.of(1)))));
    StridedWalk w = StridedWalk.ofSlice(y);
    assertEquals(List.of(Dims.of(90), Dims.of(2)), w.offset());
    assertEquals(List.of(Dims.symbol("B"), Dims.of(6), Dims.of(5)), w.sizes());
    assertEquals(List.of(Dims.of(360), Dims.of(30), Dims.of(3)), w.strides());
  }
}
