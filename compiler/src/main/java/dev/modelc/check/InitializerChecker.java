package dev.modelc.check;

import dev.modelc.ast.Expr;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.Span;
import dev.modelc.runtime.nn.Init;
import dev.modelc.runtime.random.Rng;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import dev.modelc.types.TensorType;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a param's {@code init}: one of PyTorch's initializers with its arguments (defaults filled in, ranges
 * checked) or a literal list of exactly the param's shape.
 */
final class InitializerChecker {
  private static final Map<String, String[]> SIGNATURES = new LinkedHashMap<>();

  static {
    SIGNATURES.put("zeros", new String[] {});
    SIGNATURES.put("ones", new String[] {});
    SIGNATURES.put("constant", new String[] {"value:float"});
    SIGNATURES.put("uniform", new String[] {"low:float=0", "high:float=1"});
    SIGNATURES.put("normal", new String[] {"mean:float=0", "std:float=1"});
    SIGNATURES.put("kaiming_uniform", new String[] {"a:float=0", "mode:string=fan_in", "nonlinearity:string=leaky_relu"});
    SIGNATURES.put("kaiming_normal", new String[] {"a:float=0", "mode:string=fan_in", "nonlinearity:string=leaky_relu"});
    SIGNATURES.put("xavier_uniform", new String[] {"gain:float=1"});
    SIGNATURES.put("xavier_normal", new String[] {"gain:float=1"});
  }

  private static final List<String> NONLINEARITIES = List.of("linear", "conv1d", "conv2d", "conv3d",
      "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu");

  private final Diagnostics diagnostics;
  private final ConstEval constants;

  InitializerChecker(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
    this.constants = new ConstEval(diagnostics);
  }

  Initializer check(Expr init, TensorType type, Scope scope) {
    if (init instanceof Expr.ListLit || init instanceof Expr.IntLit || init instanceof Expr.FloatLit
        || init instanceof Expr.Unary) {
      return literal(init, type, scope);
    }
    Expr.Call call;
    if (init instanceof Expr.Name n) {
      call = new Expr.Call(new dev.modelc.ast.Ident(n.name(), n.span()), List.of(), n.span());
    } else if (init instanceof Expr.Call c) {
      call = c;
    } else {
      diagnostics.error(init.span(), "an initializer is a call such as uniform(-0.1, 0.1) or a list of numbers");
      return null;
    }
    String name = call.callee().name();
    String[] sig = SIGNATURES.get(name);
    if (sig == null) {
      diagnostics.error(call.callee().span(), "unknown initializer '" + name + "' (known: "
          + String.join(", ", SIGNATURES.keySet()) + ", or a list of numbers)");
      return null;
    }
    Map<String, Object> args = Arguments.bind(name, sig, call, scope, constants, diagnostics,
        type.dtype() == DType.F32);
    if (args == null) {
      return null;
    }
    Initializer.Kind kind = Initializer.Kind.valueOf(name.toUpperCase());
    if (!ranges(kind, args, call, type)) {
      return null;
    }
    return new Initializer(kind, args, null);
  }

  private boolean ranges(Initializer.Kind kind, Map<String, Object> args, Expr.Call call, TensorType type) {
    switch (kind) {
      case UNIFORM -> {
        double low = (Double) args.get("low");
        double high = (Double) args.get("high");
        if (low > high) {
          diagnostics.error(call.span(), "uniform: low (" + args.get("low") + ") must not exceed high ("
              + args.get("high") + ")");
          return false;
        }
        if (Double.isInfinite(high - low)) {
          // values are drawn as low + (high - low) u: infinite for every u > 0, NaN for u = 0
          diagnostics.error(call.span(), "uniform: high - low (" + high + " - " + low + ") is beyond the range of "
              + "a double (the largest is about 1.8e308), so the values drawn as low + (high - low) * u would be "
              + "infinite; narrow the bounds");
          return false;
        }
      }
      case NORMAL -> {
        if ((Double) args.get("std") < 0) {
          diagnostics.error(call.span(), "normal: std must be non-negative, got " + args.get("std"));
          return false;
        }
        double std = (Double) args.get("std");
        return normalFits("normal", (Double) args.get("mean"), std, "std", "std " + std, call, type);
      }
      case KAIMING_UNIFORM, KAIMING_NORMAL, XAVIER_UNIFORM, XAVIER_NORMAL -> {
        if (type.shape().rank() < 2) {
          diagnostics.error(call.span(), "Fan in and fan out can not be computed for tensor with fewer than 2 "
              + "dimensions (" + type + ")");
          return false;
        }
        if (kind == Initializer.Kind.XAVIER_UNIFORM || kind == Initializer.Kind.XAVIER_NORMAL) {
          // kaiming's gain is at most sqrt(2), so only xavier's gain can carry the values out of range
          double gain = (Double) args.get("gain");
          double std = Init.xavierStd(concreteShape(type), gain);
          return kind == Initializer.Kind.XAVIER_NORMAL
              ? normalFits("xavier_normal", 0, std, "gain", "gain " + gain + " (std " + std + ")", call, type)
              : uniformFits("xavier_uniform", Math.sqrt(3.0) * std, "gain", "gain " + gain, call, type);
        }
        if (kind == Initializer.Kind.KAIMING_UNIFORM || kind == Initializer.Kind.KAIMING_NORMAL) {
          String mode = (String) args.get("mode");
          if (!mode.equals("fan_in") && !mode.equals("fan_out")) {
            diagnostics.error(call.span(), "Mode " + mode + " not supported, please use one of fan_in, fan_out");
            return false;
          }
          String nl = (String) args.get("nonlinearity");
          if (!NONLINEARITIES.contains(nl)) {
            diagnostics.error(call.span(), "Unsupported nonlinearity " + nl);
            return false;
          }
        }
      }
      default -> { }
    }
    return true;
  }

  /**
   * Whether {@code mean + std * z} fits the param's dtype for every draw the generator can make: its normal draws
   * reach {@link Rng#GAUSSIAN_MAX} (8.57) standard deviations, so the values lie within {@code mean ± 8.57 std}.
   * Otherwise an error at the argument that sets the spread ({@code std}, or xavier's {@code gain}, described by
   * {@code cause}): the param would hold infinity.
   */
  private boolean normalFits(String what, double mean, double std, String arg, String cause, Expr.Call call,
      TensorType type) {
    double largest = Math.max(Math.abs(mean + std * Rng.GAUSSIAN_MAX), Math.abs(mean - std * Rng.GAUSSIAN_MAX));
    if (fits(largest, type)) {
      return true;
    }
    // the magnitude in decimal, as a double may not hold it
    BigDecimal exact = new BigDecimal(std).multiply(new BigDecimal(Rng.GAUSSIAN_MAX))
        .add(new BigDecimal(Math.abs(mean)));
    diagnostics.error(argumentSpan(call, arg), String.format(Locale.ROOT, "%s: %s can draw values up to %.3g (the "
        + "generator's normal draws reach %.4f standard deviations from the mean), beyond %s: the param would hold "
        + "infinity", what, cause, exact, Rng.GAUSSIAN_MAX, rangeText(type)));
    return false;
  }

  /** Whether uniform values in ±bound fit the param's dtype; otherwise an error at {@code arg} ({@code cause}). */
  private boolean uniformFits(String what, double bound, String arg, String cause, Expr.Call call, TensorType type) {
    if (fits(bound, type)) {
      return true;
    }
    diagnostics.error(argumentSpan(call, arg), what + ": " + cause + " gives the bound " + bound + ", beyond "
        + rangeText(type) + ": the param would hold infinity");
    return false;
  }

  /** Whether a value of this magnitude stays finite in the param's dtype (an f32 value is rounded to float). */
  private static boolean fits(double magnitude, TensorType type) {
    return type.dtype() == DType.F32 ? Float.isFinite((float) magnitude) : Double.isFinite(magnitude);
  }

  private static String rangeText(TensorType type) {
    return type.dtype() == DType.F32 ? "f32's range (the largest is about 3.4e38)"
        : "f64's range (the largest is about 1.8e308)";
  }

  /** The argument named {@code name} of the initializer (given by name or position), or the whole call. */
  private static Span argumentSpan(Expr.Call call, String name) {
    List<String> names = new ArrayList<>();
    for (String entry : SIGNATURES.get(call.callee().name())) {
      names.add(entry.substring(0, entry.indexOf(':')));
    }
    int position = 0;
    for (Expr.Arg a : call.args()) {
      if (a.name() == null ? names.indexOf(name) == position++ : a.name().name().equals(name)) {
        return a.value().span();
      }
    }
    return call.span();
  }

  /** A param's shape as numbers (a param's sizes are numbers). */
  private static int[] concreteShape(TensorType type) {
    int[] shape = new int[type.shape().rank()];
    for (int d = 0; d < shape.length; d++) {
      shape[d] = (int) type.shape().dim(d).coefficient();
    }
    return shape;
  }

  private Initializer literal(Expr init, TensorType type, Scope scope) {
    Object v = constants.eval(init, scope);
    if (v == null) {
      return null;
    }
    List<Long> shape = new ArrayList<>();
    for (Dim d : type.shape().dims()) {
      shape.add(d.coefficient());
    }
    List<Double> out = new ArrayList<>();
    if (!flatten(v, shape, 0, out)) {
      diagnostics.error(init.span(), "the literal does not have the param's shape " + type.shape());
      return null;
    }
    double[] values = new double[out.size()];
    List<Expr> elements = new ArrayList<>();
    leaves(init, elements);
    boolean ok = true;
    for (int i = 0; i < values.length; i++) {
      values[i] = out.get(i);
      String bad = Arguments.badNumber(values[i], type.dtype() == DType.F32);
      if (bad != null) {
        // the element as written when the literal's leaves are its numbers, else the whole literal
        diagnostics.error(elements.size() == values.length ? elements.get(i).span() : init.span(),
            "init: element " + i + " of the literal " + bad);
        ok = false;
      }
    }
    if (!ok) {
      return null;
    }
    return new Initializer(Initializer.Kind.LITERAL, Map.of(), values);
  }

  /** The innermost expressions of a (nested) list literal, in order; the expression itself if it is no list. */
  private static void leaves(Expr e, List<Expr> out) {
    if (e instanceof Expr.ListLit l) {
      for (Expr item : l.items()) {
        leaves(item, out);
      }
    } else {
      out.add(e);
    }
  }

  private static boolean flatten(Object v, List<Long> shape, int depth, List<Double> out) {
    if (depth == shape.size()) {
      if (v instanceof Number n) {
        out.add(n.doubleValue());
        return true;
      }
      return false;
    }
    if (!(v instanceof List<?> items) || items.size() != shape.get(depth)) {
      return false;
    }
    for (Object item : items) {
      if (!flatten(item, shape, depth + 1, out)) {
        return false;
      }
    }
    return true;
  }
}
