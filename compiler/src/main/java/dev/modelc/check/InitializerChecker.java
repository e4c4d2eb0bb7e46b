package dev.modelc.check;

import dev.modelc.ast.Expr;
import dev.modelc.diag.Diagnostics;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import dev.modelc.types.TensorType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
        if ((Double) args.get("low") > (Double) args.get("high")) {
          diagnostics.error(call.span(), "uniform: low (" + args.get("low") + ") must not exceed high ("
              + args.get("high") + ")");
          return false;
        }
      }
      case NORMAL -> {
        if ((Double) args.get("std") < 0) {
          diagnostics.error(call.span(), "normal: std must be non-negative, got " + args.get("std"));
          return false;
        }
      }
      case KAIMING_UNIFORM, KAIMING_NORMAL, XAVIER_UNIFORM, XAVIER_NORMAL -> {
        if (type.shape().rank() < 2) {
          diagnostics.error(call.span(), "Fan in and fan out can not be computed for tensor with fewer than 2 "
              + "dimensions (" + type + ")");
          return false;
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
