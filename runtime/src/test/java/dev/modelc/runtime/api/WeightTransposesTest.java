package dev.modelc.runtime.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class WeightTransposesTest {

    private static float[] counting(int n, float from) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = from + i;
        return a;
    }

    @Test
    void transposesEveryShapeAroundTheEightRowBlocks() {
        for (int rows : new int[] {1, 7, 8, 9, 16, 21}) {
            for (int cols : new int[] {1, 3, 8, 33}) {
                float[] w = counting(rows * cols, 0.5f);
                float[] t = new float[rows * cols];
                WeightTransposes.transpose(w, rows, cols, t);
                double[] wd = new double[w.length];
                for (int i = 0; i < w.length; i++) wd[i] = w[i];
                double[] td = new double[w.length];
                WeightTransposes.transpose(wd, rows, cols, td);
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        assertEquals(w[i * cols + j], t[j * rows + i], rows + "x" + cols + " at " + i + "," + j);
                        assertEquals(wd[i * cols + j], td[j * rows + i], rows + "x" + cols + " at " + i + "," + j);
                    }
                }
            }
        }
    }

    @Test
    void aCopyIsRemadeWhenTheStateChangesAndOnlyThen() {
        WeightTransposes kept = new WeightTransposes(2);
        float[] w = counting(12, 0);
        float[] t = kept.of(1, w, 3, 4, 5);
        float[] expected = new float[12];
        WeightTransposes.transpose(w, 3, 4, expected);
        assertArrayEquals(expected, t);
        w[0] = 100;
        assertSame(t, kept.of(1, w, 3, 4, 5));
        assertEquals(0f, t[0], "the same state: the copy is not remade");
        assertSame(t, kept.of(1, w, 3, 4, 6));
        assertEquals(100f, t[0], "a new state: remade in place");
        kept.clear();
        assertNotSame(t, kept.of(1, w, 3, 4, 6), "cleared copies are made anew");
    }
}
