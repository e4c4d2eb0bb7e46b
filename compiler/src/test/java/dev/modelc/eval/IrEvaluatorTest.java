package dev.modelc.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.modelc.ir.Dims;
import dev.modelc.ir.Graph;
import dev.modelc.ir.GraphBuilder;
import dev.modelc.ir.IrException;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.ir.Origin;
import dev.modelc.lower.Sugar;
import dev.modelc.types.DType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Binding, symbolic sizes, f32 rounding and run-time errors of the evaluator, against hand-computed values. */
class IrEvaluatorTest {
  private static Graph softmaxRows(DType dt) {
    GraphBuilder ir = new GraphBuilder("softmax");
    Sugar s = new Sugar(ir);
    Node x = ir.input("x", Dims.type(dt, Dims.shape(List.of(Dims.symbol("B"), Dims.of(3)))));
    ir.result("p", Graph.Kind.OUTPUT, s.softmax(x, 1));
    ir.result("m", Graph.Kind.OUTPUT, s.mean(x, null, false));
    return ir.build();
  }

  @Test
  void computesSoftmaxAndAMeanOverASymbolicBatch() {
    var v = new IrEvaluator(softmaxRows(DType.F64)).run(
        Map.of("x", NdArray.of(DType.F64, new int[] {2, 3}, 0, Math.log(2), Math.log(3), 1, 1, 1)), Map.of());
    double[] p = v.result("p").data();
    double[] want = {1 / 6.0, 2 / 6.0, 3 / 6.0, 1 / 3.0, 1 / 3.0, 1 / 3.0};
    for (int i = 0; i < 6; i++) assertEquals(want[i], p[i], 1e-15);
    assertEquals((Math.log(6) + 3) / 6, v.result("m").item(), 1e-15);
  }

  @Test
  void f32GraphsHoldFloatValues() {
    var v = new IrEvaluator(softmaxRows(DType.F32)).run(
        Map.of("x", NdArray.of(DType.F32, new int[] {1, 3}, 0, 0, 0)), Map.of());
    for (double p : v.result("p").data()) {
      assertEquals((double) (float) p, p, 0, "every value is a float");
      assertEquals(1 / 3.0, p, 1e-7, "within f32 rounding of 1/3");
    }
  }

  @Test
  void dropoutPassesItsInputThroughInEvaluationMode() {
    GraphBuilder ir = new GraphBuilder("dropout");
    Node x = ir.input("x", Dims.type(DType.F64, Dims.shape(64)));
    ir.result("y", Graph.Kind.OUTPUT, new Sugar(ir).dropout(x, 0.5, 0));
    Graph g = ir.build();
    double[] ones = new double[64];
    java.util.Arrays.fill(ones, 1);
    Map<String, NdArray> in = Map.of("x", NdArray.of(DType.F64, new int[] {64}, ones));
    double[] training = new IrEvaluator(g).run(in, Map.of()).result("y").data();
    assertEquals(true, java.util.Arrays.stream(training).anyMatch(v -> v == 0), "a training pass drops elements");
    assertEquals(List.of(1.0), java.util.Arrays.stream(new IrEvaluator(g, false).run(in, Map.of()).result("y").data())
        .distinct().boxed().toList(), "evaluation mode (setTraining(false), predict) keeps every element as it is");
  }

  @Test
  void mismatchedSymbolicSizesAreLocatedErrors() {
    GraphBuilder ir = new GraphBuilder("two");
    ir.at(new Origin(2, 3));
    Node a = ir.input("a", Dims.type(DType.F64, Dims.shape(List.of(Dims.symbol("B")))));
    ir.at(new Origin(3, 3));
    Node b = ir.input("b", Dims.type(DType.F64, Dims.shape(List.of(Dims.symbol("B")))));
    ir.result("s", Graph.Kind.OUTPUT, ir.add(a, b));
    IrException e = assertThrows(IrException.class, () -> new IrEvaluator(ir.build()).run(Map.of(
        "a", NdArray.of(DType.F64, new int[] {2}, 1, 2), "b", NdArray.of(DType.F64, new int[] {3}, 1, 2, 3)),
        Map.of()));
    assertEquals("input b expects shape [2] ([B]), got [3]", e.getMessage());
    assertEquals(new Origin(3, 3), e.origin);
  }

  @Test
  void labelsOutOfRangeAreReported() {
    GraphBuilder ir = new GraphBuilder("nll");
    Sugar s = new Sugar(ir);
    Node logp = ir.input("logp", Dims.type(DType.F64, Dims.shape(2, 3)));
    Node t = ir.input("t", Dims.type(DType.I32, Dims.shape(2)));
    ir.result("l", Graph.Kind.OBJECTIVE, s.nll(logp, t, "mean"));
    Graph g = ir.build();
    var ok = new IrEvaluator(g).run(Map.of("logp", NdArray.of(DType.F64, new int[] {2, 3}, -1, -2, -3, -4, -5, -6),
        "t", NdArray.of(DType.I32, new int[] {2}, 2, 0)), Map.of());
    assertEquals((3 + 4) / 2.0, ok.result("l").item(), 0);
    IrException e = assertThrows(IrException.class, () -> new IrEvaluator(g).run(
        Map.of("logp", NdArray.of(DType.F64, new int[] {2, 3}, 0, 0, 0, 0, 0, 0),
            "t", NdArray.of(DType.I32, new int[] {2}, 1, 3)), Map.of()));
    assertEquals("label 3 at position 1 is out of range [0, 3)", e.getMessage());
    assertEquals(Op.ONE_HOT, g.nodes().stream().filter(n -> n.op == Op.ONE_HOT).findFirst().orElseThrow().op);
  }
}
