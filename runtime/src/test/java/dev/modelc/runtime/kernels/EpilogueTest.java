package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The epilogue passes against element-by-element loops, including offsets and ragged lengths. */
class EpilogueTest {

    @Test
    void biasPerRowAndPerColumnTouchOnlyTheMatrix() {
        Random random = new Random(21);
        int off = 3, rows = 5, cols = 37;
        float[] c = MatMulTest.randomFloats(random, off + rows * cols + 4);
        float[] rowBias = MatMulTest.randomFloats(random, rows), colBias = MatMulTest.randomFloats(random, cols);
        float[] expected = c.clone();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                expected[off + r * cols + j] = (expected[off + r * cols + j] + rowBias[r]) + colBias[j];
            }
        }
        Epilogue.addBiasPerRow(c, off, rows, cols, rowBias);
        Epilogue.addBiasPerColumn(new Workspace(), c, off, rows, cols, colBias);
        assertArrayEquals(expected, c);

        double[] d = MatMulTest.randomDoubles(random, off + rows * cols + 4);
        double[] dRow = MatMulTest.randomDoubles(random, rows), dCol = MatMulTest.randomDoubles(random, cols);
        double[] dExpected = d.clone();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                dExpected[off + r * cols + j] = (dExpected[off + r * cols + j] + dRow[r]) + dCol[j];
            }
        }
        Epilogue.addBiasPerRow(d, off, rows, cols, dRow);
        Epilogue.addBiasPerColumn(new Workspace(), d, off, rows, cols, dCol);
        assertArrayEquals(dExpected, d);
    }

    @Test
    void reluKeepsNanAndClampsNegatives() {
        float[] c = {-1f, 5f, -2f, Float.NaN, 0.5f, -0f, 3f};
        Epilogue.relu(c, 1, 5);
        assertArrayEquals(new float[] {-1f, 5f, 0f, Float.NaN, 0.5f, 0f, 3f}, c);
        double[] d = {-1, -3, 4};
        Epilogue.relu(d, 0, 3);
        assertArrayEquals(new double[] {0, 0, 4}, d);
    }

    @Test
    void sumAddsEveryElementOfTheRange() {
        double[] d = new double[23];
        double expected = 0;
        for (int i = 0; i < d.length; i++) {
            d[i] = i * 0.5;
            expected += i >= 2 && i < 21 ? d[i] : 0;
        }
        assertEquals(expected, Epilogue.sum(d, 2, 19), 1e-12);
        float[] f = {1f, 2f, 3f, 4f, 5f, 6f, 7f};
        assertEquals(27f, Epilogue.sum(f, 1, 6));
    }
}
