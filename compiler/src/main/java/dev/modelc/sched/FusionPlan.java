package dev.modelc.sched;

import dev.modelc.ir.Attr;
import dev.modelc.ir.Dims;
import dev.modelc.ir.Graph;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fusion plan of a graph: how each node's value exists at run time (its {@link Form}) and which kernels run
 * with an epilogue. The first half of {@link Scheduler}'s work; the steps, passes and buffers are planned from it.
 *
 * <ol>
 *   <li>Uses: count each node's consumers (an operand used twice counts twice) and which nodes are results.
 *   <li>Forms: an elementwise node with one use, by an elementwise node of the same element count or by a sum
 *       whose operand merges into four alternating runs ({@link Runs}: the inline sum's loop nest), and not a
 *       result, is INLINE (fused into its consumer's loop); constants, sizes and broadcasts of one element are
 *       INLINE when every consumer is elementwise, and so is a float broadcast that merges into four runs; a
 *       reshape is an ALIAS; a last-two-dims permute feeding only matrix products is a VIEW (a transposition flag);
 *       sources are SOURCE; everything else is MATERIALIZED. An f32 exp or erf and its operand are never INLINE: the
 *       function runs alone as a runtime call ({@link LogisticCalls}).
 *   <li>Chains: an inlined node is materialized once its chain holds {@value #MAX_FUSED} nodes.
 *   <li>Epilogues: a kernel (an op in {@link Op.Group#KERNEL}: matrix product, convolution, pooling, reduction,
 *       ...) used once, by an elementwise chain, is computed by the step of the chain's materialized end: the kernel
 *       writes that node's storage and the chain runs in place over it while it is in cache. A product's or
 *       convolution's bias add (a vector broadcast over the product's columns or the convolution's channels) is
 *       done by the kernel call or right after it. The kernel and the bias add take the form EPILOGUE.
 *   <li>Broadcasts: an inline broadcast stays inline only in a plain elementwise loop whose inline broadcasts all
 *       split the loop alike (the loop nests its last run inside the others), or in a fused sum when it has two
 *       runs; elsewhere it is materialized.
 * </ol>
 */
final class FusionPlan {
  /** Most elementwise nodes computed in one loop. */
  static final int MAX_FUSED = 48;

  /** A kernel fused with what follows it: the kernel, its bias add and the add's vector (or nulls). */
  record Epilogue(Node kernel, Node biasAdd, Node bias) {}

  private final Graph graph;
  private final Map<Node, List<Node>> consumers = new IdentityHashMap<>();
  private final Set<Node> results = new HashSet<>();
  private final Map<Node, Form> forms = new IdentityHashMap<>();
  /** The epilogues, by the node whose step computes them. */
  private final Map<Node, Epilogue> epilogues = new IdentityHashMap<>();
  /** Each node's index in graph.nodes(), built once. */
  private Map<Node, Integer> positions;
  /** Max pooling gradient ops that read their pooling's recorded argmax instead of the pooled input. */
  private Set<Node> argmaxReaders = Set.of();

  FusionPlan(Graph graph) {
    this.graph = graph;
    for (Node n : graph.nodes()) {
      consumers.put(n, new ArrayList<>());
      for (Node x : n.inputs) consumers.get(x).add(n);
    }
    for (Graph.Result r : graph.results()) results.add(r.node());
    for (Node n : graph.nodes()) forms.put(n, formOf(n));
    capFusedChains();
    planEpilogues();
    planBroadcasts();
  }

  /** Every node's form. */
  Map<Node, Form> forms() {
    return forms;
  }

  Form form(Node n) {
    return forms.get(n);
  }

  /** The epilogue computed by n's step, or null. */
  Epilogue epilogue(Node n) {
    return epilogues.get(n);
  }

  List<Node> consumers(Node n) {
    return consumers.get(n);
  }

  private Form formOf(Node n) {
    List<Node> uses = consumers.get(n);
    boolean result = results.contains(n);
    boolean allElementwise = !uses.isEmpty() && uses.stream().allMatch(Schedule::isElementwise);
    if (n.op == Op.INPUT || n.op == Op.PARAM) return Form.SOURCE;
    if (n.op == Op.RESHAPE) return Form.ALIAS;
    if (n.op == Op.CONSTANT || n.op == Op.SIZE || n.op == Op.TRAINING || Schedule.isScalarBroadcast(n)) {
      return allElementwise && !result ? Form.INLINE : Form.MATERIALIZED;
    }
    if (n.op == Op.BROADCAST_TO && allElementwise && !result && n.dtype().isFloat()
        && Runs.ofBroadcast(n).fitsFour()) {
      return Form.INLINE;
    }
    if (n.op == Op.PERMUTE && !result && !uses.isEmpty() && isLastTwoSwap(n)
        && uses.stream().allMatch(u -> u.op == Op.MATMUL)) {
      return Form.VIEW;
    }
    if (isLaneCall(n)) return Form.MATERIALIZED;
    if (Schedule.isElementwise(n) && !result && uses.size() == 1 && Schedule.isElementwise(uses.get(0))
        && Dims.count(n.shape()).equals(Dims.count(uses.get(0).shape())) && !isLaneCall(uses.get(0))) {
      return Form.INLINE;
    }
    if (Schedule.isElementwise(n) && !result && uses.size() == 1 && uses.get(0).op == Op.REDUCE_SUM
        && uses.get(0).dtype() == n.dtype() && reduction(uses.get(0)).fitsFour()) {
      return Form.INLINE;
    }
    return Form.MATERIALIZED;
  }

  /**
   * An f32 exp or erf: computed alone over whole arrays by one runtime call ({@link LogisticCalls}), where the
   * Vector API evaluates it in lanes, so neither it nor its operand is fused (the operand's extra pass costs less
   * than the function as a scalar call per element in a loop).
   */
  private static boolean isLaneCall(Node n) {
    return (n.op == Op.EXP || n.op == Op.ERF) && n.dtype() == DType.F32;
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
      if (!k.op.is(Op.Group.KERNEL) || forms.get(k) != Form.MATERIALIZED || !singleUse(k)) continue;
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
      if (last == k || forms.get(last) != Form.MATERIALIZED || epilogues.containsKey(last)) continue;
      if (last != head && !Schedule.isElementwise(last)) continue;
      forms.put(k, Form.EPILOGUE);
      if (broadcast != null) {
        forms.put(broadcast, Form.EPILOGUE);
        if (head != last) forms.put(head, Form.EPILOGUE);
      }
      epilogues.put(last, broadcast == null ? new Epilogue(k, null, null) : new Epilogue(k, head, broadcast.in(0)));
    }
  }

  /**
   * Keeps a broadcast inline only where its loop can read it by index: in a plain elementwise loop whose inline
   * broadcasts all split the loop into the same outer and inner runs, or in a fused sum whose inline broadcasts all
   * have two runs and split the summed operand at a boundary of the sum's runs ({@link Runs#splitRun}), where the
   * sum's counters give the outer and inner positions (a broadcast of three or four runs would need a division per
   * summed element). Elsewhere (an epilogue, a loop with a second split) the broadcast is materialized.
   */
  private void planBroadcasts() {
    for (Node n : graph.nodes()) {
      if (forms.get(n) != Form.MATERIALIZED) continue;
      boolean plainLoop = Schedule.isElementwise(n) && !epilogues.containsKey(n);
      boolean sum = n.op == Op.REDUCE_SUM && forms.get(n.in(0)) == Form.INLINE;
      Epilogue f = epilogues.get(n);
      if (!plainLoop && !sum && !(f != null && Schedule.isElementwise(n))) continue;
      List<Node> chain = sum ? fusedInto(n.in(0)) : fusedInto(n);
      List<Dim> split = null;
      for (Node c : chain) {
        for (Node x : c.inputs) {
          if (forms.get(x) != Form.INLINE || x.op != Op.BROADCAST_TO || Schedule.isScalarBroadcast(x)) continue;
          List<Dim> mine = Runs.loopSplit(x);
          // in a sum, every inline broadcast must fit, not only the first: one of three or four runs with the
          // same split as the first would still need the division per element the sum's loop does not do
          boolean fits = plainLoop || sum && Runs.ofBroadcast(x).count() <= 2
              && Runs.splitRun(reduction(n), mine) >= 0;
          if (split == null && fits) split = mine;
          if (!fits || !mine.equals(split)) forms.put(x, Form.MATERIALIZED);
        }
      }
    }
  }

  /** The runs of sum n's operand, flagged where reduced. */
  private static Runs reduction(Node sum) {
    return Runs.ofReduction(sum, ((Attr.Axes) sum.attr).axes());
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

  /** The nodes computed inside n's loop, in graph order (n last). */
  List<Node> fusedInto(Node n) {
    Set<Node> inside = new LinkedHashSet<>();
    collect(n, inside);
    List<Node> ordered = new ArrayList<>(inside);
    ordered.sort(java.util.Comparator.comparingInt(this::position)); // graph order, without a scan of the graph
    return ordered;
  }

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
  Node root(Node n) {
    while (forms.get(n) == Form.ALIAS) n = n.in(0);
    return n;
  }

  /** Says which max pooling gradient ops read a recorded argmax, not their pooled input ({@link PoolArgmax}). */
  void readArgmax(Set<Node> readers) {
    argmaxReaders = readers;
  }

  /** The stored values a step reads. */
  Set<Node> reads(Step s) {
    Set<Node> r = new LinkedHashSet<>();
    if (s.kind() == Step.Kind.ACCUMULATE || s.kind() == Step.Kind.COPY) {
      r.add(root(s.node()));
    } else if (s.kind() == Step.Kind.KERNEL) {
      List<Node> in = s.computed().inputs;
      for (int i = 0; i < in.size(); i++) {
        if (i == 1 && argmaxReaders.contains(s.computed())) continue; // reads the argmax instead of x
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
}
