package dev.modelc.opt;

import dev.modelc.ir.Attr;
import dev.modelc.ir.Graph;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.types.TensorType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Common-subexpression elimination: a node equal to an earlier one is replaced by it.
 * <ol>
 *   <li>Walk nodes in order, operands already replaced by their representatives.
 *   <li>Key each node by op, attribute, operand ids and type; operands of COMMUTATIVE ops are sorted by id first.
 *       INPUT and PARAM are keyed by their name, so they are never merged with each other.
 *   <li>The first node with a key is kept; a later node with the same key is replaced by it (and becomes dead,
 *       for {@link Dce} to remove).
 * </ol>
 * Every op is pure, so equal keys mean equal values.
 */
public final class Cse implements Pass {
  record Key(Op op, Attr attr, List<Integer> operands, TensorType type) {}

  @Override
  public String name() {
    return "cse";
  }

  @Override
  public Outcome run(Graph g, PassOptions options) {
    Map<Key, Node> seen = new HashMap<>();
    return Rewriter.run(g, (ir, old, operands) -> {
      List<Integer> ids = new ArrayList<>();
      for (Node x : operands) ids.add(x.id);
      if (old.op.is(Op.Group.COMMUTATIVE)) ids.sort(null);
      Key key = new Key(old.op, old.attr, ids, old.type);
      Node first = seen.get(key);
      if (first != null) return first;
      Node kept = ir.copy(old, operands);
      seen.put(key, kept);
      return kept;
    });
  }
}
