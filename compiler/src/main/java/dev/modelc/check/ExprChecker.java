package dev.modelc.check;

import dev.modelc.ast.Expr;
import dev.modelc.ast.Member;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.Span;
import dev.modelc.types.DType;
import dev.modelc.types.Shape;
import dev.modelc.types.TensorType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks tensor expressions: resolves names, binds call arguments to builtin signatures, inlines layer calls, and
 * infers dtypes and shapes through {@link BuiltinRules}. Returns null after reporting an error, and every caller
 * treats a null operand as "already reported", so one mistake gives one message.
 *
 * <p>Numbers are weak: a literal, and exp, log, sqrt, abs, sin, cos or tanh of one, takes the dtype of the tensor
 * it meets ({@code x * 2}, {@code x / sqrt(6.0)}); numbers combined only with
 * numbers are folded here.
 */
final class ExprChecker {
  private final Diagnostics diagnostics;
  private final ConstEval constants;
  private final ModelContext model;
  private final BuiltinRules rules;
  private final Indexing indexing;

  ExprChecker(Diagnostics diagnostics, ModelContext model) {
    this.diagnostics = diagnostics;
    this.constants = new ConstEval(diagnostics);
    this.model = model;
    this.rules = new BuiltinRules(diagnostics, this::maskWidth);
    this.indexing = new Indexing(diagnostics, constants, rules);
  }

  /** A checked expression whose dtype is known (a bare number becomes a scalar of {@code fallback}). */
  TExpr checkTensor(Expr e, Scope scope, DType fallback) {
    TExpr t = check(e, scope);
    if (t instanceof TExpr.Const c && c.type().dtype() == null) {
      return new TExpr.Const(c.value(), new TensorType(fallback, Shape.SCALAR), c.span());
    }
    return t;
  }

  TExpr check(Expr e, Scope scope) {
    if (!model.expand(e.span())) {
      return null; // past the limit on the expanded model, reported once
    }
    if (e instanceof Expr.IntLit i) {
      return weak(i.value(), i.span());
    } else if (e instanceof Expr.FloatLit f) {
      return weak(f.value(), f.span());
    } else if (e instanceof Expr.Name n) {
      return name(n, scope);
    } else if (e instanceof Expr.Unary u) {
      TExpr x = check(u.operand(), scope);
      if (x == null || u.op() == '+') {
        return x;
      }
      if (u.op() == '~') {
        if (isWeak(x)) {
          diagnostics.error(u.span(), "'~' negates a mask (a comparison such as x > 0), got a number");
          return null;
        }
        return rules.apply(Builtin.NOT, List.of(x), Attrs.NONE, u.span());
      }
      if (x instanceof TExpr.Const c && c.type().dtype() == null) {
        return weak(-c.value(), u.span());
      }
      return rules.apply(Builtin.NEG, List.of(x), Attrs.NONE, u.span());
    } else if (e instanceof Expr.Binary b) {
      return binary(b, scope);
    } else if (e instanceof Expr.Transpose t) {
      TExpr x = check(t.operand(), scope);
      if (x == null) {
        return null;
      }
      int rank = x.type().shape().rank();
      if (rank < 2) {
        diagnostics.error(t.span(), "^T needs a tensor of at least 2 dimensions, got " + x.type());
        return null;
      }
      return rules.apply(Builtin.TRANSPOSE, List.of(x), Attrs.NONE.withDims(List.of(rank - 2, rank - 1), false),
          t.span());
    } else if (e instanceof Expr.Index x) {
      TExpr operand = check(x.operand(), scope);
      return operand == null ? null : indexing.apply(operand, x, scope);
    } else if (e instanceof Expr.Call c) {
      return call(c, scope);
    } else if (e instanceof Expr.ListLit l) {
      diagnostics.error(l.span(), "a list is not a tensor; lists are written only as constant arguments");
      return null;
    } else if (e instanceof Expr.StringLit s) {
      diagnostics.error(s.span(), "a string is not a tensor");
      return null;
    } else {
      diagnostics.error(e.span(), "a boolean is not a tensor");
      return null;
    }
  }

  private static TExpr weak(double value, Span span) {
    return new TExpr.Const(value, new TensorType(null, Shape.SCALAR), span);
  }

  private static boolean isWeak(TExpr t) {
    return t instanceof TExpr.Const c && c.type().dtype() == null;
  }

  private TExpr name(Expr.Name n, Scope scope) {
    Scope.Binding b = scope.lookup(n.name());
    if (b instanceof Scope.Poisoned) {
      return null;
    }
    if (b instanceof Scope.Tensor t) {
      if (t.expr() instanceof TExpr.Ref ref) {
        model.markRead(ref.name());
        return new TExpr.Ref(ref.name(), ref.kind(), ref.type(), n.span());
      }
      return t.expr();
    }
    if (b instanceof Scope.Size s) {
      if (s.dim().isConstant()) {
        return weak(s.dim().coefficient(), n.span());
      }
      diagnostics.error(n.span(), "the symbolic size '" + n.name() + "' is not a tensor; it can be used in shapes");
      return null;
    }
    if (b instanceof Scope.Instance) {
      diagnostics.error(n.span(), "'" + n.name() + "' is a layer instance; call it: " + n.name() + "(...)");
      return null;
    }
    model.reportUndefined(n.name(), n.span());
    return null;
  }

  private TExpr binary(Expr.Binary b, Scope scope) {
    TExpr l = check(b.left(), scope);
    TExpr r = check(b.right(), scope);
    if (l == null || r == null) {
      return null;
    }
    if (b.op().isComparison() && (isComparison(b.left()) || isComparison(b.right()))) {
      diagnostics.error(b.span(), "comparisons do not chain: '" + b.op().symbol + "' has a comparison as an "
          + "operand; compare two values at a time");
      return null;
    }
    if (isWeak(l) && isWeak(r) && b.op().isComparison()) {
      diagnostics.error(b.span(), "'" + b.op().symbol + "' compares two numbers; a comparison needs a tensor");
      return null;
    }
    if (b.op() == Expr.BinaryOp.AND || b.op() == Expr.BinaryOp.OR) {
      return maskOperator(b, l, r);
    }
    if (isWeak(l) && isWeak(r)) {
      double x = ((TExpr.Const) l).value();
      double y = ((TExpr.Const) r).value();
      return switch (b.op()) {
        case ADD -> weak(x + y, b.span());
        case SUB -> weak(x - y, b.span());
        case MUL -> weak(x * y, b.span());
        case DIV -> weak(x / y, b.span());
        case POW -> weak(Math.pow(x, y), b.span());
        case MATMUL -> {
          diagnostics.error(b.span(), "'@' needs tensors, not numbers");
          yield null;
        }
        case LT, LE, GT, GE, EQ, NE, AND, OR -> throw new IllegalStateException("handled above");
      };
    }
    if (isWeak(l)) {
      l = adopt(l, r);
      if (!fits(l)) {
        return null;
      }
    }
    if (isWeak(r)) {
      r = adopt(r, l);
      if (!fits(r)) {
        return null;
      }
    }
    Builtin op = switch (b.op()) {
      case ADD -> Builtin.ADD;
      case SUB -> Builtin.SUB;
      case MUL -> Builtin.MUL;
      case DIV -> Builtin.DIV;
      case POW -> Builtin.POW;
      case MATMUL -> Builtin.MATMUL;
      case LT -> Builtin.LT;
      case LE -> Builtin.LE;
      case GT -> Builtin.GT;
      case GE -> Builtin.GE;
      case EQ -> Builtin.EQ;
      case NE -> Builtin.NE;
      case AND, OR -> throw new IllegalStateException("handled above");
    };
    return rules.apply(op, List.of(l, r), Attrs.NONE, b.span());
  }

  /**
   * {@code a & b} and {@code a | b} of two masks. A number or a float tensor is an error; as in Python, {@code &}
   * and {@code |} bind tighter than comparisons, so {@code x > 0 & x < 1} means {@code x > (0 & x) < 1} and the
   * message says to bracket the comparisons.
   */
  private TExpr maskOperator(Expr.Binary b, TExpr l, TExpr r) {
    for (TExpr side : List.of(l, r)) {
      if (side.type().dtype() != DType.BOOL) {
        String got = isWeak(side) ? "a number" : side.type().toString();
        diagnostics.error(side.span(), "'" + b.op().symbol + "' combines masks (comparisons such as x > 0), got "
            + got + "; as in Python, '" + b.op().symbol + "' binds tighter than a comparison: write (a > b) "
            + b.op().symbol + " (c < d)");
        return null;
      }
    }
    return rules.apply(b.op() == Expr.BinaryOp.AND ? Builtin.AND : Builtin.OR, List.of(l, r), Attrs.NONE, b.span());
  }

  private static boolean isComparison(Expr e) {
    return e instanceof Expr.Binary b && b.op().isComparison();
  }

  /** A number that took the dtype f32 must be within f32's range, or it would silently become infinity. */
  private boolean fits(TExpr number) {
    double v = ((TExpr.Const) number).value();
    if (number.type().dtype() == DType.F32 && Double.isFinite(v) && Math.abs(v) > Float.MAX_VALUE) {
      diagnostics.error(number.span(), "number " + v + " is out of range for f32 (the largest is about 3.4e38) and "
          + "would be infinity");
      return false;
    }
    return true;
  }

  private static TExpr adopt(TExpr number, TExpr tensor) {
    DType dtype = tensor.type().dtype() == DType.I32 ? DType.F32 : tensor.type().dtype();
    return new TExpr.Const(((TExpr.Const) number).value(), new TensorType(dtype, Shape.SCALAR), number.span());
  }

  /** Functions of one number computed at check time, so that their result stays a weak number. */
  private static final java.util.Map<Builtin, java.util.function.DoubleUnaryOperator> FOLDED = java.util.Map.of(
      Builtin.EXP, Math::exp, Builtin.LOG, Math::log, Builtin.SQRT, Math::sqrt, Builtin.ABS, Math::abs,
      Builtin.SIN, Math::sin, Builtin.COS, Math::cos, Builtin.TANH, Math::tanh, Builtin.NEG, x -> -x);

  private TExpr call(Expr.Call c, Scope scope) {
    String name = c.callee().name();
    Scope.Binding b = scope.lookup(name);
    if (b instanceof Scope.Poisoned) {
      return null;
    }
    if (b instanceof Scope.Instance inst) {
      return model.callLayer(inst.instance(), c, scope, this);
    }
    if (b instanceof Scope.Tensor || b instanceof Scope.Size) {
      diagnostics.error(c.callee().span(), "'" + name + "' is not a function or layer instance");
      return null;
    }
    Builtin builtin = Builtin.byName(name);
    if (builtin == null) {
      if (model.isLayer(name)) {
        diagnostics.error(c.callee().span(), "'" + name + "' is a layer; declare an instance first ("
            + "inst = " + name + "(...)) and call the instance");
      } else if (model.isDeclaredLater(name)) {
        model.reportUndefined(name, c.callee().span());
      } else {
        diagnostics.error(c.callee().span(), "unknown function '" + name + "'");
      }
      return null;
    }
    if (c.args().size() == 1 && c.args().get(0).name() == null && FOLDED.containsKey(builtin)) {
      TExpr only = check(c.args().get(0).value(), scope);
      if (only == null) {
        return null;
      }
      if (isWeak(only)) { // sqrt(6.0) is a number, weak like 6.0, not an f32 tensor
        return weak(FOLDED.get(builtin).applyAsDouble(((TExpr.Const) only).value()), c.span());
      }
    }
    Object[] bound = bind(builtin, c, scope);
    if (bound == null) {
      return null;
    }
    List<TExpr> tensors = new ArrayList<>();
    for (int i = 0; i < builtin.args().size(); i++) {
      if (builtin.args().get(i).kind().equals("tensors") && bound[i] instanceof List<?> list) {
        list.forEach(t -> tensors.add((TExpr) t));
      } else if (builtin.args().get(i).isTensor() && bound[i] != null) {
        tensors.add((TExpr) bound[i]);
      } else if (builtin.args().get(i).isCounter() && bound[i] != null && counter((TExpr) bound[i]) == null) {
        return null;
      }
    }
    if (builtin == Builtin.BATCH_NORM && !runningStatistics(tensors)) {
      return null;
    }
    TExpr result = rules.applyCall(builtin, bound, tensors, c);
    if (result != null && builtin == Builtin.WHERE) {
      DType compared = maskWidth(tensors.get(0));
      if (compared != null && compared != result.type().dtype()) {
        diagnostics.error(c.span(), "where: the condition compares " + compared.spelling() + " values but input and "
            + "other are " + result.type().dtype().spelling() + "; modelc does not convert between float widths "
            + "silently");
        return null;
      }
    }
    return result;
  }

  /**
   * batch_norm's running_mean and running_var are buffers (a training forward writes the new statistics into
   * them).
   */
  private boolean runningStatistics(List<TExpr> tensors) {
    for (int i = 1; i <= 2 && i < tensors.size(); i++) {
      TExpr t = tensors.get(i);
      String what = i == 1 ? "running_mean" : "running_var";
      CheckedModel.Param buffer = t instanceof TExpr.Ref r && r.kind() == TExpr.RefKind.PARAM
          ? model.params.stream().filter(p -> p.name().equals(r.name()) && p.buffer()).findFirst().orElse(null)
          : null;
      if (buffer == null) {
        diagnostics.error(t.span(), "batch_norm: " + what + " must be a buffer (buffer " + what
            + " : f32[C] init " + (i == 1 ? "zeros" : "ones") + "), which training updates");
        return false;
      }
    }
    return true;
  }

  /**
   * batch_norm's num_batches_tracked: an i32 scalar buffer (PyTorch's int64 counter), which each training forward
   * through the call increments. Null after reporting anything else.
   */
  private CheckedModel.Param counter(TExpr t) {
    CheckedModel.Param buffer = t instanceof TExpr.Ref r && r.kind() == TExpr.RefKind.PARAM
        ? model.params.stream().filter(p -> p.name().equals(r.name()) && p.buffer()).findFirst().orElse(null)
        : null;
    if (buffer == null || buffer.type().dtype() != DType.I32 || buffer.type().shape().rank() != 0) {
      diagnostics.error(t.span(), "batch_norm: num_batches_tracked must be an i32 counter buffer (buffer "
          + "num_batches_tracked : i32 init zeros), got " + (buffer == null ? "a value that is not a buffer"
          : "the buffer " + buffer.name() + " : " + buffer.type()));
      return null;
    }
    return buffer;
  }

  /** The float width a mask's comparison compared, found through lets; null if not a mask. */
  private DType maskWidth(TExpr mask) {
    if (mask instanceof TExpr.Ref r && r.kind() == TExpr.RefKind.VALUE && model.definition(r.name()) != null) {
      return maskWidth(model.definition(r.name()));
    }
    if (!(mask instanceof TExpr.Call call) || call.type().dtype() != DType.BOOL) {
      return null;
    }
    return switch (call.op()) {
      case AND, OR, NOT -> maskWidth(call.args().get(0)); // a combination of masks: the width they compared
      default -> firstFloat(call.args().toArray());        // a comparison
    };
  }

  /**
   * Matches positional and named arguments to the builtin's signature, checking tensors and evaluating constants.
   * Returns one slot per signature argument: a TExpr, a constant, or null for an omitted optional one.
   */
  private Object[] bind(Builtin builtin, Expr.Call c, Scope scope) {
    List<Builtin.Arg> sig = builtin.args();
    Expr[] given = new Expr[sig.size()];
    Span[] givenAt = new Span[sig.size()];
    boolean ok = true;
    int positional = 0;
    boolean sawNamed = false;
    for (Expr.Arg a : c.args()) {
      int slot;
      if (a.name() == null) {
        if (sawNamed) {
          diagnostics.error(a.span(), "positional argument after a named one");
          ok = false;
          continue;
        }
        slot = positional++;
        if (slot >= sig.size()) {
          diagnostics.error(a.span(), builtin.spelling() + " takes at most " + sig.size() + " arguments ("
              + names(sig) + "), got " + c.args().size());
          return null;
        }
      } else {
        sawNamed = true;
        slot = indexOf(sig, a.name().name());
        if (slot < 0) {
          diagnostics.error(a.name().span(), builtin.spelling() + " has no argument named '" + a.name().name()
              + "' (it takes " + names(sig) + ")");
          ok = false;
          continue;
        }
      }
      if (given[slot] != null) {
        diagnostics.error(a.span(), "argument '" + sig.get(slot).name() + "' of " + builtin.spelling()
            + " is given twice");
        ok = false;
        continue;
      }
      given[slot] = a.value();
      givenAt[slot] = a.span();
    }
    Object[] bound = new Object[sig.size()];
    for (int i = 0; i < sig.size(); i++) {
      Builtin.Arg arg = sig.get(i);
      if (given[i] == null) {
        if (arg.required()) {
          diagnostics.error(c.span(), builtin.spelling() + " is missing its argument '" + arg.name() + "'");
          ok = false;
        } else if (arg.defaultValue() != null) {
          bound[i] = defaultValue(arg);
        }
        continue;
      }
      if (arg.kind().equals("tensors")) {
        bound[i] = tensorList(builtin, given[i], scope);
        ok &= bound[i] != null;
      } else if (arg.isTensor() || arg.isCounter()) {
        TExpr t = check(given[i], scope);
        if (t == null) {
          ok = false;
        } else {
          bound[i] = t;
        }
      } else {
        Object v = constants.eval(given[i], scope);
        if (v == null) {
          ok = false;
        } else if (v == ConstEval.Absent.NONE) {
          bound[i] = arg.noneAllowed() ? null : badNone(arg, givenAt[i]);
          ok &= arg.noneAllowed();
        } else if (!fits(arg.kind(), v)) {
          diagnostics.error(givenAt[i], builtin.spelling() + ": argument '" + arg.name() + "' must be "
              + kindText(arg.kind()) + ", got " + ConstEval.describe(v));
          ok = false;
        } else if (v instanceof Double d && d.isNaN()) {
          // sqrt(-1), 0 / 0: every value the argument reaches would be NaN (infinities stay: clamp(min = -1 / 0))
          diagnostics.error(givenAt[i], builtin.spelling() + ": argument '" + arg.name() + "' is NaN");
          ok = false;
        } else {
          bound[i] = v instanceof Long l && arg.kind().equals("float") ? (Object) l.doubleValue() : v;
        }
      }
    }
    if (ok && builtin == Builtin.WHERE && isWeak((TExpr) bound[1]) && isWeak((TExpr) bound[2])) {
      diagnostics.error(c.span(), "where: input and other are both numbers; one of them must be a tensor");
      return null;
    }
    DType weakType = firstFloat(bound); // a number takes the dtype of the call's tensors, before or after it
    for (int i = 0; i < bound.length; i++) {
      if (bound[i] instanceof TExpr t && isWeak(t)) {
        bound[i] = new TExpr.Const(((TExpr.Const) t).value(), new TensorType(weakType, Shape.SCALAR), t.span());
      }
    }
    return ok ? bound : null;
  }

  /** The tensors of a list argument ({@code cat([a, b])}); null after an error. */
  private List<TExpr> tensorList(Builtin builtin, Expr given, Scope scope) {
    if (!(given instanceof Expr.ListLit list)) {
      diagnostics.error(given.span(), builtin.spelling() + ": expects a list of tensors written [a, b, ...]");
      return null;
    }
    if (list.items().isEmpty()) {
      diagnostics.error(given.span(), builtin.spelling() + "(): expected a non-empty list of Tensors");
      return null;
    }
    List<TExpr> out = new ArrayList<>();
    boolean ok = true;
    for (Expr item : list.items()) {
      TExpr t = check(item, scope);
      if (t != null && isWeak(t)) {
        diagnostics.error(item.span(), builtin.spelling() + ": expects tensors, got a number");
        t = null;
      }
      ok &= t != null;
      out.add(t);
    }
    return ok ? out : null;
  }

  private static boolean fits(String kind, Object v) {
    return switch (kind) {
      case "float" -> v instanceof Long || v instanceof Double;
      case "int" -> v instanceof Long;
      case "bool" -> v instanceof Boolean;
      case "string" -> v instanceof String;
      case "dims" -> v instanceof Long || (v instanceof List<?> l && l.stream().allMatch(x -> x instanceof Long));
      case "pair" -> v instanceof Long || (v instanceof List<?> l && l.stream().allMatch(x -> x instanceof Long));
      case "shape" -> v instanceof List<?>;
      default -> false;
    };
  }

  private static String kindText(String kind) {
    return switch (kind) {
      case "float" -> "a number";
      case "int" -> "an integer";
      case "bool" -> "true or false";
      case "string" -> "a string";
      case "dims" -> "an integer or a list of integers";
      case "pair" -> "an integer or a list of two integers";
      default -> "a list of sizes";
    };
  }

  private Object badNone(Builtin.Arg arg, Span at) {
    diagnostics.error(at, "argument '" + arg.name() + "' cannot be none");
    return null;
  }

  private static DType firstFloat(Object[] bound) {
    for (Object o : bound) {
      if (o instanceof TExpr t && t.type().dtype() != null && t.type().dtype().isFloat()) {
        return t.type().dtype();
      }
    }
    return DType.F32;
  }

  private static Object defaultValue(Builtin.Arg arg) {
    String d = arg.defaultValue();
    return switch (arg.kind()) {
      case "float" -> d.equals("none") ? null : (Object) Double.parseDouble(d);
      case "int", "pair" -> d.equals("none") ? null : (Object) Long.parseLong(d);
      case "bool" -> Boolean.parseBoolean(d);
      case "dims" -> null;
      default -> d;
    };
  }

  private static int indexOf(List<Builtin.Arg> sig, String name) {
    for (int i = 0; i < sig.size(); i++) {
      if (sig.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private static String names(List<Builtin.Arg> sig) {
    List<String> n = new ArrayList<>();
    for (Builtin.Arg a : sig) {
      n.add(a.name());
    }
    return String.join(", ", n);
  }

  /** Checks a let inside a layer's block body. */
  TExpr checkLet(Member.Let let, Scope scope) {
    return check(let.value(), scope);
  }

  /** The names of the values and inputs an expression reads, through earlier values. */
  static Set<String> dependencies(TExpr e, ModelContext values) {
    Set<String> out = new HashSet<>();
    collect(e, values, out);
    return out;
  }

  private static void collect(TExpr e, ModelContext values, Set<String> out) {
    if (e instanceof TExpr.Ref r) {
      if (out.add(r.name()) && r.kind() == TExpr.RefKind.VALUE) {
        TExpr def = values.definition(r.name());
        if (def != null) {
          collect(def, values, out);
        }
      }
    } else if (e instanceof TExpr.Call c) {
      for (TExpr a : c.args()) {
        collect(a, values, out);
      }
    }
  }
}
