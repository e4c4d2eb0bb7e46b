package dev.modelc.ad;

import dev.modelc.ir.Graph;
import dev.modelc.ir.GraphBuilder;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import java.util.List;

/**
 * The pipeline's differentiation step: a lowered graph with an objective gets the objective's gradient with respect to
 * every parameter, as GRADIENT results. It runs after lowering and before optimization.
 *
 * <ol>
 *   <li>Find the OBJECTIVE result; a graph without one (an inference-only model) is returned as it is.
 *   <li>Continue the graph ({@link GraphBuilder#extending}), so new nodes get new ids after the forward ones.
 *   <li>Run the adjoint builder once for all parameters ({@link Adjoint#reached}).
 *   <li>Add one GRADIENT result per parameter the objective reaches, named by the parameter, in declaration order.
 *       A parameter it does not reach gets none: PyTorch leaves its {@code .grad} None and its optimizer skips it,
 *       and so does the generated step (its gradient array stays zero).
 * </ol>
 */
public final class Differentiation {
  private Differentiation() {}

  /** The graph with its parameters' gradients added; unchanged when it has no objective or no parameters. */
  public static Graph addGradients(Graph forward) {
    List<Graph.Result> objective = forward.results(Graph.Kind.OBJECTIVE);
    List<Node> params = forward.sources(Op.PARAM);
    if (objective.isEmpty() || params.isEmpty()) {
      return forward;
    }
    Node loss = objective.get(0).node();
    GraphBuilder ir = GraphBuilder.extending(forward);
    ir.at(loss.origin);
    List<Node> grads = Adjoint.reached(ir, loss, null, params);
    for (int i = 0; i < params.size(); i++) {
      if (grads.get(i) == null) continue;
      String name = params.get(i).label();
      ir.label(grads.get(i), "grad " + name);
      ir.result(name, Graph.Kind.GRADIENT, grads.get(i));
    }
    return ir.build();
  }
}
