package dev.modelc.runtime.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.runtime.autograd.GradientTableTest.Row;
import dev.modelc.runtime.random.Rng;
import dev.modelc.runtime.tensor.Autograd;
import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.NoGrad;
import dev.modelc.runtime.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Second derivatives of every row of {@link GradientTableTest} (every differentiable operation and loss), in f64:
 * with a random cotangent {@code v} and a random direction {@code u}, the Hessian-vector product
 * {@code H u = d/dx <u, d<v, f(x)>/dx>} computed by differentiating the gradient (create_graph) is compared with
 * central differences of the first-order gradient along u, {@code (G(x + eps u) - G(x - eps u)) / (2 eps)}, every
 * element of every input, within {@code atol + rtol |numeric|}. Rows at kinks (relu, abs, max, maxpool, maximum)
 * have a piecewise-constant gradient: their second derivative is zero almost everywhere, as PyTorch defines it.
 */
class SecondDerivativeTableTest {

    static final double EPS = 1e-6;
    static final double ATOL = 1e-5;
    static final double RTOL = 1e-3;

    @TestFactory
    Stream<DynamicTest> hessianVectorProductsMatchFiniteDifferencesOfTheGradient() {
        return GradientTableTest.rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            Tensor[] x = GradientTableTest.inputs(row, 42);
            Tensor y = row.f().apply(x);
            Tensor v = Tensor.randn(new Rng(5), DType.F64, y.shape());
            Rng rng = new Rng(6);
            Tensor[] u = new Tensor[x.length];
            for (int i = 0; i < x.length; i++) {
                u[i] = Tensor.randn(rng, DType.F64, x[i].shape());
            }
            double[][] analytic = hessianVectorProduct(row, x, v, u);
            double[][] numeric = new double[x.length][];
            double[][] plus = gradientAlong(row, x, v, u, EPS);
            double[][] minus = gradientAlong(row, x, v, u, -EPS);
            for (int i = 0; i < x.length; i++) {
                numeric[i] = new double[plus[i].length];
                for (int j = 0; j < numeric[i].length; j++) {
                    numeric[i][j] = (plus[i][j] - minus[i][j]) / (2 * EPS);
                }
            }
            for (int i = 0; i < x.length; i++) {
                assertEquals(numeric[i].length, analytic[i].length);
                for (int j = 0; j < numeric[i].length; j++) {
                    double tolerance = ATOL + RTOL * Math.abs(numeric[i][j]);
                    assertEquals(numeric[i][j], analytic[i][j], tolerance,
                            row.name() + ": H u, input " + i + ", element " + j);
                }
            }
        }));
    }

    /**
     * The gradient is linear in the cotangent v, and its derivative in v is the Jacobian itself: differentiating
     * {@code <u, d<v, f(x)>/dx>} with respect to v gives the Jacobian-vector product {@code J u} (the double-backward
     * trick), which central differences of f along u give too. This exercises every rule's derivative with respect to
     * its incoming gradient (max-pool's gather at the argmax, conv2d's transposed convolutions, avg-pool, the masks).
     */
    @TestFactory
    Stream<DynamicTest> derivativesWithRespectToTheIncomingGradientGiveTheJacobian() {
        return GradientTableTest.rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            Tensor[] x = GradientTableTest.inputs(row, 42);
            Tensor y = row.f().apply(x);
            Tensor v = Tensor.randn(new Rng(5), DType.F64, y.shape()).requiresGrad(true);
            Rng rng = new Rng(6);
            Tensor[] u = new Tensor[x.length];
            for (int i = 0; i < x.length; i++) {
                u[i] = Tensor.randn(rng, DType.F64, x[i].shape());
            }
            Tensor[] g = Autograd.grad(new Tensor[] {y}, x, new Tensor[] {v}, true, true, true);
            Tensor total = null;
            for (int i = 0; i < x.length; i++) {
                if (g[i] != null) {
                    Tensor term = g[i].mul(u[i]).sum();
                    total = total == null ? term : total.add(term);
                }
            }
            double[] analytic = Autograd.grad(total, v)[0].toDoubleArray();
            double[] plus = valueAlong(row, x, u, EPS);
            double[] minus = valueAlong(row, x, u, -EPS);
            for (int j = 0; j < analytic.length; j++) {
                double numeric = (plus[j] - minus[j]) / (2 * EPS);
                assertEquals(numeric, analytic[j], ATOL + RTOL * Math.abs(numeric), row.name() + ": J u, element " + j);
            }
        }));
    }

    /**
     * The derivative of max(x, dim)'s gradient in its incoming gradient gathers gg at each group's first maximum, as
     * torch's (ScatterBackward0): a NaN or infinity of gg elsewhere does not reach it; amax's is a product in torch
     * (MulBackward0), so there it does. Values from torch 1.13 on these inputs.
     */
    @org.junit.jupiter.api.Test
    void maxWithADimGathersTheGradientsGradientAndAmaxMultipliesIt() {
        double inf = Double.POSITIVE_INFINITY;
        Tensor gg = Tensor.of(new double[] {inf, 2, Double.NaN, 7, Double.NaN, -inf}, 2, 3);
        for (boolean amax : new boolean[] {false, true}) {
            Tensor x = Tensor.of(new double[] {1, 3, 2, 5, 5, 0}, 2, 3).requiresGrad(true);
            Tensor g = Tensor.of(new double[] {1, 1}, 2, 1).requiresGrad(true);
            Tensor y = amax ? x.amax(new int[] {1}, true) : x.max(new int[] {1}, true);
            Tensor gx = Autograd.grad(new Tensor[] {y}, new Tensor[] {x}, new Tensor[] {g}, true, true, false)[0];
            double[] back = Autograd.grad(new Tensor[] {gx}, new Tensor[] {g}, new Tensor[] {gg}, false, false,
                    false)[0].toDoubleArray();
            if (amax) {
                assertTrue(Double.isNaN(back[0]) && Double.isNaN(back[1]), java.util.Arrays.toString(back));
            } else {
                assertEquals(2, back[0]);
                assertEquals(7, back[1]);
            }
        }
    }

    @SuppressWarnings("try") // the scope object is only closed
    static double[] valueAlong(Row row, Tensor[] x, Tensor[] u, double step) {
        try (NoGrad ignored = NoGrad.enter()) {
            Tensor[] moved = new Tensor[x.length];
            for (int i = 0; i < x.length; i++) {
                moved[i] = x[i].add(u[i].mul(step));
            }
            return row.f().apply(moved).toDoubleArray();
        }
    }

    /** H u by double backward: the gradient with create_graph, then the gradient of {@code <u, gradient>}. */
    static double[][] hessianVectorProduct(Row row, Tensor[] x, Tensor v, Tensor[] u) {
        Tensor y = row.f().apply(x);
        Tensor[] g = Autograd.grad(new Tensor[] {y}, x, new Tensor[] {v}, true, true, true);
        Tensor total = null;
        for (int i = 0; i < x.length; i++) {
            if (g[i] != null && g[i].requiresGrad()) {
                Tensor term = g[i].mul(u[i]).sum();
                total = total == null ? term : total.add(term);
            }
        }
        double[][] out = new double[x.length][];
        Tensor[] h = total == null ? new Tensor[x.length]
                : Autograd.grad(new Tensor[] {total}, x, null, false, false, true);
        for (int i = 0; i < x.length; i++) {
            out[i] = h[i] == null ? new double[x[i].numel()] : h[i].toDoubleArray();
        }
        return out;
    }

    /** The first-order gradient (no create_graph) at {@code x + step u}. */
    @SuppressWarnings("try") // the scope object is only closed
    static double[][] gradientAlong(Row row, Tensor[] x, Tensor v, Tensor[] u, double step) {
        Tensor[] moved = new Tensor[x.length];
        try (NoGrad ignored = NoGrad.enter()) {
            for (int i = 0; i < x.length; i++) {
                moved[i] = Tensor.of(x[i].add(u[i].mul(step)).toDoubleArray(), x[i].shape()).requiresGrad(true);
            }
        }
        Tensor y = row.f().apply(moved);
        Tensor[] g = Autograd.grad(new Tensor[] {y}, moved, new Tensor[] {v}, false, false, true);
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            assertTrue(g[i] == null || !g[i].requiresGrad(), "without create_graph a gradient has no graph");
            out[i] = g[i] == null ? new double[x[i].numel()] : g[i].toDoubleArray();
        }
        return out;
    }
}
