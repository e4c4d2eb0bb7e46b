package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Reductions#reduce} against a direct loop over the four runs, bit for bit: each output summed in double in
 * the operand's row-major order, then rounded (and added) once; f32 sums over long contiguous runs (summed in float
 * chunks) within a bound of it instead. The shapes include sums over a batch's rows with many
 * neighbouring outputs (a bias gradient), which the kernel computes several at a time, ragged counts of them, and
 * output ranges that start and end inside such a group (as {@link Parallel} calls it).
 */
class ReductionsTest {
  private final Random rnd = new Random(7);

  private static float expected(float[] x, int[] d, boolean first, int o, float old, boolean accumulate) {
    int kept1 = first ? d[1] : d[0];
    int kept2 = first ? d[3] : d[2];
    int a = o / kept2, b = o % kept2;
    double r = 0;
    for (int i0 = 0; i0 < d[0]; i0++) {
      for (int i1 = 0; i1 < d[1]; i1++) {
        for (int i2 = 0; i2 < d[2]; i2++) {
          for (int i3 = 0; i3 < d[3]; i3++) {
            boolean mine = first ? i1 == a && i3 == b : i0 == a && i2 == b;
            if (mine) {
              r += x[((i0 * d[1] + i1) * d[2] + i2) * d[3] + i3];
            }
          }
        }
      }
    }
    assertEquals(kept1 * kept2 > o, true);
    return accumulate ? (float) (old + (float) r) : (float) r;
  }

  private void check(int[] d, boolean first, boolean accumulate, int o0, int o1) {
    float[] x = new float[d[0] * d[1] * d[2] * d[3]];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
    }
    int outputs = Reductions.outputs(d[0], d[1], d[2], d[3], first);
    float[] out = new float[outputs];
    for (int i = 0; i < outputs; i++) {
      out[i] = (float) rnd.nextGaussian();
    }
    float[] before = out.clone();
    float[] full = out.clone();
    Reductions.reduce(Reductions.SUM, x, full, d[0], d[1], d[2], d[3], first, accumulate);
    if (o0 == 0 && o1 == outputs) {
      Reductions.reduce(Reductions.SUM, x, out, d[0], d[1], d[2], d[3], first, accumulate);
    } else {
      Reductions.reduce(Reductions.SUM, x, out, d[0], d[1], d[2], d[3], first, accumulate, o0, o1);
    }
    double[] xd = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      xd[i] = x[i];
    }
    double[] outD = new double[outputs];
    for (int i = 0; i < outputs; i++) {
      outD[i] = before[i];
    }
    if (o0 == 0 && o1 == outputs) {
      Reductions.reduce(Reductions.SUM, xd, outD, d[0], d[1], d[2], d[3], first, accumulate);
    } else {
      Reductions.reduce(Reductions.SUM, xd, outD, d[0], d[1], d[2], d[3], first, accumulate, o0, o1);
    }
    for (int o = 0; o < outputs; o++) {
      String at = java.util.Arrays.toString(d) + " first " + first + " accumulate " + accumulate + " range " + o0
          + ".." + o1 + " output " + o;
      if (o < o0 || o >= o1) {
        assertEquals(Float.floatToIntBits(before[o]), Float.floatToIntBits(out[o]), at + " was written");
        assertEquals(before[o], outD[o], at + " (f64) was written");
        continue;
      }
      float want = expected(x, d, first, o, before[o], accumulate);
      if (chunked(x.length, d, first, o)) {
        double magnitude = 0;
        for (int i = 0; i < x.length; i++) {
          if (belongs(i, d, first, o)) {
            magnitude += Math.abs(x[i]);
          }
        }
        double bound = 21 * magnitude * 0x1p-24 + Math.ulp(want) + (accumulate ? Math.ulp(before[o]) : 0);
        assertEquals(want, out[o], bound, at + " (chunked)");
        assertEquals(Float.floatToIntBits(full[o]), Float.floatToIntBits(out[o]),
            at + " (chunked) against all outputs");
      } else {
        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(out[o]), at);
      }
      double r = 0;
      for (int i = 0; i < x.length; i++) {
        if (belongs(i, d, first, o)) {
          r += xd[i];
        }
      }
      assertEquals(accumulate ? before[o] + r : r, outD[o], at + " (f64)");
    }
  }

  /**
   * Whether output o's elements are contiguous runs of at least {@link Reductions#CHUNKED_RUN} (maximal runs of
   * neighbouring positions, in order), which the f32 kernel sums in float chunks: then it is held to the exact sum
   * within a bound of float roundings, and to its own result with all outputs at once (the ranges Parallel passes).
   */
  private static boolean chunked(int n, int[] d, boolean first, int o) {
    int run = 0, last = -2, shortest = Integer.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      if (belongs(i, d, first, o)) {
        if (i != last + 1 && run > 0) {
          shortest = Math.min(shortest, run);
          run = 0;
        }
        run++;
        last = i;
      }
    }
    shortest = Math.min(shortest, run);
    return shortest >= Reductions.CHUNKED_RUN;
  }

  private static boolean belongs(int flat, int[] d, boolean first, int o) {
    int i3 = flat % d[3], i2 = flat / d[3] % d[2], i1 = flat / (d[3] * d[2]) % d[1];
    int i0 = flat / (d[3] * d[2] * d[1]);
    int kept2 = first ? d[3] : d[2];
    int a = o / kept2, b = o % kept2;
    return first ? i1 == a && i3 == b : i0 == a && i2 == b;
  }

  @Test
  void longContiguousRunsAreSummedInChunksCloseToTheExactSum() {
    // A convolution's bias gradient [batch, channels, positions] over batch and positions, a whole tensor, runs of
    // whole chunks and a ragged tail, a [rows, features] summed over its features, and the shortest chunked run;
    // whole and in the parts a split passes (each part's bits those of the whole).
    // (the fifth number: whether d0 is reduced)
    for (int[] s : new int[][] {{64, 6, 576, 1, 1}, {1, 1000, 1, 1, 0}, {3, 2, 777, 1, 1}, {5, 300, 1, 1, 0},
        {2, 3, 64, 1, 1}}) {
      int[] d = {s[0], s[1], s[2], s[3]};
      boolean first = s[4] == 1;
      int outputs = Reductions.outputs(d[0], d[1], d[2], d[3], first);
      for (boolean acc : new boolean[] {false, true}) {
        check(d, first, acc, 0, outputs);
        if (outputs > 1) {
          check(d, first, acc, 1, outputs);
          check(d, first, acc, 0, outputs / 2);
        }
      }
    }
  }

  @Test
  void sumOverRowsMatchesTheDirectLoop() {
    // [batch, features] summed over the batch: d0 reduced, d1 kept.
    for (int[] s : new int[][] {{64, 128}, {64, 10}, {3, 8}, {1, 7}, {5, 17}, {256, 1}, {7, 9}}) {
      for (boolean acc : new boolean[] {false, true}) {
        check(new int[] {s[0], s[1], 1, 1}, true, acc, 0, s[1]);
      }
    }
  }

  @Test
  void singleOutputsMatchTheDirectLoop() {
    // One output: a column summed over the batch, a whole tensor (runs that follow each other), and strided runs.
    for (int[] d : new int[][] {{256, 1, 1, 1}, {1, 37, 1, 9}, {5, 1, 1, 13}, {1, 3, 1, 1}, {1, 1000, 1, 1}}) {
      for (boolean acc : new boolean[] {false, true}) {
        check(d, d[0] != 1, acc, 0, 1);
      }
    }
    check(new int[] {6, 4, 1, 1}, true, false, 2, 3);                      // one output of several, strided
  }

  @Test
  void shortOutputRangesMatchTheDirectLoop() {
    // The parts a split reduction sums (Parallel.reduce): ranges of 2 to 4 outputs go through four chains, longer
    // ones through eight with a short block at the end; the CNN's bias gradient [64, 6, 576] split in halves first.
    check(new int[] {64, 6, 576, 1}, true, false, 0, 3);
    check(new int[] {64, 6, 576, 1}, true, true, 3, 6);
    for (int t = 0; t < 200; t++) {
      int[] d = {1 + rnd.nextInt(6), 1 + rnd.nextInt(20), 1 + rnd.nextInt(4), 1 + rnd.nextInt(20)};
      boolean first = rnd.nextBoolean();
      int outputs = Reductions.outputs(d[0], d[1], d[2], d[3], first);
      int o0 = rnd.nextInt(outputs);
      check(d, first, rnd.nextBoolean(), o0, o0 + 1 + rnd.nextInt(Math.min(outputs - o0, 13)));
    }
  }

  @Test
  void sumsWithOtherRunsMatchTheDirectLoop() {
    for (int t = 0; t < 200; t++) {
      int[] d = {1 + rnd.nextInt(6), 1 + rnd.nextInt(20), 1 + rnd.nextInt(4), 1 + rnd.nextInt(20)};
      if (rnd.nextInt(3) == 0) {
        d[2] = 1;
      }
      boolean first = rnd.nextBoolean();
      check(d, first, rnd.nextBoolean(), 0, Reductions.outputs(d[0], d[1], d[2], d[3], first));
    }
  }

  @Test
  void outputRangesMatchTheDirectLoop() {
    for (int t = 0; t < 150; t++) {
      int r = 1 + rnd.nextInt(9), n = 1 + rnd.nextInt(30), a = 1 + rnd.nextInt(4);
      int[] d;
      boolean first;
      switch (t % 3) {
        case 0 -> { d = new int[] {r, n, 1, 1}; first = true; }        // over the rows, outputs stride 1 in d1
        case 1 -> { d = new int[] {a, r, n, 1}; first = false; }       // over the middle run, kept runs d0 and d2
        default -> { d = new int[] {r, a, 1, n}; first = true; }       // kept runs d1 and d3
      }
      int outputs = Reductions.outputs(d[0], d[1], d[2], d[3], first);
      int o0 = rnd.nextInt(outputs + 1);
      int o1 = o0 + rnd.nextInt(outputs - o0 + 1);
      check(d, first, rnd.nextBoolean(), o0, o1);
    }
  }
}
