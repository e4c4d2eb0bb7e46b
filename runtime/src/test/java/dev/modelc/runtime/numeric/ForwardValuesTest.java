package dev.modelc.runtime.numeric;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.Functional;
import dev.modelc.runtime.tensor.Losses;
import dev.modelc.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Forward values against hand-worked examples and reference constants; shape rules and their error messages. */
class ForwardValuesTest {

    static Tensor t(double[] v, int... shape) {
        return Tensor.of(v, shape);
    }

    @Test
    void specialFunctions() {
        assertEquals(0.8427007929497149, ScalarMath.erf(1), 1e-15);
        assertEquals(-0.9953222650189527, ScalarMath.erf(-2), 1e-15);
        assertEquals(0.9999779095030014, ScalarMath.erf(3), 1e-15);
        assertEquals(0.8413447460685429, ScalarMath.gelu(1), 1e-15);
        assertEquals(0.8411919906082768, ScalarMath.geluTanh(1), 1e-15);
        assertEquals(1.0, dev.modelc.runtime.api.Functions.sigmoid(800));
        assertEquals(0.0, dev.modelc.runtime.api.Functions.sigmoid(-800));
        assertEquals(30.0, ScalarMath.softplus(30, 1, 20));
        assertEquals(Math.log1p(Math.exp(2)), ScalarMath.softplus(1, 2, 20) * 2, 1e-15);
    }

    @Test
    void broadcastingAndItsErrors() {
        Tensor y = t(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).add(t(new double[] {10, 20, 30}, 3));
        assertArrayEquals(new double[] {11, 22, 33, 14, 25, 36}, y.toDoubleArray());
        Tensor z = t(new double[] {1, 2}, 2, 1).mul(t(new double[] {1, 10, 100}, 1, 3));
        assertArrayEquals(new double[] {1, 10, 100, 2, 20, 200}, z.toDoubleArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(DType.F32, 2, 3).add(Tensor.zeros(DType.F32, 4)));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(DType.F32, 2).add(Tensor.zeros(DType.F64, 2)));
        assertTrue(e.getMessage().contains("f32 and f64"), e.getMessage());
    }

    @Test
    void matmulFollowsTorchMatmul() {
        Tensor a = t(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = t(new double[] {1, 0, 0, 1, 1, 1}, 3, 2);
        assertArrayEquals(new double[] {4, 5, 10, 11}, a.matmul(b).toDoubleArray());
        Tensor v = t(new double[] {1, 1, 1}, 3);
        assertArrayEquals(new int[] {2}, a.matmul(v).shape());
        assertArrayEquals(new double[] {6, 15}, a.matmul(v).toDoubleArray());
        assertArrayEquals(new int[] {}, v.matmul(v).shape());
        assertEquals(3, v.matmul(v).item());
        Tensor batch = Tensor.ones(DType.F64, 4, 1, 2, 3).matmul(Tensor.ones(DType.F64, 5, 3, 7));
        assertArrayEquals(new int[] {4, 5, 2, 7}, batch.shape());
        assertEquals(3, batch.get(3, 4, 1, 6));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.matmul(a));
        assertTrue(e.getMessage().contains("[2, 3] and [2, 3]"), e.getMessage());
    }

    @Test
    void shapesAndReductions() {
        Tensor x = Tensor.arange(24, DType.F64).reshape(2, 3, 4);
        assertArrayEquals(new int[] {6, 4}, x.reshape(-1, 4).shape());
        assertArrayEquals(new int[] {2, 12}, x.flatten(1, -1).shape());
        assertEquals(x.get(1, 2, 3), x.transpose(0, 2).get(3, 2, 1));
        assertEquals(276, x.sum().item());
        assertArrayEquals(new double[] {60, 66, 72, 78}, x.sum(new int[] {0, 1}, false).toDoubleArray());
        assertArrayEquals(new int[] {1, 1, 4}, x.sum(new int[] {0, -2}, true).shape());
        assertArrayEquals(new double[] {1.5, 5.5, 9.5, 13.5, 17.5, 21.5}, x.mean(new int[] {2}, false).toDoubleArray());
        assertArrayEquals(new double[] {20, 21, 22, 23}, x.max(new int[] {0, 1}, false).toDoubleArray());
        Tensor big = t(new double[] {1000, 1000}, 2);
        assertEquals(1000 + Math.log(2), big.logsumexp().item(), 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.reshape(5, -1));
        assertEquals("shape '[5, -1]' is invalid for input of size 24", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.sum(new int[] {3}, false));
        assertEquals("Dimension out of range (expected to be in range of [-3, 2], but got 3)", e.getMessage());
    }

    @Test
    void softmaxFamilyIsStable() {
        Tensor x = t(new double[] {1, 2, 3, 1000, 1001, 1002}, 2, 3);
        Tensor s = x.softmax(1);
        double e1 = Math.exp(-2);
        double e2 = Math.exp(-1);
        double z = e1 + e2 + 1;
        assertArrayEquals(new double[] {e1 / z, e2 / z, 1 / z, e1 / z, e2 / z, 1 / z}, s.toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {Math.log(e1 / z), Math.log(e2 / z), Math.log(1 / z)},
                java.util.Arrays.copyOfRange(x.logSoftmax(-1).toDoubleArray(), 3, 6), 1e-12);
    }

    @Test
    void convAndPoolsOnHandWorkedExamples() {
        Tensor x = Tensor.arange(16, DType.F64).reshape(1, 1, 4, 4);
        Tensor w = t(new double[] {1, 0, 0, -1}, 1, 1, 2, 2);
        Tensor y = Functional.conv2d(x, w, t(new double[] {0.5}, 1), 1, 0);
        assertArrayEquals(new int[] {1, 1, 3, 3}, y.shape());
        for (double v : y.toDoubleArray()) {
            assertEquals(-4.5, v);   // x[i][j] - x[i+1][j+1] = -5, plus the bias
        }
        Tensor padded = Functional.conv2d(x, Tensor.ones(DType.F64, 1, 1, 3, 3), null, 2, 1);
        assertArrayEquals(new int[] {1, 1, 2, 2}, padded.shape());
        assertEquals(0 + 1 + 4 + 5, padded.get(0, 0, 0, 0));
        assertEquals(5 + 6 + 7 + 9 + 10 + 11 + 13 + 14 + 15, padded.get(0, 0, 1, 1));
        assertArrayEquals(new double[] {5, 7, 13, 15}, Functional.maxPool2d(x, 2, 2, 0).toDoubleArray());
        assertArrayEquals(new double[] {2.5, 4.5, 10.5, 12.5}, Functional.avgPool2d(x, 2, 2, 0).toDoubleArray());
        assertEquals(0 / 4.0, Functional.avgPool2d(x, 2, 2, 1).get(0, 0, 0, 0), "padding counts in the divisor");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Functional.conv2d(x, Tensor.ones(DType.F64, 2, 3, 3, 3), null, 1, 0));
        assertTrue(e.getMessage().contains("to have 3 channels, but got 1 channels instead"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Functional.maxPool2d(x, 2, 2, 2));
    }

    /**
     * f32 average pooling sums in float as PyTorch's CPU kernel: torch 1.13's {@code avg_pool2d(x, 3, 1, 1)} of these
     * inputs has these bits at the first two outputs (a sum in double rounds the first to -0.4f), its gradient for
     * these output gradients these at the first two inputs, and 2 x 2 windows of 3e38 are infinite.
     */
    @Test
    void averagePoolingInF32SumsInFloat() {
        float[] v = new float[25];
        float[] gv = new float[25];
        for (int i = 0; i < 25; i++) {
            v[i] = (float) (0.1 * (i + 1) - 1.3);
            gv[i] = (float) (0.7 * (i + 1));
        }
        Tensor x = Tensor.of(v, 1, 1, 5, 5).requiresGrad(true);
        Tensor y = Functional.avgPool2d(x, 3, 1, 1);
        assertEquals(-0.40000003576278687f, (float) y.get(0, 0, 0, 0));
        assertEquals(-0.5666666626930237f, (float) y.get(0, 0, 0, 1));
        y.backward(Tensor.of(gv, 1, 1, 5, 5));
        assertEquals(1.2444443702697754f, (float) x.grad().get(0, 0, 0, 0));
        assertEquals(2.0999999046325684f, (float) x.grad().get(0, 0, 0, 1));
        Tensor big = Tensor.of(new float[] {3e38f, 3e38f, 3e38f, 3e38f}, 1, 1, 2, 2);
        assertEquals(Double.POSITIVE_INFINITY, Functional.avgPool2d(big, 2, 2, 0).get(0, 0, 0, 0));
    }

    @Test
    void lossesMatchTheirDefinitions() {
        Tensor a = t(new double[] {1, 2, 3, 4}, 2, 2);
        Tensor b = t(new double[] {0, 2, 5, 3}, 2, 2);
        assertEquals((1 + 0 + 4 + 1) / 4.0, Losses.mse(a, b, Reduction.MEAN).item());
        assertEquals(1 + 0 + 2 + 1, Losses.l1(a, b, Reduction.SUM).item());
        Tensor logits = t(new double[] {1, 2, 3, 0, 0, 0}, 2, 3);
        double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        double expected = ((lse - 3) + Math.log(3)) / 2;
        assertEquals(expected, Losses.crossEntropy(logits, new int[] {2, 1}, Reduction.MEAN).item(), 1e-15);
        assertEquals(-(-0.5 + -0.25), Losses.nll(t(new double[] {-0.5, -9, -9, -0.25}, 2, 2), new int[] {0, 1},
                Reduction.SUM).item());
        Tensor p = t(new double[] {0.0, 0.8}, 2);
        Tensor y = t(new double[] {1, 0}, 2);
        assertEquals((100 - Math.log(0.2)) / 2, Losses.bce(p, y, Reduction.MEAN).item(), 1e-12, "log clamped at -100");
        Tensor logit = t(new double[] {800, -800, 0.3}, 3);
        Tensor target = t(new double[] {0, 1, 0.5}, 3);
        double third = Math.log1p(Math.exp(-0.3)) + 0.3 - 0.15;
        assertEquals(800 + 800 + third, Losses.bceWithLogits(logit, target, Reduction.SUM).item(), 1e-9);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Losses.crossEntropy(logits, new int[] {3, 0}, Reduction.MEAN));
        assertEquals("Target 3 is out of bounds.", e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Losses.bce(t(new double[] {1.5}, 1), t(new double[] {1}, 1), Reduction.MEAN));
        assertEquals("all elements of input should be between 0 and 1, got 1.5", bad.getMessage());
    }
}
