package dev.modelc.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.runtime.numeric.Reduction;
import dev.modelc.runtime.random.Rng;
import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.Losses;
import dev.modelc.runtime.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** state_dict names and order, default initialization from one seed, and the seeds' CNN running forward and backward. */
class ModuleTest {

    /** The seeds' CNN: conv 1->6 5x5, relu, maxpool 2, 864 -> 120 -> 84 -> 10. */
    static final class Net extends Module {
        final Conv2d conv;
        final Linear fc1;
        final Linear fc2;
        final Linear fc3;
        final MaxPool2d pool = new MaxPool2d(2);

        Net(Rng rng) {
            conv = registerModule("conv", new Conv2d(1, 6, 5, rng));
            fc1 = registerModule("fc1", new Linear(6 * 12 * 12, 120, rng));
            fc2 = registerModule("fc2", new Linear(120, 84, rng));
            fc3 = registerModule("fc3", new Linear(84, 10, rng));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = pool.forward(conv.forward(x).relu());
            h = h.reshape(x.size(0), 864);
            return fc3.forward(fc2.forward(fc1.forward(h).relu()).relu());
        }
    }

    @Test
    void namedParametersFollowStateDictOrder() {
        Net net = new Net(new Rng(0));
        assertEquals(List.of("conv.weight", "conv.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
                "fc3.weight", "fc3.bias"), List.copyOf(net.namedParameters().keySet()));
        assertArrayEquals(new int[] {6, 1, 5, 5}, net.conv.weight().shape());
        assertArrayEquals(new int[] {120, 864}, net.fc1.weight().shape());
        Sequential seq = new Sequential(new Linear(3, 4, new Rng(0)), Sequential.of(Tensor::relu),
                new Linear(4, 2, new Rng(0)));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(seq.namedParameters().keySet()));
    }

    @Test
    void parametersAreDrawnInStateDictOrderRowMajor() {
        Rng rng = new Rng(11);
        Linear a = new Linear(3, 2, rng);
        Linear b = new Linear(2, 4, true, DType.F64, rng);
        Rng replay = new Rng(11);
        float[] aw = new float[6];
        float[] ab = new float[2];
        double[] bw = new double[8];
        double[] bb = new double[4];
        Init.kaimingUniform(aw, new int[] {2, 3}, Math.sqrt(5), "fan_in", "leaky_relu", replay);
        Init.uniform(ab, -1 / Math.sqrt(3), 1 / Math.sqrt(3), replay);
        Init.kaimingUniform(bw, new int[] {4, 2}, Math.sqrt(5), "fan_in", "leaky_relu", replay);
        Init.uniform(bb, -1 / Math.sqrt(2), 1 / Math.sqrt(2), replay);
        assertArrayEquals(aw, a.weight().floatData());
        assertArrayEquals(ab, a.bias().floatData());
        assertArrayEquals(bw, b.weight().doubleData());
        assertArrayEquals(bb, b.bias().doubleData());
        for (float v : a.weight().floatData()) {
            assertTrue(Math.abs(v) <= 1 / Math.sqrt(3));
        }
    }

    @Test
    void linearComputesXWTransposedPlusB() {
        Linear lin = new Linear(2, 3, true, DType.F64, new Rng(1));
        double[] w = lin.weight().doubleData();
        double[] b = lin.bias().doubleData();
        Tensor x = Tensor.of(new double[] {1, 2, -1, 0.5}, 2, 2);
        Tensor y = lin.forward(x);
        for (int n = 0; n < 2; n++) {
            for (int o = 0; o < 3; o++) {
                double expected = x.get(n, 0) * w[o * 2] + x.get(n, 1) * w[o * 2 + 1] + b[o];
                assertEquals(expected, y.get(n, o), 1e-15);
            }
        }
    }

    @Test
    void theSeedsCnnRunsForwardAndBackward() {
        Net net = new Net(new Rng(0));
        Tensor x = Tensor.randn(new Rng(1), DType.F32, 2, 1, 28, 28);
        Tensor logits = net.forward(x);
        assertArrayEquals(new int[] {2, 10}, logits.shape());
        Tensor loss = Losses.crossEntropy(logits, new int[] {3, 7}, Reduction.MEAN);
        assertEquals("NllLossBackward0", loss.gradFn().name());
        loss.backward();
        for (var e : net.namedParameters().entrySet()) {
            assertNotNull(e.getValue().grad(), e.getKey());
            assertArrayEquals(e.getValue().shape(), e.getValue().grad().shape(), e.getKey());
        }
        net.zeroGrad(false);                     // PyTorch 1.13's default: zeros in place
        assertEquals(0, net.conv.weight().grad().abs().sum().item());
        net.zeroGrad();
        assertEquals(null, net.conv.weight().grad());
    }

    @Test
    void stateDictRoundTripsIntoAFreshModule() {
        Net a = new Net(new Rng(1));
        Net b = new Net(new Rng(2));
        b.loadStateDict(a.stateDict(), true);
        for (String name : a.stateDict().keySet()) {
            assertArrayEquals(a.stateDict().get(name).toFloatArray(), b.stateDict().get(name).toFloatArray(), name);
        }
        b.fc3.bias().floatData()[0] = 42f;                       // loaded by copy: a is untouched
        assertTrue(a.fc3.bias().floatData()[0] != 42f);
        a.stateDict().get("fc3.bias").floatData()[1] = 7f;      // stateDict shares storage
        assertEquals(7f, a.fc3.bias().floatData()[1]);
    }

    @Test
    void loadStateDictNamesMissingUnexpectedAndMismatchedKeysAndCopiesNothing() {
        Net net = new Net(new Rng(1));
        float before = net.fc1.weight().floatData()[0];
        java.util.Map<String, Tensor> values = new java.util.LinkedHashMap<>(net.stateDict());
        values.remove("fc2.bias");
        values.put("fc9.weight", Tensor.zeros(DType.F32, 2));
        values.put("fc1.weight", Tensor.zeros(DType.F32, 120, 800));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> net.loadStateDict(values, true));
        assertTrue(e.getMessage().contains("Missing key(s) in state_dict: \"fc2.bias\"."), e.getMessage());
        assertTrue(e.getMessage().contains("Unexpected key(s) in state_dict: \"fc9.weight\"."), e.getMessage());
        assertTrue(e.getMessage().contains("size mismatch for fc1.weight: copying a param with shape [120, 800]"
                + " from checkpoint, the shape in current model is [120, 864]."), e.getMessage());
        assertEquals(before, net.fc1.weight().floatData()[0]);
        values.put("fc1.weight", Tensor.zeros(DType.F64, 120, 864));  // converted to the parameter's dtype
        net.loadStateDict(values, false);
        assertEquals(0f, net.fc1.weight().floatData()[0]);
    }
}
