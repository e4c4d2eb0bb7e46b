package dev.modelc.lower;

import dev.modelc.ad.Adjoint;
import dev.modelc.ir.Attr;
import dev.modelc.ir.Dims;
import dev.modelc.ir.GraphBuilder;
import dev.modelc.ir.IrException;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import dev.modelc.types.Shape;
import dev.modelc.types.ShapeMath;
import java.util.ArrayList;
import java.util.List;

/**
 * Every operation of the .mdl language written with IR primitives: implicit broadcasting made explicit, torch.matmul
 * promotion rules, negative dims, mean as sum over a (possibly symbolic) count, the losses with their reductions,
 * softmax and gelu from their parts. Only the primitives have derivative rules; everything here is differentiated
 * through what it lowers to. Nodes get the builder's current origin, which {@link Lowering} sets per expression.
 *
 * <p>The checker has already validated the program, so a failure here is an internal error, reported as an
 * {@link IrException} at the current origin.
 */
public final class Sugar {
  private final GraphBuilder ir;

  public Sugar(GraphBuilder ir) {
    this.ir = ir;
  }

  public GraphBuilder ir() {
    return ir;
  }

  // ---- broadcasting arithmetic ----

  /** NumPy's broadcast of two shapes ({@link ShapeMath#broadcast}). */
  public Shape broadcastShape(Shape a, Shape b) {
    Shape out = ShapeMath.broadcast(a, b);
    if (out == null) {
      throw new IrException("shapes " + Dims.text(a) + " and " + Dims.text(b) + " do not broadcast", ir.origin());
    }
    return out;
  }

  public Node binary(Op op, Node a, Node b) {
    Shape s = broadcastShape(a.shape(), b.shape());
    return ir.binary(op, ir.broadcastTo(a, s), ir.broadcastTo(b, s));
  }

  public Node add(Node a, Node b) {
    return binary(Op.ADD, a, b);
  }

  public Node sub(Node a, Node b) {
    Shape s = broadcastShape(a.shape(), b.shape());
    return ir.sub(ir.broadcastTo(a, s), ir.broadcastTo(b, s));
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

  public Node maximum(Node a, Node b) {
    return binary(Op.MAXIMUM, a, b);
  }

  public Node minimum(Node a, Node b) {
    return binary(Op.MINIMUM, a, b);
  }

  /**
   * A comparison ({@code LT LE GT GE EQ NE}) of broadcast operands as a 0/1 mask of their dtype: {@code a < b} is
   * {@code greater(b, a)}, {@code <=} and {@code >=} add {@code equal}, {@code !=} is {@code 1 - equal}; each is
   * false where an operand is NaN but {@code !=}, as in IEEE and torch.
   */
  public Node compare(String op, Node a, Node b) {
    Shape s = broadcastShape(a.shape(), b.shape());
    Node x = ir.broadcastTo(a, s);
    Node y = ir.broadcastTo(b, s);
    return switch (op) {
      case "LT" -> ir.greater(y, x);
      case "LE" -> ir.add(ir.greater(y, x), ir.equal(x, y));
      case "GT" -> ir.greater(x, y);
      case "GE" -> ir.add(ir.greater(x, y), ir.equal(x, y));
      case "EQ" -> ir.equal(x, y);
      case "NE" -> ir.sub(ir.full(1, x), ir.equal(x, y));
      default -> throw new IllegalArgumentException("not a comparison: " + op);
    };
  }

  /** {@code a & b} of two 0/1 masks: their product (torch's logical and). */
  public Node and(Node a, Node b) {
    return binary(Op.MUL, a, b);
  }

  /** {@code a | b} of two 0/1 masks: their maximum (torch's logical or). */
  public Node or(Node a, Node b) {
    return binary(Op.MAXIMUM, a, b);
  }

  /** {@code ~m} of a 0/1 mask: {@code 1 - m} (torch's logical not). */
  public Node not(Node m) {
    return ir.sub(ir.full(1, m), m);
  }

  /** torch.where(c, a, b): the three broadcast to one shape, then {@code select}. */
  public Node where(Node c, Node a, Node b) {
    Shape s = broadcastShape(c.shape(), broadcastShape(a.shape(), b.shape()));
    return ir.select(ir.broadcastTo(c, s), ir.broadcastTo(a, s), ir.broadcastTo(b, s));
  }

  /**
   * torch.clamp: the value min(max(x, lower), upper) (NaN propagates; an omitted bound is an infinity and is left
   * out), selected where lower <= x <= upper is false, so the gradient is 1 inside the bounds inclusive, as torch's
   * clamp_backward, and 0 outside and at NaN (maximum and minimum alone would halve it at a bound).
   */
  public Node clamp(Node x, double lower, double upper) {
    Node value = x;
    Node inside = null;
    if (lower != Double.NEGATIVE_INFINITY) {
      Node lo = fill(lower, x);
      value = ir.binary(Op.MAXIMUM, value, lo);
      inside = ir.add(ir.greater(x, lo), ir.equal(x, lo));
    }
    if (upper != Double.POSITIVE_INFINITY) {
      Node hi = fill(upper, x);
      value = ir.binary(Op.MINIMUM, value, hi);
      Node below = ir.add(ir.greater(hi, x), ir.equal(x, hi));
      inside = inside == null ? below : ir.mul(inside, below);
    }
    return ir.select(inside, x, ir.unary(Op.STOP_GRADIENT, value));
  }

  /** A constant of x's type, the number rounded to x's dtype. */
  private Node fill(double value, Node like) {
    return ir.constant(like.dtype() == DType.F32 ? (float) value : value, like.type);
  }

  /** A number literal, a scalar of the dtype of the tensor it meets. */
  public Node number(double value, DType dtype) {
    return ir.constant(dtype == DType.F32 ? (float) value : value, Dims.scalar(dtype));
  }

  // ---- elementwise functions ----

  public Node unary(Op op, Node x) {
    return ir.unary(op, x);
  }

  public Node leakyRelu(Node x, double slope) {
    return ir.add(Op.LEAKY_RELU, new Attr.Value(slope), List.of(x));
  }

  public Node softplus(Node x, double beta, double threshold) {
    return ir.add(Op.SOFTPLUS, new Attr.Softplus(beta, threshold), List.of(x));
  }

  /** gelu(x) = x/2 (1 + erf(x / sqrt 2)); with "tanh", x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
  public Node gelu(Node x, String approximate) {
    Node inner;
    if (approximate.equals("tanh")) {
      Node cube = ir.mul(x, ir.mul(x, x));
      inner = ir.unary(Op.TANH, ir.scale(ir.add(x, ir.scale(cube, 0.044715)), Math.sqrt(2 / Math.PI)));
    } else {
      inner = ir.unary(Op.ERF, ir.scale(x, 1 / Math.sqrt(2)));
    }
    return ir.mul(ir.scale(x, 0.5), ir.add(ir.full(1, x), inner));
  }

  public Node detach(Node x) {
    return ir.unary(Op.STOP_GRADIENT, x);
  }

  // ---- shapes ----

  /** A dim argument, negative counting from the end, wrapped as the checker wraps it ({@link ShapeMath#axis}). */
  public int axis(int dim, int rank) {
    int a = ShapeMath.axis(dim, rank);
    if (a < 0) throw new IrException("dim " + dim + " out of range", ir.origin());
    return a;
  }

  /** Sorted distinct axes; null or empty means all. */
  public List<Integer> axes(List<Integer> dims, int rank) {
    if (dims == null || dims.isEmpty()) return GraphBuilder.allAxes(rank);
    return dims.stream().map(d -> axis(d, rank)).distinct().sorted().toList();
  }

  /** torch.transpose; of a 0-d tensor (dims 0 or -1, which the checker admits) the tensor itself. */
  public Node transpose(Node x, int d0, int d1) {
    if (x.rank() == 0) return x;
    return ir.permute(x, GraphBuilder.swapPerm(x.rank(), axis(d0, x.rank()), axis(d1, x.rank())));
  }

  /** {@code x[...]}: the slice, then a reshape that drops the dims an integer index removed. */
  public Node index(Node x, dev.modelc.types.SliceSpec s, Shape result) {
    return ir.reshape(ir.slice(x, new Attr.Slice(s.start(), s.step(), s.shape())), result);
  }

  /**
   * {@code cat(parts, axis)}: each part placed at its offset along the axis of zeros of the result's shape (a
   * slice_backward), and the placements added; the gradient of each part is then its slice of the result's.
   * {@code stack} first gives every part a dim of size 1 at the axis.
   */
  public Node cat(List<Node> parts, int axis, boolean stack) {
    List<Node> xs = new ArrayList<>();
    for (Node p : parts) {
      List<Dim> dims = new ArrayList<>(Dims.dims(p.shape()));
      if (stack) dims.add(axis, Dims.of(1));
      xs.add(ir.reshape(p, Dims.shape(dims)));
    }
    if (xs.size() == 1) return xs.get(0);
    List<Dim> out = new ArrayList<>(Dims.dims(xs.get(0).shape()));
    long total = 0;
    for (Node x : xs) total += Dims.value(Dims.dim(x.shape(), axis));
    out.set(axis, Dims.of(total));
    Shape outShape = Dims.shape(out);
    Node sum = null;
    int offset = 0;
    for (Node x : xs) {
      List<Integer> start = new ArrayList<>(java.util.Collections.nCopies(x.rank(), 0));
      start.set(axis, offset);
      Attr.Slice at = new Attr.Slice(start, java.util.Collections.nCopies(x.rank(), 1), x.shape());
      Node placed = ir.sliceBackward(x, at, outShape);
      sum = sum == null ? placed : ir.add(sum, placed);
      offset += (int) Dims.value(Dims.dim(x.shape(), axis));
    }
    return sum;
  }

  /** {@code x^T}: the last two dims swapped. */
  public Node transposeLast(Node x) {
    return ir.transposeLast(x);
  }

  /** The checker resolved -1, so the target is a full shape. */
  public Node reshape(Node x, Shape to) {
    return ir.reshape(x, to);
  }

  // ---- reductions ----

  public Node sum(Node x, List<Integer> dims, boolean keepdim) {
    return ir.reduceSum(x, axes(dims, x.rank()), keepdim);
  }

  public Node mean(Node x, List<Integer> dims, boolean keepdim) {
    List<Integer> axes = axes(dims, x.rank());
    Dim count = Dims.of(1);
    for (int a : axes) count = Dims.times(count, Dims.dim(x.shape(), a));
    Node s = ir.reduceSum(x, axes, keepdim);
    return ir.div(s, ir.broadcastTo(count(count, x.dtype()), s.shape()));
  }

  /** A scalar holding a size: a constant, or a SIZE node when symbolic. */
  public Node count(Dim n, DType dtype) {
    return Dims.isConstant(n) ? number(Dims.value(n), dtype) : ir.size(n, dtype);
  }

  /** torch.max(x, dim).values: the gradient goes to the first maximal element along dim. */
  public Node max(Node x, List<Integer> dims, boolean keepdim) {
    return ir.reduce(Op.REDUCE_MAX, x, axes(dims, x.rank()), keepdim);
  }

  /**
   * torch.max(x) without a dim (over {@code dims}, all of them): tied maxima, or the NaNs when the max is NaN, share
   * the gradient.
   */
  public Node maxAll(Node x, List<Integer> dims, boolean keepdim) {
    return ir.reduce(Op.REDUCE_MAX_ALL, x, axes(dims, x.rank()), keepdim);
  }

  /** torch.amax(x, dims): tied maxima share the gradient equally (NaN throughout a group whose max is NaN). */
  public Node amax(Node x, List<Integer> dims, boolean keepdim) {
    return ir.reduce(Op.REDUCE_AMAX, x, axes(dims, x.rank()), keepdim);
  }

  public Node logsumexp(Node x, List<Integer> dims, boolean keepdim) {
    return ir.reduce(Op.LOGSUMEXP, x, axes(dims, x.rank()), keepdim);
  }

  /** Along dim; a 0-d tensor (dim 0 or -1) is taken as one element along a dim of its own, as PyTorch does. */
  public Node logSoftmax(Node x, int dim) {
    if (x.rank() == 0) return ir.reshape(logSoftmax(ir.reshape(x, Dims.shape(1)), 0), x.shape());
    return ir.add(Op.LOG_SOFTMAX, new Attr.Axes(List.of(axis(dim, x.rank())), true), List.of(x));
  }

  public Node softmax(Node x, int dim) {
    return ir.exp(logSoftmax(x, dim));
  }

  // ---- normalizations ----

  /**
   * torch.layer_norm over {@code axes} (the last dims): {@code (x - mean) / sqrt(var + eps)} with the biased
   * variance of the centred values (two passes, as PyTorch's kernel), then {@code * weight + bias} when given.
   */
  public Node layerNorm(Node x, List<Integer> axes, Node weight, Node bias, double eps) {
    Node centered = sub(x, mean(x, axes, true));
    Node variance = mean(mul(centered, centered), axes, true);
    Node y = div(centered, unary(Op.SQRT, add(variance, number(eps, x.dtype()))));
    if (weight != null) y = mul(y, weight);
    if (bias != null) y = add(y, bias);
    return y;
  }

  /**
   * torch.group_norm: x {@code [N, C, *]} viewed as {@code [N, groups, C / groups * prod(*)]}, each group
   * normalized as layer_norm does, then the per-channel weight and bias (shaped {@code [C, 1, ...]}).
   */
  public Node groupNorm(Node x, int groups, Node weight, Node bias, double eps) {
    List<Dim> dims = Dims.dims(x.shape());
    Dim rest = Dims.of(1);
    for (int i = 2; i < dims.size(); i++) rest = Dims.times(rest, dims.get(i));
    Dim perGroup = Dims.times(Dims.of(Dims.value(dims.get(1)) / groups), rest);
    Node grouped = ir.reshape(x, Dims.shape(List.of(dims.get(0), Dims.of(groups), perGroup)));
    Node y = ir.reshape(layerNorm(grouped, List.of(2), null, null, eps), x.shape());
    List<Dim> channel = new ArrayList<>(java.util.Collections.nCopies(dims.size() - 1, Dims.of(1)));
    channel.set(0, dims.get(1));
    if (weight != null) y = mul(y, ir.reshape(weight, Dims.shape(channel)));
    if (bias != null) y = add(y, ir.reshape(bias, Dims.shape(channel)));
    return y;
  }

  /**
   * batch_norm's normalized value and the new values of its running statistics and of its counter (buffer updates;
   * the counter's is null without one).
   */
  public record BatchNorm(Node y, Node runningMean, Node runningVar, Node numBatchesTracked) {}

  /**
   * torch.batch_norm over x {@code [N, C, *]}: in a training pass (TRAINING is 1) each channel is normalized with
   * the batch's mean and biased variance over N and *, with the gradient through both; in predict (TRAINING is 0)
   * with the running statistics. Then {@code * weight + bias} per channel when given. The running statistics'
   * new values are {@code (1 - f) * running + f * batch} (the variance unbiased, times {@code n / (n - 1)}), kept
   * as they are outside a training pass; f is {@code momentum}, or with {@code cumulative} (PyTorch's momentum None)
   * {@code 1 / num_batches_tracked} after its increment. The counter (an i32 scalar, or null) gains TRAINING.
   */
  public BatchNorm batchNorm(Node x, Node runningMean, Node runningVar, Node weight, Node bias, double momentum,
                             double eps, Node counter, boolean cumulative) {
    List<Dim> dims = Dims.dims(x.shape());
    List<Integer> axes = new ArrayList<>();
    Dim n = Dims.of(1);
    for (int i = 0; i < dims.size(); i++) {
      if (i == 1) continue;
      axes.add(i);
      n = Dims.times(n, dims.get(i));
    }
    List<Dim> channel = new ArrayList<>(java.util.Collections.nCopies(dims.size(), Dims.of(1)));
    channel.set(1, dims.get(1));
    Shape perChannel = Dims.shape(channel);
    Node eps1 = number(eps, x.dtype());
    Node mean = mean(x, axes, true);
    Node centered = sub(x, mean);
    Node variance = mean(mul(centered, centered), axes, true);
    Node batch = div(centered, unary(Op.SQRT, add(variance, eps1)));
    Node running = div(sub(x, ir.reshape(runningMean, perChannel)),
        unary(Op.SQRT, add(ir.reshape(runningVar, perChannel), eps1)));
    Node training = ir.training(x.dtype());
    Node y = ir.select(ir.broadcastTo(training, x.shape()), batch, running);
    if (weight != null) y = mul(y, ir.reshape(weight, perChannel));
    if (bias != null) y = add(y, ir.reshape(bias, perChannel));
    Shape c = runningMean.shape();
    Node count = count(n, x.dtype());
    Node one = number(1, x.dtype());
    // the cumulative factor 1 / (counter + 1) is 1 / num_batches_tracked after a training pass's increment; outside
    // one it is not used, and it never divides by zero
    Node m = cumulative ? div(one, add(ir.toFloat(counter, x.dtype()), one)) : number(momentum, x.dtype());
    Node keep = cumulative ? sub(one, m) : number(1 - momentum, x.dtype());
    Node unbiased = div(mul(ir.reshape(variance, c), count), sub(count, one));
    Node newMean = add(mul(runningMean, keep), mul(ir.reshape(mean, c), m));
    Node newVar = add(mul(runningVar, keep), mul(unbiased, m));
    Node updating = ir.broadcastTo(training, c);
    Node newCount = counter == null ? null : ir.add(counter, ir.training(DType.I32));
    return new BatchNorm(y, ir.select(updating, newMean, runningMean), ir.select(updating, newVar, runningVar),
        newCount);
  }

  // ---- contractions ----

  /** torch.matmul: 1-D operands promoted (and the added dim removed), batch dims broadcast. */
  public Node matmul(Node a, Node b) {
    boolean vecA = a.rank() == 1;
    boolean vecB = b.rank() == 1;
    Node a2 = vecA ? ir.reshape(a, ShapeMath.matmulLeft(a.shape())) : a;
    Node b2 = vecB ? ir.reshape(b, ShapeMath.matmulRight(b.shape())) : b;
    Node y;
    if (b2.rank() == 2 && a2.rank() > 2) {
      y = foldBatchIntoRows(a2, b2);
    } else {
      Shape batch = broadcastShape(ShapeMath.batch(a2.shape()), ShapeMath.batch(b2.shape()));
      y = ir.matmul(ir.broadcastTo(a2, withBatch(batch, a2)), ir.broadcastTo(b2, withBatch(batch, b2)));
    }
    return ir.reshape(y, ShapeMath.matmul(a.shape(), b.shape()));
  }

  /** a[..., m, k] @ b[k, n] as one [(...) m, k] @ [k, n] product, so b is never repeated. */
  private Node foldBatchIntoRows(Node a, Node b) {
    Dim rows = Dims.count(Dims.shape(Dims.dims(a.shape()).subList(0, a.rank() - 1)));
    Dim k = Dims.dim(a.shape(), a.rank() - 1);
    Node y = ir.matmul(ir.reshape(a, Dims.shape(List.of(rows, k))), b);
    List<Dim> out = new ArrayList<>(Dims.dims(a.shape()).subList(0, a.rank() - 1));
    out.add(Dims.dim(b.shape(), 1));
    return ir.reshape(y, Dims.shape(out));
  }

  private static Shape withBatch(Shape batch, Node x) {
    List<Dim> dims = new ArrayList<>(Dims.dims(batch));
    dims.addAll(Dims.dims(x.shape()).subList(x.rank() - 2, x.rank()));
    return Dims.shape(dims);
  }

  /** linear(x, w, b) = x @ w^T + b. */
  public Node linear(Node x, Node w, Node bias) {
    Node y = matmul(x, ir.transposeLast(w));
    return bias == null ? y : add(y, bias);
  }

  public Node conv2d(Node x, Node w, Node bias, int[] stride, int[] padding) {
    Node y = ir.conv2d(x, w, new Attr.Window(0, 0, stride[0], stride[1], padding[0], padding[1]));
    if (bias == null) return y;
    Node b = ir.reshape(bias, Dims.shape(List.of(Dims.dim(bias.shape(), 0), Dims.of(1), Dims.of(1))));
    return add(y, b);
  }

  public Node pool(Op op, Node x, int[] kernel, int[] stride, int[] padding) {
    return ir.add(op, new Attr.Window(kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1]),
        List.of(x));
  }

  // ---- losses ----

  /** "mean" or "sum" of the elementwise losses. */
  public Node reduce(Node losses, String reduction) {
    return switch (reduction) {
      case "sum" -> sum(losses, null, false);
      case "mean" -> mean(losses, null, false);
      default -> throw new IrException("unknown reduction \"" + reduction + "\"", ir.origin());
    };
  }

  /** F.dropout: x times the mask of its site in training, x in evaluation (and for p = 0, a copy). */
  public Node dropout(Node x, double p, int site) {
    return ir.add(Op.DROPOUT, new Attr.Dropout(p, site), List.of(x));
  }

  /** torch.index_select: whole slices of x along dim at a 1-D index. */
  public Node indexSelect(Node x, int dim, Node index) {
    return ir.gather(x, index, new Attr.Index(dim, true, -1, false, "index_select"));
  }

  /** torch.gather: one index per element, the index of x's shape except along dim. */
  public Node gather(Node x, int dim, Node index) {
    return ir.gather(x, index, new Attr.Index(dim, false, -1, false, "gather"));
  }

  /** F.one_hot as floats of the given dtype ("f32" or "f64"). */
  public Node oneHot(Node index, int classes, String dtype) {
    DType dt = dtype.equals("f64") ? DType.F64 : DType.F32;
    return ir.add(Op.ONE_HOT, new Attr.Classes(classes, dt, "one_hot"), List.of(index));
  }

  /** F.embedding: rows of weight for an index of any shape; row padding (or -1 for none) gets no gradient. */
  public Node embedding(Node index, Node weight, int padding) {
    return ir.gather(weight, index, new Attr.Index(0, true, padding, false, "embedding"));
  }

  public Node mse(Node input, Node target, String reduction) {
    Node d = sub(input, target);
    return reduce(ir.mul(d, d), reduction);
  }

  public Node l1(Node input, Node target, String reduction) {
    return reduce(ir.unary(Op.ABS, sub(input, target)), reduction);
  }

  /** -logp[i, t_i], averaged over the batch (mean) or summed. */
  public Node nll(Node logp, Node target, String reduction) {
    return nll(logp, target, reduction, "nll");
  }

  public Node crossEntropy(Node logits, Node target, String reduction) {
    return nll(logSoftmax(logits, 1), target, reduction, "cross_entropy");
  }

  /** nll, its labels' one-hot rows naming {@code call} (nll or cross_entropy) for a label out of range. */
  private Node nll(Node logp, Node target, String reduction, String call) {
    Dim classes = Dims.dim(logp.shape(), 1);
    if (!Dims.isConstant(classes)) throw new IrException(call + " needs a constant class count", ir.origin());
    Node oneHot = ir.add(Op.ONE_HOT, new Attr.Classes(Dims.value(classes), logp.dtype(), call), List.of(target));
    // Picked by the one-hot rows as a mask, not multiplied by them: 0 * -inf is NaN, and a class whose
    // log-probability is -inf (a logit masked with -inf) must not turn the loss into NaN; PyTorch never reads it.
    Node picked = ir.reduceSum(ir.select(oneHot, logp, ir.full(0, logp)), List.of(1), false);
    return ir.neg(reduce(picked, reduction));
  }

  /**
   * -(y log p + (1 - y) log(1 - p)), each log clamped at -100 as PyTorch: one primitive with PyTorch's backward,
   * so the gradient stays finite where p is exactly 0 or 1 (a saturated sigmoid).
   */
  public Node bce(Node p, Node y, String reduction) {
    return reduce(ir.binary(Op.BCE, p, y), reduction);
  }

  public Node bceWithLogits(Node x, Node y, String reduction) {
    return reduce(ir.binary(Op.BCE_WITH_LOGITS, x, y), reduction);
  }

  // ---- gradients as values ----

  /** grad(of, wrt) for a scalar of, or the vector-Jacobian product with seed. */
  public Node grad(Node of, Node wrt, Node seed) {
    return Adjoint.vjp(ir, of, seed, List.of(wrt)).get(0);
  }
}
