package dev.modelc.ad;

import static dev.modelc.ir.Op.*;

import dev.modelc.ir.Attr;
import dev.modelc.ir.GraphBuilder;
import dev.modelc.ir.IrException;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The derivative rules: one vector-Jacobian product per primitive, written with IR ops, so the adjoint is itself IR
 * and can be differentiated again.
 *
 * <p>In scope for every rule: {@code ir} (the builder the adjoint is written into), {@code y} (the node being
 * differentiated; its operands are {@code y.in(0)}, {@code y.in(1)}, its attribute {@code y.attr}) and {@code y_bar}
 * (the cotangent of y, of y's type). A rule lists one formula per operand, in operand order; each returns that
 * operand's cotangent contribution, of the operand's type. The adjoint builder calls only the formulas of operands
 * that lead to a requested gradient. Formulas too long for one line call a named {@code *_backward} helper below.
 *
 * <p>Ops in the group NO_GRADIENT (comparisons, sign, detach, one-hot, sizes) pass no gradient and have no row.
 */
public final class VjpRules {
  private VjpRules() {}

  /** The cotangent contribution to one operand. */
  @FunctionalInterface
  public interface Vjp {
    Node apply(GraphBuilder ir, Node y, Node y_bar);
  }

  private static final Map<Op, List<Vjp>> RULES = new EnumMap<>(Op.class);

  private static void rule(Op op, Vjp... perOperand) {
    if (perOperand.length != op.arity) throw new IllegalStateException(op + ": one formula per operand");
    RULES.put(op, List.of(perOperand));
  }

  static {
    // elementwise, one operand: x = y.in(0)
    rule(NEG, (ir, y, y_bar) -> ir.neg(y_bar));
    rule(EXP, (ir, y, y_bar) -> ir.mul(y_bar, y));
    rule(LOG, (ir, y, y_bar) -> ir.div(y_bar, y.in(0)));
    rule(SQRT, (ir, y, y_bar) -> ir.div(y_bar, ir.scale(y, 2)));
    rule(ABS, (ir, y, y_bar) -> ir.mul(y_bar, ir.sign(y.in(0))));
    rule(SIN, (ir, y, y_bar) -> ir.mul(y_bar, ir.unary(COS, y.in(0))));
    rule(COS, (ir, y, y_bar) -> ir.neg(ir.mul(y_bar, ir.unary(SIN, y.in(0)))));
    rule(TANH, (ir, y, y_bar) -> ir.mul(y_bar, ir.sub(ir.full(1, y), ir.mul(y, y))));
    rule(SIGMOID, (ir, y, y_bar) -> ir.mul(y_bar, ir.mul(y, ir.sub(ir.full(1, y), y))));
    rule(ERF, (ir, y, y_bar) -> ir.mul(y_bar, erf_slope(ir, y.in(0))));
    rule(RELU, VjpRules::relu_backward);
    rule(LEAKY_RELU, VjpRules::leaky_relu_backward);
    rule(SOFTPLUS, VjpRules::softplus_backward);

    // elementwise, two operands of one shape: a = y.in(0), b = y.in(1)
    rule(ADD, (ir, y, y_bar) -> y_bar,
              (ir, y, y_bar) -> y_bar);
    rule(MUL, (ir, y, y_bar) -> ir.mul(y_bar, y.in(1)),
              (ir, y, y_bar) -> ir.mul(y_bar, y.in(0)));
    rule(DIV, (ir, y, y_bar) -> ir.div(y_bar, y.in(1)),
              (ir, y, y_bar) -> ir.neg(ir.div(ir.mul(y_bar, y), y.in(1))));
    rule(POW, VjpRules::pow_backward_base,
              VjpRules::pow_backward_exponent);
    rule(MAXIMUM, (ir, y, y_bar) -> share(ir, y_bar, ir.greater(y.in(1), y.in(0)), y),
                  (ir, y, y_bar) -> share(ir, y_bar, ir.greater(y.in(0), y.in(1)), y));
    rule(MINIMUM, (ir, y, y_bar) -> share(ir, y_bar, ir.greater(y.in(0), y.in(1)), y),
                  (ir, y, y_bar) -> share(ir, y_bar, ir.greater(y.in(1), y.in(0)), y));
    rule(BCE, VjpRules::bce_backward_probability,
              VjpRules::bce_backward_target);
    rule(BCE_WITH_LOGITS, (ir, y, y_bar) -> ir.mul(y_bar, ir.sub(ir.sigmoid(y.in(0)), y.in(1))),
                          (ir, y, y_bar) -> ir.neg(ir.mul(y_bar, y.in(0))));

    // select(c, a, b): the mask is piecewise constant, so its cotangent is zero
    rule(SELECT, (ir, y, y_bar) -> ir.full(0, y.in(0)),
                 (ir, y, y_bar) -> ir.select(y.in(0), y_bar, ir.full(0, y_bar)),
                 (ir, y, y_bar) -> ir.select(y.in(0), ir.full(0, y_bar), y_bar));

    // movement: x = y.in(0)
    rule(BROADCAST_TO, (ir, y, y_bar) -> ir.sumTo(y_bar, y.in(0).shape()));
    rule(RESHAPE, (ir, y, y_bar) -> ir.reshape(y_bar, y.in(0).shape()));
    rule(PERMUTE, (ir, y, y_bar) -> ir.permute(y_bar, GraphBuilder.inverse(((Attr.Perm) y.attr).perm())));
    // slice and slice_backward are each other's transpose, so second order works
    rule(SLICE, (ir, y, y_bar) -> ir.sliceBackward(y_bar, (Attr.Slice) y.attr, y.in(0).shape()));
    rule(SLICE_BACKWARD, (ir, y, y_bar) -> ir.slice(y_bar, ((Attr.SliceTo) y.attr).slice()));

    // reductions
    rule(REDUCE_SUM, (ir, y, y_bar) -> spread(ir, y, y_bar));
    rule(REDUCE_MAX, VjpRules::reduce_max_backward);
    rule(REDUCE_AMAX, VjpRules::reduce_amax_backward);
    rule(REDUCE_MAX_ALL, VjpRules::reduce_max_all_backward);
    rule(LOGSUMEXP, (ir, y, y_bar) -> ir.mul(spread(ir, y, y_bar), ir.exp(ir.sub(y.in(0), spread(ir, y, y)))));
    rule(LOG_SOFTMAX, VjpRules::log_softmax_backward);

    // contractions: y = a @ b;  y = conv2d(x, w)
    rule(MATMUL, (ir, y, y_bar) -> ir.matmul(y_bar, ir.transposeLast(y.in(1))),
                 (ir, y, y_bar) -> ir.matmul(ir.transposeLast(y.in(0)), y_bar));
    rule(CONV2D, (ir, y, y_bar) -> ir.conv2dBackwardInput(y_bar, y.in(1), window(y), y.in(0).shape()),
                 (ir, y, y_bar) -> ir.conv2dBackwardWeight(y.in(0), y_bar, window(y), y.in(1).shape()));
    // y = conv2d_backward_input(g, w): linear in g and in w
    rule(CONV2D_BACKWARD_INPUT, (ir, y, y_bar) -> ir.conv2d(y_bar, y.in(1), window(y)),
                                (ir, y, y_bar) -> ir.conv2dBackwardWeight(y_bar, y.in(0), window(y), y.in(1).shape()));
    // y = conv2d_backward_weight(x, g): linear in x and in g
    rule(CONV2D_BACKWARD_WEIGHT, (ir, y, y_bar) -> ir.conv2dBackwardInput(y.in(1), y_bar, window(y), y.in(0).shape()),
                                 (ir, y, y_bar) -> ir.conv2d(y.in(0), y_bar, window(y)));

    // windows
    rule(MAXPOOL2D, (ir, y, y_bar) -> ir.add(MAXPOOL2D_BACKWARD, y.attr, List.of(y_bar, y.in(0))));
    // y = maxpool2d_backward(g, x) and its adjoint y = maxpool2d_gather(t, x): linear in the first operand; the argmax
    // is piecewise constant in x, so x gets zero (PyTorch's double backward of max_pool2d)
    rule(MAXPOOL2D_BACKWARD, (ir, y, y_bar) -> ir.add(MAXPOOL2D_GATHER, y.attr, List.of(y_bar, y.in(1))),
                             (ir, y, y_bar) -> ir.full(0, y.in(1)));
    rule(MAXPOOL2D_GATHER, (ir, y, y_bar) -> ir.add(MAXPOOL2D_BACKWARD, y.attr, List.of(y_bar, y.in(1))),
                           (ir, y, y_bar) -> ir.full(0, y.in(1)));
    rule(AVGPOOL2D, (ir, y, y_bar) -> ir.avgpool2dBackward(y_bar, (Attr.Window) y.attr, y.in(0).shape()));
    rule(AVGPOOL2D_BACKWARD, (ir, y, y_bar) -> ir.add(AVGPOOL2D, window(y), List.of(y_bar)));

    // indexing: y = gather(x, index) and its transpose y = scatter_add(g, index), each linear in its float operand;
    // the scatter-add skips embedding's padding, so its transpose reads 0 there
    rule(GATHER, (ir, y, y_bar) -> ir.scatterAdd(y_bar, y.in(1), (Attr.Index) y.attr, y.in(0).shape()),
                 VjpRules::index_backward);
    rule(SCATTER_ADD, (ir, y, y_bar) -> ir.gather(y_bar, y.in(1), ((Attr.IndexTo) y.attr).index().withZeroPadding(true)),
                      VjpRules::index_backward);

    // dropout: y = x * m with the mask m of its site and draw, so x_bar = y_bar * m, the same op on y_bar
    rule(DROPOUT, (ir, y, y_bar) -> ir.add(DROPOUT, y.attr, List.of(y_bar)));
  }

  /** An i32 index is piecewise constant: it has no gradient (the checker lets no gradient reach one). */
  static Node index_backward(GraphBuilder ir, Node y, Node y_bar) {
    throw new IrException(y.op.mnemonic() + ": an i32 index has no gradient", y.origin);
  }

  /** The per-operand formulas of op, or null when the op has no rule. */
  public static List<Vjp> of(Op op) {
    return RULES.get(op);
  }

  // ---- helpers named after what they differentiate ----

  /**
   * d/da a^b = b * a^(b - 1), and 0 where b == 0, as PyTorch's pow_backward_self {@code where(exponent == 0, 0,
   * grad * exponent * self.pow(exponent - 1))}: selected, so 0^-1 cannot make 0 * inf there, and a b that is
   * differentiated again gets what PyTorch's where gives it (0 at b == 0 for a nonzero base, NaN at a zero one,
   * where the branch not taken is 0 * inf). An exponent that is a number ({@code x ** 2}) has no gradient: its
   * shifted form {@code b * a^(b - 1 + (b == 0))} folds to one power with no select.
   */
  static Node pow_backward_base(GraphBuilder ir, Node y, Node y_bar) {
    Node a = y.in(0);
    Node b = y.in(1);
    if (isNumber(b)) {
      Node exponent = ir.sub(b, ir.sub(ir.full(1, b), ir.equal(b, ir.full(0, b))));
      return ir.mul(y_bar, ir.mul(b, ir.pow(a, exponent)));
    }
    Node slope = ir.mul(y_bar, ir.mul(b, ir.pow(a, ir.sub(b, ir.full(1, b)))));
    return ir.select(ir.equal(b, ir.full(0, b)), ir.full(0, slope), slope);
  }

  /** A constant, possibly broadcast or reshaped. */
  private static boolean isNumber(Node n) {
    while (n.op == BROADCAST_TO || n.op == RESHAPE) n = n.in(0);
    return n.op == CONSTANT;
  }

  /**
   * d/db a^b = a^b log a, and 0 where a == 0 and b >= 0, as PyTorch's pow_backward_exponent
   * {@code grad * where(self == 0 & exponent >= 0, 0, result * log(self))}: the factor is selected (the log of 0 is
   * never read into it) and y_bar multiplies it (a NaN y_bar stays NaN there); differentiated again, the branch not
   * taken gives 0 * log(0) = NaN at a zero base, as PyTorch's.
   */
  static Node pow_backward_exponent(GraphBuilder ir, Node y, Node y_bar) {
    Node a = y.in(0);
    Node b = y.in(1);
    Node zeroBase = ir.mul(ir.equal(a, ir.full(0, a)), ir.sub(ir.full(1, b), ir.greater(ir.full(0, b), b)));
    Node logPower = ir.mul(y, ir.unary(LOG, a));
    return ir.mul(y_bar, ir.select(zeroBase, ir.full(0, logPower), logPower));
  }

  /** PyTorch's binary_cross_entropy_backward: y_bar (p - y) / max(p (1 - p), 1e-12), finite where p is 0 or 1. */
  static Node bce_backward_probability(GraphBuilder ir, Node y, Node y_bar) {
    Node p = y.in(0);
    Node spread = ir.binary(MAXIMUM, ir.mul(p, ir.sub(ir.full(1, p), p)), ir.full(BCE_EPSILON, p));
    return ir.mul(y_bar, ir.div(ir.sub(p, y.in(1)), spread));
  }

  /** d/dy = log(1 - p) - log(p), each clamped at -100 as in the forward. */
  static Node bce_backward_target(GraphBuilder ir, Node y, Node y_bar) {
    Node p = y.in(0);
    Node floor = ir.full(-100, p);
    Node log1mP = ir.binary(MAXIMUM, ir.log(ir.sub(ir.full(1, p), p)), floor);
    return ir.mul(y_bar, ir.sub(log1mP, ir.binary(MAXIMUM, ir.log(p), floor)));
  }

  /**
   * PyTorch's EPSILON in binary_cross_entropy_backward, a float constant ({@code constexpr float EPSILON = 1e-12}) in
   * f64 too: 1e-12 rounded to float.
   */
  static final double BCE_EPSILON = (float) 1e-12;

  /** d/dx erf(x) = 2 / sqrt(pi) * exp(-x^2). */
  static Node erf_slope(GraphBuilder ir, Node x) {
    return ir.scale(ir.exp(ir.neg(ir.mul(x, x))), 2 / Math.sqrt(Math.PI));
  }

  /**
   * PyTorch's {@code threshold_backward(grad, result, 0)}, {@code result <= 0 ? 0 : grad}: selected, not multiplied by
   * a 0/1 mask, so a NaN or infinite y_bar where the result is 0 gives 0, and a NaN result (of a NaN x) passes y_bar.
   * A relu's result is 0, positive or NaN, so {@code <= 0} is {@code == 0}; the mask reads the result, so the input
   * need not be kept. Generated code runs this chain as one call, {@code Masks.zeroWhereEqual}.
   */
  static Node relu_backward(GraphBuilder ir, Node y, Node y_bar) {
    return ir.select(ir.equal(y, ir.full(0, y)), ir.full(0, y_bar), y_bar);
  }

  /**
   * PyTorch's {@code leaky_relu_backward}, {@code x > 0 ? grad : grad * slope} (the slope at 0 and at NaN): selected,
   * so y_bar passes exactly where x > 0 (a mask product {@code y_bar ((1 - slope) m + slope)} can round).
   */
  static Node leaky_relu_backward(GraphBuilder ir, Node y, Node y_bar) {
    double slope = ((Attr.Value) y.attr).value();
    return ir.select(ir.greater(y.in(0), ir.full(0, y)), y_bar, ir.scale(y_bar, slope));
  }

  /**
   * sigmoid(beta x) where beta x <= threshold, 1 where softplus is linear. On the threshold the slope is the
   * sigmoid's but its own derivative is the linear side's 0, as PyTorch's softplus_double_backward (the curvature
   * masked by {@code beta x < threshold}): there the sigmoid is read through stop_gradient.
   */
  static Node softplus_backward(GraphBuilder ir, Node y, Node y_bar) {
    Attr.Softplus p = (Attr.Softplus) y.attr;
    Node bx = ir.scale(y.in(0), p.beta());
    Node threshold = ir.full(p.threshold(), y);
    Node linear = ir.greater(bx, threshold);
    Node s = ir.sigmoid(bx);
    Node sigmoid = ir.select(ir.greater(threshold, bx), s, ir.unary(STOP_GRADIENT, s));
    Node curved = ir.mul(ir.sub(ir.full(1, y), linear), sigmoid);
    return ir.mul(y_bar, ir.add(linear, curved));
  }

  /**
   * maximum's or minimum's y_bar for one operand, PyTorch's {@code where(a == b, grad / 2, grad)
   * .masked_fill_(loses, 0)}: none of it where the operand {@code loses}, half where the operands tie, all of it
   * elsewhere (where it wins, or where an operand is NaN, which neither wins nor loses). Selected, not multiplied by
   * a 0/1 mask: a NaN y_bar (from sqrt(-1) downstream) stays out of the operand that lost, as in PyTorch.
   */
  static Node share(GraphBuilder ir, Node y_bar, Node loses, Node y) {
    Node tie = ir.equal(y.in(0), y.in(1));
    return ir.select(loses, ir.full(0, y_bar), ir.select(tie, ir.scale(y_bar, 0.5), y_bar));
  }

  /** A reduction's y_bar (or y) brought back to the operand's shape. */
  static Node spread(GraphBuilder ir, Node y, Node v) {
    Attr.Axes axes = (Attr.Axes) y.attr;
    Node x = y.in(0);
    return ir.broadcastTo(ir.keepDims(v, x, axes.axes(), axes.keepdim()), x.shape());
  }

  /**
   * y_bar to the first element that reaches the max along the axis (torch.max(x, dim)), 0 to the others even where
   * y_bar is NaN (PyTorch scatters y_bar into zeros at the index; a NaN counts as the max); several axes are moved
   * last and merged into one, so "first" is in row-major order over the reduced elements.
   */
  static Node reduce_max_backward(GraphBuilder ir, Node y, Node y_bar) {
    Attr.Axes axes = (Attr.Axes) y.attr;
    Node x = y.in(0);
    Node first;
    if (axes.axes().size() == 1) {
      first = ir.add(FIRST_MAX, new Attr.Axes(axes.axes(), true), List.of(x));
    } else {
      List<Integer> perm = new java.util.ArrayList<>();
      for (int i = 0; i < x.rank(); i++) if (!axes.axes().contains(i)) perm.add(i);
      int kept = perm.size();
      perm.addAll(axes.axes());
      Node moved = ir.permute(x, perm);
      List<dev.modelc.types.Dim> dims = new java.util.ArrayList<>(dev.modelc.ir.Dims.dims(moved.shape()));
      dev.modelc.types.Dim merged = dev.modelc.ir.Dims.of(1);
      for (dev.modelc.types.Dim d : dims.subList(kept, dims.size())) merged = dev.modelc.ir.Dims.times(merged, d);
      List<dev.modelc.types.Dim> flat = new java.util.ArrayList<>(dims.subList(0, kept));
      flat.add(merged);
      Node mask = ir.add(FIRST_MAX, new Attr.Axes(List.of(kept), true),
          List.of(ir.reshape(moved, dev.modelc.ir.Dims.shape(flat))));
      first = ir.permute(ir.reshape(mask, moved.shape()), GraphBuilder.inverse(perm));
    }
    Node spread = spread(ir, y, y_bar);
    return ir.select(first, spread, ir.full(0, spread));
  }

  /**
   * y_bar shared equally among the elements that reach the max, PyTorch's {@code scale_grad_by_count(grad, result ==
   * x, dims)} for torch.amax: {@code grad / mask.sum(dims) * mask}, a product, so NaN reaches every element of a group
   * whose y_bar is NaN or infinite, and a group whose max is NaN (no element equals it) gets 0 / 0 = NaN throughout.
   */
  static Node reduce_amax_backward(GraphBuilder ir, Node y, Node y_bar) {
    Attr.Axes axes = (Attr.Axes) y.attr;
    Node isMax = ir.equal(y.in(0), spread(ir, y, y));
    Node ties = ir.reduceSum(isMax, axes.axes(), axes.keepdim());
    return ir.mul(isMax, spread(ir, y, ir.div(y_bar, ties)));
  }

  /**
   * PyTorch's {@code evenly_distribute_backward} for torch.max(x) without a dim: the elements that reach the max, or
   * the NaNs when the max is NaN, share y_bar ({@code y_bar / count} each), selected into zeros as PyTorch's
   * {@code masked_fill_}, so the others get 0 even where y_bar is NaN. A NaN element makes the max NaN, so the mask is
   * {@code x == y | isnan(x)}, with {@code isnan(x)} written {@code 1 - (x == x)}.
   */
  static Node reduce_max_all_backward(GraphBuilder ir, Node y, Node y_bar) {
    Attr.Axes axes = (Attr.Axes) y.attr;
    Node x = y.in(0);
    Node isNaN = ir.sub(ir.full(1, x), ir.equal(x, x));
    Node shares = ir.binary(MAXIMUM, ir.equal(x, spread(ir, y, y)), isNaN);
    Node count = ir.reduceSum(shares, axes.axes(), axes.keepdim());
    Node spread = spread(ir, y, ir.div(y_bar, count));
    return ir.select(shares, spread, ir.full(0, spread));
  }

  /** y_bar - softmax(x) * sum(y_bar) along the axis. */
  static Node log_softmax_backward(GraphBuilder ir, Node y, Node y_bar) {
    List<Integer> axis = ((Attr.Axes) y.attr).axes();
    Node total = ir.broadcastTo(ir.reduceSum(y_bar, axis, true), y.shape());
    return ir.sub(y_bar, ir.mul(ir.exp(y), total));
  }

  static Attr.Window window(Node y) {
    return y.attr instanceof Attr.WindowTo w ? w.window() : (Attr.Window) y.attr;
  }
}
