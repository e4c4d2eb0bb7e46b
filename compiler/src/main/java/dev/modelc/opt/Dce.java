package dev.modelc.opt;

import dev.modelc.ir.Graph;
import dev.modelc.ir.GraphBuilder;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Dead-code elimination.
 * <ol>
 *   <li>Choose the results to keep: all of them when training; only the outputs for inference (so the objective
 *       and every gradient, and with them the whole adjoint, go).
 *   <li>Mark live every node a kept result reaches through operands, walking backwards from the results, and
 *       every input and parameter: they are the model's interface (a declared input stays settable, a declared
 *       parameter stays in the state_dict, as in PyTorch), used or not.
 *   <li>Rebuild the graph from the live nodes, in their order, keeping their ids; report each node removed.
 * </ol>
 */
public final class Dce implements Pass {
  @Override
  public String name() {
    return "dce";
  }

  @Override
  public Outcome run(Graph g, PassOptions options) {
    List<Graph.Result> kept = new ArrayList<>();
    for (Graph.Result r : g.results()) {
      if (options.mode() == PassOptions.Mode.TRAINING || r.kind() == Graph.Kind.OUTPUT) kept.add(r);
    }
    Set<Node> live = new HashSet<>();
    for (Graph.Result r : kept) live.add(r.node());
    List<Node> nodes = g.nodes();
    for (Node n : nodes) {
      if (n.op == Op.INPUT || n.op == Op.PARAM) live.add(n);
    }
    for (int i = nodes.size() - 1; i >= 0; i--) {
      if (live.contains(nodes.get(i))) live.addAll(nodes.get(i).inputs);
    }
    GraphBuilder ir = GraphBuilder.rebuilding(g);
    Map<Node, Node> now = new HashMap<>();
    List<String> removed = new ArrayList<>();
    for (Node n : nodes) {
      if (!live.contains(n)) {
        removed.add("removed " + n.ref() + " " + n.op.mnemonic() + (n.label() != null ? " (" + n.label() + ")" : ""));
        continue;
      }
      List<Node> operands = new ArrayList<>();
      for (Node x : n.inputs) operands.add(now.get(x));
      now.put(n, ir.copy(n, operands));
    }
    for (Graph.Result r : kept) ir.result(r.name(), r.kind(), now.get(r.node()));
    return new Outcome(ir.build(), removed);
  }
}
