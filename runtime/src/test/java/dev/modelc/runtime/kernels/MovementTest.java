package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The four-run broadcast the generated classes call against the rank-general one, with last runs of one (a
 * channel's value repeated over an image's pixels, {@code [1, c, 1, 1]} over {@code [b, c, h, w]}) as often as
 * longer ones, both orders of runs, copying and adding.
 */
class MovementTest {

  private final Random rnd = new Random(11);

  @Test
  void fourRunBroadcastMatchesTheRankGeneralOne() {
    for (int trial = 0; trial < 400; trial++) {
      int[] d = {1 + rnd.nextInt(4), 1 + rnd.nextInt(5), 1 + rnd.nextInt(40), rnd.nextBoolean() ? 1 : 1 + rnd.nextInt(7)};
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
}
