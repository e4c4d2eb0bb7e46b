package dev.modelc.lower;

import dev.modelc.ad.Adjoint;
import dev.modelc.ir.Graph;
import dev.modelc.ir.GraphBuilder;
import dev.modelc.ir.IrException;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import java.util.List;

/**
 * The entry points other stages call: lowering a checked model to IR and adding the training adjoint.
 *
 * <pre>
 *   Graph g = Compilation.lower(model);              // forward + adjoint, unoptimized
 *   Graph o = Pipeline.standard(options).run(g);     // optimized (dev.modelc.opt)
 *   IrPrinter.print(o); DotWriter.write(o);          // --emit ir|grad, modelc graph
 * </pre>
 */
public final class Compilation {
  private Compilation() {}

  /**
   * Differentiates the scalar objective with respect to every parameter of the graph under construction, adding one
   * GRADIENT result per parameter the objective reaches, named by the parameter, in declaration order. A parameter it
   * does not reach gets none: PyTorch leaves its {@code .grad} None and its optimizer skips it, and so does the
   * generated step (its gradient array stays zero).
   */
  public static void addParameterGradients(GraphBuilder ir, Node objective) {
    List<Node> params = ir.nodes().stream().filter(n -> n.op == Op.PARAM).toList();
    if (params.isEmpty()) return;
    List<Node> grads = Adjoint.reached(ir, objective, null, params);
    for (int i = 0; i < params.size(); i++) {
      if (grads.get(i) == null) continue;
      String name = params.get(i).label();
      ir.label(grads.get(i), "grad " + name);
      ir.result(name, Graph.Kind.GRADIENT, grads.get(i));
    }
  }

  /** Fails with the located message of an IR error (for drivers that want one line). */
  public static String describe(IrException e) {
    return (e.origin.known() ? e.origin + ": " : "") + e.getMessage();
  }
}
