package dev.modelc.opt;

import dev.modelc.eval.IrEvaluator;
import dev.modelc.ir.Attr;
import dev.modelc.ir.Dims;
import dev.modelc.ir.Graph;
import dev.modelc.ir.GraphBuilder;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.types.DType;
import dev.modelc.types.TensorType;
import java.util.List;

/**
 * Constant folding. Constants in the IR are tensors filled with one number, and every op below keeps them so:
 * <ol>
 *   <li>an elementwise op whose operands are all constants becomes the constant of its value (computed with the
 *       evaluator's scalar kernels and rounded to the dtype);
 *   <li>a movement op or STOP_GRADIENT of a constant becomes the constant in the new shape, and so does a
 *       SLICE_BACKWARD of zeros (of any other constant it is not one number);
 *   <li>a reduction of a constant over axes of constant size becomes the constant n * c (sum), c (max) or
 *       c + log n (logsumexp);
 *   <li>a SIZE whose size is a constant becomes that constant.
 * </ol>
 */
public final class ConstantFolding implements Pass {
  @Override
  public String name() {
    return "constant-fold";
  }

  @Override
  public Outcome run(Graph g, PassOptions options) {
    return Rewriter.run(g, ConstantFolding::fold);
  }

  static Node fold(GraphBuilder ir, Node old, List<Node> x) {
    if (old.op == Op.SIZE) {
      Attr.Size s = (Attr.Size) old.attr;
      return Dims.isConstant(s.dim()) ? ir.constant(Dims.value(s.dim()), old.type) : null;
    }
    if (x.isEmpty() || !x.stream().allMatch(n -> n.op == Op.CONSTANT)) return null;
    double a = x.get(0).constantValue();
    if (old.op.is(Op.Group.MOVEMENT) || old.op == Op.STOP_GRADIENT) return constant(ir, a, old.type);
    if (old.op == Op.SLICE_BACKWARD) return a == 0 ? constant(ir, 0, old.type) : null;
    if (old.op.is(Op.Group.ELEMENTWISE_UNARY)) return constant(ir, IrEvaluator.unary(old.op, old.attr, old.dtype(), a), old.type);
    if (old.op == Op.SELECT) return constant(ir, x.get(x.get(0).constantValue() != 0 ? 1 : 2).constantValue(), old.type);
    if (old.op.is(Op.Group.ELEMENTWISE_BINARY)) {
      return constant(ir, IrEvaluator.binary(old.op, a, x.get(1).constantValue()), old.type);
    }
    if (old.op.is(Op.Group.REDUCTION)) {
      long n = 1;
      for (int axis : ((Attr.Axes) old.attr).axes()) {
        var d = Dims.dim(x.get(0).shape(), axis);
        if (!Dims.isConstant(d)) return null;
        n *= Dims.value(d);
      }
      double v = switch (old.op) {
        case REDUCE_SUM -> a * n;
        case REDUCE_MAX, REDUCE_AMAX, REDUCE_MAX_ALL -> a;
        default -> a + Math.log(n);
      };
      return constant(ir, v, old.type);
    }
    return null;
  }

  private static Node constant(GraphBuilder ir, double v, TensorType type) {
    return ir.constant(type.dtype() == DType.F32 ? (float) v : v, type);
  }
}
