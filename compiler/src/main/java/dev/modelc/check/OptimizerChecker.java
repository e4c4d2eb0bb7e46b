package dev.modelc.check;

import dev.modelc.ast.Expr;
import dev.modelc.diag.Diagnostics;
import java.util.List;
import java.util.Map;

/** Checks {@code with sgd(...) | adam(...) | adamw(...)}: arguments, defaults and PyTorch's range checks and messages. */
final class OptimizerChecker {
  private static final String[] SGD = {"lr:float", "momentum:float=0", "dampening:float=0", "nesterov:bool=false",
      "weight_decay:float=0"};
  private static final String[] ADAM = {"lr:float=0.001", "betas:pair=0.9/0.999", "eps:float=1e-8",
      "weight_decay:float=0"};
  private static final String[] ADAMW = {"lr:float=0.001", "betas:pair=0.9/0.999", "eps:float=1e-8",
      "weight_decay:float=0.01"};

  private final Diagnostics diagnostics;
  private final ConstEval constants;

  OptimizerChecker(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
    this.constants = new ConstEval(diagnostics);
  }

  OptimizerSpec check(Expr.Call call) {
    String name = call.callee().name();
    String[] sig = switch (name) {
      case "sgd" -> SGD;
      case "adam" -> ADAM;
      case "adamw" -> ADAMW;
      default -> null;
    };
    if (sig == null) {
      diagnostics.error(call.callee().span(), "unknown optimizer '" + name + "' (known: sgd, adam, adamw)");
      return null;
    }
    Map<String, Object> a = Arguments.bind(name, sig, call, null, constants, diagnostics);
    if (a == null) {
      return null;
    }
    double lr = (Double) a.get("lr");
    double wd = (Double) a.get("weight_decay");
    if (lr < 0) {
      return error(call, "Invalid learning rate: " + py(lr));
    }
    if (wd < 0) {
      return error(call, "Invalid weight_decay value: " + py(wd));
    }
    if (name.equals("sgd")) {
      double momentum = (Double) a.get("momentum");
      double dampening = (Double) a.get("dampening");
      boolean nesterov = (Boolean) a.get("nesterov");
      if (momentum < 0) {
        return error(call, "Invalid momentum value: " + py(momentum));
      }
      if (nesterov && (momentum <= 0 || dampening != 0)) {
        return error(call, "Nesterov momentum requires a momentum and zero dampening");
      }
      return new OptimizerSpec(OptimizerSpec.Kind.SGD, lr, momentum, dampening, nesterov, wd, 0, 0, 0);
    }
    @SuppressWarnings("unchecked")
    List<Double> betas = (List<Double>) a.get("betas");
    double eps = (Double) a.get("eps");
    if (eps < 0) {
      return error(call, "Invalid epsilon value: " + py(eps));
    }
    for (int i = 0; i < 2; i++) {
      if (betas.get(i) < 0 || betas.get(i) >= 1) {
        return error(call, "Invalid beta parameter at index " + i + ": " + py(betas.get(i)));
      }
    }
    OptimizerSpec.Kind kind = name.equals("adam") ? OptimizerSpec.Kind.ADAM : OptimizerSpec.Kind.ADAMW;
    return new OptimizerSpec(kind, lr, 0, 0, false, wd, betas.get(0), betas.get(1), eps);
  }

  private OptimizerSpec error(Expr.Call call, String message) {
    diagnostics.error(call.span(), message);
    return null;
  }

  /** A number the way Python prints it ({@code 1.0}, {@code -0.1}, {@code 1e-08}). */
  static String py(double v) {
    String s = Double.toString(v);
    int e = s.indexOf('E');
    if (e < 0) {
      return s;
    }
    String mantissa = s.substring(0, e).replaceAll("\\.0$", "");
    int exp = Integer.parseInt(s.substring(e + 1));
    return mantissa + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
  }
}
