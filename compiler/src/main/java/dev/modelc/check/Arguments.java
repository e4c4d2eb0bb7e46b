package dev.modelc.check;

import dev.modelc.ast.Expr;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.Span;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Binds the constant arguments of an initializer or optimizer call to a signature ({@code name:kind[=default]},
 * kinds float, bool, string, pair-of-floats) by position and name, with defaults; reports unknown, duplicate,
 * missing and wrongly typed arguments. Numbers must be finite ({@code sqrt(-1)} is NaN, which PyTorch's optimizers
 * refuse and which would make every initial value NaN) and, for an initializer of an f32 param, within f32's range
 * (a larger number would put infinity into the param).
 */
final class Arguments {
  private Arguments() {}

  /** Binds the arguments of an optimizer (or of an initializer of an f64 param): any finite number. */
  static Map<String, Object> bind(String what, String[] signature, Expr.Call call, Scope scope, ConstEval constants,
      Diagnostics diagnostics) {
    return bind(what, signature, call, scope, constants, diagnostics, false);
  }

  /** As {@link #bind}; with {@code f32}, numbers beyond f32's range are errors too. */
  static Map<String, Object> bind(String what, String[] signature, Expr.Call call, Scope scope, ConstEval constants,
      Diagnostics diagnostics, boolean f32) {
    String[] names = new String[signature.length];
    String[] kinds = new String[signature.length];
    String[] defaults = new String[signature.length];
    for (int i = 0; i < signature.length; i++) {
      String[] nameRest = signature[i].split(":");
      String[] kindDefault = nameRest[1].split("=");
      names[i] = nameRest[0];
      kinds[i] = kindDefault[0];
      defaults[i] = kindDefault.length > 1 ? kindDefault[1] : null;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    boolean ok = true;
    int positional = 0;
    for (Expr.Arg a : call.args()) {
      int slot;
      if (a.name() == null) {
        slot = positional++;
        if (slot >= names.length) {
          diagnostics.error(a.span(), what + " takes " + (names.length == 0 ? "no arguments" : "at most "
              + names.length + " argument" + (names.length == 1 ? "" : "s") + " (" + String.join(", ", names) + ")"));
          return null;
        }
      } else {
        slot = indexOf(names, a.name().name());
        if (slot < 0) {
          diagnostics.error(a.name().span(), what + " has no argument named '" + a.name().name() + "'"
              + (names.length == 0 ? "" : " (it takes " + String.join(", ", names) + ")"));
          ok = false;
          continue;
        }
      }
      if (out.containsKey(names[slot])) {
        diagnostics.error(a.span(), "argument '" + names[slot] + "' of " + what + " is given twice");
        ok = false;
        continue;
      }
      Object v = constants.eval(a.value(), scope);
      if (v == null) {
        ok = false;
        continue;
      }
      Object converted = convert(kinds[slot], v);
      if (converted == null) {
        diagnostics.error(a.value().span(), what + ": argument '" + names[slot] + "' must be "
            + kindText(kinds[slot]) + ", got " + ConstEval.describe(v));
        ok = false;
        continue;
      }
      String bad = badNumber(converted, f32);
      if (bad != null) {
        diagnostics.error(a.value().span(), what + ": argument '" + names[slot] + "' " + bad);
        ok = false;
        continue;
      }
      out.put(names[slot], converted);
    }
    for (int i = 0; i < names.length; i++) {
      if (!out.containsKey(names[i])) {
        if (defaults[i] == null) {
          if (ok) {
            diagnostics.error(call.span(), what + " is missing its argument '" + names[i] + "'");
          }
          ok = false;
        } else {
          out.put(names[i], convert(kinds[i], parseDefault(kinds[i], defaults[i])));
        }
      }
    }
    return ok ? out : null;
  }

  /**
   * Why a bound number (or pair of numbers) is unusable, or null: not finite, or beyond f32's range when the value
   * goes into an f32 param.
   */
  static String badNumber(Object v, boolean f32) {
    if (v instanceof java.util.List<?> pair) {
      for (Object item : pair) {
        String bad = badNumber(item, f32);
        if (bad != null) {
          return bad;
        }
      }
    } else if (v instanceof Double d && !Double.isFinite(d)) {
      return "must be a finite number, got " + d;
    } else if (v instanceof Double d && f32 && Math.abs(d) > Float.MAX_VALUE) {
      return "is " + d + ", out of range for f32 (the largest is about 3.4e38): the param would hold infinity";
    }
    return null;
  }

  private static Object parseDefault(String kind, String text) {
    return switch (kind) {
      case "float" -> Double.parseDouble(text);
      case "bool" -> Boolean.parseBoolean(text);
      case "pair" -> java.util.List.of(Double.parseDouble(text.split("/")[0]), Double.parseDouble(text.split("/")[1]));
      default -> text;
    };
  }

  private static Object convert(String kind, Object v) {
    return switch (kind) {
      case "float" -> v instanceof Number n ? (Object) n.doubleValue() : null;
      case "bool" -> v instanceof Boolean ? v : null;
      case "string" -> v instanceof String ? v : null;
      case "pair" -> v instanceof java.util.List<?> l && l.size() == 2 && l.get(0) instanceof Number a
          && l.get(1) instanceof Number b ? java.util.List.of(a.doubleValue(), b.doubleValue()) : null;
      default -> null;
    };
  }

  private static String kindText(String kind) {
    return switch (kind) {
      case "float" -> "a number";
      case "bool" -> "true or false";
      case "string" -> "a string";
      default -> "a list of two numbers";
    };
  }

  private static int indexOf(String[] names, String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

}
