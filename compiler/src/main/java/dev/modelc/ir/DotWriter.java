package dev.modelc.ir;

import java.util.HashMap;
import java.util.Map;

/**
 * A Graphviz drawing of a graph: forward nodes in one cluster, adjoint nodes in another (shaded differently), inputs
 * and parameters as named boxes, results (outputs, objective, gradients) as named ovals, and each edge labelled with
 * the shape of the value it carries. Output is deterministic, so it can be diffed.
 */
public final class DotWriter {
  private DotWriter() {}

  public static String write(Graph g) {
    StringBuilder sb = new StringBuilder();
    sb.append("digraph \"").append(escape(g.name())).append("\" {\n");
    sb.append("  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=8];\n");
    cluster(sb, g, Phase.FORWARD, "forward", "#e8f0fe");
    cluster(sb, g, Phase.ADJOINT, "adjoint", "#fdecea");
    for (Node n : g.nodes()) {
      for (Node x : n.inputs) {
        sb.append("  n").append(x.id).append(" -> n").append(n.id)
            .append(" [label=\"").append(escape(Dims.text(x.shape()))).append("\"")
            .append(x.stage == Phase.ADJOINT || n.stage == Phase.ADJOINT ? ", color=\"#c5221f\"" : "")
            .append("];\n");
      }
    }
    Map<String, Integer> seen = new HashMap<>();
    for (Graph.Result r : g.results()) {
      String id = "r_" + r.kind() + "_" + seen.merge(r.kind().name(), 1, Integer::sum);
      String title = switch (r.kind()) {
        case OUTPUT -> "output " + r.name();
        case OBJECTIVE -> "minimize " + r.name();
        case GRADIENT -> "grad " + r.name();
        case BUFFER_UPDATE -> "update " + r.name();
      };
      String color = r.kind() == Graph.Kind.GRADIENT ? "#f4c7c3" : "#c6dafc";
      sb.append("  ").append(id).append(" [shape=oval, style=filled, fillcolor=\"").append(color)
          .append("\", label=\"").append(escape(title)).append("\"];\n");
      sb.append("  n").append(r.node().id).append(" -> ").append(id).append(" [label=\"")
          .append(escape(Dims.text(r.node().shape()))).append("\"];\n");
    }
    return sb.append("}\n").toString();
  }

  private static void cluster(StringBuilder sb, Graph g, Phase stage, String title, String fill) {
    boolean any = g.nodes().stream().anyMatch(n -> n.stage == stage);
    if (!any) return;
    sb.append("  subgraph cluster_").append(title).append(" {\n")
        .append("    label=\"").append(title).append("\"; style=filled; color=\"").append(fill).append("\";\n");
    for (Node n : g.nodes()) {
      if (n.stage != stage) continue;
      sb.append("    n").append(n.id).append(" [").append(style(n)).append(", label=\"")
          .append(escape(label(n))).append("\"];\n");
    }
    sb.append("  }\n");
  }

  private static String style(Node n) {
    return switch (n.op) {
      case INPUT -> "shape=box, style=filled, fillcolor=\"#fff2cc\"";
      case PARAM -> "shape=box, style=\"filled,bold\", fillcolor=\"#d9ead3\"";
      case CONSTANT, SIZE, TRAINING -> "shape=plaintext";
      case NEG, EXP, LOG, SQRT, ABS, SIN, COS, TANH, SIGMOID, ERF, RELU, LEAKY_RELU, SOFTPLUS, SIGN, STOP_GRADIENT, TO_FLOAT,
          ADD, MUL, DIV, POW, MAXIMUM, MINIMUM, GREATER, EQUAL, SELECT, BCE, BCE_WITH_LOGITS,
          BROADCAST_TO, RESHAPE, PERMUTE, SLICE, SLICE_BACKWARD, REDUCE_SUM, REDUCE_MAX, REDUCE_AMAX, REDUCE_MAX_ALL,
          LOGSUMEXP, LOG_SOFTMAX,
          MATMUL, CONV2D, CONV2D_BACKWARD_INPUT, CONV2D_BACKWARD_WEIGHT,
          MAXPOOL2D, MAXPOOL2D_BACKWARD, MAXPOOL2D_GATHER, AVGPOOL2D, AVGPOOL2D_BACKWARD, FIRST_MAX, ONE_HOT,
          GATHER, SCATTER_ADD, DROPOUT ->
          "shape=box, style=rounded";
    };
  }

  private static String label(Node n) {
    return switch (n.op) {
      case INPUT -> "input " + n.label() + "\n" + Dims.text(n.type);
      case PARAM -> "param " + n.label() + "\n" + Dims.text(n.type);
      case CONSTANT -> n.attr.text();
      case SIZE -> ((Attr.Size) n.attr).dim().toString();
      case TRAINING -> "training";
      case NEG, EXP, LOG, SQRT, ABS, SIN, COS, TANH, SIGMOID, ERF, RELU, LEAKY_RELU, SOFTPLUS, SIGN, STOP_GRADIENT, TO_FLOAT,
          ADD, MUL, DIV, POW, MAXIMUM, MINIMUM, GREATER, EQUAL, SELECT, BCE, BCE_WITH_LOGITS,
          BROADCAST_TO, RESHAPE, PERMUTE, SLICE, SLICE_BACKWARD, REDUCE_SUM, REDUCE_MAX, REDUCE_AMAX, REDUCE_MAX_ALL,
          LOGSUMEXP, LOG_SOFTMAX,
          MATMUL, CONV2D, CONV2D_BACKWARD_INPUT, CONV2D_BACKWARD_WEIGHT,
          MAXPOOL2D, MAXPOOL2D_BACKWARD, MAXPOOL2D_GATHER, AVGPOOL2D, AVGPOOL2D_BACKWARD, FIRST_MAX, ONE_HOT,
          GATHER, SCATTER_ADD, DROPOUT ->
          n.ref() + " " + n.op.mnemonic() + (n.label() != null ? "\n" + n.label() : "");
    };
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
