package dev.modelc.runtime.optim;

import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.Tensor;
import java.util.List;

/**
 * Adam with bias correction ({@link Updates#adam}); {@link #adamW} builds the decoupled-weight-decay variant. Each
 * parameter counts its own steps, as PyTorch's per-parameter {@code state['step']}.
 */
public final class Adam extends Optimizer {

    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupled;
    private final Object[] m;
    private final Object[] v;
    private final int[] steps;

    /** Adam with PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam(List<? extends Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0, false);
    }

    /** AdamW with PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
    public static Adam adamW(List<? extends Tensor> params, double lr) {
        return new Adam(params, lr, 0.9, 0.999, 1e-8, 0.01, true);
    }

    public static Adam adamW(List<? extends Tensor> params, double lr, double beta1, double beta2, double eps,
            double weightDecay) {
        return new Adam(params, lr, beta1, beta2, eps, weightDecay, true);
    }

    public Adam(List<? extends Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
            boolean decoupled) {
        super(params);
        check(lr >= 0, "Invalid learning rate: " + pyFloat(lr));
        check(eps >= 0, "Invalid epsilon value: " + pyFloat(eps));
        check(beta1 >= 0 && beta1 < 1, "Invalid beta parameter at index 0: " + pyFloat(beta1));
        check(beta2 >= 0 && beta2 < 1, "Invalid beta parameter at index 1: " + pyFloat(beta2));
        check(weightDecay >= 0, "Invalid weight_decay value: " + pyFloat(weightDecay));
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
        int n = this.params.size();
        this.m = new Object[n];
        this.v = new Object[n];
        this.steps = new int[n];
    }

    @Override
    public void step() {
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            Tensor g = p.grad();
            if (g == null) {
                continue;
            }
            int step = ++steps[i];
            if (p.dtype() == DType.F32) {
                if (m[i] == null) {
                    m[i] = new float[p.numel()];
                    v[i] = new float[p.numel()];
                }
                Updates.adam(p.floatData(), g.floatData(), (float[]) m[i], (float[]) v[i], p.numel(), step, lr, beta1,
                        beta2, eps, weightDecay, decoupled);
            } else {
                if (m[i] == null) {
                    m[i] = new double[p.numel()];
                    v[i] = new double[p.numel()];
                }
                Updates.adam(p.doubleData(), g.doubleData(), (double[]) m[i], (double[]) v[i], p.numel(), step, lr,
                        beta1, beta2, eps, weightDecay, decoupled);
            }
        }
    }
}
