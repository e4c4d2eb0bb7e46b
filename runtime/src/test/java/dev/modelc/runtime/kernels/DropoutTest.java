package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Dropout's counter-based masks: their rate, their scale, p = 0 and 1, evaluation, and the f32/f64 twins. */
class DropoutTest {
  @Test
  void keepsAboutOneMinusPAndScalesByItsInverse() {
    int n = 200_000;
    for (double p : new double[] {0.1, 0.5, 0.9}) {
      double[] x = new double[n];
      Arrays.fill(x, 3);
      double[] y = new double[n];
      Dropout.apply(x, y, n, p, 0, 42, 1, true);
      int kept = 0;
      for (double v : y) {
        if (v != 0) {
          kept++;
          assertEquals(3 / (1 - p), v, 1e-12);
        }
      }
      // binomial: 5 standard deviations
      assertEquals((1 - p) * n, kept, 5 * Math.sqrt(n * p * (1 - p)), "p = " + p);
    }
  }

  @Test
  void pZeroKeepsAllPOneNoneAndEvaluationCopies() {
    float[] x = {1, -2, Float.NaN, 4};
    float[] y = new float[4];
    Dropout.apply(x, y, 4, 0, 3, 1, 1, true);
    assertArrayEquals(x, y);
    Dropout.apply(x, y, 4, 1, 3, 1, 1, true);
    assertArrayEquals(new float[] {0, -0f, Float.NaN, 0}, y, "a NaN times the mask stays NaN");
    Dropout.apply(x, y, 4, 0.5, 3, 1, 1, false);
    assertArrayEquals(x, y);
  }

  @Test
  void theMaskIsAFunctionOfSeedDrawSiteAndElementAndTheTwinsAgree() {
    int n = 64;
    float[] f = new float[n];
    double[] d = new double[n];
    Dropout.mask(f, n, 0.3, 2, 9, 4);
    Dropout.mask(d, n, 0.3, 2, 9, 4);
    for (int i = 0; i < n; i++) assertEquals((float) d[i], f[i], 0f);
    float[] again = new float[n];
    Dropout.mask(again, n, 0.3, 2, 9, 4);
    assertArrayEquals(f, again);
    for (long[] other : new long[][] {{3, 9, 4}, {2, 8, 4}, {2, 9, 5}}) {
      Dropout.mask(again, n, 0.3, (int) other[0], other[1], other[2]);
      assertFalse(Arrays.equals(f, again), Arrays.toString(other));
    }
    float[] x = new float[n];
    Arrays.fill(x, 1);
    float[] y = new float[n];
    Dropout.apply(x, y, n, 0.3, 2, 9, 4, true);
    assertArrayEquals(f, y, "apply multiplies by the mask");
    Dropout.apply(x, x, n, 0.3, 2, 9, 4, true);
    assertArrayEquals(f, x, "in place");
    assertTrue(Dropout.kept(Dropout.key(1, 1, 0), 0, Dropout.threshold(0)));
  }
}
