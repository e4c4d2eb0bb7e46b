package dev.modelc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.ad.Adjoint;
import dev.modelc.types.DType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verifier finds each kind of broken graph; the printer and DOT writer produce their documented forms. */
class IrTest {
  private static final dev.modelc.types.TensorType F32_3 = Dims.type(DType.F32, Dims.shape(3));
  private static final dev.modelc.types.TensorType F32_2 = Dims.type(DType.F32, Dims.shape(2));

  private static Node raw(int id, Op op, Attr attr, List<Node> in, dev.modelc.types.TensorType type) {
    return new Node(id, op, attr, in, type, Origin.NONE, Phase.FORWARD, null);
  }

  @Test
  void verifierReportsEveryViolation() {
    Node x = raw(0, Op.INPUT, new Attr.Name("x"), List.of(), F32_3);
    Node x2 = raw(1, Op.INPUT, new Attr.Name("x"), List.of(), F32_3);
    Node stray = raw(9, Op.INPUT, new Attr.Name("stray"), List.of(), F32_3);
    Node dangling = raw(2, Op.EXP, Attr.NONE, List.of(stray), F32_3);
    Node wrongType = raw(3, Op.NEG, Attr.NONE, List.of(x), F32_2);
    Node mismatch = raw(4, Op.ADD, Attr.NONE, List.of(x, wrongType), F32_3);
    Graph g = new Graph("broken", List.of(x, x2, dangling, wrongType, mismatch),
        List.of(new Graph.Result("out", Graph.Kind.OUTPUT, mismatch)), 10);
    assertEquals(List.of(
        "%1 input \"x\" is defined twice",
        "%2 uses %9 which is not defined before it",
        "%3 neg has type f32[2] but its rule gives f32[3]",
        "%4 add needs operands of one type, got f32[3] and f32[2]"), Verifier.check(g));
    IrException e = assertThrows(IrException.class, () -> Verifier.verify(g, "pass cse"));
    assertTrue(e.getMessage().startsWith("IR verification failed after pass cse:"), e.getMessage());
  }

  @Test
  void builderRejectsOperandsTheShapeRuleRejectsAtTheCurrentOrigin() {
    GraphBuilder ir = new GraphBuilder("bad");
    Node a = ir.input("a", Dims.type(DType.F32, Dims.shape(2, 3)));
    Node b = ir.input("b", Dims.type(DType.F32, Dims.shape(4, 5)));
    ir.at(new Origin(3, 7));
    IrException e = assertThrows(IrException.class, () -> ir.matmul(a, b));
    assertEquals("matmul inner dims differ: [2, 3] @ [4, 5]", e.getMessage());
    assertEquals(new Origin(3, 7), e.origin);
  }

  /**
   * The type rules let an i32 operand into two elementwise ops only: add of two i32 values (batch_norm's counter)
   * and to_float. Both are what the loop emitter compiles with int arithmetic, so no later pass checks for others.
   */
  @Test
  void theOnlyElementwiseOpsOnI32AreTheCountersAddAndToFloat() {
    dev.modelc.types.TensorType i32 = Dims.type(DType.I32, Dims.shape(3));
    List<String> accepted = new ArrayList<>();
    for (Op op : Op.values()) {
      if (!op.isElementwise()) continue;
      Attr attr = op == Op.TO_FLOAT ? new Attr.ToFloat(DType.F32) : Attr.NONE;
      for (int mask = 0; mask < 1 << op.arity; mask++) {
        List<dev.modelc.types.TensorType> in = new ArrayList<>();
        for (int k = 0; k < op.arity; k++) in.add((mask >> k & 1) == 1 ? i32 : F32_3);
        try {
          ShapeRules.infer(op, attr, in);
          if (mask != 0) accepted.add(op.mnemonic() + in.stream().map(Dims::text).toList());
        } catch (IrException e) {
          assertTrue(mask != 0 || op == Op.TO_FLOAT, op + " rejects float operands: " + e.getMessage());
        }
      }
    }
    assertEquals(List.of("to_float[i32[3]]", "add[i32[3], i32[3]]"), accepted);
  }

  private static Graph tiny() {
    GraphBuilder ir = new GraphBuilder("tiny");
    ir.at(new Origin(2, 3));
    Node x = ir.input("x", F32_3);
    ir.at(new Origin(3, 3));
    Node w = ir.param("w", F32_3);
    ir.at(new Origin(4, 14));
    Node loss = ir.label(ir.reduceSum(ir.unary(Op.TANH, ir.mul(x, w)), List.of(0), false), "loss");
    ir.result("loss", Graph.Kind.OBJECTIVE, loss);
    Node gw = Adjoint.grad(ir, loss, List.of(w)).get(0);
    ir.result("w", Graph.Kind.GRADIENT, ir.label(gw, "grad w"));
    return ir.build();
  }

  @Test
  void printerShowsTypesAttributesLabelsStagesAndSourceLocations() {
    assertEquals("""
        graph tiny {
          %0 : f32[3] = input "x"   ; @ 2:3
          %1 : f32[3] = param "w"   ; @ 3:3
          %2 : f32[3] = mul %0, %1   ; @ 4:14
          %3 : f32[3] = tanh %2   ; @ 4:14
          %4 : f32[] = reduce_sum %3 axes=[0]   ; loss @ 4:14
          %5 : f32[] = constant 1.0   ; adjoint @ 4:14
          %6 : f32[1] = reshape %5 to=[1]   ; adjoint @ 4:14
          %7 : f32[3] = broadcast_to %6 to=[3]   ; adjoint @ 4:14
          %8 : f32[3] = constant 1.0   ; adjoint @ 4:14
          %9 : f32[3] = mul %3, %3   ; adjoint @ 4:14
          %10 : f32[3] = neg %9   ; adjoint @ 4:14
          %11 : f32[3] = add %8, %10   ; adjoint @ 4:14
          %12 : f32[3] = mul %7, %11   ; adjoint @ 4:14
          %13 : f32[3] = mul %12, %0   ; grad w adjoint @ 4:14
          objective loss = %4
          gradient w = %13
        }
        """, IrPrinter.print(tiny()));
  }

  @Test
  void dotDrawsForwardAndAdjointApartWithNamesAndShapes() {
    String dot = DotWriter.write(tiny());
    assertEquals(dot, DotWriter.write(tiny()), "deterministic");
    assertTrue(dot.contains("subgraph cluster_forward"), dot);
    assertTrue(dot.contains("subgraph cluster_adjoint"), dot);
    assertTrue(dot.contains("label=\"param w\\nf32[3]\""), dot);
    assertTrue(dot.contains("label=\"grad w\""), dot);
    assertTrue(dot.contains("n0 -> n2 [label=\"[3]\"]"), dot);
  }
}
