package dev.modelc.opt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.ad.Adjoint;
import dev.modelc.ir.Dims;
import dev.modelc.ir.Graph;
import dev.modelc.ir.GraphBuilder;
import dev.modelc.ir.IrPrinter;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.ir.Verifier;
import dev.modelc.types.DType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden tests of single passes: the printed graph after the pass and the list of what it changed or removed. */
class OptTest {
  private static final PassOptions TRAIN = PassOptions.training().withVerify(true);

  @Test
  void cseMergesEqualNodesAndSortsOperandsOfCommutativeOps() {
    GraphBuilder ir = new GraphBuilder("cse");
    Node x = ir.input("x", Dims.type(DType.F32, Dims.shape(2)));
    Node y = ir.input("y", Dims.type(DType.F32, Dims.shape(2)));
    Node a = ir.mul(x, y);
    Node b = ir.mul(y, x);
    Node c = ir.exp(a);
    Node d = ir.exp(b);
    ir.result("out", Graph.Kind.OUTPUT, ir.add(c, d));
    Pass.Outcome o = new Cse().run(ir.build(), TRAIN);
    assertEquals(List.of("%3 mul -> %2 mul", "%5 exp -> %4 exp"), o.changes());
    assertEquals("""
        graph cse {
          %0 : f32[2] = input "x"
          %1 : f32[2] = input "y"
          %2 : f32[2] = mul %0, %1
          %4 : f32[2] = exp %2
          %6 : f32[2] = add %4, %4
          output out = %6
        }
        """, IrPrinter.print(o.graph()));
    assertEquals(List.of(), Verifier.check(o.graph()));
  }

  @Test
  void dceForInferenceDropsTheObjectiveAndTheWholeAdjoint() {
    Graph g = smallTrainingGraph();
    assertTrue(g.hasAdjoint());
    Pass.Outcome o = new Dce().run(g, PassOptions.inference());
    // %5.. %11: seed 1, reshape and broadcast of the sum's rule, the two products of pred * pred, their sum, * x
    assertEquals(List.of("removed %3 mul", "removed %4 reduce_sum (loss)", "removed %5 constant",
        "removed %6 reshape", "removed %7 broadcast_to", "removed %8 mul", "removed %9 mul", "removed %10 add",
        "removed %11 mul"), o.changes());
    assertEquals("""
        graph small {
          %0 : f32[3] = input "x"
          %1 : f32[3] = param "w"
          %2 : f32[3] = mul %0, %1   ; pred
          output pred = %2
        }
        """, IrPrinter.print(o.graph()));
    assertFalse(o.graph().hasAdjoint());
  }

  @Test
  void dceForTrainingKeepsOnlyWhatTheObjectiveAndGradientsNeed() {
    GraphBuilder ir = GraphBuilder.extending(smallTrainingGraph());
    ir.exp(ir.nodes().get(0)); // computed but never used
    Pass.Outcome o = new Dce().run(ir.build(), TRAIN);
    assertEquals(List.of("removed %12 exp"), o.changes());
  }

  /** pred = x * w; loss = sum(pred * pred); its gradient in w. */
  static Graph smallTrainingGraph() {
    GraphBuilder ir = new GraphBuilder("small");
    Node x = ir.input("x", Dims.type(DType.F32, Dims.shape(3)));
    Node w = ir.param("w", Dims.type(DType.F32, Dims.shape(3)));
    Node pred = ir.label(ir.mul(x, w), "pred");
    Node loss = ir.label(ir.reduceSum(ir.mul(pred, pred), List.of(0), false), "loss");
    Node gw = Adjoint.grad(ir, loss, List.of(w)).get(0);
    ir.result("pred", Graph.Kind.OUTPUT, pred);
    ir.result("loss", Graph.Kind.OBJECTIVE, loss);
    ir.result("w", Graph.Kind.GRADIENT, gw);
    return ir.build();
  }

  @Test
  void simplifyRemovesIdentitiesAndCollapsesMoves() {
    GraphBuilder ir = new GraphBuilder("simplify");
    Node x = ir.input("x", Dims.type(DType.F64, Dims.shape(2, 3)));
    Node t = ir.transposeLast(ir.transposeLast(x));
    Node one = ir.mul(t, ir.full(1, t));
    Node zero = ir.add(ir.full(0, one), one);
    Node r = ir.reshape(ir.reshape(zero, Dims.shape(6)), Dims.shape(3, 2));
    ir.result("out", Graph.Kind.OUTPUT, ir.neg(ir.neg(r)));
    Graph g = Pipeline.standard(TRAIN).run(ir.build());
    assertEquals("""
        graph simplify {
          %0 : f64[2, 3] = input "x"
          %11 : f64[3, 2] = reshape %0 to=[3, 2]
          output out = %11
        }
        """, IrPrinter.print(g));
  }

  @Test
  void sumOfABroadcastIsTheOperandTimesTheRepeats() {
    GraphBuilder ir = new GraphBuilder("bsum");
    Node x = ir.input("x", Dims.type(DType.F64, Dims.shape(List.of(Dims.symbol("B"), Dims.of(3)))));
    Node s = ir.reduceSum(x, List.of(0, 1), false);
    Node spread = ir.broadcastTo(s, x.shape());
    ir.result("out", Graph.Kind.OUTPUT, ir.reduceSum(spread, List.of(0), false));
    Graph g = Pipeline.standard(TRAIN).run(ir.build());
    String text = IrPrinter.print(g);
    assertTrue(text.contains("= size size=B"), text);
    assertFalse(text.contains("broadcast_to %1 to=[B, 3]"), text);
  }

  @Test
  void unsafeRewritesOnlyWhenAsked() {
    GraphBuilder ir = new GraphBuilder("unsafe");
    Node x = ir.input("x", Dims.type(DType.F64, Dims.shape(2)));
    ir.result("out", Graph.Kind.OUTPUT, ir.log(ir.exp(x)));
    Graph safe = Pipeline.standard(TRAIN).run(ir.build());
    Graph fast = Pipeline.standard(TRAIN.withUnsafeMath(true)).run(ir.build());
    assertEquals(Op.LOG, safe.results().get(0).node().op);
    assertEquals(Op.INPUT, fast.results().get(0).node().op);
  }
}
