package dev.modelc.codegen;

/**
 * The optimizer a generated {@code step()} applies, with PyTorch's hyperparameters and defaults. Until the front end
 * hands over its own optimizer record, callers build one of these.
 */
public record OptimizerSettings(Kind kind, double lr, double momentum, double dampening, boolean nesterov,
                                double weightDecay, double beta1, double beta2, double eps) {
  public enum Kind {
    SGD, ADAM, ADAMW
  }

  public OptimizerSettings {
    if (nesterov && (momentum <= 0 || dampening != 0)) {
      throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
    }
  }

  public static OptimizerSettings sgd(double lr) {
    return sgd(lr, 0, 0, false, 0);
  }

  public static OptimizerSettings sgd(double lr, double momentum, double dampening, boolean nesterov,
                                      double weightDecay) {
    return new OptimizerSettings(Kind.SGD, lr, momentum, dampening, nesterov, weightDecay, 0, 0, 0);
  }

  /** torch.optim.Adam; its defaults are lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0. */
  public static OptimizerSettings adam(double lr, double beta1, double beta2, double eps, double weightDecay) {
    return new OptimizerSettings(Kind.ADAM, lr, 0, 0, false, weightDecay, beta1, beta2, eps);
  }

  /** torch.optim.AdamW; its default weight decay is 1e-2. */
  public static OptimizerSettings adamW(double lr, double beta1, double beta2, double eps, double weightDecay) {
    return new OptimizerSettings(Kind.ADAMW, lr, 0, 0, false, weightDecay, beta1, beta2, eps);
  }

  /** Optimizer state arrays per parameter: the momentum buffer, or Adam's two moments. */
  public int statePerParam() {
    return switch (kind) {
      case SGD -> momentum != 0 ? 1 : 0;
      case ADAM, ADAMW -> 2;
    };
  }
}
