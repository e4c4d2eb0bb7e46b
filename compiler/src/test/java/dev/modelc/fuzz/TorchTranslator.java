package dev.modelc.fuzz;

import dev.modelc.check.Attrs;
import dev.modelc.check.Builtin;
import dev.modelc.check.CheckedModel;
import dev.modelc.check.OptimizerSpec;
import dev.modelc.check.TExpr;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import dev.modelc.types.Shape;
import dev.modelc.types.SliceSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes a checked model as a Python function over PyTorch, for {@link TorchDifferentialFuzzer}: each builtin
 * becomes the torch function docs/language.md names for it, so that a difference between the compiled class and
 * PyTorch shows where modelc's meaning of a builtin departs from PyTorch's. The translation works on the checked
 * tree ({@link TExpr}), after the checker has resolved arguments, dims, windows and slices, so that it never
 * re-parses the source.
 *
 * <p>The function has the form {@code def m_ID(P, X, S)}: {@code P} holds the params and buffers by state_dict
 * name, {@code X} the inputs, {@code S} the pass's state (the symbolic sizes, batch_norm's counters and dropout's
 * masks, which modelc draws from its own generator and the fuzzer hands over, since PyTorch's differ); it returns the
 * objective and every let by name. Helpers the translation calls ({@code BN}, {@code DROP}, {@code GELU}, ...) are
 * in {@code src/test/python/torch_fuzz.py}.
 */
final class TorchTranslator {
  /** A builtin or form the translation does not handle: the model is skipped and counted under this reason. */
  static final class Untranslatable extends RuntimeException {
    Untranslatable(String reason) {
      super(reason);
    }
  }

  private final CheckedModel model;
  private final String dtype;
  /** Inputs a grad(...) differentiates with respect to (directly or through a let naming them). */
  private final Set<String> gradInputs = new LinkedHashSet<>();
  private final Set<String> gradLets = new LinkedHashSet<>();
  /** Dropout calls: site, p and the operand's shape, for the masks the fuzzer writes. */
  final List<DropoutSite> dropouts = new ArrayList<>();

  record DropoutSite(int site, double p, Shape shape) {}

  TorchTranslator(CheckedModel model) {
    this.model = model;
    boolean f64 = model.params().stream().noneMatch(p -> p.type().dtype() == DType.F32)
        && model.inputs().stream().noneMatch(i -> i.type().dtype() == DType.F32);
    this.dtype = f64 ? "torch.float64" : "torch.float32";
    Set<String> targets = model.gradTargets();
    List<CheckedModel.Value> lets = model.values();
    for (int i = lets.size() - 1; i >= 0; i--) { // `let v = x` is x itself, in PyTorch as in modelc
      if (targets.contains(lets.get(i).name()) && lets.get(i).expr() instanceof TExpr.Ref r) targets.add(r.name());
    }
    for (String t : targets) {
      if (model.inputs().stream().anyMatch(in -> in.name().equals(t))) gradInputs.add(t);
      else if (model.value(t) != null) gradLets.add(t);
    }
  }

  /** The function {@code m_ID} and its entry in {@code MODELS}. */
  String translate(String id, OptimizerSpec optimizer) {
    StringBuilder py = new StringBuilder();
    py.append("def m_").append(id).append("(P, X, S):\n");
    py.append("    V = {}\n");
    for (CheckedModel.Value v : model.values()) {
      py.append("    V[").append(str(v.name())).append("] = ").append(expr(v.expr())).append('\n');
      if (gradLets.contains(v.name()) && !(v.expr() instanceof TExpr.Ref)) {
        // a let that a grad(...) differentiates with respect to is a tensor of its own, whose gradient follows its
        // own uses (docs/language.md), also where torch returns its operand itself (dropout in evaluation or with
        // p = 0); a leaf when nothing with a gradient reaches it (as the interpreter makes it)
        py.append("    V[").append(str(v.name())).append("] = LEAF(V[").append(str(v.name())).append("])\n");
      }
    }
    if (model.objective() == null) throw new Untranslatable("no objective");
    py.append("    return ").append(expr(model.objective().expr())).append(", V\n\n");
    py.append("MODELS[").append(str(id)).append("] = dict(fn=m_").append(id).append(", dtype=").append(dtype)
        .append(", params=").append(list(model.params().stream().filter(p -> !p.buffer()).map(p -> p.name())))
        .append(", buffers=").append(list(model.params().stream()
            .filter(p -> p.buffer() && p.type().dtype().isFloat()).map(p -> p.name())))
        .append(", counters=").append(list(model.params().stream()
            .filter(p -> p.buffer() && !p.type().dtype().isFloat()).map(p -> p.name())))
        .append(", grad_inputs=").append(list(gradInputs.stream()))
        .append(", outputs=").append(list(model.outputs().stream()))
        .append(", opt=").append(optimizer(optimizer)).append(")\n\n");
    return py.toString();
  }

  static String optimizer(OptimizerSpec o) {
    return switch (o.kind()) {
      case SGD -> String.format(Locale.ROOT, "('sgd', dict(lr=%s, momentum=%s, dampening=%s, nesterov=%s, "
          + "weight_decay=%s))", num(o.lr()), num(o.momentum()), num(o.dampening()), o.nesterov() ? "True" : "False",
          num(o.weightDecay()));
      case ADAM, ADAMW -> String.format(Locale.ROOT, "('%s', dict(lr=%s, betas=(%s, %s), eps=%s, weight_decay=%s))",
          o.kind() == OptimizerSpec.Kind.ADAM ? "adam" : "adamw", num(o.lr()), num(o.beta1()), num(o.beta2()),
          num(o.eps()), num(o.weightDecay()));
    };
  }

  // ------------------------------------------------------------------------------------------------ expressions

  private String expr(TExpr e) {
    if (e instanceof TExpr.Ref r) {
      return switch (r.kind()) {
        case INPUT -> "X[" + str(r.name()) + "]";
        case PARAM -> "P[" + str(r.name()) + "]";
        case VALUE -> "V[" + str(r.name()) + "]";
      };
    }
    if (e instanceof TExpr.Const c) return "torch.tensor(" + num(c.value()) + ", dtype=" + dtype + ")";
    return call((TExpr.Call) e);
  }

  /** An operand of an operator: a number stays a Python number, which takes the tensor's dtype as in modelc. */
  private String operand(TExpr e) {
    return e instanceof TExpr.Const c ? "(" + num(c.value()) + ")" : "(" + expr(e) + ")";
  }

  private String call(TExpr.Call c) {
    List<TExpr> a = c.args();
    Attrs at = c.attrs();
    String x = a.isEmpty() ? null : expr(a.get(0));
    return switch (c.op()) {
      case ADD -> operand(a.get(0)) + " + " + operand(a.get(1));
      case SUB -> operand(a.get(0)) + " - " + operand(a.get(1));
      case MUL -> operand(a.get(0)) + " * " + operand(a.get(1));
      case DIV -> operand(a.get(0)) + " / " + operand(a.get(1));
      case POW -> "torch.pow(" + (a.get(0) instanceof TExpr.Const k ? num(k.value()) : x) + ", "
          + (a.get(1) instanceof TExpr.Const k ? num(k.value()) : expr(a.get(1))) + ")";
      case MATMUL -> "torch.matmul(" + x + ", " + expr(a.get(1)) + ")";
      case NEG -> "torch.neg(" + x + ")";
      case LT -> operand(a.get(0)) + " < " + operand(a.get(1));
      case LE -> operand(a.get(0)) + " <= " + operand(a.get(1));
      case GT -> operand(a.get(0)) + " > " + operand(a.get(1));
      case GE -> operand(a.get(0)) + " >= " + operand(a.get(1));
      case EQ -> operand(a.get(0)) + " == " + operand(a.get(1));
      case NE -> operand(a.get(0)) + " != " + operand(a.get(1));
      case AND -> operand(a.get(0)) + " & " + operand(a.get(1));
      case OR -> operand(a.get(0)) + " | " + operand(a.get(1));
      case NOT -> "~" + operand(a.get(0));
      case FLOAT -> "(" + x + ").to(" + floatOf(a.get(0)) + ")";
      case WHERE -> "torch.where(" + x + ", " + expr(a.get(1)) + ", " + expr(a.get(2)) + ")";
      case MAXIMUM -> "torch.maximum(" + x + ", " + expr(a.get(1)) + ")";
      case MINIMUM -> "torch.minimum(" + x + ", " + expr(a.get(1)) + ")";
      case EXP, LOG, SQRT, ABS, SIN, COS, TANH, SIGMOID, RELU -> "torch." + c.op().spelling() + "(" + x + ")";
      case LEAKY_RELU -> "F.leaky_relu(" + x + ", negative_slope=" + num(at.slope()) + ")";
      case SOFTPLUS -> "F.softplus(" + x + ", beta=" + num(at.beta()) + ", threshold=" + num(at.threshold()) + ")";
      case GELU -> "GELU(" + x + ", " + str(at.approximate()) + ")"; // F.gelu, around a torch 1.13 bug
      case CLAMP -> "torch.clamp(" + x + ", min=" + bound(at.bounds()[0]) + ", max=" + bound(at.bounds()[1]) + ")";
      case DETACH -> "(" + x + ").detach()";
      case DROPOUT -> {
        dropouts.add(new DropoutSite(at.dims().get(0), at.threshold(), a.get(0).type().shape()));
        yield "DROP(" + x + ", " + num(at.threshold()) + ", " + at.dims().get(0) + ", S)";
      }
      case TRANSPOSE -> "torch.transpose(" + x + ", " + at.dims().get(0) + ", " + at.dims().get(1) + ")";
      case RESHAPE -> "torch.reshape(" + x + ", " + shape(at.shape()) + ")";
      case FLATTEN -> a.get(0).type().shape().rank() == 0 ? "torch.flatten(" + x + ")"
          : "torch.flatten(" + x + ", " + at.dims().get(0) + ", " + at.dims().get(1) + ")";
      case CAT, STACK -> "torch." + c.op().spelling() + "([" + a.stream().map(this::expr)
          .collect(Collectors.joining(", ")) + "], dim=" + at.dims().get(0) + ")";
      case INDEX -> index(x, at.slice(), at.shape());
      case SUM, MEAN, AMAX, LOGSUMEXP -> reduction(c.op().spelling(), x, a.get(0), at);
      case MAX -> a.get(0).type().shape().rank() == 0 ? x
          : "torch.max(" + x + ", dim=" + at.dims().get(0) + ", keepdim=" + py(at.keepdim()) + ").values";
      case MAX_ALL -> at.keepdim() && a.get(0).type().shape().rank() > 0
          ? "torch.max(" + x + ").reshape(" + ones(a.get(0).type().shape().rank()) + ")" : "torch.max(" + x + ")";
      case SOFTMAX -> "torch.softmax(" + x + ", dim=" + at.dims().get(0) + ")";
      case LOG_SOFTMAX -> "F.log_softmax(" + x + ", dim=" + at.dims().get(0) + ")";
      case LAYER_NORM -> "F.layer_norm(" + x + ", " + shape(at.shape()) + ", " + normArgs(a, at.norm(), 1) + ", eps="
          + num(at.norm().eps()) + ")";
      case GROUP_NORM -> "F.group_norm(" + x + ", " + at.norm().groups() + ", " + normArgs(a, at.norm(), 1)
          + ", eps=" + num(at.norm().eps()) + ")";
      case BATCH_NORM -> "BN(" + x + ", " + expr(a.get(1)) + ", " + expr(a.get(2)) + ", " + normArgs(a, at.norm(), 3)
          + ", " + num(at.norm().momentum()) + ", " + num(at.norm().eps()) + ", "
          + (at.norm().counter() == null ? "None" : str(at.norm().counter())) + ", " + py(at.norm().cumulative())
          + ", S)";
      case LINEAR -> "F.linear(" + x + ", " + expr(a.get(1)) + (a.size() > 2 ? ", " + expr(a.get(2)) : "") + ")";
      case CONV2D -> "F.conv2d(" + x + ", " + expr(a.get(1)) + ", " + (a.size() > 2 ? expr(a.get(2)) : "None")
          + ", stride=" + pair(at.stride()) + ", padding=" + pair(at.padding()) + ")";
      case MAXPOOL2D, AVGPOOL2D -> (c.op() == Builtin.MAXPOOL2D ? "F.max_pool2d(" : "F.avg_pool2d(") + x + ", "
          + pair(at.kernel()) + ", " + pair(at.stride()) + ", " + pair(at.padding()) + ")";
      case INDEX_SELECT -> "torch.index_select(" + x + ", " + at.dims().get(0) + ", " + expr(a.get(1)) + ")";
      case GATHER -> "torch.gather(" + x + ", " + at.dims().get(0) + ", " + expr(a.get(1)) + ")";
      case ONE_HOT -> "F.one_hot(" + x + ", " + at.dims().get(0) + ").to(" + (at.dtype().equals("f64")
          ? "torch.float64" : "torch.float32") + ")";
      case EMBEDDING -> "F.embedding(" + x + ", " + expr(a.get(1)) + ", padding_idx="
          + (at.dims().isEmpty() ? "None" : at.dims().get(0)) + ")";
      case MSE -> loss("F.mse_loss", x, a, at);
      case L1 -> loss("F.l1_loss", x, a, at);
      case CROSS_ENTROPY -> loss("F.cross_entropy", x, a, at);
      case NLL -> loss("F.nll_loss", x, a, at);
      case BCE -> loss("F.binary_cross_entropy", x, a, at);
      case BCE_WITH_LOGITS -> loss("F.binary_cross_entropy_with_logits", x, a, at);
      case GRAD -> "GRAD(" + x + ", " + expr(a.get(1)) + ", " + (a.size() > 2 ? expr(a.get(2)) : "None") + ")";
    };
  }

  /** The float dtype of the values a mask compared (float(m) is m.to(x.dtype)). */
  private String floatOf(TExpr mask) {
    if (mask instanceof TExpr.Call c) {
      for (TExpr arg : c.args()) {
        if (arg.type().dtype() != null && arg.type().dtype().isFloat()) {
          return arg.type().dtype() == DType.F64 ? "torch.float64" : "torch.float32";
        }
        if (arg instanceof TExpr.Call inner && (c.op() == Builtin.AND || c.op() == Builtin.OR
            || c.op() == Builtin.NOT)) {
          return floatOf(inner);
        }
      }
    }
    return dtype;
  }

  private String reduction(String op, String x, TExpr operand, Attrs at) {
    int rank = operand.type().shape().rank();
    if (rank == 0) return x; // dim 0 of a 0-d tensor names its one element: nothing to reduce
    String dims = "[" + at.dims().stream().map(String::valueOf).collect(Collectors.joining(", ")) + "]";
    return "torch." + op + "(" + x + ", dim=" + dims + ", keepdim=" + py(at.keepdim()) + ")";
  }

  /**
   * The weight and bias of a normalization. A bias without a weight gets an explicit weight of ones, which changes
   * no value: torch 1.13's F.layer_norm and F.batch_norm with {@code weight=None} and a bias drop the bias
   * gradient's own derivative in double backward (torch.autograd.grad of a function of the bias's gradient says
   * the bias was not used), and F.group_norm with {@code weight=None} and a bias fails in backward ("tensor does not
   * have a device"); with a weight both are right.
   */
  private String normArgs(List<TExpr> a, Attrs.Norm n, int first) {
    String b = n.bias() ? expr(a.get(a.size() - 1)) : "None";
    String w = n.weight() ? expr(a.get(first)) : n.bias() ? "torch.ones_like(" + b + ")" : "None";
    return w + ", " + b;
  }

  private String loss(String fn, String x, List<TExpr> a, Attrs at) {
    return fn + "(" + x + ", " + expr(a.get(1)) + ", reduction=" + str(at.reduction()) + ")";
  }

  /** Basic indexing: the slice of every dim, then the reshape that drops the dims an integer index removed. */
  private String index(String x, SliceSpec s, Shape result) {
    List<String> parts = new ArrayList<>();
    for (int d = 0; d < s.start().size(); d++) {
      Dim size = s.shape().dim(d);
      int start = s.start().get(d);
      int step = s.step().get(d);
      if (!size.isConstant()) {
        parts.add(":");
      } else {
        long stop = start + (size.coefficient() - 1) * step + 1;
        parts.add(start + ":" + stop + ":" + step);
      }
    }
    return "torch.reshape((" + x + ")[" + String.join(", ", parts) + (parts.size() == 1 ? "," : "") + "], "
        + shape(result) + ")";
  }

  // ------------------------------------------------------------------------------------------------ text

  /** A shape as a Python list, symbolic sizes read from {@code S['sizes']}. */
  static String shape(Shape s) {
    List<String> dims = new ArrayList<>();
    for (Dim d : s.dims()) {
      StringBuilder t = new StringBuilder(Long.toString(d.coefficient()));
      for (String sym : d.symbols()) t.append(" * S['sizes'][").append(str(sym)).append(']');
      dims.add(t.toString());
    }
    return "[" + String.join(", ", dims) + "]";
  }

  private static String ones(int rank) {
    return "[" + String.join(", ", java.util.Collections.nCopies(rank, "1")) + "]";
  }

  private static String pair(int[] p) {
    return "(" + p[0] + ", " + p[1] + ")";
  }

  private static String bound(double b) {
    return Double.isInfinite(b) ? "None" : num(b);
  }

  private static String py(boolean b) {
    return b ? "True" : "False";
  }

  static String num(double v) {
    if (Double.isNaN(v)) return "float('nan')";
    if (Double.isInfinite(v)) return v > 0 ? "float('inf')" : "float('-inf')";
    return Double.toString(v);
  }

  static String str(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private static String list(java.util.stream.Stream<String> items) {
    return "[" + items.map(TorchTranslator::str).collect(Collectors.joining(", ")) + "]";
  }
}
