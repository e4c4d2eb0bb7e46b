package dev.modelc.opt;

import dev.modelc.ir.Attr;
import dev.modelc.ir.Dims;
import dev.modelc.ir.Graph;
import dev.modelc.ir.GraphBuilder;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.types.Dim;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Algebraic simplification, one local rewrite per node, operands already simplified:
 * <ol>
 *   <li>identities: x + 0, x * 1, x / 1, x ** 1 become x; -(-x) becomes x;
 *   <li>movement: a move to the same shape disappears; reshape of reshape and broadcast of broadcast become one;
 *       a reshaped broadcast of a single element is a broadcast of that element;
 *       permute of permute becomes one permute, or nothing when the two cancel (transpose of transpose); the
 *       transpose of a matrix product used only there is the product of the transposes swapped,
 *       {@code (a b)^T = b^T a^T}, so a weight's gradient is written in the weight's layout with no transposition;
 *   <li>sums: a sum over axes of size 1 is a reshape; a sum over axes that a broadcast created is the broadcast
 *       operand times the number of repeats (the "broadcast sums" left by derivative rules);
 *   <li>only with {@link PassOptions#unsafeMath()}: log(exp(x)) and exp(log(x)) become x, x * 0 becomes 0,
 *       x - x becomes 0, x / x becomes 1. These are exact in real numbers but not at overflow, NaN or infinity.
 * </ol>
 */
public final class Simplify implements Pass {
  @Override
  public String name() {
    return "simplify";
  }

  @Override
  public Outcome run(Graph g, PassOptions options) {
    Map<Node, Integer> uses = uses(g);
    return Rewriter.run(g, (ir, old, x) -> {
      Node safe = old.op == Op.PERMUTE && x.get(0).op == Op.MATMUL && uses.get(old.in(0)) == 1
          ? transposedProduct(ir, old, x.get(0)) : safe(ir, old, x);
      return safe != null || !options.unsafeMath() ? safe : unsafe(ir, old, x);
    });
  }

  static Node safe(GraphBuilder ir, Node old, List<Node> x) {
    return switch (old.op) {
      case ADD -> x.get(1).isConstant(0) ? x.get(0) : x.get(0).isConstant(0) ? x.get(1) : null;
      case MUL -> x.get(1).isConstant(1) ? x.get(0) : x.get(0).isConstant(1) ? x.get(1) : null;
      case DIV, POW -> x.get(1).isConstant(1) ? x.get(0) : null;
      case NEG -> x.get(0).op == Op.NEG ? x.get(0).in(0) : null;
      case RESHAPE -> x.get(0).op == Op.RESHAPE || sameShape(old, x) ? ir.reshape(inner(x, Op.RESHAPE), old.shape())
          : isSpreadScalar(x.get(0), old) ? ir.broadcastTo(x.get(0).in(0), old.shape()) : null;
      case BROADCAST_TO -> x.get(0).op == Op.BROADCAST_TO || sameShape(old, x)
          ? ir.broadcastTo(inner(x, Op.BROADCAST_TO), old.shape()) : null;
      case PERMUTE -> x.get(0).op == Op.PERMUTE ? ir.permute(x.get(0).in(0), compose(old, x.get(0))) : null;
      case REDUCE_SUM -> reduceSum(ir, old, x.get(0));
      default -> null;
    };
  }

  /** How many times each node is read, by nodes or as a result. */
  private static Map<Node, Integer> uses(Graph g) {
    Map<Node, Integer> uses = new IdentityHashMap<>();
    for (Node n : g.nodes()) {
      for (Node x : n.inputs) uses.merge(x, 1, Integer::sum);
    }
    for (Graph.Result r : g.results()) uses.merge(r.node(), 1, Integer::sum);
    return uses;
  }

  /** {@code (a b)^T = b^T a^T} for a rank-2 product and a transposing permute; null otherwise. */
  private static Node transposedProduct(GraphBuilder ir, Node old, Node product) {
    if (old.rank() != 2 || product.in(0).rank() != 2 || product.in(1).rank() != 2) return null;
    return ir.matmul(transpose(ir, product.in(1)), transpose(ir, product.in(0)));
  }

  private static Node transpose(GraphBuilder ir, Node x) {
    return x.op == Op.PERMUTE && x.rank() == 2 ? x.in(0) : ir.transposeLast(x);
  }

  static Node unsafe(GraphBuilder ir, Node old, List<Node> x) {
    return switch (old.op) {
      case LOG -> x.get(0).op == Op.EXP ? x.get(0).in(0) : null;
      case EXP -> x.get(0).op == Op.LOG ? x.get(0).in(0) : null;
      case MUL -> x.get(0).isConstant(0) || x.get(1).isConstant(0) ? ir.full(0, old) : null;
      case ADD -> x.get(1).op == Op.NEG && x.get(1).in(0) == x.get(0) ? ir.full(0, old) : null;
      case DIV -> x.get(0) == x.get(1) ? ir.full(1, old) : null;
      default -> null;
    };
  }

  /** A broadcast of a single element, reshaped: the same as broadcasting the element to the new shape. */
  private static boolean isSpreadScalar(Node x, Node reshape) {
    if (x.op != Op.BROADCAST_TO || x.in(0).rank() > reshape.rank()) return false;
    Dim c = Dims.count(x.in(0).shape());
    return Dims.isConstant(c) && Dims.value(c) == 1;
  }

  private static boolean sameShape(Node old, List<Node> x) {
    return x.get(0).shape().equals(old.shape());
  }

  /** The operand, or its own operand when it is the same movement op (the two moves collapse into one). */
  private static Node inner(List<Node> x, Op op) {
    return x.get(0).op == op ? x.get(0).in(0) : x.get(0);
  }

  /** permute(permute(a, p), q) == permute(a, r) with r[i] = p[q[i]]. */
  private static List<Integer> compose(Node outer, Node innerPermute) {
    List<Integer> p = ((Attr.Perm) innerPermute.attr).perm();
    List<Integer> q = ((Attr.Perm) outer.attr).perm();
    List<Integer> r = new ArrayList<>();
    for (int i : q) r.add(p.get(i));
    return r;
  }

  private static Node reduceSum(GraphBuilder ir, Node old, Node x) {
    Attr.Axes axes = (Attr.Axes) old.attr;
    boolean allOnes = axes.axes().stream().allMatch(a -> Dims.isOne(Dims.dim(x.shape(), a)));
    if (allOnes) return ir.reshape(x, old.shape());
    if (x.op != Op.BROADCAST_TO) return null;
    Node src = x.in(0);
    int extra = x.rank() - src.rank();
    List<Dim> aligned = new ArrayList<>();
    for (int i = 0; i < extra; i++) aligned.add(Dims.of(1));
    aligned.addAll(Dims.dims(src.shape()));
    Dim repeats = Dims.of(1);
    List<Dim> keep = new ArrayList<>(Dims.dims(x.shape()));
    for (int a : axes.axes()) {
      if (!Dims.isOne(aligned.get(a))) return null;
      repeats = Dims.times(repeats, Dims.dim(x.shape(), a));
      keep.set(a, Dims.of(1));
    }
    Node spread = ir.broadcastTo(ir.reshape(src, Dims.shape(aligned)), Dims.shape(keep));
    Node summed = ir.reshape(spread, old.shape());
    if (Dims.isOne(repeats)) return summed;
    Node count = Dims.isConstant(repeats) ? ir.full(Dims.value(repeats), summed)
        : ir.broadcastTo(ir.size(repeats, old.dtype()), old.shape());
    return ir.mul(summed, count);
  }
}
