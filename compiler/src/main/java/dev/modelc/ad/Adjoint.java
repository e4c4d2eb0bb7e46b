package dev.modelc.ad;

import dev.modelc.ir.Dims;
import dev.modelc.ir.GraphBuilder;
import dev.modelc.ir.GraphTooLargeException;
import dev.modelc.ir.IrException;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.ir.Phase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reverse-mode adjoint builder: appends to a graph the nodes computing the vector-Jacobian product of one node
 * with respect to some others, using the rules of {@link VjpRules}. The result nodes are ordinary IR, so the
 * builder can be run again on a graph that already holds an adjoint (a gradient of a gradient).
 *
 * <p>Algorithm:
 * <ol>
 *   <li>Seed: the cotangent of {@code of} is {@code seed}, or 1 when {@code of} is a scalar and no seed is given.
 *   <li>Activity: walking forward, a node is active when it is a target or when its op passes gradients
 *       (not in NO_GRADIENT) and one of its operands is active. Inactive operands get no cotangent.
 *   <li>Relevance: only ancestors of {@code of} are visited.
 *   <li>Reverse sweep: from {@code of} back to the first node, each visited active node with a cotangent looks up its
 *       rule (a missing rule is a located error naming the op) and adds each active operand's contribution into
 *       that operand's cotangent, summing when an operand is used more than once.
 *   <li>Each target's gradient is its cotangent, or zeros when {@code of} does not depend on it ({@link #reached}
 *       gives null there instead).
 * </ol>
 * New nodes are stamped {@link Phase#ADJOINT} and carry the origin of the forward node whose rule made them.
 */
public final class Adjoint {
  private Adjoint() {}

  public static List<Node> vjp(GraphBuilder ir, Node of, Node seed, List<Node> wrt) {
    Phase oldStage = ir.stage(Phase.ADJOINT);
    var oldOrigin = ir.origin();
    try {
      return sweep(ir, of, seed(ir, of, seed), wrt, true);
    } catch (GraphTooLargeException e) {
      throw new GraphTooLargeException(oldOrigin); // at the grad(...) call whose gradient passed the limit
    } finally {
      ir.stage(oldStage);
      ir.at(oldOrigin);
    }
  }

  /**
   * Like {@link #vjp}, with null for each target {@code of} does not depend on (PyTorch leaves such a leaf's
   * {@code .grad} None).
   */
  public static List<Node> reached(GraphBuilder ir, Node of, Node seed, List<Node> wrt) {
    Phase oldStage = ir.stage(Phase.ADJOINT);
    var oldOrigin = ir.origin();
    try {
      return sweep(ir, of, seed(ir, of, seed), wrt, false);
    } catch (GraphTooLargeException e) {
      throw new GraphTooLargeException(oldOrigin); // at the objective whose gradients passed the limit
    } finally {
      ir.stage(oldStage);
      ir.at(oldOrigin);
    }
  }

  /** The gradient of a scalar {@code of} with respect to each target. */
  public static List<Node> grad(GraphBuilder ir, Node of, List<Node> wrt) {
    return vjp(ir, of, null, wrt);
  }

  private static Node seed(GraphBuilder ir, Node of, Node seed) {
    if (seed == null) {
      if (Dims.rank(of.shape()) != 0) {
        throw new IrException("grad can be implicitly created only for scalar outputs", of.origin);
      }
      ir.at(of.origin);
      return ir.full(1, of);
    }
    if (!seed.type.equals(of.type)) {
      throw new IrException("the cotangent has type " + Dims.text(seed.type) + " but the value has type "
          + Dims.text(of.type), seed.origin);
    }
    return seed;
  }

  private static List<Node> sweep(GraphBuilder ir, Node of, Node seed, List<Node> wrt, boolean zeros) {
    List<Node> order = ancestors(ir.nodes(), of);
    Set<Node> active = active(order, wrt);
    Map<Node, Node> cotangent = new HashMap<>();
    cotangent.put(of, seed);
    for (int i = order.size() - 1; i >= 0; i--) {
      Node y = order.get(i);
      Node y_bar = cotangent.get(y);
      if (y_bar == null || !active.contains(y) || y.op.is(Op.Group.SOURCE)) continue;
      List<VjpRules.Vjp> rule = VjpRules.of(y.op);
      if (rule == null) {
        throw new IrException("no derivative rule for op '" + y.op.mnemonic() + "'", y.origin);
      }
      ir.at(y.origin);
      for (int k = 0; k < y.inputs.size(); k++) {
        Node x = y.in(k);
        if (!active.contains(x)) continue;
        Node x_bar = rule.get(k).apply(ir, y, y_bar);
        Node sum = cotangent.get(x);
        cotangent.put(x, sum == null ? x_bar : ir.add(sum, x_bar));
      }
    }
    List<Node> grads = new ArrayList<>();
    for (Node w : wrt) {
      Node g = cotangent.get(w);
      grads.add(g != null || !zeros ? g : ir.full(0, w));
    }
    return grads;
  }

  /** The ancestors of {@code of} (itself included), in graph order. */
  private static List<Node> ancestors(List<Node> nodes, Node of) {
    Set<Node> needed = new HashSet<>();
    needed.add(of);
    int end = nodes.indexOf(of);
    if (end < 0) throw new IrException("the value to differentiate is not in the graph");
    List<Node> order = new ArrayList<>();
    for (int i = end; i >= 0; i--) {
      Node n = nodes.get(i);
      if (!needed.contains(n)) continue;
      order.add(n);
      needed.addAll(n.inputs);
    }
    java.util.Collections.reverse(order);
    return order;
  }

  private static Set<Node> active(List<Node> order, List<Node> wrt) {
    Set<Node> active = new HashSet<>(wrt);
    for (Node n : order) {
      if (n.op.is(Op.Group.NO_GRADIENT) || active.contains(n)) continue;
      for (Node x : n.inputs) {
        if (active.contains(x)) {
          active.add(n);
          break;
        }
      }
    }
    return active;
  }
}
