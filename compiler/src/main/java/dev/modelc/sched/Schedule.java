package dev.modelc.sched;

import dev.modelc.ir.Dims;
import dev.modelc.ir.Graph;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How a graph runs: which nodes are computed inside which loops, the steps of each pass in order, and where every
 * value lives. Made by {@link Scheduler}, consumed by the code generator, printed by {@code --emit schedule}. The
 * graph says what is computed; this object says how (Halide's split between algorithm and schedule).
 *
 * @param graph the optimized graph
 * @param forms how each node exists at run time
 * @param steps every step, each emitted as one method
 * @param forward the steps of {@code forward()}: outputs, objective and what the backward pass keeps
 * @param backward the steps of {@code backward()}, ending with the gradients' accumulation
 * @param predict the steps of inference (outputs only), a subsequence of {@code forward}
 * @param updates for each parameter, the position in {@code backward} after which a training step updates it
 *     (-1: before the first backward step)
 * @param locations the storage of every node that has one (sources, materialized nodes, aliases)
 * @param buffers the working buffers, each shared by values whose lifetimes do not overlap
 * @param sizes the symbolic sizes, in the order typed methods take them
 * @param inputs the graph's inputs, in declaration order
 * @param params the graph's parameters, in declaration order
 * @param predictInputs the inputs inference needs
 * @param argmax the int buffer of each max pooling that records its windows' first maxima in the forward pass, by the
 *     pooling and by the gradient ops that read it ({@link PoolArgmax}); inference runs the pooling without it
 */
public record Schedule(Graph graph, Map<Node, Form> forms, List<Step> steps, List<Integer> forward,
                       List<Integer> backward, List<Integer> predict, List<Integer> updates,
                       Map<Node, Location> locations,
                       List<Buffer> buffers, List<String> sizes, List<Node> inputs, List<Node> params,
                       List<Node> predictInputs, Map<Node, Location> argmax) {

  /** A working buffer: its element type, its length, and the values stored in it one after another. */
  public record Buffer(int index, DType dtype, Dim length, List<Node> values) {}

  /**
   * The backward pass of a training step: step names ({@code s12}) and parameter updates ({@code u3}, the update
   * of parameter 3) in the order they run.
   */
  public List<String> trainBackward() {
    boolean[] reached = withGradient();
    List<List<Integer>> after = new java.util.ArrayList<>();
    for (int pos = 0; pos < backward.size(); pos++) after.add(new java.util.ArrayList<>());
    List<String> order = new java.util.ArrayList<>();
    for (int p = 0; p < params.size(); p++) {
      if (!reached[p]) continue;
      if (updates.get(p) < 0) order.add("u" + p);
      else after.get(updates.get(p)).add(p);
    }
    for (int pos = 0; pos < backward.size(); pos++) {
      order.add("s" + backward.get(pos));
      for (int p : after.get(pos)) order.add("u" + p);
    }
    return order;
  }

  /**
   * The backward steps that {@code trainStep} runs writing, not adding to, their parameter's gradient: each is the
   * only step (of any pass) that writes that gradient, so on the zeros {@code trainStep} would start from it
   * writes the same value, and {@code trainStep} need not zero that gradient first (a fill and, in the kernel, a read
   * of the gradient saved). A loop the thread team may split keeps its one form (its range method adds), and an
   * ACCUMULATE step (which only adds a value computed elsewhere) stays as it is.
   */
  public java.util.Set<Integer> overwritingInTraining() {
    Map<Integer, List<Step>> writers = new java.util.HashMap<>();
    for (Step s : steps) {
      if (s.target().kind() == Location.Kind.GRAD) {
        writers.computeIfAbsent(s.target().index(), k -> new java.util.ArrayList<>()).add(s);
      }
    }
    java.util.Set<Integer> backwardSteps = new java.util.HashSet<>(backward);
    java.util.Set<Integer> out = new java.util.TreeSet<>();
    for (List<Step> w : writers.values()) {
      Step s = w.get(0);
      boolean computes = s.kind() == Step.Kind.KERNEL || s.kind() == Step.Kind.LOOP || s.kind() == Step.Kind.REDUCE;
      if (w.size() == 1 && computes && backwardSteps.contains(s.index()) && s.accumulate() && !s.hasEpilogueLoop()
          && !SplitLoops.splits(this, s)) {
        out.add(s.index());
      }
    }
    return out;
  }

  /**
   * Whether the objective reaches each parameter (the graph has its GRADIENT result), by parameter index. A parameter
   * it does not reach has no update, as PyTorch's optimizers skip a parameter whose {@code .grad} is None; its
   * gradient stays zero.
   */
  public boolean[] withGradient() {
    java.util.Set<String> names = new java.util.HashSet<>();
    for (Graph.Result r : graph.results(Graph.Kind.GRADIENT)) names.add(r.name());
    boolean[] reached = new boolean[params.size()];
    for (int p = 0; p < params.size(); p++) {
      reached[p] = names.contains(((dev.modelc.ir.Attr.Name) params.get(p).attr).name());
    }
    return reached;
  }

  /** The argmax buffer a max pooling writes or one of its gradient ops reads, or null. */
  public Location argmax(Node n) {
    return argmax.get(n);
  }

  /** Whether step s is a max pooling that records its argmax (in the forward pass; not in predict). */
  public boolean writesArgmax(Step s) {
    return s.kind() == Step.Kind.KERNEL && s.computed().op == Op.MAXPOOL2D && argmax.containsKey(s.computed());
  }

  public Form form(Node n) {
    return forms.get(n);
  }

  /**
   * Whether x is what kernel step s's runtime call leaves in the step's target before its epilogue runs in place
   * there: the kernel's output, or the output with its bias added.
   */
  public boolean inTarget(Step s, Node x) {
    return s.kind() == Step.Kind.KERNEL && form(x) == Form.EPILOGUE;
  }

  /** Whether x is stored as an array of its own, read element i at i over the elements of its consumer. */
  public boolean wholeArray(Node x, Node consumer) {
    Form form = form(x);
    boolean stored = form == Form.SOURCE || form == Form.MATERIALIZED || form == Form.ALIAS;
    return stored && x.dtype() == consumer.dtype() && Dims.count(x.shape()).equals(Dims.count(consumer.shape()));
  }

  public Location location(Node n) {
    Location at = locations.get(n);
    if (at == null) throw new IllegalStateException(n + " has no storage (" + forms.get(n) + ")");
    return at;
  }

  /** The printed schedule: sizes, passes with their loop nests, buffers with the values they hold in turn. */
  public String print() {
    StringBuilder sb = new StringBuilder("schedule " + graph.name() + " {\n");
    sb.append("  sizes ").append(sizes).append('\n');
    pass(sb, "forward", forward);
    pass(sb, "backward", backward);
    sb.append("  predict ").append(predict.stream().map(i -> "s" + i).collect(Collectors.joining(" ")))
        .append('\n');
    sb.append("  train backward ").append(String.join(" ", trainBackward())).append('\n');
    for (Node n : graph.nodes()) {
      if (n.op == Op.MAXPOOL2D && argmax.containsKey(n)) {
        sb.append("  argmax of ").append(n.ref()).append(" -> ").append(argmax.get(n)).append(", read by ")
            .append(graph.nodes().stream().filter(r -> r != n && argmax.get(n).equals(argmax.get(r))).map(Node::ref)
                .collect(Collectors.joining(" ")))
            .append(" (forward only, not predict)\n");
      }
    }
    for (Buffer b : buffers) {
      sb.append("  buffer:").append(b.index).append(' ').append(b.dtype.spelling()).append('[')
          .append(b.length).append("] <- ")
          .append(b.values.stream().map(Node::ref).collect(Collectors.joining(", "))).append('\n');
    }
    return sb.append("}\n").toString();
  }

  private void pass(StringBuilder sb, String name, List<Integer> indices) {
    sb.append("  ").append(name).append(" {\n");
    for (int i : indices) {
      Step s = steps.get(i);
      Node n = s.node();
      sb.append("    s").append(i).append(' ').append(s.kind().name().toLowerCase(java.util.Locale.ROOT))
          .append(' ').append(n.ref()).append(" -> ").append(s.target()).append(s.accumulate() ? " (+=)" : "");
      if (s.kind() == Step.Kind.LOOP) {
        sb.append("  for i < ").append(Dims.count(n.shape())).append(split(s)).append(": ")
            .append(s.fused().stream().map(f -> f.op.mnemonic() + " " + f.ref()).collect(Collectors.joining(", ")));
      } else if (s.kind() == Step.Kind.REDUCE) {
        sb.append("  ").append(n.op.mnemonic()).append(' ').append(n.attr.text()).append(" of: ")
            .append(s.fused().stream().map(f -> f.op.mnemonic() + " " + f.ref()).collect(Collectors.joining(", ")));
      } else if (s.kind() == Step.Kind.KERNEL) {
        Node k = s.computed();
        sb.append("  ").append(k.op.mnemonic()).append(' ').append(k.inputs.stream().map(Node::ref).toList());
        if (s.bias() != null) sb.append(" + bias ").append(s.bias().ref());
        if (s.hasEpilogueLoop()) {
          sb.append(", in place").append(split(s)).append(": ")
              .append(s.fused().stream().map(f -> f.op.mnemonic() + " " + f.ref()).collect(Collectors.joining(", ")));
        }
      } else {
        sb.append("  grad ").append(params.get(s.target().index()).label());
      }
      LogisticCalls.Call call = LogisticCalls.of(this, s);
      if (call != LogisticCalls.Call.NONE) sb.append(", as Logistic.").append(call.method);
      MaskCalls.Call mask = MaskCalls.of(this, s);
      if (mask != null) sb.append(", as Masks.").append(mask.kernel().method);
      if (n.origin.known()) sb.append("  @ ").append(n.origin);
      sb.append('\n');
    }
    sb.append("  }\n");
  }

  /** The mark of a loop that runs split over the worker threads of a model on several ({@link SplitLoops}). */
  private String split(Step s) {
    return SplitLoops.splits(this, s) ? " (split)" : "";
  }

  /** True when n is elementwise in the loop sense (also detach). */
  static boolean isElementwise(Node n) {
    return n.op.isElementwise();
  }

  static boolean isScalarBroadcast(Node n) {
    if (n.op != Op.BROADCAST_TO) return false;
    Dim c = Dims.count(n.in(0).shape());
    return c.isConstant() && c.coefficient() == 1;
  }
}
