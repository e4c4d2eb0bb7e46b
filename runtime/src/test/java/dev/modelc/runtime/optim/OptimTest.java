package dev.modelc.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.modelc.runtime.random.Rng;
import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Optimizer steps against values worked out by hand from PyTorch's formulas (a parameter at 1 with a constant
 * gradient 0.5), against a second transcription of those formulas on changing gradients, and the seeds' linear
 * regression.
 */
class OptimTest {

    static Tensor param(double value, DType dtype) {
        return Tensor.full(value, dtype, 1).requiresGrad(true);
    }

    /** Runs {@code steps} steps with the gradient fixed at 0.5 and returns the parameter. */
    static double run(Tensor p, Optimizer opt, int steps) {
        for (int i = 0; i < steps; i++) {
            opt.zeroGrad();
            p.setGrad(Tensor.full(0.5, p.dtype(), 1));
            opt.step();
        }
        return p.item();
    }

    @Test
    void sgdHandComputed() {
        for (DType dt : DType.values()) {
            Tensor p = param(1, dt);
            assertEquals(0.85, run(p, new SGD(List.of(p), 0.1), 3), 1e-6, "plain");
            p = param(1, dt);
            assertEquals(0.7195, run(p, new SGD(List.of(p), 0.1, 0.9, 0, false, 0), 3), 1e-6, "momentum");
            p = param(1, dt);
            assertEquals(0.7695, run(p, new SGD(List.of(p), 0.1, 0.9, 0, true, 0), 2), 1e-6, "nesterov");
            p = param(1, dt);
            assertEquals(0.8806, run(p, new SGD(List.of(p), 0.1, 0, 0, false, 0.1), 2), 1e-6, "weight decay");
            p = param(1, dt);
            assertEquals(0.792, run(p, new SGD(List.of(p), 0.1, 0.9, 0.5, false, 0), 3), 1e-6, "dampening");
        }
    }

    @Test
    void adamAndAdamWHandComputed() {
        for (DType dt : DType.values()) {
            Tensor p = param(1, dt);
            // m_hat = g and v_hat = g^2 for a constant gradient: each step moves lr * g / (|g| + eps).
            assertEquals(0.7, run(p, new Adam(List.of(p), 0.1), 3), 1e-6, "adam");
            p = param(1, dt);
            // p *= 1 - lr * wd, then the same step of 0.1.
            assertEquals(0.673289, run(p, Adam.adamW(List.of(p), 0.1, 0.9, 0.999, 1e-8, 0.1), 3), 1e-6, "adamw");
        }
    }

    /** Gradient of the toy objective sum(p^4 / 4 - p) at p. */
    static double grad(double p) {
        return p * p * p - 1;
    }

    @Test
    void optimizersMatchPyTorchsFormulasOnChangingGradients() {
        double[] start = {0.3, -1.2, 2.0};
        for (DType dt : DType.values()) {
            for (int variant = 0; variant < 6; variant++) {
                Tensor p = Tensor.of(start, 3).to(dt).requiresGrad(true);
                Optimizer opt = switch (variant) {
                    case 0 -> new SGD(List.of(p), 0.05, 0.9, 0.1, false, 0.01);
                    case 1 -> new SGD(List.of(p), 0.05, 0.8, 0, true, 0.02);
                    case 2 -> new Adam(List.of(p), 0.01, 0.8, 0.99, 1e-6, 0, false);
                    case 3 -> new Adam(List.of(p), 0.01, 0.9, 0.999, 1e-8, 0.05, false);
                    case 4 -> Adam.adamW(List.of(p), 0.01, 0.9, 0.999, 1e-8, 0.05);
                    default -> new SGD(List.of(p), 0.05);
                };
                double[] expected = start.clone();
                double[][] state = new double[2][3];
                for (int step = 1; step <= 5; step++) {
                    double[] g = new double[3];
                    for (int i = 0; i < 3; i++) {
                        g[i] = grad(p.getFlat(i));
                    }
                    opt.zeroGrad();
                    p.setGrad(Tensor.of(g, 3).to(dt));
                    opt.step();
                    for (int i = 0; i < 3; i++) {
                        expected[i] = reference(variant, expected[i], grad(expected[i]), state, i, step);
                        assertEquals(expected[i], p.getFlat(i), 1e-6, dt + " variant " + variant + " step " + step);
                    }
                }
            }
        }
    }

    /** PyTorch's update for one element, written out for each variant of the test above. */
    static double reference(int variant, double p, double g, double[][] s, int i, int step) {
        switch (variant) {
            case 0: case 1: case 5: {
                double lr = 0.05;
                double momentum = variant == 0 ? 0.9 : variant == 1 ? 0.8 : 0;
                double dampening = variant == 0 ? 0.1 : 0;
                double wd = variant == 0 ? 0.01 : variant == 1 ? 0.02 : 0;
                double d = g + wd * p;
                if (momentum != 0) {
                    s[0][i] = step == 1 ? d : momentum * s[0][i] + (1 - dampening) * d;
                    d = variant == 1 ? d + momentum * s[0][i] : s[0][i];
                }
                return p - lr * d;
            }
            default: {
                double lr = 0.01;
                double b1 = variant == 2 ? 0.8 : 0.9;
                double b2 = variant == 2 ? 0.99 : 0.999;
                double eps = variant == 2 ? 1e-6 : 1e-8;
                double wd = variant == 2 ? 0 : 0.05;
                if (variant == 4) {
                    p = p * (1 - lr * wd);
                } else {
                    g = g + wd * p;
                }
                s[0][i] = b1 * s[0][i] + (1 - b1) * g;
                s[1][i] = b2 * s[1][i] + (1 - b2) * g * g;
                double mHat = s[0][i] / (1 - Math.pow(b1, step));
                double vHat = s[1][i] / (1 - Math.pow(b2, step));
                return p - lr * mHat / (Math.sqrt(vHat) + eps);
            }
        }
    }

    @Test
    void parametersWithoutGradientAreSkippedAndZeroGradClears() {
        Tensor a = param(1, DType.F32);
        Tensor b = param(2, DType.F32);
        SGD sgd = new SGD(List.of(a, b), 0.1);
        a.setGrad(Tensor.full(1, DType.F32, 1));
        sgd.step();
        assertEquals(0.9, a.item(), 1e-7);
        assertEquals(2, b.item());
        sgd.zeroGrad(false);
        assertEquals(0, a.grad().item());
        assertNull(b.grad(), "a null gradient stays null");
        sgd.zeroGrad();
        assertNull(a.grad());
    }

    /**
     * torch 1.13 for w = [0.5, -1], x = [[1, 2], [3, 4]] and the loss mean((x @ w)^2): step() before any backward,
     * twice zero_grad, backward, step, then zero_grad and step. The first step skips w (its .grad is None): no
     * momentum buffer, no Adam step, no weight decay. The last counts with zero_grad(set_to_none=False), 1.13's
     * default, whose zeros are a gradient, and skips w with set_to_none=True. Each row: w after it, zeros then None.
     */
    @Test
    void stepWithoutAGradientSkipsAsPyTorch() {
        Object[][] rows = {
            {"sgd", 1.20581162, 0.0920933858, 1.29790032, 0.19109945},
            {"nesterov", 1.04526746, -0.19543542, 0.936311126, -0.358237594},
            {"adam", 0.773786604, -0.726013541, 0.698040843, -0.801886916},
            {"adamw", 0.77201283, -0.723372102, 0.696931481, -0.800002515},
        };
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        for (Object[] row : rows) {
            for (boolean setToNone : new boolean[] {false, true}) {
                Tensor w = Tensor.of(new float[] {0.5f, -1f}, 2, 1).requiresGrad(true);
                Optimizer opt = optimizer((String) row[0], List.of(w));
                opt.step();
                assertEquals(0.5, w.getFlat(0));
                assertEquals(-1, w.getFlat(1));
                for (int i = 0; i < 2; i++) {
                    opt.zeroGrad(false);
                    x.matmul(w).pow(2).mean().backward();
                    opt.step();
                }
                opt.zeroGrad(setToNone);
                opt.step();
                int at = setToNone ? 3 : 1;
                String what = row[0] + (setToNone ? ", set_to_none" : ", zeros");
                assertEquals((double) row[at], w.getFlat(0), 2e-6, what);
                assertEquals((double) row[at + 1], w.getFlat(1), 2e-6, what);
            }
        }
    }

    /**
     * A parameter without a gradient for two steps has its own state from its first: b's first Adam step has the
     * bias corrections of step 1 while a's has those of step 3. torch 1.13: a gets the gradient of sum(a^2) three
     * times, b that of sum(b^3) the third time only.
     */
    @Test
    void eachParameterCountsItsOwnSteps() {
        Object[][] rows = {
            {"adam", 0.701586246, -1.70062339, 2.9000001},
            {"adamw", 0.69891125, -1.69494462, 2.89700007},
            {"sgd", 0.248672053, -0.497344106, 0.296999902},
        };
        for (Object[] row : rows) {
            Tensor a = Tensor.of(new float[] {1, -2}, 2).requiresGrad(true);
            Tensor b = Tensor.of(new float[] {3}, 1).requiresGrad(true);
            Optimizer opt = optimizer((String) row[0], List.of(a, b));
            for (int i = 0; i < 2; i++) {
                opt.zeroGrad();
                a.mul(a).sum().backward();
                opt.step();
                assertNull(b.grad());
                assertEquals(3, b.getFlat(0), row[0] + ": b without a gradient");
            }
            opt.zeroGrad();
            a.mul(a).sum().add(b.mul(b).mul(b).sum()).backward();
            opt.step();
            assertEquals((double) row[1], a.getFlat(0), 2e-6, (String) row[0]);
            assertEquals((double) row[2], a.getFlat(1), 2e-6, (String) row[0]);
            assertEquals((double) row[3], b.getFlat(0), 2e-6, (String) row[0]);
        }
    }

    /** The optimizers of the two tests above, with torch's arguments (weight decay 0.01 throughout). */
    static Optimizer optimizer(String name, List<Tensor> params) {
        return switch (name) {
            case "sgd" -> new SGD(params, 0.1, 0.9, 0.5, false, 0.01);
            case "nesterov" -> new SGD(params, 0.02, 0.9, 0, true, 0.01);
            case "adam" -> new Adam(params, 0.1, 0.9, 0.999, 1e-8, 0.01, false);
            default -> Adam.adamW(params, 0.1, 0.9, 0.999, 1e-8, 0.01);
        };
    }

    @Test
    void hyperparameterErrorsReadAsPyTorchs() {
        Tensor p = param(1, DType.F32);
        assertMessage("Invalid learning rate: -0.1", () -> new SGD(List.of(p), -0.1));
        assertMessage("Invalid momentum value: -0.5", () -> new SGD(List.of(p), 0.1, -0.5, 0, false, 0));
        assertMessage("Nesterov momentum requires a momentum and zero dampening",
                () -> new SGD(List.of(p), 0.1, 0.9, 0.1, true, 0));
        assertMessage("Invalid beta parameter at index 0: 1.0",
                () -> new Adam(List.of(p), 0.1, 1.0, 0.999, 1e-8, 0, false));
        assertMessage("Invalid beta parameter at index 1: -0.1",
                () -> new Adam(List.of(p), 0.1, 0.9, -0.1, 1e-8, 0, false));
        assertMessage("Invalid epsilon value: -1e-08", () -> new Adam(List.of(p), 0.1, 0.9, 0.999, -1e-8, 0, false));
        assertMessage("Invalid weight_decay value: -0.01", () -> Adam.adamW(List.of(p), 0.1, 0.9, 0.999, 1e-8, -0.01));
        assertEquals("0.0001", Optimizer.pyFloat(1e-4));
        assertEquals("1e-05", Optimizer.pyFloat(1e-5));
        assertEquals("1e+16", Optimizer.pyFloat(1e16));
        assertEquals("1234.5", Optimizer.pyFloat(1234.5));
        assertEquals("2.5e-07", Optimizer.pyFloat(2.5e-7));
    }

    static void assertMessage(String expected, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertEquals(expected, e.getMessage());
    }

    @Test
    void theSeedsLinearRegressionLearnsThreeXPlusOne() {
        Rng rng = new Rng(0);
        Tensor x = Tensor.randn(rng, DType.F32, 100, 1);
        Tensor y = x.mul(3).add(1);
        Tensor w = Tensor.rand(rng, DType.F32, 1, 1).requiresGrad(true);
        Tensor b = Tensor.rand(rng, DType.F32, 1).requiresGrad(true);
        SGD opt = new SGD(List.of(w, b), 0.01);
        double loss = Double.NaN;
        for (int step = 0; step < 3000; step++) {
            opt.zeroGrad();
            Tensor l = x.matmul(w).add(b).sub(y).pow(2).mean();
            l.backward();
            opt.step();
            loss = l.item();
        }
        assertEquals(3, w.item(), 0.05);
        assertEquals(1, b.item(), 0.05);
        assertEquals(0, loss, 1e-3);
    }
}
