package dev.modelc.ir;

/**
 * The textual form of a graph, used by {@code --emit ir|grad} and by golden tests. One line per node:
 *
 * <pre>
 *   %7 : f32[B, 6, 24, 24] = conv2d %0, %3 stride=[1, 1] padding=[0, 0]   ; h @ 12:16
 *   %31 : f32[6, 1, 5, 5] = conv2d_backward_weight %0, %30 ...            ; adjoint @ 12:16
 * </pre>
 *
 * then the results. The text depends only on the graph (ids, ops, attributes, types, labels, origins), never on
 * hash order, so it is stable across runs.
 */
public final class IrPrinter {
  private IrPrinter() {}

  public static String print(Graph g) {
    StringBuilder sb = new StringBuilder();
    sb.append("graph ").append(g.name()).append(" {\n");
    for (Node n : g.nodes()) sb.append("  ").append(line(n)).append('\n');
    for (Graph.Result r : g.results()) {
      sb.append("  ").append(r.kind().name().toLowerCase(java.util.Locale.ROOT)).append(' ').append(r.name())
          .append(" = ").append(r.node().ref()).append('\n');
    }
    return sb.append("}\n").toString();
  }

  public static String line(Node n) {
    StringBuilder sb = new StringBuilder();
    sb.append(n.ref()).append(" : ").append(Dims.text(n.type)).append(" = ").append(n.op.mnemonic());
    for (int i = 0; i < n.inputs.size(); i++) sb.append(i == 0 ? " " : ", ").append(n.in(i).ref());
    String attr = n.attr.text();
    if (!attr.isEmpty()) sb.append(' ').append(attr);
    StringBuilder note = new StringBuilder();
    if (n.label() != null && !n.op.is(Op.Group.SOURCE)) note.append(n.label());
    if (n.stage == Phase.ADJOINT) note.append(note.length() > 0 ? " " : "").append("adjoint");
    if (n.origin.known()) note.append(note.length() > 0 ? " " : "").append("@ ").append(n.origin);
    if (note.length() > 0) sb.append("   ; ").append(note);
    return sb.toString();
  }
}
