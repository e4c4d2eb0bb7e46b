package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The f32 log_softmax along contiguous rows (exponentials from {@code FloatMath.expf}'s array loop) against the f64
 * overload: within one float ulp of its rounded result for results of magnitude at least 1e-3, within 1e-6 below,
 * rows of 1 to 700 elements (groups of rows and rows longer than a block); NaN and infinities in a row as the
 * general loop gives them.
 */
class LogSoftmaxTest {

  @Test
  void contiguousRowsAreWithinAnUlpOfTheDoubleOverload() {
    Random r = new Random(5);
    for (int trial = 0; trial < 400; trial++) {
      int outer = 1 + r.nextInt(9);
      int n = trial % 3 == 0 ? 1 + r.nextInt(700) : 1 + r.nextInt(40);
      double spread = new double[] {0.01, 1, 5, 30}[r.nextInt(4)];
      float[] x = new float[outer * n];
      double[] xd = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (r.nextGaussian() * spread + (r.nextBoolean() ? 0 : 40));
        xd[i] = x[i];
      }
      float[] out = new float[x.length];
      double[] want = new double[x.length];
      LogSoftmax.logSoftmax(x, out, outer, n, 1);
      LogSoftmax.logSoftmax(xd, want, outer, n, 1);
      for (int i = 0; i < x.length; i++) {
        float w = (float) want[i];
        boolean close = Math.abs(w) >= 1e-3
            ? Math.abs(Float.floatToRawIntBits(w) - Float.floatToRawIntBits(out[i])) <= 1
            : Math.abs(out[i] - want[i]) <= 1e-6;
        assertTrue(close, "n=" + n + " at " + i + ": " + out[i] + " against " + want[i]);
      }
    }
  }

  @Test
  void rowsWithNaNOrInfinitiesAreTheGeneralLoops() {
    float inf = Float.POSITIVE_INFINITY;
    float[][] rows = {
        {1f, Float.NaN, 2f}, {1f, inf, 2f}, {1f, inf, inf}, {-inf, -inf, -inf}, {-inf, 3f, -inf}, {0f, -0f, 0f},
        {-inf, -inf, -inf, 1f}};
    for (float[] row : rows) {
      int n = row.length;
      float[] x = new float[2 * n];
      System.arraycopy(row, 0, x, 0, n);
      for (int i = 0; i < n; i++) {
        x[n + i] = i; // a second, finite row in the same group
      }
      float[] rowsPath = new float[x.length];
      LogSoftmax.logSoftmax(x, rowsPath, 2, n, 1);
      float[] general = x.clone();
      LogSoftmax.logSoftmax(general, general, 2, n, 1); // in place: the general loop
      for (int i = 0; i < n; i++) {
        assertEquals(Float.floatToRawIntBits(general[i]), Float.floatToRawIntBits(rowsPath[i]),
            java.util.Arrays.toString(row) + " at " + i);
      }
      for (int i = n; i < 2 * n; i++) {
        assertTrue(Math.abs(general[i] - rowsPath[i]) <= Math.ulp(general[i]), "the finite row at " + i);
      }
    }
  }
}
