package dev.modelc.interp;

import dev.modelc.check.Attrs;
import dev.modelc.check.CheckedModel;
import dev.modelc.check.TExpr;
import dev.modelc.runtime.kernels.OneHot;
import dev.modelc.runtime.nn.ParameterInit;
import dev.modelc.runtime.numeric.Reduction;
import dev.modelc.runtime.numeric.SlidingWindow;
import dev.modelc.runtime.optim.Adam;
import dev.modelc.runtime.optim.Optimizer;
import dev.modelc.runtime.optim.SGD;
import dev.modelc.runtime.random.Rng;
import dev.modelc.runtime.tensor.Autograd;
import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.Functional;
import dev.modelc.runtime.tensor.Losses;
import dev.modelc.runtime.tensor.Tensor;
import dev.modelc.types.Dim;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reference interpreter: runs a checked model eagerly on the runtime's tape-based autograd, as PyTorch would
 * run the same model written in Python. It is what compiled classes are cross-checked against.
 *
 * <ol>
 *   <li>Parameters are leaf tensors that require grad, filled from the seed by {@link ParameterInit} in state_dict
 *       order from one {@link Rng}, exactly as generated classes fill theirs.
 *   <li>{@link #forward} binds the symbolic sizes from the inputs (checking they agree) and evaluates every value in
 *       definition order with the runtime's ops, recording a tape.
 *   <li>{@link #backward} runs the tape from the objective, accumulating into the parameters' grad; {@link #step}
 *       applies the model's optimizer (the runtime's SGD, Adam or AdamW).
 *   <li>A {@code grad(of, wrt, seed)} value is {@code torch.autograd.grad(of, wrt, seed, create_graph=True)}: the
 *       gradient is itself a tensor with a graph, so an objective that contains it (a gradient penalty) trains, and a
 *       gradient of it (a Hessian-vector product) is one more {@code grad}. An input or value that a {@code grad}
 *       names as {@code wrt} is made a leaf that requires grad when it is bound or computed, so every later value's
 *       graph reaches it; should {@code wrt} still not require grad, a fresh leaf stands for it and the values
 *       downstream of it are evaluated again from that leaf, with the parameters live. Nothing is accumulated into
 *       the parameters' {@code grad}.
 * </ol>
 */
public final class Interpreter {
  private final CheckedModel model;
  private final Map<String, Tensor> params = new LinkedHashMap<>();
  private final Map<String, Object> inputs = new HashMap<>();
  /**
   * The inputs and values some grad(...) differentiates with respect to. Each is made a leaf that requires grad as
   * soon as it is bound or computed (PyTorch's {@code x.requires_grad_()} before the values after it are computed),
   * so that the graph of every later value, gradients included, reaches that one tensor: a gradient taken with
   * respect to an input depends on the values between (the compiled graph's meaning, and PyTorch's when the input
   * requires grad), rather than on copies of them evaluated again from a fresh leaf.
   */
  private final Set<String> gradTargets = new HashSet<>();
  private final Optimizer optimizer;
  private Map<String, Object> values = Map.of();
  private Map<String, Long> sizes = Map.of();
  private Tensor loss;
  /** Dropout's seed (the constructor's), masks drawn so far, and the mode (training unless set otherwise). */
  private long dropoutSeed;
  private long dropoutDraws;
  private boolean training = true;
  /** The new values of buffers computed by the running forward, written into the buffers when it ends. */
  private final Map<String, Tensor> bufferUpdates = new LinkedHashMap<>();

  public Interpreter(CheckedModel model, long seed) {
    this.model = model;
    gradTargets.addAll(model.gradTargets());
    List<CheckedModel.Value> lets = model.values();
    for (int i = lets.size() - 1; i >= 0; i--) { // `let v = x` is x: a gradient with respect to v is one to x
      if (gradTargets.contains(lets.get(i).name()) && lets.get(i).expr() instanceof TExpr.Ref r) {
        gradTargets.add(r.name());
      }
    }
    Rng rng = new Rng(seed);
    dropoutSeed = seed;
    for (CheckedModel.Param p : model.params()) {
      int[] shape = constantShape(p.type().shape().dims());
      // an i32 buffer (batch_norm's num_batches_tracked) is held as f64, exact for every count an int can hold
      Tensor t = Tensor.zeros(p.type().dtype().isFloat() ? dtype(p.type().dtype()) : DType.F64, shape);
      ParameterInit init = ParameterInit.parse(p.init().runtimeText());
      if (t.dtype() == DType.F32) {
        init.fill(t.floatData(), shape, rng);
      } else {
        init.fill(t.doubleData(), shape, rng);
      }
      params.put(p.name(), t.requiresGrad(!p.buffer()));
    }
    List<Tensor> trainable = new ArrayList<>();
    model.params().stream().filter(p -> !p.buffer()).forEach(p -> trainable.add(params.get(p.name())));
    optimizer = model.objective() == null || trainable.isEmpty() ? null : optimizer(model, trainable);
  }

  public CheckedModel model() {
    return model;
  }

  /** The live parameter tensor (a leaf that requires grad). */
  public Tensor param(String name) {
    Tensor t = params.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no parameter named " + name + "; have " + params.keySet());
    }
    return t;
  }

  /** The accumulated gradient of a parameter, or null before any backward. */
  public Tensor grad(String name) {
    return param(name).grad();
  }

  /** Binds a float input; its dtype and rank must match the declaration. */
  public void setInput(String name, Tensor value) {
    CheckedModel.Input in = input(name);
    if (!in.type().dtype().isFloat() || dtype(in.type().dtype()) != value.dtype()
        || value.dim() != in.type().shape().rank()) {
      throw new IllegalArgumentException("input " + name + ": expected " + in.type() + ", got "
          + value.dtype().name().toLowerCase() + Arrays.toString(value.shape()));
    }
    inputs.put(name, value);
  }

  /** Binds a 1-D i32 input (class labels, or an index of one dim). */
  public void setLabels(String name, int[] labels) {
    setIndices(name, labels, new int[] {labels.length});
  }

  /** Binds an i32 input of any rank: its values in row-major order and its shape. */
  public void setIndices(String name, int[] values, int[] shape) {
    CheckedModel.Input in = input(name);
    if (in.type().dtype().isFloat() || shape.length != in.type().shape().rank()) {
      throw new IllegalArgumentException("input " + name + ": expected " + in.type() + ", got i32"
          + Arrays.toString(shape));
    }
    inputs.put(name, new Indices(values.clone(), shape.clone()));
  }

  /** An i32 value: row-major values and a shape. */
  private record Indices(int[] values, int[] shape) {}

  private CheckedModel.Input input(String name) {
    for (CheckedModel.Input in : model.inputs()) {
      if (in.name().equals(name)) {
        return in;
      }
    }
    throw new IllegalArgumentException("no input named " + name);
  }

  /** Evaluates every value; returns them by name (Tensors; the objective under its value name). */
  public Map<String, Tensor> forward() {
    sizes = bindSizes();
    if (training) {
      dropoutDraws++;
    }
    Map<String, Object> env = new HashMap<>(inputs);
    for (String target : gradTargets) { // x.requires_grad_(): the graph of every value after it reaches it
      if (env.get(target) instanceof Tensor t) env.put(target, t.detach().requiresGrad(true));
    }
    env.putAll(params);
    Map<String, Tensor> out = new LinkedHashMap<>();
    List<CheckedModel.Value> all = model.values();
    for (int i = 0; i < all.size(); i++) {
      Tensor t = (Tensor) eval(all.get(i).expr(), env, i);
      if (!t.requiresGrad() && gradTargets.contains(all.get(i).name()) && !(all.get(i).expr() instanceof TExpr.Ref)) {
        t = t.detach().requiresGrad(true);
      }
      env.put(all.get(i).name(), t);
      out.put(all.get(i).name(), t);
    }
    values = env;
    loss = model.objective() == null ? null : (Tensor) eval(model.objective().expr(), env, all.size());
    for (Map.Entry<String, Tensor> u : bufferUpdates.entrySet()) {
      Tensor buffer = params.get(u.getKey());
      if (buffer.dtype() == DType.F32) {
        System.arraycopy(u.getValue().floatData(), 0, buffer.floatData(), 0, buffer.floatData().length);
      } else {
        System.arraycopy(u.getValue().doubleData(), 0, buffer.doubleData(), 0, buffer.doubleData().length);
      }
    }
    bufferUpdates.clear();
    return out;
  }

  /**
   * PyTorch's model.train() / model.eval() for the following forward passes: in evaluation dropout is the identity
   * and draws no mask, and batch_norm normalizes with its running statistics and leaves them (the generated class's
   * predict); in training it uses the batch's statistics and updates the running ones.
   */
  public void setTraining(boolean on) {
    training = on;
  }

  /** Dropout's seed (the constructor's seed until set) and masks drawn, as a generated class has them. */
  public void setDropoutSeed(long seed) {
    dropoutSeed = seed;
  }

  public void setDropoutDraws(long draws) {
    dropoutDraws = draws;
  }

  public long dropoutDraws() {
    return dropoutDraws;
  }

  /** A value, input or parameter of the last forward, by name. */
  public Tensor value(String name) {
    Object v = values.get(name);
    if (!(v instanceof Tensor t)) {
      throw new IllegalArgumentException("no tensor value named " + name + " (run forward first)");
    }
    return t;
  }

  public Tensor loss() {
    return loss;
  }

  public void backward() {
    backward(false);
  }

  public void backward(boolean retainGraph) {
    if (loss == null) {
      throw new IllegalStateException("no objective to differentiate: run forward on a model with 'minimize'");
    }
    loss.backward(null, retainGraph);
  }

  public void zeroGrad() {
    for (Tensor p : params.values()) {
      p.zeroGrad();
    }
  }

  public void step() {
    if (optimizer == null) {
      throw new IllegalStateException("model " + model.name() + " has no optimizer");
    }
    optimizer.step();
  }

  /** zeroGrad, forward, backward, step; returns the loss before the step. */
  public double trainStep() {
    zeroGrad();
    forward();
    backward();
    step();
    return loss.item();
  }

  // ---- evaluation ----

  /** Evaluates {@code e} where the first {@code defined} values of the model are in {@code env}. */
  private Object eval(TExpr e, Map<String, Object> env, int defined) {
    if (e instanceof TExpr.Ref r) {
      return env.get(r.name());
    } else if (e instanceof TExpr.Const c) {
      return Tensor.scalar(c.value(), dtype(c.type().dtype()));
    }
    TExpr.Call c = (TExpr.Call) e;
    if (c.op() == dev.modelc.check.Builtin.GRAD) {
      return grad(c, env, defined);
    }
    List<Object> a = new ArrayList<>();
    for (TExpr arg : c.args()) {
      a.add(eval(arg, env, defined));
    }
    Tensor x = a.get(0) instanceof Tensor t ? t : null;
    Tensor y = a.size() > 1 && a.get(1) instanceof Tensor t ? t : null;
    Tensor z = a.size() > 2 ? (Tensor) a.get(2) : null;
    Attrs at = c.attrs();
    return switch (c.op()) {
      case ADD -> x.add(y);
      case SUB -> x.sub(y);
      case MUL -> x.mul(y);
      case DIV -> x.div(y);
      case POW -> c.args().get(1) instanceof TExpr.Const k ? x.pow(k.value()) : x.pow(y); // PyTorch's scalar pow
      case MATMUL -> x.matmul(y);
      case MAXIMUM -> x.maximum(y);
      case MINIMUM -> x.minimum(y);
      case LT -> x.lt(y);
      case LE -> x.le(y);
      case GT -> x.gt(y);
      case GE -> x.ge(y);
      case EQ -> x.eq(y);
      case NE -> x.ne(y);
      case WHERE -> Tensor.where(x, y, z);
      case AND -> x.logicalAnd(y);
      case OR -> x.logicalOr(y);
      case NOT -> x.logicalNot();
      case FLOAT -> x.maskToFloat();
      case CLAMP -> x.clamp(Double.isInfinite(at.bounds()[0]) ? null : at.bounds()[0],
          Double.isInfinite(at.bounds()[1]) ? null : at.bounds()[1]);
      case NEG -> x.neg();
      case EXP -> x.exp();
      case LOG -> x.log();
      case SQRT -> x.sqrt();
      case ABS -> x.abs();
      case SIN -> x.sin();
      case COS -> x.cos();
      case TANH -> x.tanh();
      case SIGMOID -> x.sigmoid();
      case RELU -> x.relu();
      case LEAKY_RELU -> x.leakyRelu(at.slope());
      case SOFTPLUS -> x.softplus(at.beta(), at.threshold());
      case GELU -> x.gelu(at.approximate().equals("tanh"));
      case DETACH -> x.detach();
      case DROPOUT -> Functional.dropout(x, at.threshold(), at.dims().get(0), dropoutSeed, dropoutDraws, training);
      case TRANSPOSE -> x.transpose(at.dims().get(0), at.dims().get(1));
      case RESHAPE, FLATTEN -> x.reshape(shape(at.shape().dims()));
      case INDEX -> x.slice(ints(at.slice().start()), ints(at.slice().step()), shape(at.slice().shape().dims()))
          .reshape(shape(at.shape().dims()));
      case SUM -> x.sum(ints(at.dims()), at.keepdim());
      case MEAN -> x.mean(ints(at.dims()), at.keepdim());
      case MAX -> x.max(ints(at.dims()), at.keepdim());
      case MAX_ALL -> x.max(null, at.keepdim());
      case AMAX -> x.amax(ints(at.dims()), at.keepdim());
      case LOGSUMEXP -> x.logsumexp(ints(at.dims()), at.keepdim());
      case SOFTMAX -> x.softmax(at.dims().get(0));
      case LOG_SOFTMAX -> x.logSoftmax(at.dims().get(0));
      case LINEAR -> Functional.linear(x, y, z);
      case CONV2D -> Functional.conv2d(x, y, z, at.stride()[0], at.stride()[1], at.padding()[0], at.padding()[1]);
      case MAXPOOL2D -> Functional.maxPool2d(x, window(at));
      case AVGPOOL2D -> Functional.avgPool2d(x, window(at));
      case MSE -> Losses.mse(x, y, Reduction.of(at.reduction()));
      case L1 -> Losses.l1(x, y, Reduction.of(at.reduction()));
      case BCE -> bce(c, x, y, Reduction.of(at.reduction()));
      case BCE_WITH_LOGITS -> Losses.bceWithLogits(x, y, Reduction.of(at.reduction()));
      case CROSS_ENTROPY -> Losses.crossEntropy(x, labels(c, x, a.get(1)), Reduction.of(at.reduction()));
      case NLL -> Losses.nll(x, labels(c, x, a.get(1)), Reduction.of(at.reduction()));
      case INDEX_SELECT, GATHER, ONE_HOT, EMBEDDING -> indexed(c, a);
      case GRAD -> throw new AssertionError("handled above");
      case CAT -> Tensor.cat(a.stream().map(t -> (Tensor) t).toArray(Tensor[]::new), at.dims().get(0));
      case STACK -> Tensor.stack(a.stream().map(t -> (Tensor) t).toArray(Tensor[]::new), at.dims().get(0));
      case LAYER_NORM -> Functional.layerNorm(x, at.dims().size(), at.norm().weight() ? y : null,
          at.norm().bias() ? (Tensor) a.get(a.size() - 1) : null, at.norm().eps());
      case BATCH_NORM -> batchNorm(c, a);
      case GROUP_NORM -> Functional.groupNorm(x, at.norm().groups(), at.norm().weight() ? y : null,
          at.norm().bias() ? (Tensor) a.get(a.size() - 1) : null, at.norm().eps());
    };
  }

  /**
   * batch_norm: the batch's statistics in a training forward, which also computes the running statistics' new
   * values and increments the counter (written into the buffers when the forward ends, as the generated class does;
   * a later call through the same buffers starts from these values); the running statistics in evaluation. With
   * momentum none the factor is {@code 1 / num_batches_tracked} after the increment, as nn.BatchNorm computes it.
   */
  private Tensor batchNorm(TExpr.Call c, List<Object> a) {
    Attrs.Norm n = c.attrs().norm();
    Tensor x = (Tensor) a.get(0);
    String meanName = ((TExpr.Ref) c.args().get(1)).name();
    String varName = ((TExpr.Ref) c.args().get(2)).name();
    Tensor mean = bufferUpdates.getOrDefault(meanName, (Tensor) a.get(1));
    Tensor var = bufferUpdates.getOrDefault(varName, (Tensor) a.get(2));
    if (training) {
      double factor = n.momentum();
      if (n.counter() != null) {
        Tensor next = Tensor.zeros(DType.F64, new int[0]);
        next.doubleData()[0] = bufferUpdates.getOrDefault(n.counter(), params.get(n.counter())).doubleData()[0] + 1;
        bufferUpdates.put(n.counter(), next);
        if (n.cumulative()) {
          factor = 1.0 / next.doubleData()[0];
        }
      }
      Tensor[] stats = Functional.batchNormRunningStats(x, mean, var, factor);
      bufferUpdates.put(meanName, stats[0]);
      bufferUpdates.put(varName, stats[1]);
    }
    return Functional.batchNorm(x, mean, var, n.weight() ? (Tensor) a.get(3) : null,
        n.bias() ? (Tensor) a.get(a.size() - 1) : null, training, n.eps());
  }

  /** The reads by index; an index out of range is an error naming the call's place in the .mdl source. */
  private static Tensor indexed(TExpr.Call c, List<Object> a) {
    Attrs at = c.attrs();
    try {
      return switch (c.op()) {
        case INDEX_SELECT -> ((Tensor) a.get(0)).indexSelect(at.dims().get(0), ((Indices) a.get(1)).values());
        case GATHER -> ((Tensor) a.get(0)).gather(at.dims().get(0), ((Indices) a.get(1)).values(),
            ((Indices) a.get(1)).shape());
        case ONE_HOT -> Functional.oneHot(((Indices) a.get(0)).values(), ((Indices) a.get(0)).shape(),
            at.dims().get(0), at.dtype().equals("f64") ? DType.F64 : DType.F32);
        case EMBEDDING -> Functional.embedding(((Indices) a.get(0)).values(), ((Indices) a.get(0)).shape(),
            (Tensor) a.get(1), at.dims().isEmpty() ? -1 : at.dims().get(0));
        default -> throw new AssertionError(c.op());
      };
    } catch (IllegalArgumentException e) {
      // the index kernels name the function first, one_hot's rows do not
      throw new IllegalArgumentException(c.op() == dev.modelc.check.Builtin.ONE_HOT ? site(c) + ": " + e.getMessage()
          : place(c) + ": " + e.getMessage(), e);
    }
  }

  /** bce, whose input outside [0, 1] fails at the call's place, as in the generated class. */
  private static Tensor bce(TExpr.Call c, Tensor p, Tensor y, Reduction reduction) {
    try {
      return Losses.bce(p, y, reduction);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(site(c) + ": " + e.getMessage(), e);
    }
  }

  /** The labels of cross_entropy or nll, checked against the class count as the generated class checks them. */
  private static int[] labels(TExpr.Call c, Tensor logits, Object target) {
    int[] labels = ((Indices) target).values();
    OneHot.checkLabels(labels, labels.length, logits.shape()[1], site(c));
    return labels;
  }

  /** The call's place in the .mdl source, {@code net.mdl:9:15}, named by its file as generated classes name it. */
  private static String place(TExpr.Call c) {
    String file = c.span().file();
    file = file.substring(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
    return file + ":" + c.span().line() + ":" + c.span().column();
  }

  /** The call's place and the function the user wrote, {@code net.mdl:9:15: cross_entropy}. */
  private static String site(TExpr.Call c) {
    return place(c) + ": " + c.op().spelling();
  }

  /**
   * grad(of, wrt[, seed]) with create_graph: differentiates {@code of} with respect to {@code wrt} in the live graph,
   * so the result depends differentiably on the parameters (and on the seed). A {@code wrt} that does not require
   * grad is replaced by a fresh leaf, and the values after it are evaluated again from that leaf. That evaluation
   * repeats calls the forward pass has made: the batch_norm calls among them leave the running statistics and the
   * counters as the first evaluation set them, so a pass updates them once, as the compiled class and PyTorch's one
   * forward do.
   */
  private Tensor grad(TExpr.Call c, Map<String, Object> env, int defined) {
    String wrt = ((TExpr.Ref) c.args().get(1)).name();
    Tensor seed = c.args().size() > 2 ? (Tensor) eval(c.args().get(2), env, defined) : null;
    Map<String, Object> scope = env;
    Tensor target = (Tensor) env.get(wrt);
    if (!target.requiresGrad()) {
      scope = new HashMap<>(env);
      target = target.detach().requiresGrad(true);
      scope.put(wrt, target);
      boolean downstream = model.value(wrt) == null; // an input: every value may depend on it
      List<CheckedModel.Value> all = model.values();
      Map<String, Tensor> updated = new LinkedHashMap<>(bufferUpdates);
      for (int j = 0; j < defined; j++) {
        CheckedModel.Value v = all.get(j);
        if (downstream) {
          scope.put(v.name(), eval(v.expr(), scope, j));
        }
        downstream |= v.name().equals(wrt);
      }
      bufferUpdates.clear();
      bufferUpdates.putAll(updated);
    }
    Tensor of = (Tensor) eval(c.args().get(0), scope, defined);
    if (!of.requiresGrad()) {
      return Tensor.zeros(target.dtype(), target.shape());
    }
    Tensor[] seeds = seed == null ? null : new Tensor[] {seed};
    Tensor g = Autograd.grad(new Tensor[] {of}, new Tensor[] {target}, seeds, true, true, true)[0];
    return g == null ? Tensor.zeros(target.dtype(), target.shape()) : g;
  }

  // ---- sizes and shapes ----

  private Map<String, Long> bindSizes() {
    Map<String, Long> bound = new HashMap<>();
    Map<String, String> from = new HashMap<>();
    for (CheckedModel.Input in : model.inputs()) {
      Object v = inputs.get(in.name());
      if (v == null) {
        throw new IllegalArgumentException("input " + in.name() + " (" + in.type() + ") is not set");
      }
      int[] shape = v instanceof Tensor t ? t.shape() : ((Indices) v).shape();
      List<Dim> dims = in.type().shape().dims();
      for (int d = 0; d < dims.size(); d++) {
        Dim dim = dims.get(d);
        if (dim.symbols().size() == 1 && dim.coefficient() == 1 && !bound.containsKey(dim.symbols().get(0))) {
          bound.put(dim.symbols().get(0), (long) shape[d]);
          from.put(dim.symbols().get(0), in.name());
        }
      }
      for (int d = 0; d < dims.size(); d++) {
        long want = dims.get(d).evaluate(bound);
        if (want != shape[d]) {
          throw new IllegalArgumentException("input " + in.name() + ": expected " + in.type() + " with "
              + describe(bound, from) + ", got shape " + Arrays.toString(shape));
        }
      }
    }
    return bound;
  }

  private static String describe(Map<String, Long> bound, Map<String, String> from) {
    List<String> parts = new ArrayList<>();
    bound.forEach((k, v) -> parts.add(k + " = " + v + " (from input " + from.get(k) + ")"));
    return String.join(", ", parts);
  }

  private int[] shape(List<Dim> dims) {
    int[] s = new int[dims.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = (int) dims.get(i).evaluate(sizes);
    }
    return s;
  }

  private static int[] constantShape(List<Dim> dims) {
    int[] s = new int[dims.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = (int) dims.get(i).coefficient();
    }
    return s;
  }

  private static int[] ints(List<Integer> dims) {
    return dims.stream().mapToInt(Integer::intValue).toArray();
  }

  private static SlidingWindow window(Attrs a) {
    return new SlidingWindow(a.kernel()[0], a.kernel()[1], a.stride()[0], a.stride()[1], a.padding()[0],
        a.padding()[1]);
  }

  static DType dtype(dev.modelc.types.DType d) {
    return d == dev.modelc.types.DType.F64 ? DType.F64 : DType.F32;
  }

  private static Optimizer optimizer(CheckedModel m, List<Tensor> params) {
    dev.modelc.check.OptimizerSpec o = m.objective().optimizer();
    return switch (o.kind()) {
      case SGD -> new SGD(params, o.lr(), o.momentum(), o.dampening(), o.nesterov(), o.weightDecay());
      case ADAM -> new Adam(params, o.lr(), o.beta1(), o.beta2(), o.eps(), o.weightDecay(), false);
      case ADAMW -> new Adam(params, o.lr(), o.beta1(), o.beta2(), o.eps(), o.weightDecay(), true);
    };
  }
}
