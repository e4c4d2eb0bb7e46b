package dev.modelc.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The six autograd points of the runtime's contract, one test each, plus the traversal order. */
class AutogradSemanticsTest {

    private final List<String> warnings = new ArrayList<>();

    @BeforeEach
    void collectWarnings() {
        Warnings.reset();
        Warnings.setSink(warnings::add);
    }

    @AfterEach
    void restoreWarnings() {
        Warnings.setSink(null);
        Warnings.reset();
    }

    @Test
    void requiresGradIsLeafAndGradFnNames() {
        Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
        Tensor c = Tensor.of(3.0, 4.0);
        assertTrue(x.isLeaf());
        assertTrue(x.requiresGrad());
        assertNull(x.gradFn());

        Tensor y = x.mul(c);
        assertFalse(y.isLeaf());
        assertTrue(y.requiresGrad());
        assertEquals("MulBackward0", y.gradFn().name());
        assertEquals("SumBackward0", y.sum().gradFn().name());
        assertEquals("ExpBackward0", x.exp().gradFn().name());

        Tensor plain = c.mul(c);
        assertTrue(plain.isLeaf());
        assertFalse(plain.requiresGrad());
        AutogradException e = assertThrows(AutogradException.class, () -> y.requiresGrad(false));
        assertEquals("you can only change requires_grad flags of leaf variables.", e.getMessage());
    }

    @Test
    void backwardSeedsOneOnScalarsAndNeedsACotangentOtherwise() {
        Tensor x = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
        Tensor y = x.mul(x);
        AutogradException e = assertThrows(AutogradException.class, y::backward);
        assertEquals("grad can be implicitly created only for scalar outputs", e.getMessage());

        y.backward(Tensor.of(1.0, 0.5, 2.0));   // v^T J with J = diag(2x)
        assertArrayEquals(new double[] {2, 2, 12}, x.grad().toDoubleArray(), 0);

        Tensor z = Tensor.of(3.0).requiresGrad(true);
        z.mul(z).sum().backward();
        assertArrayEquals(new double[] {6}, z.grad().toDoubleArray(), 0);
        assertThrows(AutogradException.class, () -> x.mul(x).backward(Tensor.of(1.0, 2.0)));
    }

    @Test
    void gradientsAccumulateUntilZeroed() {
        Tensor w = Tensor.of(1.0, 2.0).requiresGrad(true);
        w.mul(w).sum().backward();
        w.mul(w).sum().backward();
        assertArrayEquals(new double[] {4, 8}, w.grad().toDoubleArray(), 0);
        w.zeroGrad();
        assertArrayEquals(new double[] {0, 0}, w.grad().toDoubleArray(), 0);
        w.mul(w).sum().backward();
        assertArrayEquals(new double[] {2, 4}, w.grad().toDoubleArray(), 0);
    }

    @Test
    void onlyLeavesGetGradUnlessRetained() {
        Tensor a = Tensor.of(1.0, 2.0).requiresGrad(true);
        Tensor h = a.mul(3.0);
        Tensor k = a.mul(5.0).retainGrad();
        h.add(k).sum().backward();
        assertNull(h.grad());
        assertNull(h.grad());
        assertEquals(1, warnings.size(), "warned once");
        assertTrue(warnings.get(0).contains("retainGrad()"), warnings.get(0));
        assertArrayEquals(new double[] {1, 1}, k.grad().toDoubleArray(), 0);
        assertArrayEquals(new double[] {8, 8}, a.grad().toDoubleArray(), 0);
        assertEquals(1, warnings.size(), "reading a retained or leaf grad does not warn");
    }

    @Test
    void savedValuesAreFreedAfterBackwardUnlessRetained() {
        Tensor x = Tensor.of(2.0).requiresGrad(true);
        Tensor y = x.mul(x).sum();
        y.backward();
        assertTrue(y.gradFn().isFreed());
        AutogradException e = assertThrows(AutogradException.class, y::backward);
        assertTrue(e.getMessage().startsWith("Trying to backward through the graph a second time"), e.getMessage());
        assertTrue(e.getMessage().contains("Specify retain_graph=True"), e.getMessage());

        Tensor x2 = Tensor.of(2.0).requiresGrad(true);
        Tensor y2 = x2.mul(x2).sum();
        y2.backward(null, true);
        y2.backward(null, true);
        assertArrayEquals(new double[] {8}, x2.grad().toDoubleArray(), 0);
        y2.backward();
        assertArrayEquals(new double[] {12}, x2.grad().toDoubleArray(), 0);
        assertThrows(AutogradException.class, y2::backward);
    }

    @Test
    @SuppressWarnings("try") // the scope object is only closed
    void detachNoGradAndBackwardWithoutGrad() {
        Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
        Tensor d = x.detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        assertSame(x.doubleData(), d.doubleData(), "detach shares storage");
        x.doubleData()[0] = 7;
        assertEquals(7, d.get(0));

        Tensor cut = x.mul(d).sum();   // only the x path is differentiated
        cut.backward();
        assertArrayEquals(new double[] {7, 2}, x.grad().toDoubleArray(), 0);

        Tensor inScope;
        try (NoGrad ignored = NoGrad.enter()) {
            inScope = x.mul(x);
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
        assertFalse(inScope.requiresGrad());
        assertNull(inScope.gradFn());
        AutogradException e = assertThrows(AutogradException.class, () -> inScope.sum().backward());
        assertEquals("element 0 of tensors does not require grad and does not have a grad_fn", e.getMessage());
    }

    @Test
    void backwardRunsInTopologicalOrderOnSharedAndDeepGraphs() {
        // y = x*x used twice: z = y*y + y; dz/dx = (2y + 1) * 2x = 2*(2*9+1)*3 = 114 at x = 3.
        Tensor x = Tensor.of(3.0).requiresGrad(true);
        Tensor y = x.mul(x);
        y.mul(y).add(y).sum().backward();
        assertEquals(114, x.grad().item(), 1e-12);

        Tensor w = Tensor.of(1.0).requiresGrad(true);
        Tensor chain = w;
        for (int i = 0; i < 20_000; i++) {
            chain = chain.mul(1.0001);
        }
        chain.sum().backward();
        assertNotNull(w.grad());
        assertEquals(Math.pow(1.0001, 20_000), w.grad().item(), 1e-9);
    }
}
