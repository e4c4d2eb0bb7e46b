package dev.modelc.ir;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The op catalogue: every primitive the IR knows, each with its arity, a one-line summary and the named groups it
 * belongs to. Passes ask "is this op in group X" ({@link #is(Group)}), never list op names.
 *
 * <p>Where to find the rest of an op: its shape rule is the case of the same name in {@link ShapeRules}, its
 * evaluation the case in {@code dev.modelc.eval.IrEvaluator#evaluate}, its derivative the row in
 * {@code dev.modelc.ad.VjpRules}.
 * Language sugar ({@code sub}, {@code mean}, {@code linear}, the losses, {@code softmax}, {@code gelu}, ...) has no
 * entry here: {@code dev.modelc.lower.Lowering} writes it with these primitives, so only primitives need rules.
 *
 * <p>Generated code computes an elementwise op in the arm naming it in {@code dev.modelc.codegen.LoopEmitter}'s
 * {@code expr}, fused into a loop, and a {@link Group#KERNEL} op in the arm naming it in
 * {@code dev.modelc.codegen.KernelEmitter}'s {@code emit}, one call into the runtime jar. Every switch over ops names
 * every op, so a search for an op's name finds all of these; docs/internals.md has them in one table per op, and
 * the list of places a new op must be added.
 *
 * <p>Elementwise binary ops require operands of equal shape; broadcasting is explicit ({@link #BROADCAST_TO}), so
 * derivative rules never reduce, and the one place that sums a broadcast away is the rule of {@code BROADCAST_TO}.
 */
public enum Op {
  // Sources: no operands.
  INPUT(0, "a model input, bound by name at call time", Group.SOURCE),
  PARAM(0, "a trainable parameter, bound by its dotted name", Group.SOURCE),
  CONSTANT(0, "a tensor filled with one number", Group.SOURCE),
  SIZE(0, "a scalar holding the value of a (possibly symbolic) size", Group.SOURCE, Group.NO_GRADIENT),
  TRAINING(0, "a scalar: 1 in a training pass (forward, backward), 0 in predict (evaluation)", Group.SOURCE,
      Group.NO_GRADIENT),

  // Elementwise, one operand.
  NEG(1, "-x", Group.ELEMENTWISE_UNARY),
  EXP(1, "e^x", Group.ELEMENTWISE_UNARY),
  LOG(1, "natural logarithm", Group.ELEMENTWISE_UNARY),
  SQRT(1, "square root", Group.ELEMENTWISE_UNARY),
  ABS(1, "|x|", Group.ELEMENTWISE_UNARY),
  SIN(1, "sine", Group.ELEMENTWISE_UNARY),
  COS(1, "cosine", Group.ELEMENTWISE_UNARY),
  TANH(1, "hyperbolic tangent", Group.ELEMENTWISE_UNARY),
  SIGMOID(1, "1 / (1 + e^-x)", Group.ELEMENTWISE_UNARY),
  ERF(1, "the error function (used by gelu)", Group.ELEMENTWISE_UNARY),
  RELU(1, "max(x, 0); derivative 0 at 0 as PyTorch", Group.ELEMENTWISE_UNARY),
  LEAKY_RELU(1, "x if x > 0 else slope * x (attr: slope)", Group.ELEMENTWISE_UNARY),
  SOFTPLUS(1, "log(1 + e^(beta x)) / beta, x where beta x > threshold (attr: beta, threshold)",
      Group.ELEMENTWISE_UNARY, Group.FUSED_STABLE),
  SIGN(1, "-1, 0 or 1", Group.ELEMENTWISE_UNARY, Group.NO_GRADIENT),
  STOP_GRADIENT(1, "x, through which no gradient flows (detach)", Group.ELEMENTWISE_UNARY, Group.NO_GRADIENT),
  TO_FLOAT(1, "an i32 value as a float of the result's dtype (batch_norm's num_batches_tracked; attr: dtype)",
      Group.ELEMENTWISE_UNARY, Group.NO_GRADIENT),

  // Elementwise, two (select: three) operands of equal shape.
  ADD(2, "a + b (also on i32 operands: batch_norm's counter)", Group.ELEMENTWISE_BINARY, Group.COMMUTATIVE),
  MUL(2, "a * b", Group.ELEMENTWISE_BINARY, Group.COMMUTATIVE),
  DIV(2, "a / b", Group.ELEMENTWISE_BINARY),
  POW(2, "a ** b", Group.ELEMENTWISE_BINARY),
  MAXIMUM(2, "larger of a and b; ties share the gradient equally as PyTorch",
      Group.ELEMENTWISE_BINARY, Group.COMMUTATIVE),
  MINIMUM(2, "smaller of a and b; ties share the gradient equally as PyTorch",
      Group.ELEMENTWISE_BINARY, Group.COMMUTATIVE),
  GREATER(2, "1 where a > b else 0", Group.ELEMENTWISE_BINARY, Group.NO_GRADIENT),
  EQUAL(2, "1 where a == b else 0", Group.ELEMENTWISE_BINARY, Group.COMMUTATIVE, Group.NO_GRADIENT),
  SELECT(3, "torch.where: a where the 0/1 mask c is nonzero, else b (operands c, a, b of one type)",
      Group.ELEMENTWISE_TERNARY),
  BCE(2, "-(y log p + (1 - y) log(1 - p)), each log clamped at -100 as PyTorch (p: probabilities, y: targets)",
      Group.ELEMENTWISE_BINARY, Group.FUSED_STABLE),
  BCE_WITH_LOGITS(2, "elementwise (1 - y) x + log(1 + e^-x), computed stably (x: logits, y: targets)",
      Group.ELEMENTWISE_BINARY, Group.FUSED_STABLE),

  // Movement: move or repeat elements, compute nothing.
  BROADCAST_TO(1, "repeat along new leading dims and dims of size 1 (attr: target shape)",
      Group.MOVEMENT, Group.KERNEL, Group.ACCUMULATING),
  RESHAPE(1, "same elements in row-major order, new shape (attr: target shape)", Group.MOVEMENT),
  PERMUTE(1, "reorder dims: out dim i is in dim perm[i] (attr: perm)",
      Group.MOVEMENT, Group.KERNEL, Group.ACCUMULATING),
  SLICE(1, "keep elements start + i * step, i < size, of each dim (attr: start, step, result shape)",
      Group.MOVEMENT, Group.KERNEL, Group.ACCUMULATING),
  SLICE_BACKWARD(1, "transpose of slice: y_bar at the slice's positions of zeros (attr: slice, operand shape)",
      Group.INDEXING, Group.KERNEL, Group.ACCUMULATING),

  // Reductions over a set of axes (attr: axes, keepdim).
  REDUCE_SUM(1, "sum over axes", Group.REDUCTION, Group.KERNEL, Group.ACCUMULATING),
  REDUCE_MAX(1, "max over axes; the gradient goes to the first maximal element (torch.max(x, dim))",
      Group.REDUCTION, Group.KERNEL, Group.ACCUMULATING),
  REDUCE_AMAX(1, "max over axes; ties share the gradient equally (torch.amax)",
      Group.REDUCTION, Group.KERNEL, Group.ACCUMULATING),
  REDUCE_MAX_ALL(1, "max over axes (all of them, from max(x)); ties, or the NaNs of a NaN max, share the gradient "
      + "and the others get 0 (torch.max(x))", Group.REDUCTION, Group.KERNEL, Group.ACCUMULATING),
  LOGSUMEXP(1, "log(sum(exp(x))) over axes, shifted by the max",
      Group.REDUCTION, Group.FUSED_STABLE, Group.KERNEL, Group.ACCUMULATING),
  LOG_SOFTMAX(1, "x - logsumexp(x, axis, keepdim) (attr: one axis)", Group.FUSED_STABLE, Group.KERNEL),

  // Contractions.
  MATMUL(2, "a[..., m, k] @ b[..., k, n] with equal batch dims", Group.CONTRACTION, Group.KERNEL, Group.ACCUMULATING),
  CONV2D(2, "x[N, C, H, W] * w[O, C, kh, kw] -> [N, O, H', W'] (attr: stride, padding)", Group.CONTRACTION,
      Group.WINDOW, Group.KERNEL),
  CONV2D_BACKWARD_INPUT(2, "transpose of conv2d in x: (y_bar, w) -> x_bar (attr: window, x shape)",
      Group.CONTRACTION, Group.WINDOW, Group.KERNEL, Group.ACCUMULATING),
  CONV2D_BACKWARD_WEIGHT(2, "transpose of conv2d in w: (x, y_bar) -> w_bar (attr: window, w shape)",
      Group.CONTRACTION, Group.WINDOW, Group.KERNEL, Group.ACCUMULATING),

  // Windows (pooling).
  MAXPOOL2D(1, "max over each window (attr: kernel, stride, padding)", Group.WINDOW, Group.KERNEL),
  MAXPOOL2D_BACKWARD(2, "(y_bar, x) -> y_bar routed to each window's first max (last NaN) of x",
      Group.WINDOW, Group.KERNEL, Group.ACCUMULATING),
  MAXPOOL2D_GATHER(2, "(t, x) -> t read at each window's first max (last NaN) of x; the adjoint of maxpool2d_backward "
      + "in y_bar",
      Group.WINDOW, Group.KERNEL),
  AVGPOOL2D(1, "mean over each window, padding counted (attr: kernel, stride, padding)", Group.WINDOW, Group.KERNEL),
  AVGPOOL2D_BACKWARD(1, "transpose of avgpool2d: y_bar spread over each window (attr: window, x shape)",
      Group.WINDOW, Group.KERNEL, Group.ACCUMULATING),

  // Masks.
  FIRST_MAX(1, "1 at the first maximal element along one axis (NaN counts as maximal), 0 elsewhere (attr: axis)",
      Group.NO_GRADIENT, Group.KERNEL),

  // Indexing.
  ONE_HOT(1, "i32 index [...] -> [..., C] with 1 at each index (attr: classes, dtype)", Group.INDEXING,
      Group.NO_GRADIENT, Group.KERNEL),
  GATHER(2, "(x, i32 index) -> x read at the index along an axis: whole slices for an index of any shape (select: "
      + "index_select, embedding) or one index per element (torch.gather) (attr: axis, select, padding)",
      Group.INDEXING, Group.KERNEL),
  SCATTER_ADD(2, "(g, i32 index) -> zeros of x's shape with g added at the index, skipping the padding; the "
      + "transpose of gather (attr: gather's attr, x shape)", Group.INDEXING, Group.KERNEL, Group.ACCUMULATING),

  // Random masks.
  DROPOUT(1, "x times dropout's mask in a training pass: 0 with probability p, else 1/(1-p), the mask of (seed, "
      + "draw, site); x in evaluation; its own adjoint (attr: p, site)", Group.KERNEL);

  /** Named groups of ops. An op may sit in several (ADD is elementwise binary and commutative). */
  public enum Group {
    SOURCE, ELEMENTWISE_UNARY, ELEMENTWISE_BINARY, ELEMENTWISE_TERNARY, COMMUTATIVE, MOVEMENT, REDUCTION, CONTRACTION, WINDOW,
    INDEXING, FUSED_STABLE,
    /** Ops whose result carries no gradient to their operands (comparisons, sign, detach, labels). */
    NO_GRADIENT,
    /**
     * Ops the code generator computes by one runtime call that writes every element of its output, so an
     * elementwise chain can run after it, in place, as a fused epilogue.
     */
    KERNEL,
    /**
     * Kernels that can add into their output ({@code +=}) instead of overwriting it, so a gradient they make can go
     * straight into the parameter's gradient array.
     */
    ACCUMULATING
  }

  public final int arity;
  public final String summary;
  private final Set<Group> groups;

  Op(int arity, String summary, Group first, Group... rest) {
    this.arity = arity;
    this.summary = summary;
    this.groups = EnumSet.of(first, rest);
  }

  public boolean is(Group group) {
    return groups.contains(group);
  }

  /** Any elementwise group. */
  public boolean isElementwise() {
    return is(Group.ELEMENTWISE_UNARY) || is(Group.ELEMENTWISE_BINARY) || is(Group.ELEMENTWISE_TERNARY);
  }

  /** The lower-case name used by the printer, the DOT writer and error messages. */
  public String mnemonic() {
    return name().toLowerCase(Locale.ROOT);
  }
}
