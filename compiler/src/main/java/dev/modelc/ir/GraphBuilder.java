package dev.modelc.ir;

import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import dev.modelc.types.Shape;
import dev.modelc.types.TensorType;
import dev.modelc.util.ExpansionLimit;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends typed nodes to a graph under construction. Every node is typed by {@link ShapeRules} as it is made, so a
 * wrong operand fails at the line that built it. The builder carries the current source origin and stage, which
 * lowering and differentiation set while they work; everything they add is stamped with them.
 *
 * <p>Besides the raw {@link #add}, it offers one method per primitive and a few compositions ({@link #sub},
 * {@link #sumTo}, {@link #transposeLast}) so that lowering and derivative rules read like the math they build.
 * Movement helpers return their operand unchanged when the move would do nothing.
 */
public final class GraphBuilder {
  private final String name;
  private final List<Node> nodes = new ArrayList<>();
  private final List<Graph.Result> results = new ArrayList<>();
  private int nextId;
  private Origin origin = Origin.NONE;
  private Phase stage = Phase.FORWARD;

  public GraphBuilder(String name) {
    this(name, 0);
  }

  private GraphBuilder(String name, int nextId) {
    this.name = name;
    this.nextId = nextId;
  }

  /** An empty builder whose new ids continue after {@code g}'s, for passes that rebuild a graph. */
  public static GraphBuilder rebuilding(Graph g) {
    return new GraphBuilder(g.name(), g.nextId());
  }

  /** A builder holding all of {@code g}'s nodes and results, to add more (for example gradients). */
  public static GraphBuilder extending(Graph g) {
    GraphBuilder b = new GraphBuilder(g.name(), g.nextId());
    b.nodes.addAll(g.nodes());
    b.results.addAll(g.results());
    return b;
  }

  public Origin origin() {
    return origin;
  }

  /** Sets the origin stamped on new nodes; returns the previous one so callers can restore it. */
  public Origin at(Origin o) {
    Origin old = origin;
    origin = o == null ? Origin.NONE : o;
    return old;
  }

  public Phase stage() {
    return stage;
  }

  public Phase stage(Phase s) {
    Phase old = stage;
    stage = s;
    return old;
  }

  public List<Node> nodes() {
    return nodes;
  }

  // ---- raw construction ----

  public Node add(Op op, Attr attr, List<Node> inputs) {
    List<TensorType> types = new ArrayList<>();
    for (Node n : inputs) types.add(n.type);
    TensorType type;
    try {
      type = ShapeRules.infer(op, attr, types);
    } catch (IrException e) {
      throw new IrException(e.getMessage(), origin);
    }
    return append(new Node(nextId++, op, attr, inputs, type, origin, stage, null));
  }

  /** A source node (INPUT, PARAM, CONSTANT, SIZE), whose type is given rather than inferred. */
  public Node source(Op op, Attr attr, TensorType type) {
    if (!op.is(Op.Group.SOURCE)) throw new IrException(op.mnemonic() + " is not a source");
    return append(new Node(nextId++, op, attr, List.of(), type, origin, stage, null));
  }

  /** A copy of {@code old} on new operands, keeping its id, origin, stage and label (for passes). */
  public Node copy(Node old, List<Node> inputs) {
    if (old.op.is(Op.Group.SOURCE)) {
      return append(new Node(old.id, old.op, old.attr, List.of(), old.type, old.origin, old.stage, old.label()));
    }
    List<TensorType> types = new ArrayList<>();
    for (Node n : inputs) types.add(n.type);
    TensorType type = ShapeRules.infer(old.op, old.attr, types);
    return append(new Node(old.id, old.op, old.attr, inputs, type, old.origin, old.stage, old.label()));
  }

  /** Appends n; past {@link ExpansionLimit#MAX_NODES} nodes the model is too large, reported at n's origin. */
  private Node append(Node n) {
    if (nodes.size() >= ExpansionLimit.MAX_NODES) throw new GraphTooLargeException(n.origin);
    nodes.add(n);
    return n;
  }

  /** The id the next node added will have: nodes with smaller ids existed before. */
  public int nextId() {
    return nextId;
  }

  public Node label(Node n, String label) {
    if (n.label() == null) n.setLabel(label);
    return n;
  }

  public void result(String resultName, Graph.Kind kind, Node node) {
    results.add(new Graph.Result(resultName, kind, node));
  }

  public List<Graph.Result> results() {
    return results;
  }

  public Graph build() {
    return new Graph(name, nodes, results, nextId);
  }

  // ---- sources ----

  public Node input(String inputName, TensorType type) {
    return label(source(Op.INPUT, new Attr.Name(inputName), type), inputName);
  }

  public Node param(String paramName, TensorType type) {
    return label(source(Op.PARAM, new Attr.Name(paramName), type), paramName);
  }

  public Node constant(double value, TensorType type) {
    return source(Op.CONSTANT, new Attr.Value(value), type);
  }

  /** A constant of x's type. */
  public Node full(double value, Node like) {
    return constant(value, like.type);
  }

  /** A scalar holding the (possibly symbolic) size d, as dtype. */
  public Node size(Dim d, DType dtype) {
    return source(Op.SIZE, new Attr.Size(d), Dims.scalar(dtype));
  }

  /** A scalar of dtype that is 1 in a training pass (forward, backward) and 0 in predict. */
  public Node training(DType dtype) {
    return source(Op.TRAINING, Attr.NONE, Dims.scalar(dtype));
  }

  // ---- elementwise ----

  public Node unary(Op op, Node x) {
    return add(op, Attr.NONE, List.of(x));
  }

  public Node binary(Op op, Node a, Node b) {
    return add(op, Attr.NONE, List.of(a, b));
  }

  public Node neg(Node x) {
    return unary(Op.NEG, x);
  }

  public Node exp(Node x) {
    return unary(Op.EXP, x);
  }

  public Node log(Node x) {
    return unary(Op.LOG, x);
  }

  public Node sqrt(Node x) {
    return unary(Op.SQRT, x);
  }

  public Node sign(Node x) {
    return unary(Op.SIGN, x);
  }

  public Node sigmoid(Node x) {
    return unary(Op.SIGMOID, x);
  }

  /** An i32 value as floats of dtype (batch_norm's counter in the cumulative average). */
  public Node toFloat(Node x, DType dtype) {
    return add(Op.TO_FLOAT, new Attr.ToFloat(dtype), List.of(x));
  }

  public Node add(Node a, Node b) {
    return binary(Op.ADD, a, b);
  }

  public Node sub(Node a, Node b) {
    return add(a, neg(b));
  }

  public Node mul(Node a, Node b) {
    return binary(Op.MUL, a, b);
  }

  public Node div(Node a, Node b) {
    return binary(Op.DIV, a, b);
  }

  public Node pow(Node a, Node b) {
    return binary(Op.POW, a, b);
  }

  /** x times a number. */
  public Node scale(Node x, double k) {
    return mul(x, full(k, x));
  }

  /** 1 where a > b else 0, as a float mask. */
  public Node greater(Node a, Node b) {
    return binary(Op.GREATER, a, b);
  }

  public Node equal(Node a, Node b) {
    return binary(Op.EQUAL, a, b);
  }

  /** torch.where: a where the 0/1 mask c is nonzero, else b; all three of one shape. */
  public Node select(Node c, Node a, Node b) {
    return add(Op.SELECT, Attr.NONE, List.of(c, a, b));
  }

  // ---- movement ----

  public Node broadcastTo(Node x, Shape shape) {
    if (x.shape().equals(shape)) return x;
    return add(Op.BROADCAST_TO, new Attr.Target(shape), List.of(x));
  }

  public Node reshape(Node x, Shape shape) {
    if (x.shape().equals(shape)) return x;
    return add(Op.RESHAPE, new Attr.Target(shape), List.of(x));
  }

  public Node permute(Node x, List<Integer> perm) {
    boolean identity = true;
    for (int i = 0; i < perm.size(); i++) identity &= perm.get(i) == i;
    if (identity) return x;
    return add(Op.PERMUTE, new Attr.Perm(perm), List.of(x));
  }

  /** Swaps the last two dims. */
  /** The elements start + i * step, i < shape, of each dim of x; x itself when that is all of it. */
  public Node slice(Node x, Attr.Slice slice) {
    if (slice.shape().equals(x.shape()) && slice.start().stream().allMatch(s -> s == 0)) return x;
    return add(Op.SLICE, slice, List.of(x));
  }

  /** y_bar at the slice's positions of zeros of {@code shape}: the transpose of {@link #slice}. */
  public Node sliceBackward(Node yBar, Attr.Slice slice, Shape shape) {
    if (shape.equals(yBar.shape()) && slice.start().stream().allMatch(s -> s == 0)) return yBar;
    return add(Op.SLICE_BACKWARD, new Attr.SliceTo(slice, shape), List.of(yBar));
  }

  public Node transposeLast(Node x) {
    return permute(x, swapPerm(x.rank(), x.rank() - 2, x.rank() - 1));
  }

  public static List<Integer> swapPerm(int rank, int a, int b) {
    List<Integer> perm = new ArrayList<>();
    for (int i = 0; i < rank; i++) perm.add(i == a ? b : i == b ? a : i);
    return perm;
  }

  /** The inverse permutation: permute(permute(x, p), inverse(p)) == x. */
  public static List<Integer> inverse(List<Integer> perm) {
    Integer[] inv = new Integer[perm.size()];
    for (int i = 0; i < perm.size(); i++) inv[perm.get(i)] = i;
    return List.of(inv);
  }

  // ---- reductions ----

  public Node reduce(Op op, Node x, List<Integer> axes, boolean keepdim) {
    if (axes.isEmpty()) return x;
    return add(op, new Attr.Axes(axes, keepdim), List.of(x));
  }

  /** x read at an i32 index along an axis (see {@link Attr.Index}). */
  public Node gather(Node x, Node index, Attr.Index attr) {
    return add(Op.GATHER, attr, List.of(x, index));
  }

  /** The transpose of {@link #gather}: g added into zeros of shape {@code to} at the index. */
  public Node scatterAdd(Node g, Node index, Attr.Index attr, Shape to) {
    return add(Op.SCATTER_ADD, new Attr.IndexTo(attr.withZeroPadding(false), to), List.of(g, index));
  }

  public Node reduceSum(Node x, List<Integer> axes, boolean keepdim) {
    return reduce(Op.REDUCE_SUM, x, axes, keepdim);
  }

  public static List<Integer> allAxes(int rank) {
    List<Integer> axes = new ArrayList<>();
    for (int i = 0; i < rank; i++) axes.add(i);
    return axes;
  }

  /** The sum of x over the dims a broadcast to x's shape from {@code shape} would have repeated. */
  public Node sumTo(Node x, Shape shape) {
    if (x.shape().equals(shape)) return x;
    int extra = x.rank() - Dims.rank(shape);
    List<Integer> axes = new ArrayList<>();
    for (int i = 0; i < x.rank(); i++) {
      if (i < extra || (Dims.isOne(Dims.dim(shape, i - extra)) && !Dims.isOne(Dims.dim(x.shape(), i)))) axes.add(i);
    }
    return reshape(reduceSum(x, axes, true), shape);
  }

  /** Undoes the dims a reduction without keepdim dropped, so the result broadcasts against its operand. */
  public Node keepDims(Node reduced, Node operand, List<Integer> axes, boolean keepdim) {
    if (keepdim) return reduced;
    List<Dim> dims = new ArrayList<>(Dims.dims(operand.shape()));
    for (int a : axes) dims.set(a, Dims.of(1));
    return reshape(reduced, Dims.shape(dims));
  }

  // ---- contractions and windows ----

  public Node matmul(Node a, Node b) {
    return binary(Op.MATMUL, a, b);
  }

  public Node conv2d(Node x, Node w, Attr.Window window) {
    return add(Op.CONV2D, window, List.of(x, w));
  }

  public Node conv2dBackwardInput(Node yBar, Node w, Attr.Window window, Shape xShape) {
    return add(Op.CONV2D_BACKWARD_INPUT, new Attr.WindowTo(window, xShape), List.of(yBar, w));
  }

  public Node conv2dBackwardWeight(Node x, Node yBar, Attr.Window window, Shape wShape) {
    return add(Op.CONV2D_BACKWARD_WEIGHT, new Attr.WindowTo(window, wShape), List.of(x, yBar));
  }

  public Node avgpool2dBackward(Node yBar, Attr.Window window, Shape xShape) {
    return add(Op.AVGPOOL2D_BACKWARD, new Attr.WindowTo(window, xShape), List.of(yBar));
  }
}
