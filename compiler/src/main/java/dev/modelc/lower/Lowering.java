package dev.modelc.lower;

import dev.modelc.check.Attrs;
import dev.modelc.check.CheckedModel;
import dev.modelc.check.TExpr;
import dev.modelc.diag.Span;
import dev.modelc.ir.Attr;
import dev.modelc.ir.Graph;
import dev.modelc.ir.GraphBuilder;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.ir.Origin;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lowers a checked model to an IR graph: the forward computation, and the objective when asked for. Differentiation
 * is the pipeline's next step ({@code dev.modelc.ad.Differentiation}), except for {@code grad(...)} inside an
 * expression, which is lowered here.
 *
 * <ol>
 *   <li>Inputs and parameters become source nodes, parameters in state_dict order under their dotted names.
 *   <li>Values are lowered in definition order; each checked expression node is lowered once (memoized by
 *       identity, since an argument of an inlined layer call can appear several times in its body), through
 *       {@link Sugar}, with the builder's origin set to the expression's .mdl line:column.
 *   <li>{@code grad(of, wrt[, seed])} runs the adjoint builder right there, so its result is an ordinary value.
 *   <li>Outputs become output results; with {@code objective}, the objective is lowered last and becomes the
 *       objective result.
 * </ol>
 */
public final class Lowering {
  private final GraphBuilder ir;
  private final Sugar sugar;
  private final Map<String, Node> named = new HashMap<>();
  private final Map<TExpr, Node> lowered = new IdentityHashMap<>();
  /**
   * Each buffer's value after the batch_norm calls lowered so far, in call order: a later call through the same
   * buffer reads (and updates) the earlier call's result, as PyTorch applies both updates; the last becomes the
   * buffer's BUFFER_UPDATE result.
   */
  private final Map<String, Node> updated = new LinkedHashMap<>();

  private Lowering(String name) {
    this.ir = new GraphBuilder(name);
    this.sugar = new Sugar(ir);
  }

  /** The model's forward graph, with its objective (if it has one) as the OBJECTIVE result when {@code objective}. */
  public static Graph lower(CheckedModel model, boolean objective) {
    Lowering l = new Lowering(model.name());
    for (CheckedModel.Input in : model.inputs()) {
      l.at(in.span());
      l.named.put(in.name(), l.ir.input(in.name(), in.type()));
    }
    for (CheckedModel.Param p : model.params()) {
      l.at(p.span());
      Node param = l.ir.param(p.name(), p.type());
      // A buffer is read through stop_gradient, so no objective reaches it: no gradient result, no update. An i32
      // buffer (a counter) carries no gradient anyway.
      l.named.put(p.name(), p.buffer() && p.type().dtype().isFloat() ? l.ir.unary(Op.STOP_GRADIENT, param) : param);
    }
    Set<String> gradTargets = model.gradTargets();
    for (CheckedModel.Value v : model.values()) {
      int mark = l.ir.nextId();
      Node n = l.lower(v.expr());
      if (n.id < mark && !(v.expr() instanceof TExpr.Ref) && gradTargets.contains(v.name())) {
        // A call the builder reduced to a node that existed before (a reshape or transpose to the same shape), named
        // by a let that a grad(...) differentiates with respect to: the let gets a node of its own, so that the
        // gradient follows the let's uses only, not every use of the earlier node (PyTorch's view is a new tensor;
        // `let b = a` stays a, as in PyTorch). Simplify removes the identity once the gradients are built.
        l.at(v.span());
        n = l.ir.add(Op.RESHAPE, new Attr.Target(n.shape()), List.of(n));
      }
      l.named.put(v.name(), l.ir.label(n, v.name()));
    }
    for (String out : model.outputs()) {
      l.ir.result(out, Graph.Kind.OUTPUT, l.named.get(out));
    }
    if (objective && model.objective() != null) {
      Node loss = l.lower(model.objective().expr());
      String name = model.objective().expr() instanceof TExpr.Ref r ? r.name() : "loss";
      l.ir.result(name, Graph.Kind.OBJECTIVE, loss);
    }
    l.updated.forEach((buffer, value) -> l.ir.result(buffer, Graph.Kind.BUFFER_UPDATE, value));
    return l.ir.build();
  }

  private void at(Span span) {
    ir.at(new Origin(span.line(), span.column()));
  }

  private Node lower(TExpr e) {
    Node done = lowered.get(e);
    if (done != null) {
      return done;
    }
    Node n;
    if (e instanceof TExpr.Ref r) {
      n = named.get(r.name());
    } else if (e instanceof TExpr.Const c) {
      at(c.span());
      n = sugar.number(c.value(), c.type().dtype());
    } else {
      n = call((TExpr.Call) e);
    }
    lowered.put(e, n);
    return n;
  }

  private Node call(TExpr.Call c) {
    List<TExpr> args = c.args();
    if (c.op() == dev.modelc.check.Builtin.CAT || c.op() == dev.modelc.check.Builtin.STACK) {
      List<Node> parts = args.stream().map(this::lower).toList();
      at(c.span());
      return sugar.cat(parts, c.attrs().dims().get(0), c.op() == dev.modelc.check.Builtin.STACK);
    }
    if (c.op() == dev.modelc.check.Builtin.LAYER_NORM || c.op() == dev.modelc.check.Builtin.GROUP_NORM) {
      return norm(c);
    }
    if (c.op() == dev.modelc.check.Builtin.BATCH_NORM) {
      return batchNorm(c);
    }
    Node x = lower(args.get(0));
    Node y = args.size() > 1 ? lower(args.get(1)) : null;
    Node z = args.size() > 2 ? lower(args.get(2)) : null;
    at(c.span());
    Attrs a = c.attrs();
    return switch (c.op()) {
      case ADD -> sugar.add(x, y);
      case SUB -> sugar.sub(x, y);
      case MUL -> sugar.mul(x, y);
      case DIV -> sugar.div(x, y);
      case POW -> sugar.pow(x, y);
      case MATMUL -> sugar.matmul(x, y);
      case MAXIMUM -> sugar.maximum(x, y);
      case MINIMUM -> sugar.minimum(x, y);
      case LT, LE, GT, GE, EQ, NE -> sugar.compare(c.op().name(), x, y);
      case WHERE -> sugar.where(x, y, z);
      case AND -> sugar.and(x, y);
      case OR -> sugar.or(x, y);
      case NOT -> sugar.not(x);
      case FLOAT -> x; // a mask is already 0/1 numbers of the width it compared; no gradient reaches its comparison
      case CLAMP -> sugar.clamp(x, a.bounds()[0], a.bounds()[1]);
      case NEG -> sugar.unary(Op.NEG, x);
      case EXP -> sugar.unary(Op.EXP, x);
      case LOG -> sugar.unary(Op.LOG, x);
      case SQRT -> sugar.unary(Op.SQRT, x);
      case ABS -> sugar.unary(Op.ABS, x);
      case SIN -> sugar.unary(Op.SIN, x);
      case COS -> sugar.unary(Op.COS, x);
      case TANH -> sugar.unary(Op.TANH, x);
      case SIGMOID -> sugar.unary(Op.SIGMOID, x);
      case RELU -> sugar.unary(Op.RELU, x);
      case LEAKY_RELU -> sugar.leakyRelu(x, a.slope());
      case SOFTPLUS -> sugar.softplus(x, a.beta(), a.threshold());
      case GELU -> sugar.gelu(x, a.approximate());
      case DETACH -> sugar.detach(x);
      case DROPOUT -> sugar.dropout(x, a.threshold(), a.dims().get(0));
      case TRANSPOSE -> sugar.transpose(x, a.dims().get(0), a.dims().get(1));
      case RESHAPE, FLATTEN -> sugar.reshape(x, a.shape());
      case INDEX -> sugar.index(x, a.slice(), a.shape());
      case SUM -> sugar.sum(x, a.dims(), a.keepdim());
      case MEAN -> sugar.mean(x, a.dims(), a.keepdim());
      case MAX -> sugar.max(x, a.dims(), a.keepdim());
      case MAX_ALL -> sugar.maxAll(x, a.dims(), a.keepdim());
      case AMAX -> sugar.amax(x, a.dims(), a.keepdim());
      case LOGSUMEXP -> sugar.logsumexp(x, a.dims(), a.keepdim());
      case SOFTMAX -> sugar.softmax(x, a.dims().get(0));
      case LOG_SOFTMAX -> sugar.logSoftmax(x, a.dims().get(0));
      case LINEAR -> sugar.linear(x, y, z);
      case CONV2D -> sugar.conv2d(x, y, z, a.stride(), a.padding());
      case MAXPOOL2D -> sugar.pool(Op.MAXPOOL2D, x, a.kernel(), a.stride(), a.padding());
      case AVGPOOL2D -> sugar.pool(Op.AVGPOOL2D, x, a.kernel(), a.stride(), a.padding());
      case MSE -> sugar.mse(x, y, a.reduction());
      case L1 -> sugar.l1(x, y, a.reduction());
      case CROSS_ENTROPY -> sugar.crossEntropy(x, y, a.reduction());
      case NLL -> sugar.nll(x, y, a.reduction());
      case BCE -> sugar.bce(x, y, a.reduction());
      case BCE_WITH_LOGITS -> sugar.bceWithLogits(x, y, a.reduction());
      case GRAD -> sugar.grad(x, y, z);
      case CAT, STACK, LAYER_NORM, GROUP_NORM, BATCH_NORM -> throw new IllegalStateException("lowered above");
      case INDEX_SELECT -> sugar.indexSelect(x, a.dims().get(0), y);
      case GATHER -> sugar.gather(x, a.dims().get(0), y);
      case ONE_HOT -> sugar.oneHot(x, a.dims().get(0), a.dtype());
      case EMBEDDING -> sugar.embedding(x, y, a.dims().isEmpty() ? -1 : a.dims().get(0));
    };
  }

  /**
   * batch_norm: x, running_mean, running_var (buffers, so references), then the weight and the bias that were given;
   * the counter is named in the attributes. Each buffer is read as the previous batch_norm call left it, and the
   * new values of the running statistics (and of the counter) become its latest value ({@link #updated}).
   */
  private Node batchNorm(TExpr.Call c) {
    List<Node> parts = c.args().stream().map(this::lower).toList();
    Attrs.Norm n = c.attrs().norm();
    Node weight = n.weight() ? parts.get(3) : null;
    Node bias = n.bias() ? parts.get(parts.size() - 1) : null;
    String meanName = ((TExpr.Ref) c.args().get(1)).name();
    String varName = ((TExpr.Ref) c.args().get(2)).name();
    Node counter = n.counter() == null ? null : updated.getOrDefault(n.counter(), named.get(n.counter()));
    at(c.span());
    Sugar.BatchNorm bn = sugar.batchNorm(parts.get(0), current(meanName, parts.get(1)),
        current(varName, parts.get(2)), weight, bias, n.momentum(), n.eps(), counter, n.cumulative());
    updated.put(meanName, bn.runningMean());
    updated.put(varName, bn.runningVar());
    if (counter != null) updated.put(n.counter(), bn.numBatchesTracked());
    return bn.y();
  }

  /** A running statistic as the last batch_norm call left it (read without gradient, as the buffer is), or as read. */
  private Node current(String buffer, Node read) {
    Node u = updated.get(buffer);
    return u == null ? read : ir.unary(Op.STOP_GRADIENT, u);
  }

  /** layer_norm and group_norm: x, then the weight and the bias that were given. */
  private Node norm(TExpr.Call c) {
    List<Node> parts = c.args().stream().map(this::lower).toList();
    Attrs.Norm n = c.attrs().norm();
    Node weight = n.weight() ? parts.get(1) : null;
    Node bias = n.bias() ? parts.get(parts.size() - 1) : null;
    at(c.span());
    return c.op() == dev.modelc.check.Builtin.LAYER_NORM
        ? sugar.layerNorm(parts.get(0), c.attrs().dims(), weight, bias, n.eps())
        : sugar.groupNorm(parts.get(0), n.groups(), weight, bias, n.eps());
  }
}
