package dev.modelc.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** PyTorch's create_graph and torch.autograd.grad, one behaviour per test. */
class HigherOrderTest {

    @Test
    void gradOfGradOfXCubedAtTwoIsTwelve() {
        Tensor x = Tensor.of(2.0).requiresGrad(true);
        Tensor y = x.pow(3).sum();
        Tensor dy = Autograd.grad(y, x, true)[0];           // 3 x^2
        assertEquals(12, dy.item(), 0);
        assertTrue(dy.requiresGrad());
        assertNotNull(dy.gradFn());
        Tensor d2y = Autograd.grad(dy.sum(), x, true)[0];   // 6 x
        assertEquals(12, d2y.item(), 1e-12);
        Tensor d3y = Autograd.grad(d2y.sum(), x)[0];        // 6
        assertEquals(6, d3y.item(), 1e-12);
        assertNull(x.grad(), "autograd.grad accumulates into no grad");
    }

    @Test
    void withoutCreateGraphTheGradientHasNoGraphAndTheGraphIsFreed() {
        Tensor x = Tensor.of(2.0).requiresGrad(true);
        Tensor y = x.pow(3).sum();
        Tensor dy = Autograd.grad(y, x)[0];
        assertEquals(12, dy.item(), 0);
        assertFalse(dy.requiresGrad());
        AutogradException e = assertThrows(AutogradException.class, () -> Autograd.grad(y, x));
        assertTrue(e.getMessage().startsWith("Trying to backward through the graph a second time"), e.getMessage());
    }

    @Test
    void autogradGradWithCreateGraphThenBackwardThroughAPenalty() {
        // loss = x^3 + (d x^3 / dx)^2 = x^3 + 9 x^4; d loss / dx = 3 x^2 + 36 x^3 = 12 + 288 at x = 2
        Tensor x = Tensor.of(2.0).requiresGrad(true);
        Tensor y = x.pow(3).sum();
        Tensor dy = Autograd.grad(new Tensor[] {y}, new Tensor[] {x}, null, true, true)[0];
        y.add(dy.pow(2).sum()).backward();
        assertEquals(300, x.grad().item(), 1e-9);
    }

    @Test
    void backwardWithCreateGraphLeavesADifferentiableGrad() {
        Tensor x = Tensor.of(2.0).requiresGrad(true);
        x.pow(3).sum().backward(null, true, true);
        Tensor g = x.grad();
        assertEquals(12, g.item(), 0);
        assertTrue(g.requiresGrad(), "x.grad has a graph: 3 x^2");
        g.backward();                                       // as PyTorch: d(3x^2)/dx = 12 accumulates into x.grad
        assertEquals(24, x.grad().item(), 1e-12);
        assertFalse(x.grad().requiresGrad());
        x.zeroGrad();
        assertEquals(0, x.grad().item(), 0);
        assertEquals(12, g.item(), 0, "zeroing did not write into the graph's tensor");
    }

    @Test
    void anInputTheOutputsDoNotUseIsAnErrorUnlessAllowed() {
        Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
        Tensor unused = Tensor.of(3.0).requiresGrad(true);
        Tensor y = x.mul(x).sum();
        AutogradException e = assertThrows(AutogradException.class,
                () -> Autograd.grad(new Tensor[] {y}, new Tensor[] {x, unused}, null, true, false));
        assertEquals("One of the differentiated Tensors appears to not have been used in the graph. Set"
                + " allow_unused=True if this is the desired behavior.", e.getMessage());
        Tensor[] g = Autograd.grad(new Tensor[] {y}, new Tensor[] {x, unused}, null, false, false, true);
        assertArrayEquals(new double[] {2, 4}, g[0].toDoubleArray(), 0);
        assertNull(g[1]);

        Tensor plain = Tensor.of(1.0);
        Tensor z = x.sum();
        e = assertThrows(AutogradException.class, () -> Autograd.grad(z, plain));
        assertEquals("One of the differentiated Tensors does not require grad", e.getMessage());
    }

    @Test
    void gradientsWithRespectToIntermediatesAndSeveralOutputs() {
        Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
        Tensor h = x.mul(x);
        Tensor a = h.mul(3.0).sum();
        Tensor b = h.sum();
        Tensor[] g = Autograd.grad(new Tensor[] {a, b}, new Tensor[] {h, x}, null, false, false);
        assertArrayEquals(new double[] {4, 4}, g[0].toDoubleArray(), 0);      // 3 + 1
        assertArrayEquals(new double[] {8, 16}, g[1].toDoubleArray(), 0);     // 4 * 2x
    }

    @Test
    void aHessianVectorProductOfAMatrixFunction() {
        // f(w) = sum(tanh(x @ w)); H u by double backward against the closed form
        // d^2 f / dw_ij dw_kj = x_ni x_nk * (-2 t (1 - t^2)) summed over rows n, t = tanh(x @ w)[n, j].
        Tensor x = Tensor.of(new double[] {0.5, -1, 2, 0.3, 0.2, -0.7}, 2, 3);
        Tensor w = Tensor.of(new double[] {0.1, -0.4, 0.3, 0.2, -0.5, 0.6}, 3, 2).requiresGrad(true);
        Tensor u = Tensor.of(new double[] {1, 0.5, -1, 2, 0.25, -0.5}, 3, 2);
        Tensor g = Autograd.grad(x.matmul(w).tanh().sum(), w, true)[0];
        double[] hu = Autograd.grad(g.mul(u).sum(), w)[0].toDoubleArray();
        double[] xv = x.toDoubleArray();
        double[] t = x.matmul(w).tanh().toDoubleArray();
        double[] uv = u.toDoubleArray();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 2; j++) {
                double want = 0;
                for (int n = 0; n < 2; n++) {
                    double tn = t[n * 2 + j];
                    double curvature = -2 * tn * (1 - tn * tn);
                    for (int k = 0; k < 3; k++) {
                        want += xv[n * 3 + i] * xv[n * 3 + k] * curvature * uv[k * 2 + j];
                    }
                }
                assertEquals(want, hu[i * 2 + j], 1e-12, "H u [" + i + ", " + j + "]");
            }
        }
    }

    @Test
    void maxPoolBackwardDifferentiatesToAGatherAtTheArgmax() {
        Tensor x = Tensor.of(new double[] {1, 5, 2, 0, 3, 4, 8, 6, 7, 1, 0, 2, 9, 3, 4, 5}, 1, 1, 4, 4)
                .requiresGrad(true);
        Tensor y = Functional.maxPool2d(x, 2, 2, 0);
        Tensor v = Tensor.of(new double[] {1, 2, 3, 4}, 1, 1, 2, 2).requiresGrad(true);
        Tensor gx = Autograd.grad(new Tensor[] {y}, new Tensor[] {x}, new Tensor[] {v}, true, true)[0];
        assertEquals("MaxPool2DWithIndicesBackwardBackward0", gx.gradFn().name());
        Tensor probe = Tensor.arange(16, DType.F64).reshape(1, 1, 4, 4);
        Tensor[] second = Autograd.grad(new Tensor[] {gx.mul(probe).sum()}, new Tensor[] {v, x}, null, false, false,
                true);
        // the windows' maxima 5, 8, 9, 5 sit at flat positions 1, 6, 12, 15: the probe read there
        assertArrayEquals(new double[] {1, 6, 12, 15}, second[0].toDoubleArray(), 0);
        assertNull(second[1], "with respect to the input, max-pool's backward has no gradient");
    }

    @Test
    void theDocumentedExamples() {
        Tensor w = Tensor.of(1.0, -2.0).requiresGrad(true);
        Tensor in = Tensor.of(0.5, 3.0).requiresGrad(true);
        Tensor f = in.mul(w).tanh().sum();
        Tensor gx = Autograd.grad(new Tensor[] {f}, new Tensor[] {in}, null, true, true)[0];
        f.add(gx.pow(2).sum()).backward();
        double[] wv = {1, -2};
        double[] iv = {0.5, 3};
        for (int i = 0; i < 2; i++) {
            // d/dw [tanh(i w) + (w (1 - tanh(i w)^2))^2]
            double t = Math.tanh(iv[i] * wv[i]);
            double s = 1 - t * t;
            double want = iv[i] * s + 2 * wv[i] * s * (s + wv[i] * -2 * t * s * iv[i]);
            assertEquals(want, w.grad().get(i), 1e-12, "w.grad " + i);
        }
        Tensor g = Autograd.grad(w.pow(3).sum(), w, true)[0];
        Tensor hv = Autograd.grad(g.mul(Tensor.of(1.0, 0.0)).sum(), w)[0];
        assertArrayEquals(new double[] {6, 0}, hv.toDoubleArray(), 1e-12);
    }

    @Test
    void onlyTheRulesOnAPathToARequestedTensorRunAndAreFreed() {
        Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
        Tensor w = Tensor.of(3.0).requiresGrad(true);
        Tensor branch = w.exp();
        Tensor y = x.mul(x).sum().add(branch.sum());
        assertArrayEquals(new double[] {2, 4}, Autograd.grad(y, x)[0].toDoubleArray(), 0);
        assertFalse(branch.gradFn().isFreed(), "the branch to w did not run, so it keeps its saved values");
        assertTrue(y.gradFn().isFreed());
    }
}
