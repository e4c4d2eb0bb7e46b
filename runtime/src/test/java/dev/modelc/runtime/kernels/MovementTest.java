package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The four-run broadcast the generated classes call against the rank-general one, with last runs of one (a
 * channel's value repeated over an image's pixels, {@code [1, c, 1, 1]} over {@code [b, c, h, w]}) as often as
 * longer ones, both orders of runs, copying and adding; and the rank-4 permute against indexing by hand, every
 * order of dims, with last dims around the length from which a kept last dim is copied by {@code arraycopy}.
 */
class MovementTest {

  private final Random rnd = new Random(11);

  @Test
  void fourRunBroadcastMatchesTheRankGeneralOne() {
    for (int trial = 0; trial < 400; trial++) {
      int[] d = {1 + rnd.nextInt(4), 1 + rnd.nextInt(5), 1 + rnd.nextInt(40),
          rnd.nextBoolean() ? 1 : 1 + rnd.nextInt(7)};
      boolean first = rnd.nextBoolean();
      boolean accumulate = rnd.nextBoolean();
      int[] from = first ? new int[] {1, d[1], 1, d[3]} : new int[] {d[0], 1, d[2], 1};
      int[] to = {d[0], d[1], d[2], d[3]};
      double[] x = new double[from[0] * from[1] * from[2] * from[3]];
      for (int i = 0; i < x.length; i++) x[i] = rnd.nextInt(100) - 50;
      double[] start = new double[d[0] * d[1] * d[2] * d[3]];
      for (int i = 0; i < start.length; i++) start[i] = rnd.nextInt(100);

      double[] expected = Movement.broadcast(x, from, to);
      if (accumulate) {
        for (int i = 0; i < expected.length; i++) expected[i] += start[i];
      }
      double[] out = start.clone();
      Movement.broadcast(x, out, d[0], d[1], d[2], d[3], first, accumulate);
      assertArrayEquals(expected, out, 0, () -> "d " + java.util.Arrays.toString(d) + " first " + first);

      float[] xf = new float[x.length];
      for (int i = 0; i < x.length; i++) xf[i] = (float) x[i];
      float[] outf = new float[start.length];
      for (int i = 0; i < start.length; i++) outf[i] = (float) start[i];
      Movement.broadcast(xf, outf, d[0], d[1], d[2], d[3], first, accumulate);
      for (int i = 0; i < expected.length; i++) out[i] = outf[i];
      assertArrayEquals(expected, out, 0, () -> "f32, d " + java.util.Arrays.toString(d) + " first " + first);
    }
  }

  @Test
  void permuteMatchesIndexingByHand() {
    int[][] orders = new int[24][];
    int n = 0;
    for (int a = 0; a < 4; a++) for (int b = 0; b < 4; b++) for (int c = 0; c < 4; c++) for (int e = 0; e < 4; e++) {
      if (a != b && a != c && a != e && b != c && b != e && c != e) orders[n++] = new int[] {a, b, c, e};
    }
    int[] lasts = {1, 3, Movement.COPY_RUN - 1, Movement.COPY_RUN, 17, 32};
    for (int[] p : orders) {
      for (int last : lasts) {
        int[] d = {1 + rnd.nextInt(3), 1 + rnd.nextInt(4), 1 + rnd.nextInt(5), last};
        boolean accumulate = rnd.nextBoolean();
        int size = d[0] * d[1] * d[2] * d[3];
        double[] x = new double[size], start = new double[size];
        for (int i = 0; i < size; i++) {
          x[i] = rnd.nextInt(100) - 50;
          start[i] = rnd.nextInt(100);
        }
        int[] od = {d[p[0]], d[p[1]], d[p[2]], d[p[3]]};
        int[] xs = {d[1] * d[2] * d[3], d[2] * d[3], d[3], 1};
        double[] expected = start.clone();
        int o = 0;
        for (int i0 = 0; i0 < od[0]; i0++) for (int i1 = 0; i1 < od[1]; i1++) for (int i2 = 0; i2 < od[2]; i2++) {
          for (int i3 = 0; i3 < od[3]; i3++, o++) {
            double v = x[i0 * xs[p[0]] + i1 * xs[p[1]] + i2 * xs[p[2]] + i3 * xs[p[3]]];
            expected[o] = accumulate ? expected[o] + v : v;
          }
        }
        double[] out = start.clone();
        Movement.permute(x, out, d[0], d[1], d[2], d[3], p[0], p[1], p[2], p[3], accumulate);
        String what = "d " + java.util.Arrays.toString(d) + " p " + java.util.Arrays.toString(p) + " acc " + accumulate;
        assertArrayEquals(expected, out, 0, what);
        float[] xf = new float[size], outf = new float[size];
        for (int i = 0; i < size; i++) {
          xf[i] = (float) x[i];
          outf[i] = (float) start[i];
        }
        Movement.permute(xf, outf, d[0], d[1], d[2], d[3], p[0], p[1], p[2], p[3], accumulate);
        for (int i = 0; i < size; i++) {
          if (outf[i] != (float) expected[i]) {
            throw new AssertionError(what + ": f32 element " + i + " is " + outf[i] + ", expected " + expected[i]);
          }
        }
      }
    }
  }
}
