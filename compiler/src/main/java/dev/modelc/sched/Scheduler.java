package dev.modelc.sched;

import dev.modelc.check.DType;
import dev.modelc.check.Dim;
import dev.modelc.ir.Attr;
import dev.modelc.ir.Dims;
import dev.modelc.ir.Graph;
import dev.modelc.ir.IrException;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the {@link Schedule} of an optimized graph.
 *
 * <ol>
 *   <li>Uses: count each node's consumers (an operand used twice counts twice) and which nodes are results.
 *   <li>Forms: an elementwise node with one use, by an elementwise node of the same element count or by a sum,
 *       and not a result, is INLINE (fused into its consumer's loop; at most {@value #MAX_FUSED} per loop); constants, sizes and broadcasts of one element are
 *       INLINE when every consumer is elementwise; a reshape is an ALIAS; a last-two-dims permute feeding only
 *       matrix products is a VIEW (a transposition flag); sources are SOURCE; everything else is MATERIALIZED.
 *   <li>Epilogues: a kernel (matrix product, convolution, pooling, reduction, ...) used once, by an elementwise
 *       chain, is computed by the step of the chain's materialized end: the kernel writes that node's storage and
 *       the chain runs in place over it while it is in cache. A product's or convolution's bias add (a vector
 *       broadcast over the product's columns or the convolution's channels) is done by the kernel call or right
 *       after it. The kernel and the bias add take the form EPILOGUE.
 *   <li>Passes: forward computes the ancestors of the outputs and the objective, predict those of the outputs,
 *       backward the rest of the gradients' ancestors; one step per materialized node, in graph order.
 *   <li>Gradients: a gradient whose root (through aliases) is made by the backward pass only for it, by an op
 *       that can add into its output, is written straight into the parameter's gradient with {@code +=}; any
 *       other gets an ACCUMULATE step at the end of backward (PyTorch's accumulation into {@code .grad}).
 *   <li>Updates: a training step runs each parameter's optimizer update inside the backward pass, right after the
 *       step that finishes its gradient (while the gradient is in cache) or after the last step that reads the
 *       parameter, whichever comes later.
 *   <li>Liveness: positions run through forward then backward; a value lives from its step to its last reader.
 *       Outputs, the objective and forward values the backward pass reads live to the end (a backward with
 *       {@code retainGraph} may run again).
 *   <li>Argmax: a max pooling's gradient ops in a training step read the window positions their forward pooling
 *       records in an int buffer of its own ({@link PoolArgmax}) and no longer read the pooled input.
 *   <li>Buffers: in order of definition, each value takes a free buffer of its dtype and length whose last value
 *       died strictly before, or a new one; then each recording pooling gets its argmax buffer.
 * </ol>
 */
public final class Scheduler {
  private static final Set<Op> ACCUMULATING = EnumSet.of(Op.MATMUL, Op.CONV2D_BACKWARD_INPUT,
      Op.CONV2D_BACKWARD_WEIGHT, Op.REDUCE_SUM, Op.REDUCE_MAX, Op.REDUCE_AMAX, Op.LOGSUMEXP, Op.BROADCAST_TO,
      Op.PERMUTE, Op.MAXPOOL2D_BACKWARD, Op.AVGPOOL2D_BACKWARD);

  /** The kernels that overwrite every element of their output, so that an epilogue can run on it in place. */
  private static final Set<Op> KERNELS_WITH_EPILOGUE = EnumSet.of(Op.MATMUL, Op.CONV2D, Op.CONV2D_BACKWARD_INPUT,
      Op.CONV2D_BACKWARD_WEIGHT, Op.REDUCE_SUM, Op.REDUCE_MAX, Op.REDUCE_AMAX, Op.LOGSUMEXP, Op.BROADCAST_TO,
      Op.PERMUTE, Op.LOG_SOFTMAX, Op.FIRST_MAX, Op.ONE_HOT, Op.MAXPOOL2D, Op.AVGPOOL2D, Op.MAXPOOL2D_BACKWARD,
      Op.MAXPOOL2D_GATHER, Op.AVGPOOL2D_BACKWARD);

  /** Most elementwise nodes computed in one loop. */
  static final int MAX_FUSED = 48;

  private final Graph graph;
  private final Map<Node, List<Node>> consumers = new IdentityHashMap<>();
  private final Set<Node> results = new HashSet<>();
  private final Map<Node, Form> forms = new IdentityHashMap<>();
  private final Map<Node, Location> locations = new IdentityHashMap<>();
  private final List<Step> steps = new ArrayList<>();
  /** The epilogues, by the node whose step computes them. */
  private final Map<Node, Fusion> fusions = new IdentityHashMap<>();
  /** Max pooling gradient ops to the pooling whose recorded argmax they read. */
  private Map<Node, Node> argmaxSource = Map.of();

  /** A kernel fused with what follows it: the kernel, its bias add and the add's vector (or nulls). */
  private record Fusion(Node kernel, Node biasAdd, Node bias) {}

  private Scheduler(Graph graph) {
    this.graph = graph;
  }

  public static Schedule schedule(Graph graph) {
    return new Scheduler(graph).run();
  }

  private Schedule run() {
    for (Node n : graph.nodes()) {
      consumers.put(n, new ArrayList<>());
      for (Node x : n.inputs) consumers.get(x).add(n);
    }
    for (Graph.Result r : graph.results()) results.add(r.node());
    List<Node> inputs = graph.sources(Op.INPUT);
    List<Node> params = graph.sources(Op.PARAM);
    for (Node n : graph.nodes()) {
      checkSupported(n);
      forms.put(n, formOf(n));
    }
    capFusedChains();
    planEpilogues();
    planBroadcasts();
    for (int i = 0; i < inputs.size(); i++) locations.put(inputs.get(i), new Location(Location.Kind.INPUT, i));
    for (int i = 0; i < params.size(); i++) locations.put(params.get(i), new Location(Location.Kind.PARAM, i));

    Set<Node> forwardSet = ancestors(graph.results(Graph.Kind.OUTPUT), graph.results(Graph.Kind.OBJECTIVE));
    Set<Node> predictSet = ancestors(graph.results(Graph.Kind.OUTPUT), List.of());
    Set<Node> backwardSet = ancestors(graph.results(Graph.Kind.GRADIENT), List.of());
    backwardSet.removeAll(forwardSet);

    Map<Node, Integer> direct = directGradients(params, backwardSet);
    argmaxSource = PoolArgmax.pair(graph, consumers, forwardSet, backwardSet, predictSet, this::position);
    List<Integer> forward = new ArrayList<>();
    List<Integer> backward = new ArrayList<>();
    List<Integer> predict = new ArrayList<>();
    for (Node n : graph.nodes()) {
      if (forms.get(n) != Form.MATERIALIZED || !(forwardSet.contains(n) || backwardSet.contains(n))) continue;
      Integer grad = direct.get(n);
      Location target = grad != null ? new Location(Location.Kind.GRAD, grad) : null;
      Fusion f = fusions.get(n);
      boolean sum = n.op == Op.REDUCE_SUM && forms.get(n.in(0)) == Form.INLINE;
      Step.Kind kind = sum ? Step.Kind.REDUCE
          : Schedule.isElementwise(n) && f == null ? Step.Kind.LOOP : Step.Kind.KERNEL;
      List<Node> fused = sum ? fusedInto(n.in(0))
          : Schedule.isElementwise(n) && (f == null || n != f.biasAdd) ? fusedInto(n) : List.of();
      Step s = new Step(steps.size(), kind, n, fused, grad != null, target, f == null ? null : f.kernel,
          f == null ? null : f.bias);
      steps.add(s);
      if (forwardSet.contains(n)) {
        forward.add(s.index());
        if (predictSet.contains(n)) predict.add(s.index());
      } else {
        backward.add(s.index());
      }
    }
    for (Graph.Result r : graph.results(Graph.Kind.GRADIENT)) {
      int p = paramIndex(params, r.name());
      if (direct.get(root(r.node())) != null && direct.get(root(r.node())) == p) continue;
      Step s = new Step(steps.size(), Step.Kind.ACCUMULATE, r.node(), List.of(), true,
          new Location(Location.Kind.GRAD, p));
      steps.add(s);
      backward.add(s.index());
    }
    List<Schedule.Buffer> buffers = new ArrayList<>(planBuffers(forward, backward, forwardSet));
    Map<Node, Location> argmax = argmaxBuffers(buffers);
    for (Step s : steps) {
      if (s.target() == null) {
        steps.set(s.index(), new Step(s.index(), s.kind(), s.node(), s.fused(), s.accumulate(),
            locations.get(s.node()), s.kernel(), s.bias()));
      }
    }
    for (Node n : graph.nodes()) {
      if (forms.get(n) == Form.ALIAS && locations.containsKey(root(n))) locations.put(n, locations.get(root(n)));
    }
    List<Node> predictInputs = inputs.stream().filter(predictSet::contains).toList();
    return new Schedule(graph, forms, List.copyOf(steps), forward, backward, predict, updatePoints(backward, params),
        locations, List.copyOf(buffers), sizes(), inputs, params, predictInputs, argmax);
  }

  /** One int buffer per pooling that records its argmax (as long as its output), by the pooling and its readers. */
  private Map<Node, Location> argmaxBuffers(List<Schedule.Buffer> buffers) {
    Map<Node, Location> at = new IdentityHashMap<>();
    for (Node reader : graph.nodes()) {
      Node pool = argmaxSource.get(reader);
      if (pool == null) continue;
      if (!at.containsKey(pool)) {
        Location loc = new Location(Location.Kind.BUFFER, buffers.size());
        buffers.add(new Schedule.Buffer(buffers.size(), DType.I32, Dims.count(pool.shape()), List.of(pool)));
        at.put(pool, loc);
      }
      at.put(reader, at.get(pool));
    }
    return at;
  }

  private Form formOf(Node n) {
    List<Node> uses = consumers.get(n);
    boolean result = results.contains(n);
    boolean allElementwise = !uses.isEmpty() && uses.stream().allMatch(Schedule::isElementwise);
    if (n.op == Op.INPUT || n.op == Op.PARAM) return Form.SOURCE;
    if (n.op == Op.RESHAPE) return Form.ALIAS;
    if (n.op == Op.CONSTANT || n.op == Op.SIZE || Schedule.isScalarBroadcast(n)) {
      return allElementwise && !result ? Form.INLINE : Form.MATERIALIZED;
    }
    if (n.op == Op.BROADCAST_TO && allElementwise && !result && n.dtype().isFloat()
        && Runs.ofBroadcastOrNull(n) != null && Runs.ofBroadcastOrNull(n).count() <= 2) {
      return Form.INLINE;
    }
    if (n.op == Op.PERMUTE && !result && !uses.isEmpty() && isLastTwoSwap(n)
        && uses.stream().allMatch(u -> u.op == Op.MATMUL)) {
      return Form.VIEW;
    }
    if (Schedule.isElementwise(n) && !result && uses.size() == 1 && Schedule.isElementwise(uses.get(0))
        && Dims.count(n.shape()).equals(Dims.count(uses.get(0).shape()))) {
      return Form.INLINE;
    }
    if (Schedule.isElementwise(n) && !result && uses.size() == 1 && uses.get(0).op == Op.REDUCE_SUM
        && uses.get(0).dtype() == n.dtype()) {
      return Form.INLINE;
    }
    return Form.MATERIALIZED;
  }

  /**
   * Materializes an inlined node once its chain holds {@value #MAX_FUSED} nodes, so that no loop body (and no
   * step method) grows past HotSpot's limits however long an elementwise chain is.
   */
  private void capFusedChains() {
    Map<Node, Integer> chain = new IdentityHashMap<>();
    for (Node n : graph.nodes()) {
      if (!Schedule.isElementwise(n)) continue;
      int size = 1;
      for (Node x : n.inputs) {
        if (forms.get(x) == Form.INLINE && chain.containsKey(x)) size += chain.get(x);
      }
      if (size > MAX_FUSED && forms.get(n) == Form.INLINE) {
        forms.put(n, Form.MATERIALIZED);
        size = 1;
      }
      chain.put(n, size);
    }
  }

  /**
   * Finds each kernel whose single use is a bias add and/or an elementwise chain, and lets the chain's
   * materialized end compute it (see the class comment).
   */
  private void planEpilogues() {
    for (Node k : graph.nodes()) {
      if (!KERNELS_WITH_EPILOGUE.contains(k.op) || forms.get(k) != Form.MATERIALIZED || !singleUse(k)) continue;
      if (k.op == Op.REDUCE_SUM && forms.get(k.in(0)) == Form.INLINE) continue; // a REDUCE step of its own
      Node head = k;
      Node broadcast = biasBroadcast(k, consumers.get(k).get(0));
      if (broadcast != null) head = consumers.get(k).get(0);
      Node last = head;
      if (singleUse(head)) {
        Node u = consumers.get(head).get(0);
        if (Schedule.isElementwise(u) && Dims.count(u.shape()).equals(Dims.count(head.shape()))) {
          last = u;
          while (forms.get(last) == Form.INLINE) last = consumers.get(last).get(0);
        }
      }
      if (last == k || forms.get(last) != Form.MATERIALIZED || fusions.containsKey(last)) continue;
      if (last != head && !Schedule.isElementwise(last)) continue;
      forms.put(k, Form.EPILOGUE);
      if (broadcast != null) {
        forms.put(broadcast, Form.EPILOGUE);
        if (head != last) forms.put(head, Form.EPILOGUE);
      }
      fusions.put(last, broadcast == null ? new Fusion(k, null, null) : new Fusion(k, head, broadcast.in(0)));
    }
  }

  /**
   * Keeps a broadcast inline only where its loop can read it by index: in a plain elementwise loop whose inline
   * broadcasts all split the loop into the same outer and inner runs. Elsewhere (a fused sum, an epilogue, a loop
   * with a second split) the broadcast is materialized.
   */
  private void planBroadcasts() {
    for (Node n : graph.nodes()) {
      if (forms.get(n) != Form.MATERIALIZED) continue;
      boolean plainLoop = Schedule.isElementwise(n) && !fusions.containsKey(n);
      boolean sum = n.op == Op.REDUCE_SUM && forms.get(n.in(0)) == Form.INLINE;
      Fusion f = fusions.get(n);
      if (!plainLoop && !sum && !(f != null && Schedule.isElementwise(n))) continue;
      List<Node> chain = sum ? fusedInto(n.in(0)) : fusedInto(n);
      List<Dim> split = null;
      for (Node c : chain) {
        for (Node x : c.inputs) {
          if (forms.get(x) != Form.INLINE || x.op != Op.BROADCAST_TO || Schedule.isScalarBroadcast(x)) continue;
          List<Dim> mine = loopSplit(x);
          if (split == null && plainLoop) split = mine;
          if (!mine.equals(split)) forms.put(x, Form.MATERIALIZED);
        }
      }
    }
  }

  /** The outer and inner run lengths of the loop reading inline broadcast x. */
  public static List<Dim> loopSplit(Node x) {
    Runs r = Runs.ofBroadcast(x);
    return List.of(r.dim(0), r.dim(1));
  }

  private boolean singleUse(Node n) {
    return consumers.get(n).size() == 1 && !results.contains(n);
  }

  /**
   * The broadcast operand of {@code add} when the add adds a vector to every row of product k ({@code [n]} over
   * {@code [m, n]}) or to every channel of convolution k ({@code [c, 1, 1]} over {@code [b, c, h, w]}); else null.
   */
  private Node biasBroadcast(Node k, Node add) {
    if ((k.op != Op.MATMUL && k.op != Op.CONV2D) || add.op != Op.ADD || add.in(0) == add.in(1)) return null;
    Node b = add.in(0) == k ? add.in(1) : add.in(0);
    if (b.op != Op.BROADCAST_TO || Schedule.isScalarBroadcast(b) || !singleUse(b)) return null;
    List<Dim> src = Dims.dims(b.in(0).shape());
    List<Dim> out = Dims.dims(k.shape());
    int axis = k.op == Op.MATMUL ? out.size() - 1 : 1;
    if (k.op == Op.MATMUL && out.size() != 2) return null;
    int offset = out.size() - src.size();
    for (int i = 0; i < src.size(); i++) {
      boolean kept = i + offset == axis;
      if (kept ? !src.get(i).equals(out.get(axis)) : !Dims.isOne(src.get(i))) return null;
    }
    return offset <= axis ? b : null;
  }

  static boolean isLastTwoSwap(Node n) {
    List<Integer> perm = ((Attr.Perm) n.attr).perm();
    int r = perm.size();
    for (int i = 0; i < r - 2; i++) {
      if (perm.get(i) != i) return false;
    }
    return r >= 2 && perm.get(r - 2) == r - 1 && perm.get(r - 1) == r - 2;
  }

  private void checkSupported(Node n) {
    if (n.op.isElementwise()) {
      for (Node x : n.inputs) {
        if (!x.dtype().isFloat()) {
          throw new IrException(n.op.mnemonic() + " on an i32 operand is not supported by the code generator",
              n.origin);
        }
      }
    }
    if ((n.op == Op.PERMUTE || n.op == Op.BROADCAST_TO) && n.rank() > 4 && !isLastTwoSwap(n)) {
      throw new IrException(n.op.mnemonic() + " of rank " + n.rank() + " is not supported by the code generator "
          + "(at most 4 dimensions)", n.origin);
    }
  }

  /** The nodes computed inside n's loop, in graph order (n last). */
  private List<Node> fusedInto(Node n) {
    Set<Node> inside = new LinkedHashSet<>();
    collect(n, inside);
    List<Node> ordered = new ArrayList<>(inside);
    ordered.sort(java.util.Comparator.comparingInt(this::position)); // graph order, without a scan of the graph
    return ordered;
  }

  /** Each node's index in graph.nodes(), built once. */
  private Map<Node, Integer> positions;

  private int position(Node n) {
    if (positions == null) {
      positions = new IdentityHashMap<>();
      for (Node g : graph.nodes()) positions.put(g, positions.size());
    }
    return positions.get(n);
  }

  private void collect(Node n, Set<Node> inside) {
    inside.add(n);
    for (Node x : n.inputs) {
      if (forms.get(x) == Form.INLINE && Schedule.isElementwise(x)) collect(x, inside);
    }
  }

  /** The node owning the storage of n: through aliases. */
  private Node root(Node n) {
    while (forms.get(n) == Form.ALIAS) n = n.in(0);
    return n;
  }

  /** The stored values a step reads. */
  private Set<Node> reads(Step s) {
    Set<Node> r = new LinkedHashSet<>();
    if (s.kind() == Step.Kind.ACCUMULATE) {
      r.add(root(s.node()));
    } else if (s.kind() == Step.Kind.KERNEL) {
      List<Node> in = s.computed().inputs;
      for (int i = 0; i < in.size(); i++) {
        if (i == 1 && argmaxSource.containsKey(s.computed())) continue; // reads the argmax instead of x
        r.add(root(forms.get(in.get(i)) == Form.VIEW ? in.get(i).in(0) : in.get(i)));
      }
      if (s.bias() != null) r.add(root(s.bias()));
      loopReads(s, r);
    } else {
      loopReads(s, r);
    }
    return r;
  }

  private void loopReads(Step s, Set<Node> r) {
    for (Node f : s.fused()) {
      for (Node x : f.inputs) {
        if (forms.get(x) == Form.EPILOGUE) continue;
        if (forms.get(x) != Form.INLINE) r.add(root(x));
        else if (x.op == Op.BROADCAST_TO) r.add(root(x.in(0)));
      }
    }
  }

  /** Gradients written straight into the parameter's gradient: root node to parameter index. */
  private Map<Node, Integer> directGradients(List<Node> params, Set<Node> backwardSet) {
    Map<Node, Integer> countByRoot = new HashMap<>();
    for (Graph.Result r : graph.results()) countByRoot.merge(root(r.node()), 1, Integer::sum);
    Map<Node, Integer> direct = new IdentityHashMap<>();
    for (Graph.Result r : graph.results(Graph.Kind.GRADIENT)) {
      Node root = root(r.node());
      if (forms.get(root) != Form.MATERIALIZED || !backwardSet.contains(root) || countByRoot.get(root) != 1) continue;
      if (fusions.containsKey(root)) continue; // the kernel overwrites the storage before the epilogue
      if (!Schedule.isElementwise(root) && !ACCUMULATING.contains(root.op)) continue;
      if (root.dtype() != r.node().dtype()) continue;
      boolean onlyForTheResult = consumers.get(r.node()).isEmpty();
      for (Node n = r.node(); n != root; n = n.in(0)) onlyForTheResult &= consumers.get(n.in(0)).size() == 1;
      if (onlyForTheResult) direct.put(root, paramIndex(params, r.name()));
    }
    return direct;
  }

  private static int paramIndex(List<Node> params, String name) {
    for (int i = 0; i < params.size(); i++) {
      if (((Attr.Name) params.get(i).attr).name().equals(name)) return i;
    }
    throw new IllegalStateException("gradient " + name + " names no parameter");
  }

  /**
   * Where a training step updates each parameter: after the backward step that finishes its gradient and the
   * last backward step that reads the parameter (a weight is read by the product giving its input's gradient),
   * as a position in {@code backward} (-1: before the first step).
   */
  private List<Integer> updatePoints(List<Integer> backward, List<Node> params) {
    List<Integer> at = new ArrayList<>();
    for (int p = 0; p < params.size(); p++) {
      int last = -1;
      for (int pos = 0; pos < backward.size(); pos++) {
        Step s = steps.get(backward.get(pos));
        boolean writes = s.target() != null && s.target().kind() == Location.Kind.GRAD && s.target().index() == p;
        if (writes || reads(s).contains(params.get(p))) last = pos;
      }
      at.add(last);
    }
    return at;
  }

  private List<Schedule.Buffer> planBuffers(List<Integer> forward, List<Integer> backward, Set<Node> forwardSet) {
    List<Integer> order = new ArrayList<>(forward);
    order.addAll(backward);
    int end = order.size();
    Map<Node, Integer> def = new IdentityHashMap<>();
    Map<Node, Integer> last = new IdentityHashMap<>();
    for (int pos = 0; pos < order.size(); pos++) {
      Step s = steps.get(order.get(pos));
      if (s.kind() != Step.Kind.ACCUMULATE && !s.accumulate()) def.put(s.node(), pos);
      for (Node r : reads(s)) {
        last.merge(r, pos, Math::max);
        if (pos >= forward.size() && forwardSet.contains(r)) last.put(r, end);
      }
    }
    for (Graph.Result r : graph.results()) {
      if (r.kind() != Graph.Kind.GRADIENT) last.put(root(r.node()), end);
    }
    List<Schedule.Buffer> buffers = new ArrayList<>();
    List<Integer> freeAfter = new ArrayList<>();
    for (int pos = 0; pos < order.size(); pos++) {
      Node n = steps.get(order.get(pos)).node();
      if (!def.containsKey(n) || def.get(n) != pos) continue;
      int dies = last.getOrDefault(n, pos);
      Dim length = Dims.count(n.shape());
      int chosen = -1;
      for (int b = 0; b < buffers.size() && chosen < 0; b++) {
        Schedule.Buffer buf = buffers.get(b);
        if (buf.dtype() == n.dtype() && buf.length().equals(length) && freeAfter.get(b) < pos) chosen = b;
      }
      if (chosen < 0) {
        buffers.add(new Schedule.Buffer(buffers.size(), n.dtype(), length, new ArrayList<>()));
        freeAfter.add(-1);
        chosen = buffers.size() - 1;
      }
      buffers.get(chosen).values().add(n);
      freeAfter.set(chosen, dies);
      locations.put(n, new Location(Location.Kind.BUFFER, chosen));
    }
    return buffers.stream().map(b -> new Schedule.Buffer(b.index(), b.dtype(), b.length(), List.copyOf(b.values())))
        .toList();
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
