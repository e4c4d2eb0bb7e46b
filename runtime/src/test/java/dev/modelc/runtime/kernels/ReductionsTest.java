package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The four-run sums of {@link Reductions#reduce(int, float[], float[], int, int, int, int, boolean, boolean)} add
 * several outputs in one loop; each output must still be its elements added in row-major order in double, which the
 * rank-general reduction computes one element at a time. Compared bit for bit over shapes whose output counts leave
 * every remainder of the blocks of four, with contiguous and strided reduced runs, reduced first or not.
 */
class ReductionsTest {
  private final Random rnd = new Random(7);

  @Test
  void blockedSumsAreRowMajorDoubleSumsBitForBit() {
    int[][] shapes = {{1, 1, 1, 1}, {3, 5, 7, 1}, {2, 6, 576, 1}, {64, 120, 1, 1}, {5, 3, 2, 7}, {1, 9, 1, 3},
        {4, 1, 6, 2}, {2, 7, 3, 5}, {7, 2, 1, 1}, {3, 4, 5, 6}};
    for (int[] d : shapes) {
      for (boolean first : new boolean[] {true, false}) {
        int n = d[0] * d[1] * d[2] * d[3];
        double[] xd = new double[n];
        float[] xf = new float[n];
        for (int i = 0; i < n; i++) {
          xf[i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextInt(20) - 10));
          xd[i] = xf[i];
        }
        boolean[] reduced = first ? new boolean[] {true, false, true, false} : new boolean[] {false, true, false, true};
        double[] want = Reductions.reduce(Reductions.SUM, xd, d, reduced);
        int outputs = Reductions.outputs(d[0], d[1], d[2], d[3], first);
        assertEquals(want.length, outputs);

        float[] got = new float[outputs];
        Reductions.reduce(Reductions.SUM, xf, got, d[0], d[1], d[2], d[3], first, false);
        double[] gotD = new double[outputs];
        Reductions.reduce(Reductions.SUM, xd, gotD, d[0], d[1], d[2], d[3], first, false);
        float[] acc = new float[outputs];
        float[] start = new float[outputs];
        for (int o = 0; o < outputs; o++) {
          start[o] = (float) rnd.nextGaussian();
          acc[o] = start[o];
        }
        Reductions.reduce(Reductions.SUM, xf, acc, d[0], d[1], d[2], d[3], first, true);
        for (int o = 0; o < outputs; o++) {
          String where = java.util.Arrays.toString(d) + " first=" + first + " output " + o;
          assertEquals(Float.floatToIntBits((float) want[o]), Float.floatToIntBits(got[o]), where);
          assertEquals(Double.doubleToLongBits(want[o]), Double.doubleToLongBits(gotD[o]), where + " (f64)");
          assertEquals(Float.floatToIntBits(start[o] + (float) want[o]), Float.floatToIntBits(acc[o]),
              where + " accumulating");
        }
      }
    }
  }

  @Test
  void aRangeOfOutputsLeavesTheOthersAlone() {
    int[] d = {3, 10, 4, 1};
    float[] x = new float[120];
    for (int i = 0; i < x.length; i++) {
      x[i] = i % 7 - 3;
    }
    float[] all = new float[10];
    Reductions.reduce(Reductions.SUM, x, all, d[0], d[1], d[2], d[3], true, false);
    float[] part = new float[10];
    java.util.Arrays.fill(part, 99f);
    Reductions.reduce(Reductions.SUM, x, part, d[0], d[1], d[2], d[3], true, false, 3, 8);
    for (int o = 0; o < 10; o++) {
      assertEquals(o >= 3 && o < 8 ? all[o] : 99f, part[o], "output " + o);
    }
  }
}
