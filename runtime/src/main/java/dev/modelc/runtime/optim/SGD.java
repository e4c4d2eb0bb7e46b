package dev.modelc.runtime.optim;

import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.Tensor;
import java.util.List;

/** Stochastic gradient descent with PyTorch's momentum, dampening, nesterov and weight decay ({@link Updates#sgd}). */
public final class SGD extends Optimizer {

    private final double lr;
    private final double momentum;
    private final double dampening;
    private final boolean nesterov;
    private final double weightDecay;
    private final Object[] buffers;

    public SGD(List<? extends Tensor> params, double lr) {
        this(params, lr, 0, 0, false, 0);
    }

    public SGD(List<? extends Tensor> params, double lr, double momentum, double dampening, boolean nesterov,
            double weightDecay) {
        super(params);
        check(lr >= 0, "Invalid learning rate: " + pyFloat(lr));
        check(momentum >= 0, "Invalid momentum value: " + pyFloat(momentum));
        check(weightDecay >= 0, "Invalid weight_decay value: " + pyFloat(weightDecay));
        check(!nesterov || (momentum > 0 && dampening == 0), "Nesterov momentum requires a momentum and zero dampening");
        this.lr = lr;
        this.momentum = momentum;
        this.dampening = dampening;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
        this.buffers = new Object[this.params.size()];
    }

    @Override
    public void step() {
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            Tensor g = p.grad();
            if (g == null) {
                continue;
            }
            boolean first = buffers[i] == null;
            if (p.dtype() == DType.F32) {
                float[] buf = momentum == 0 ? null : first ? new float[p.numel()] : (float[]) buffers[i];
                Updates.sgd(p.floatData(), g.floatData(), buf, p.numel(), first, lr, momentum, dampening, nesterov, weightDecay);
                buffers[i] = buf;
            } else {
                double[] buf = momentum == 0 ? null : first ? new double[p.numel()] : (double[]) buffers[i];
                Updates.sgd(p.doubleData(), g.doubleData(), buf, p.numel(), first, lr, momentum, dampening, nesterov, weightDecay);
                buffers[i] = buf;
            }
        }
    }
}
