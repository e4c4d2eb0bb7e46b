package dev.modelc.runtime.api;

import static dev.modelc.runtime.api.ModelArrays.length;
import static dev.modelc.runtime.api.ModelArrays.value;
import static dev.modelc.runtime.kernels.FiniteScan.firstNonFinite;

import java.util.List;

/**
 * The scans behind a {@link CompiledModel}'s anomaly detection: what a step or an update wrote, and the inputs and
 * parameters before a pass, are searched for the first NaN or infinity, which is reported as an
 * {@link AnomalyException} naming the {@code .mdl} position and op from the model's {@link AnomalyTable}. For a fused
 * chain the model's generated {@code diagnose} finds which node of the chain made the value.
 */
final class AnomalyChecks {
    private final CompiledModel model;
    private final AnomalyTable table;

    AnomalyChecks(CompiledModel model, AnomalyTable table) {
        this.model = model;
        this.table = table;
    }

    /** After step {@code k}: throws {@link AnomalyException} if what it wrote holds a NaN or an infinity. */
    void checkStep(int k) {
        AnomalyTable.Check c = table.checks[k];
        if (c == null) {
            return;
        }
        Object a = model.locations.array(c.target());
        int i = firstNonFinite(a, c.count().evaluate(model.sizes));
        if (i < 0) {
            return;
        }
        List<AnomalyTable.Op> ops = c.ops();
        if (c.chainCount() != null) {
            int n = c.chainCount().evaluate(model.sizes);
            for (int j = 0; j < n; j++) {
                int p = model.diagnose(k, j);
                if (p >= 0) {
                    throw table.step(c, ops.get(p), model.anomalyValue, j);
                }
            }
        } else if (c.kind() != AnomalyTable.Kind.KERNEL && c.kind() != AnomalyTable.Kind.ACCUMULATE) {
            int p = model.diagnose(k, i);
            if (p >= 0) {
                throw table.step(c, ops.get(p), model.anomalyValue, i);
            }
        }
        throw table.step(c, c.whole(), value(a, i), i);
    }

    /**
     * Inside an epilogue step {@code k}, between the kernel and its in-place chain: checks the kernel's output and
     * keeps a copy of it in the model's {@code anomalyScratch}, so that {@code diagnose} can evaluate the chain.
     */
    void checkKernel(int k) {
        AnomalyTable.Check c = table.checks[k];
        Object a = model.locations.array(c.target());
        int n = c.count().evaluate(model.sizes);
        int i = firstNonFinite(a, n);
        if (i >= 0) {
            throw table.step(c, c.whole(), value(a, i), i);
        }
        Object scratch = model.anomalyScratch;
        if (scratch == null || scratch.getClass() != a.getClass() || length(scratch) < n) {
            model.anomalyScratch = a instanceof float[] ? new float[n] : new double[n];
        }
        System.arraycopy(a, 0, model.anomalyScratch, 0, n);
    }

    /** After the optimizer's update of parameter {@code p}: the parameter must hold finite values only. */
    void checkUpdate(int p) {
        Object param = model.params[p];
        int i = firstNonFinite(param, length(param));
        if (i >= 0) {
            throw table.update(model.spec.params().get(p).name(), model.spec.optimizer(), value(param, i), i);
        }
    }

    /** Before a pass: the inputs it reads and every parameter (which may have been set or loaded). */
    static void checkInputs(ModelSpec spec, InputBinding binding, Object[] inputs, Object[] params,
                            boolean predictOnly) {
        for (int i = 0; i < inputs.length; i++) {
            if (predictOnly && !spec.predictInputs().get(i) || inputs[i] instanceof int[]) {
                continue;
            }
            int at = firstNonFinite(inputs[i], length(inputs[i]));
            if (at >= 0) {
                throw AnomalyTable.input(spec.inputs().get(i).name(), binding.shape(i), value(inputs[i], at), at);
            }
        }
        for (int p = 0; p < params.length; p++) {
            int at = firstNonFinite(params[p], length(params[p]));
            if (at >= 0) {
                throw AnomalyTable.parameter(spec.params().get(p).name(), value(params[p], at), at);
            }
        }
    }
}
