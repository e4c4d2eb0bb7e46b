package dev.modelc.sched;

import dev.modelc.ir.Attr;
import dev.modelc.ir.Dims;
import dev.modelc.ir.Graph;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.types.Dim;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the {@link Schedule} of an optimized graph: what runs in which pass, in which order, into which storage.
 *
 * <ol>
 *   <li>Fusion: each node's form (inline, materialized, alias, view, epilogue) and the kernels' fused epilogues,
 *       {@link FusionPlan}.
 *   <li>Passes: forward computes the ancestors of the outputs, the objective and the buffer updates, predict those
 *       of the outputs, backward the rest of the gradients' ancestors; one step per materialized node, in graph
 *       order. Forward ends with a COPY step per buffer update, writing the new value into the buffer.
 *   <li>Gradients: a gradient whose root (through aliases) is made by the backward pass only for it, by an op
 *       that can add into its output ({@link Op.Group#ACCUMULATING}), is written straight into the parameter's
 *       gradient with {@code +=}; any other gets an ACCUMULATE step at the end of backward (PyTorch's accumulation
 *       into {@code .grad}).
 *   <li>Updates: a training step runs each parameter's optimizer update inside the backward pass, right after the
 *       step that finishes its gradient (while the gradient is in cache) or after the last step that reads the
 *       parameter, whichever comes later.
 *   <li>Argmax: a max pooling's gradient ops in a training step read the window positions their forward pooling
 *       records in an int buffer of its own, and no longer read the pooled input, {@link PoolArgmax}.
 *   <li>Buffers: liveness over forward then backward, and a working buffer for each value, {@link BufferPlanner};
 *       then the argmax buffers.
 * </ol>
 */
public final class Scheduler {
  private final Graph graph;
  private final FusionPlan fusion;
  private final Map<Node, Location> locations = new IdentityHashMap<>();
  private final List<Step> steps = new ArrayList<>();

  private Scheduler(Graph graph) {
    this.graph = graph;
    this.fusion = new FusionPlan(graph);
  }

  public static Schedule schedule(Graph graph) {
    return new Scheduler(graph).run();
  }

  private Schedule run() {
    List<Node> inputs = graph.sources(Op.INPUT);
    List<Node> params = graph.sources(Op.PARAM);
    Map<String, Integer> paramIndex = new HashMap<>();
    for (int i = 0; i < params.size(); i++) paramIndex.putIfAbsent(((Attr.Name) params.get(i).attr).name(), i);
    for (int i = 0; i < inputs.size(); i++) locations.put(inputs.get(i), new Location(Location.Kind.INPUT, i));
    for (int i = 0; i < params.size(); i++) locations.put(params.get(i), new Location(Location.Kind.PARAM, i));

    Set<Node> forwardSet = ancestors(graph.results(Graph.Kind.OUTPUT), graph.results(Graph.Kind.OBJECTIVE),
        graph.results(Graph.Kind.BUFFER_UPDATE));
    Set<Node> predictSet = ancestors(graph.results(Graph.Kind.OUTPUT), List.of());
    Set<Node> backwardSet = ancestors(graph.results(Graph.Kind.GRADIENT), List.of());
    backwardSet.removeAll(forwardSet);

    Map<Node, Integer> direct = directGradients(paramIndex, backwardSet);
    Map<Node, Node> argmaxSource = PoolArgmax.pair(graph, fusion, forwardSet, backwardSet, predictSet);
    fusion.readArgmax(argmaxSource.keySet());
    List<Integer> forward = new ArrayList<>();
    List<Integer> backward = new ArrayList<>();
    List<Integer> predict = new ArrayList<>();
    for (Node n : graph.nodes()) {
      if (fusion.form(n) != Form.MATERIALIZED || !(forwardSet.contains(n) || backwardSet.contains(n))) continue;
      Integer grad = direct.get(n);
      Location target = grad != null ? new Location(Location.Kind.GRAD, grad) : null;
      FusionPlan.Epilogue f = fusion.epilogue(n);
      boolean sum = n.op == Op.REDUCE_SUM && fusion.form(n.in(0)) == Form.INLINE;
      Step.Kind kind = sum ? Step.Kind.REDUCE
          : Schedule.isElementwise(n) && f == null ? Step.Kind.LOOP : Step.Kind.KERNEL;
      List<Node> fused = sum ? fusion.fusedInto(n.in(0))
          : Schedule.isElementwise(n) && (f == null || n != f.biasAdd()) ? fusion.fusedInto(n) : List.of();
      Step s = new Step(steps.size(), kind, n, fused, grad != null, target, f == null ? null : f.kernel(),
          f == null ? null : f.bias());
      steps.add(s);
      if (forwardSet.contains(n)) {
        forward.add(s.index());
        if (predictSet.contains(n)) predict.add(s.index());
      } else {
        backward.add(s.index());
      }
    }
    for (Graph.Result r : graph.results(Graph.Kind.BUFFER_UPDATE)) {
      Step s = new Step(steps.size(), Step.Kind.COPY, r.node(), List.of(), false,
          new Location(Location.Kind.PARAM, index(paramIndex, r.name())));
      steps.add(s);
      forward.add(s.index());
    }
    for (Graph.Result r : graph.results(Graph.Kind.GRADIENT)) {
      int p = index(paramIndex, r.name());
      Integer written = direct.get(fusion.root(r.node()));
      if (written != null && written == p) continue;
      Step s = new Step(steps.size(), Step.Kind.ACCUMULATE, r.node(), List.of(), true,
          new Location(Location.Kind.GRAD, p));
      steps.add(s);
      backward.add(s.index());
    }
    List<Schedule.Buffer> buffers = new ArrayList<>(BufferPlanner.plan(graph, fusion, steps, forward, backward,
        forwardSet, locations));
    Map<Node, Location> argmax = PoolArgmax.buffers(graph, argmaxSource, buffers);
    for (Step s : steps) {
      if (s.target() == null) {
        steps.set(s.index(), new Step(s.index(), s.kind(), s.node(), s.fused(), s.accumulate(),
            locations.get(s.node()), s.kernel(), s.bias()));
      }
    }
    for (Node n : graph.nodes()) {
      Node root = fusion.root(n);
      if (fusion.form(n) == Form.ALIAS && locations.containsKey(root)) locations.put(n, locations.get(root));
    }
    List<Node> predictInputs = inputs.stream().filter(predictSet::contains).toList();
    return new Schedule(graph, fusion.forms(), List.copyOf(steps), forward, backward, predict,
        updatePoints(backward, params), locations, List.copyOf(buffers), sizes(), inputs, params, predictInputs,
        argmax);
  }

  /** Gradients written straight into the parameter's gradient: root node to parameter index. */
  private Map<Node, Integer> directGradients(Map<String, Integer> paramIndex, Set<Node> backwardSet) {
    Map<Node, Integer> countByRoot = new HashMap<>();
    for (Graph.Result r : graph.results()) countByRoot.merge(fusion.root(r.node()), 1, Integer::sum);
    Map<Node, Integer> direct = new IdentityHashMap<>();
    for (Graph.Result r : graph.results(Graph.Kind.GRADIENT)) {
      Node root = fusion.root(r.node());
      if (fusion.form(root) != Form.MATERIALIZED || !backwardSet.contains(root) || countByRoot.get(root) != 1) continue;
      if (fusion.epilogue(root) != null) continue; // the kernel overwrites the storage before the epilogue
      if (!Schedule.isElementwise(root) && !root.op.is(Op.Group.ACCUMULATING)) continue;
      if (root.dtype() != r.node().dtype()) continue;
      boolean onlyForTheResult = fusion.consumers(r.node()).isEmpty();
      for (Node n = r.node(); n != root; n = n.in(0)) onlyForTheResult &= fusion.consumers(n.in(0)).size() == 1;
      if (onlyForTheResult) direct.put(root, index(paramIndex, r.name()));
    }
    return direct;
  }

  private static int index(Map<String, Integer> paramIndex, String name) {
    Integer i = paramIndex.get(name);
    if (i == null) throw new IllegalStateException("gradient " + name + " names no parameter");
    return i;
  }

  /**
   * Where a training step updates each parameter: after the backward step that finishes its gradient and the
   * last backward step that reads the parameter (a weight is read by the product giving its input's gradient),
   * as a position in {@code backward} (-1: before the first step). One walk over the backward steps, each noting
   * itself as the latest step of the parameters it writes or reads.
   */
  private List<Integer> updatePoints(List<Integer> backward, List<Node> params) {
    Map<Node, Integer> paramOf = new IdentityHashMap<>();
    for (int p = 0; p < params.size(); p++) paramOf.put(params.get(p), p);
    Integer[] last = new Integer[params.size()];
    java.util.Arrays.fill(last, -1);
    for (int pos = 0; pos < backward.size(); pos++) {
      Step s = steps.get(backward.get(pos));
      if (s.target() != null && s.target().kind() == Location.Kind.GRAD) last[s.target().index()] = pos;
      for (Node read : fusion.reads(s)) {
        Integer p = paramOf.get(read);
        if (p != null) last[p] = pos;
      }
    }
    return List.of(last);
  }

  @SafeVarargs
  private Set<Node> ancestors(List<Graph.Result>... roots) {
    Set<Node> seen = new HashSet<>();
    List<Node> stack = new ArrayList<>();
    for (List<Graph.Result> rs : roots) {
      for (Graph.Result r : rs) stack.add(r.node());
    }
    while (!stack.isEmpty()) {
      Node n = stack.remove(stack.size() - 1);
      if (seen.add(n)) stack.addAll(n.inputs);
    }
    return seen;
  }

  /** The symbolic sizes in order of first appearance: inputs first, then any other node's shape or size. */
  private List<String> sizes() {
    Set<String> names = new LinkedHashSet<>();
    for (Node n : graph.sources(Op.INPUT)) {
      for (Dim d : Dims.dims(n.shape())) names.addAll(d.symbols());
    }
    for (Node n : graph.nodes()) {
      for (Dim d : Dims.dims(n.shape())) names.addAll(d.symbols());
      if (n.attr instanceof Attr.Size s) names.addAll(s.dim().symbols());
    }
    return List.copyOf(names);
  }
}
