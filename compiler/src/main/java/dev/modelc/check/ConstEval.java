package dev.modelc.check;

import dev.modelc.ast.Expr;
import dev.modelc.diag.Diagnostics;
import dev.modelc.types.Dim;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates constant expressions: sizes in types, layer size arguments, and the constant arguments of builtins,
 * initializers and optimizers. Values are Long, Double, Boolean, String, List of values, or a {@link Dim} (an
 * expression involving a symbolic size). Returns null after reporting an error.
 */
final class ConstEval {
  private final Diagnostics diagnostics;

  ConstEval(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
  }

  Object eval(Expr e, Scope scope) {
    if (e instanceof Expr.IntLit i) {
      if (i.value() == Long.MAX_VALUE) {
        diagnostics.error(i.span(), "integer " + i.text() + " is too large");
        return null;
      }
      return i.value();
    } else if (e instanceof Expr.FloatLit f) {
      return f.value();
    } else if (e instanceof Expr.BoolLit b) {
      return b.value();
    } else if (e instanceof Expr.StringLit s) {
      return s.value();
    } else if (e instanceof Expr.ListLit l) {
      List<Object> items = new ArrayList<>();
      for (Expr item : l.items()) {
        Object v = eval(item, scope);
        if (v == null) {
          return null;
        }
        items.add(v);
      }
      return items;
    } else if (e instanceof Expr.Name n) {
      Scope.Binding b = scope == null ? null : scope.lookup(n.name());
      if (b instanceof Scope.Size size) {
        return size.dim().isConstant() ? (Object) size.dim().coefficient() : size.dim();
      }
      if (n.name().equals("none")) {
        return Absent.NONE;
      }
      diagnostics.error(n.span(), b == null
          ? "'" + n.name() + "' is not a known size or constant"
          : "'" + n.name() + "' is a tensor; a constant is needed here");
      return null;
    } else if (e instanceof Expr.Unary u) {
      Object v = eval(u.operand(), scope);
      if (v == null) {
        return null;
      }
      if (u.op() == '+') {
        return v;
      }
      if (u.op() == '~') {
        diagnostics.error(u.span(), "'~' negates a mask, not a constant");
        return null;
      }
      if (v instanceof Long l) {
        return -l;
      }
      if (v instanceof Double d) {
        return -d;
      }
      diagnostics.error(u.span(), "cannot negate " + describe(v));
      return null;
    } else if (e instanceof Expr.Binary b) {
      return binary(b, scope);
    } else if (e instanceof Expr.Call c) {
      return call(c, scope);
    } else {
      diagnostics.error(e.span(), "a constant is needed here");
      return null;
    }
  }

  /** Marks an argument written as {@code none}. */
  enum Absent { NONE }

  private Object binary(Expr.Binary b, Scope scope) {
    Object l = eval(b.left(), scope);
    Object r = eval(b.right(), scope);
    if (l == null || r == null) {
      return null;
    }
    if (b.op().isComparison()) {
      diagnostics.error(b.span(), "'" + b.op().symbol + "' gives a mask, not a constant; comparisons are written "
          + "between tensors, for where");
      return null;
    }
    if (b.op() == Expr.BinaryOp.AND || b.op() == Expr.BinaryOp.OR) {
      diagnostics.error(b.span(), "'" + b.op().symbol + "' combines masks, not constants");
      return null;
    }
    if ((l instanceof Dim || r instanceof Dim)) {
      if (b.op() == Expr.BinaryOp.MUL && (l instanceof Dim || l instanceof Long) && (r instanceof Dim || r instanceof Long)) {
        return asDim(l).times(asDim(r));
      }
      diagnostics.error(b.span(), "a symbolic size can only be multiplied by sizes and integers");
      return null;
    }
    if (!(l instanceof Long || l instanceof Double) || !(r instanceof Long || r instanceof Double)) {
      diagnostics.error(b.span(), "operator '" + b.op().symbol + "' needs numbers, not " + describe(l) + " and "
          + describe(r));
      return null;
    }
    // As in Python, integers stay integers under + - * and ** with an exponent >= 0; '/' gives a float.
    if (l instanceof Long a && r instanceof Long c && b.op() != Expr.BinaryOp.DIV
        && (b.op() != Expr.BinaryOp.POW || c >= 0)) {
      try {
        return switch (b.op()) {
          case ADD -> Math.addExact(a, c);
          case SUB -> Math.subtractExact(a, c);
          case MUL -> Math.multiplyExact(a, c);
          case POW -> power(a, c);
          default -> {
            diagnostics.error(b.span(), "'@' needs tensors, not numbers");
            yield null;
          }
        };
      } catch (ArithmeticException e) {
        diagnostics.error(b.span(), "integer overflow: " + a + " " + b.op().symbol + " " + c + " is out of range");
        return null;
      }
    }
    double x = ((Number) l).doubleValue();
    double y = ((Number) r).doubleValue();
    return switch (b.op()) {
      case ADD -> x + y;
      case SUB -> x - y;
      case MUL -> x * y;
      case DIV -> x / y;
      case POW -> Math.pow(x, y);
      case MATMUL -> {
        diagnostics.error(b.span(), "'@' needs tensors, not numbers");
        yield null;
      }
      case LT, LE, GT, GE, EQ, NE, AND, OR -> throw new IllegalStateException("reported above");
    };
  }

  /** {@code base ** exponent} for an exponent >= 0, exactly; throws ArithmeticException when it overflows. */
  private static long power(long base, long exponent) {
    if (base == 0 || base == 1) {
      return exponent == 0 ? 1 : base;
    }
    if (base == -1) {
      return exponent % 2 == 0 ? 1 : -1;
    }
    long result = 1;
    for (long i = 0; i < exponent; i++) {   // at most 63 rounds before |result| overflows
      result = Math.multiplyExact(result, base);
    }
    return result;
  }

  private Object call(Expr.Call c, Scope scope) {
    String f = c.callee().name();
    if (!List.of("sqrt", "exp", "log").contains(f)) {
      diagnostics.error(c.span(), "a constant is needed here; '" + f + "(...)' is not a constant function "
          + "(sqrt, exp and log of constants are)");
      return null;
    }
    if (c.args().size() != 1 || c.args().get(0).name() != null) {
      diagnostics.error(c.span(), f + " of a constant takes one positional argument");
      return null;
    }
    Object v = eval(c.args().get(0).value(), scope);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n)) {
      diagnostics.error(c.span(), f + " needs a number, not " + describe(v));
      return null;
    }
    double x = n.doubleValue();
    return switch (f) {
      case "sqrt" -> Math.sqrt(x);
      case "exp" -> Math.exp(x);
      default -> Math.log(x);
    };
  }

  static Dim asDim(Object v) {
    return v instanceof Dim d ? d : Dim.of((Long) v);
  }

  /**
   * A value where an integer is needed: an integer as itself, a float with its value and where floats come from
   * ({@code 8.0, a float}), else as {@link #describe}.
   */
  static String describeNonInteger(Object v) {
    if (v instanceof Long) {
      return v.toString();
    }
    if (v instanceof Double d) {
      return d + ", a float ('/', float literals, sqrt, exp and log give floats)";
    }
    return describe(v);
  }

  static String describe(Object v) {
    if (v instanceof Long) {
      return "an integer";
    } else if (v instanceof Double) {
      return "a number";
    } else if (v instanceof Boolean) {
      return "a boolean";
    } else if (v instanceof String) {
      return "a string";
    } else if (v instanceof List) {
      return "a list";
    } else if (v instanceof Dim) {
      return "a symbolic size";
    }
    return "none";
  }
}
