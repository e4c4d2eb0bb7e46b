package dev.modelc.check;

/** A resolved optimizer with every hyper-parameter, PyTorch's defaults filled in. */
public record OptimizerSpec(Kind kind, double lr, double momentum, double dampening, boolean nesterov,
    double weightDecay, double beta1, double beta2, double eps) {
  public enum Kind { SGD, ADAM, ADAMW }

  private static String py(double v) {
    return OptimizerChecker.py(v);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case SGD -> "sgd(lr=" + py(lr) + ", momentum=" + py(momentum) + ", dampening=" + py(dampening)
          + ", nesterov=" + nesterov + ", weight_decay=" + py(weightDecay) + ")";
      case ADAM, ADAMW -> kind.name().toLowerCase() + "(lr=" + py(lr) + ", betas=[" + py(beta1) + ", " + py(beta2)
          + "], eps=" + py(eps) + ", weight_decay=" + py(weightDecay) + ")";
    };
  }
}
