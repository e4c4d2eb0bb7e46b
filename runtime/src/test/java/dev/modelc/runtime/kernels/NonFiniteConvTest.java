package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * With an infinity in the input (weight gradient) or in the weights (input gradient), the stride-1 gradients give
 * exactly what the unfolded products give: NaN and infinity only where a real product term has them, not where the
 * direct loops would multiply padding by the infinity.
 */
class NonFiniteConvTest {
  private final Conv2dShape shape = Conv2dShape.of(2, 1, 9, 8, 3, 3, 1, 1);

  @Test
  void weightGradientWithAnInfiniteInput() {
    float[] x = random(shape.batch() * shape.imageSize(), 1);
    x[7] = Float.POSITIVE_INFINITY; // last column of the first row: next to the padding
    float[] dy = random(shape.batch() * shape.outImageSize(), 2);
    float[] direct = new float[shape.weightSize()];
    float[] unfolded = new float[shape.weightSize()];
    Convolution.backwardWeight(Kernels.SELECTED, new Workspace(), shape, x, dy, direct, false);
    Convolution.unfoldedBackwardWeight(Kernels.SELECTED, new Workspace(), shape, x, dy, unfolded, false);
    assertSame(unfolded, direct);
  }

  @Test
  void inputGradientWithAnInfiniteWeight() {
    float[] w = random(shape.weightSize(), 3);
    w[4] = Float.NEGATIVE_INFINITY;
    float[] dy = random(shape.batch() * shape.outImageSize(), 4);
    float[] direct = new float[shape.batch() * shape.imageSize()];
    float[] unfolded = new float[direct.length];
    Convolution.backwardInput(Kernels.SELECTED, new Workspace(), shape, dy, w, direct, false);
    Convolution.unfoldedBackwardInput(Kernels.SELECTED, new Workspace(), shape, dy, w, unfolded, false);
    assertSame(unfolded, direct);
  }

  private static void assertSame(float[] want, float[] got) {
    for (int i = 0; i < want.length; i++) {
      assertEquals(Float.isNaN(want[i]), Float.isNaN(got[i]), "NaN at " + i);
      if (!Float.isNaN(want[i])) {
        assertEquals(want[i], got[i], 1e-4f * Math.max(1f, Math.abs(want[i])), "at " + i);
      }
    }
  }

  private static float[] random(int n, long seed) {
    Random r = new Random(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = r.nextFloat() * 2 - 1;
    return a;
  }

  /**
   * The probe that picks the path finds one NaN or infinity at any position, and nothing in finite values: the
   * static one and each implementation's ({@link JavaConvLoops#allFinite}, in vectors with the Vector API).
   */
  @Test
  void allFiniteFindsOneNonFiniteValueAnywhere() {
    List<JavaConvLoops> loops = new ArrayList<>(List.of(Kernels.plainJava().convLoops()));
    Kernels.vectorApi().ifPresent(k -> loops.add(k.convLoops()));
    for (int n : new int[] {0, 1, 3, 4, 5, 17, 64, 100}) {
      float[] f = new float[n + 2];
      double[] d = new double[n + 2];
      java.util.Arrays.fill(f, -3.5f);
      java.util.Arrays.fill(d, 1e300);
      f[n] = Float.NaN;                                  // past n: not looked at
      d[n + 1] = Double.POSITIVE_INFINITY;
      assertEquals(true, Convolution.allFinite(f, n), "n=" + n);
      for (JavaConvLoops l : loops) {
        assertEquals(true, l.allFinite(f, n), l.getClass().getSimpleName() + " n=" + n);
      }
      assertEquals(true, Convolution.allFinite(d, n), "n=" + n);
      for (int i = 0; i < n; i++) {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
          float[] g = f.clone();
          g[i] = bad;
          assertEquals(false, Convolution.allFinite(g, n), "n=" + n + " at " + i + " " + bad);
          for (JavaConvLoops l : loops) {
            assertEquals(false, l.allFinite(g, n), l.getClass().getSimpleName() + " n=" + n + " at " + i + " " + bad);
          }
          double[] e = d.clone();
          e[i] = bad;
          assertEquals(false, Convolution.allFinite(e, n), "n=" + n + " at " + i + " " + bad + " (f64)");
        }
      }
    }
  }
}
