package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The any-rank kernels the generated classes call where a shape does not fit the rank-4 loops
 * ({@link Movement#strided}, {@link Movement#placeStrided}, {@link Reductions#reduce(int, float[], float[], int[],
 * boolean, boolean)}) against the rank-general forms the IR evaluator uses, at ranks 1 to 7 with dims of 1 among
 * the others, copying and adding: exactly in f64, and in f32 the f64 result rounded to float, on values exact in
 * f32 (NaN and infinities among them for max and log-sum-exp).
 */
class AnyRankKernelsTest {
  private final Random rnd = new Random(17);

  private int[] shape(int rank) {
    int[] s = new int[rank];
    for (int d = 0; d < rank; d++) s[d] = rnd.nextInt(4) == 0 ? 1 : 1 + rnd.nextInt(4);
    if (rank > 0 && rnd.nextBoolean()) s[rank - 1] = 1 + rnd.nextInt(12); // long runs: arraycopy and fills
    return s;
  }

  private static int count(int[] shape) {
    return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
  }

  private static int[] strides(int[] shape) {
    int[] st = new int[shape.length];
    int acc = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      st[d] = acc;
      acc *= shape[d];
    }
    return st;
  }

  private double[] values(int n, boolean special) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      int kind = rnd.nextInt(30);
      x[i] = special && kind == 0 ? new double[] {Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY}[
          rnd.nextInt(3)] : kind < 10 ? rnd.nextInt(5) - 2 : (float) rnd.nextGaussian();
    }
    return x;
  }

  private static float[] floats(double[] x) {
    float[] f = new float[x.length];
    for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
    return f;
  }

  private static int[] walk(int offset, int[] sizes, int[] strides) {
    int[] w = new int[1 + 2 * sizes.length];
    w[0] = offset;
    System.arraycopy(sizes, 0, w, 1, sizes.length);
    System.arraycopy(strides, 0, w, 1 + sizes.length, sizes.length);
    return w;
  }

  /** Runs {@link Movement#strided} in both precisions from {@code start} and compares with {@code moved}. */
  private void checkStrided(String what, double[] x, int[] walk, double[] moved, boolean accumulate) {
    double[] start = values(moved.length, false);
    double[] want = moved.clone();
    if (accumulate) for (int i = 0; i < want.length; i++) want[i] += start[i];
    double[] out = start.clone();
    Movement.strided(x, out, walk, accumulate);
    assertArrayEquals(want, out, 0, what);
    float[] outf = floats(start);
    Movement.strided(floats(x), outf, walk, accumulate);
    for (int i = 0; i < want.length; i++) {
      float w = accumulate ? (float) ((float) start[i] + (float) moved[i]) : (float) moved[i];
      if (Float.floatToIntBits(w) != Float.floatToIntBits(outf[i])) fail("f32 " + what + " at " + i);
    }
  }

  @Test
  void broadcastsPermutesAndSlicesAsWalksMatchTheRankGeneralForms() {
    for (int trial = 0; trial < 600; trial++) {
      int rank = 1 + rnd.nextInt(7);
      int[] to = shape(rank);
      int[] xs = strides(to);
      boolean accumulate = rnd.nextBoolean();
      String at = "trial " + trial + " shape " + Arrays.toString(to) + (accumulate ? " adding" : "");

      int[] from = to.clone();
      int[] bstrides = new int[rank];
      for (int d = 0; d < rank; d++) if (rnd.nextBoolean()) from[d] = 1;
      int[] fs = strides(from);
      for (int d = 0; d < rank; d++) bstrides[d] = from[d] == 1 ? 0 : fs[d];
      double[] bx = values(count(from), false);
      checkStrided("broadcast " + Arrays.toString(from) + " " + at, bx, walk(0, to, bstrides),
          Movement.broadcast(bx, from, to), accumulate);

      int[] perm = new int[rank];
      for (int d = 0; d < rank; d++) perm[d] = d;
      for (int d = rank - 1; d > 0; d--) {
        int j = rnd.nextInt(d + 1);
        int t = perm[d];
        perm[d] = perm[j];
        perm[j] = t;
      }
      int[] psizes = new int[rank];
      int[] pstrides = new int[rank];
      for (int d = 0; d < rank; d++) {
        psizes[d] = to[perm[d]];
        pstrides[d] = xs[perm[d]];
      }
      double[] px = values(count(to), false);
      checkStrided("permute " + Arrays.toString(perm) + " " + at, px, walk(0, psizes, pstrides),
          Movement.permute(px, to, perm), accumulate);

      int[] start = new int[rank];
      int[] step = new int[rank];
      int[] size = new int[rank];
      int[] sstrides = new int[rank];
      int offset = 0;
      for (int d = 0; d < rank; d++) {
        start[d] = rnd.nextInt(to[d]);
        step[d] = 1 + rnd.nextInt(3);
        size[d] = 1 + rnd.nextInt((to[d] - start[d] + step[d] - 1) / step[d]);
        offset += start[d] * xs[d];
        sstrides[d] = step[d] * xs[d];
      }
      int[] sw = walk(offset, size, sstrides);
      String slice = "slice " + Arrays.toString(start) + " " + Arrays.toString(step) + " " + Arrays.toString(size)
          + " " + at;
      checkStrided(slice, px, sw, Movement.slice(px, to, start, step, size), accumulate);

      double[] g = values(count(size), false);
      double[] placed = Movement.sliceBackward(g, to, start, step, size);
      double[] before = values(placed.length, false);
      double[] want = placed.clone();
      if (accumulate) for (int i = 0; i < want.length; i++) want[i] += before[i];
      double[] out = before.clone();
      Movement.placeStrided(g, out, sw, accumulate);
      assertArrayEquals(want, out, 0, "placed " + slice);
      float[] outf = floats(before);
      Movement.placeStrided(floats(g), outf, sw, accumulate);
      for (int i = 0; i < want.length; i++) {
        float w = accumulate ? (float) ((float) before[i] + (float) placed[i]) : (float) placed[i];
        if (Float.floatToIntBits(w) != Float.floatToIntBits(outf[i])) fail("f32 placed " + slice + " at " + i);
      }
    }
  }

  @Test
  void aWalkOfNoDimsMovesOneElement() {
    double[] out = {5};
    Movement.strided(new double[] {1, 2, 3}, out, new int[] {2}, true);
    assertArrayEquals(new double[] {8}, out, 0);
    float[] placed = {1, 1, 1};
    Movement.placeStrided(new float[] {4}, placed, new int[] {1}, false);
    assertArrayEquals(new float[] {0, 4, 0}, placed, 0);
  }

  @Test
  void reductionsOverAnyNumberOfRunsMatchTheRankGeneralForm() {
    for (int trial = 0; trial < 600; trial++) {
      int runs = 1 + rnd.nextInt(8);
      boolean first = rnd.nextBoolean();
      int[] r = new int[runs];
      boolean[] reduced = new boolean[runs];
      for (int k = 0; k < runs; k++) {
        r[k] = 1 + rnd.nextInt(k == runs - 1 ? 9 : 4);
        reduced[k] = (k % 2 == 0) == first;
      }
      int op = trial % 3;
      boolean accumulate = rnd.nextBoolean();
      double[] x = values(count(r), op != Reductions.SUM);
      double[] reducedValues = Reductions.reduce(op, x, r, reduced);
      String at = "trial " + trial + " op " + op + " runs " + Arrays.toString(r) + " first reduced " + first
          + (accumulate ? " adding" : "");
      double[] start = values(reducedValues.length, false);
      double[] want = reducedValues.clone();
      if (accumulate) for (int i = 0; i < want.length; i++) want[i] += start[i];
      double[] out = start.clone();
      Reductions.reduce(op, x, out, r, first, accumulate);
      assertArrayEquals(want, out, 0, at);
      float[] outf = floats(start);
      Reductions.reduce(op, floats(x), outf, r, first, accumulate);
      for (int i = 0; i < want.length; i++) {
        float w = accumulate ? (float) ((float) start[i] + (float) reducedValues[i]) : (float) reducedValues[i];
        if (Float.floatToIntBits(w) != Float.floatToIntBits(outf[i])) {
          fail("f32 " + at + " at " + i + ": " + outf[i] + ", not " + w);
        }
      }
    }
  }
}
