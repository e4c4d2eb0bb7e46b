package dev.modelc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void meanLossWeightsByBatchSize() {
        MeanLoss m = new MeanLoss();
        assertTrue(Double.isNaN(m.mean()));
        m.add(1.0, 4);
        m.add(4.0, 2);
        assertEquals((4 * 1.0 + 2 * 4.0) / 6, m.mean(), 1e-15);
        assertEquals(6, m.count());
        m.reset();
        assertEquals(0, m.count());
    }

    @Test
    void argmaxTakesTheFirstOfTiesAndNaNAsLargest() {
        assertEquals(1, Accuracy.argmax(new float[] {0, 3, 3, 1}, 0, 4));
        assertEquals(2, Accuracy.argmax(new double[] {0, 1, 5, 2, 9, 9}, 0, 3));
        assertEquals(1, Accuracy.argmax(new double[] {0, 1, 5, 2, 9, 9}, 1, 3));
        assertEquals(2, Accuracy.argmax(new float[] {1, 5, Float.NaN, 9}, 0, 4));
        assertEquals(0, Accuracy.argmax(new float[] {-1, -1}, 0, 2));
    }

    @Test
    void accuracyOverBatches() {
        Accuracy a = new Accuracy();
        a.add(new float[] {0.1f, 0.9f, 0.8f, 0.2f, 0.5f, 0.5f}, new int[] {1, 0, 1});
        a.add(new double[] {3, 1, 2}, new int[] {2});
        assertEquals(2, a.correct());
        assertEquals(4, a.total());
        assertEquals(0.5, a.value());
        assertEquals("50.00% (2/4)", a.toString());
        assertThrows(IllegalArgumentException.class, () -> a.add(new float[5], new int[2]));
    }

    @Test
    void confusionMatrixCountsAndPrints() {
        ConfusionMatrix m = new ConfusionMatrix(3);
        m.add(new float[] {9, 0, 0, 0, 9, 0, 0, 9, 0, 0, 0, 9, 9, 0, 0}, new int[] {0, 1, 2, 2, 1});
        assertEquals(1, m.count(0, 0));
        assertEquals(1, m.count(1, 1));
        assertEquals(1, m.count(1, 0));
        assertEquals(1, m.count(2, 1));
        assertEquals(1, m.count(2, 2));
        assertEquals(0.6, m.accuracy(), 1e-15);
        assertEquals(0.5, m.recall(1));
        assertEquals(0.5, m.precision(0));
        for (int i = 0; i < 10; i++) {
            m.add(0, 0);
        }
        assertEquals(String.join("\n",
                "true\\pred  0  1  2",
                "        0 11  0  0",
                "        1  1  1  0",
                "        2  0  1  1"), m.toString());
        ConfusionMatrix named = new ConfusionMatrix(2, new String[] {"cat", "dog"});
        named.add(1, 0);
        assertEquals(String.join("\n",
                "true\\pred cat dog",
                "      cat   0   0",
                "      dog   1   0"), named.toString());
        assertThrows(IllegalArgumentException.class, () -> named.add(2, 0));
    }
}
