package dev.modelc.opt;

import dev.modelc.ir.Graph;
import dev.modelc.ir.GraphBuilder;
import dev.modelc.ir.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The common walk of the rewriting passes: visit nodes in order, hand each to a rule together with its operands as
 * already rewritten, and build a new graph from what the rules return. A rule may return an existing node (the node
 * is replaced by it), a new node made with the builder, or null to keep the node as it is (on its new operands).
 * Results follow their nodes. Replacements (a node of another id) are reported as "%old op -> %new op".
 */
final class Rewriter {
  interface Rule {
    Node rewrite(GraphBuilder ir, Node old, List<Node> operands);
  }

  private Rewriter() {}

  static Pass.Outcome run(Graph g, Rule rule) {
    GraphBuilder ir = GraphBuilder.rebuilding(g);
    Map<Node, Node> now = new HashMap<>();
    List<String> changes = new ArrayList<>();
    for (Node old : g.nodes()) {
      List<Node> operands = new ArrayList<>();
      for (Node x : old.inputs) operands.add(now.get(x));
      var oldOrigin = ir.at(old.origin);
      var oldStage = ir.stage(old.stage);
      Node replaced = rule.rewrite(ir, old, operands);
      ir.at(oldOrigin);
      ir.stage(oldStage);
      if (replaced == null) {
        replaced = ir.copy(old, operands);
      } else if (replaced.id != old.id) {
        if (!replaced.type.equals(old.type)) {
          throw new IllegalStateException("rewrite of " + old.ref() + " changed its type");
        }
        if (old.label() != null) ir.label(replaced, old.label());
        changes.add(old.ref() + " " + old.op.mnemonic() + " -> " + describe(replaced));
      }
      now.put(old, replaced);
    }
    for (Graph.Result r : g.results()) ir.result(r.name(), r.kind(), now.get(r.node()));
    return new Pass.Outcome(ir.build(), changes);
  }

  private static String describe(Node n) {
    return n.ref() + " " + n.op.mnemonic() + (n.attr.text().isEmpty() ? "" : " " + n.attr.text());
  }
}
