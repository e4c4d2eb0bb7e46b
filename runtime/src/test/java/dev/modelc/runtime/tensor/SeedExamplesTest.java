package dev.modelc.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The PyTorch examples the project started from, rewritten on this runtime (linear regression is in OptimTest). */
class SeedExamplesTest {

    @BeforeEach
    void quiet() {
        Warnings.setSink(message -> { });
    }

    @AfterEach
    void loud() {
        Warnings.setSink(null);
    }

    @Test
    void squareAtOneHasGradientTwo() {
        Tensor x = Tensor.of(1.0f).requiresGrad(true);
        Tensor y = x.pow(2).sum();
        y.backward();
        assertEquals(2.0, x.grad().item());
    }

    @Test
    void meanOfSquaresHasGradientTwoXOverThree() {
        Tensor x = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
        x.pow(2).mean().backward();
        assertArrayEquals(new double[] {2.0 / 3, 4.0 / 3, 6.0 / 3}, x.grad().toDoubleArray(), 1e-15);
    }

    @Test
    void vectorJacobianProductOfAProduct() {
        Tensor a = Tensor.of(10f, 10f).requiresGrad(true);
        Tensor b = Tensor.of(20f, 20f).requiresGrad(true);
        Tensor f = a.mul(b);
        f.backward(Tensor.of(1f, 1f));
        assertArrayEquals(new float[] {20, 20}, a.grad().toFloatArray());
        assertArrayEquals(new float[] {10, 10}, b.grad().toFloatArray());
        assertNull(f.grad());

        Tensor a2 = Tensor.of(10f, 10f).requiresGrad(true);
        Tensor f2 = a2.mul(b).retainGrad();
        f2.backward(Tensor.of(1f, 1f));
        assertArrayEquals(new float[] {1, 1}, f2.grad().toFloatArray());
    }

    @Test
    void meanHasGradientOneThirdEach() {
        Tensor w = Tensor.of(1f, 2f, 3f).requiresGrad(true);
        w.mean().backward();
        assertArrayEquals(new float[] {1f / 3, 1f / 3, 1f / 3}, w.grad().toFloatArray(), 1e-7f);
    }

    @Test
    void accumulationOverTwoBackwardCallsDoubles() {
        Tensor x = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
        x.pow(2).mean().backward();
        double[] once = x.grad().toDoubleArray();
        x.pow(2).mean().backward();
        double[] twice = x.grad().toDoubleArray();
        for (int i = 0; i < once.length; i++) {
            assertEquals(2 * once[i], twice[i], 1e-15);
        }
    }

    @Test
    void secondBackwardFailsUnlessTheGraphIsRetained() {
        Tensor x = Tensor.of(1.0).requiresGrad(true);
        Tensor y = x.pow(2).sum();
        y.backward();
        AutogradException e = assertThrows(AutogradException.class, y::backward);
        assertTrue(e.getMessage().startsWith("Trying to backward through the graph a second time"));

        Tensor x2 = Tensor.of(1.0).requiresGrad(true);
        Tensor y2 = x2.pow(2).sum();
        y2.backward(null, true);
        y2.backward();
        assertEquals(4.0, x2.grad().item());
    }
}
