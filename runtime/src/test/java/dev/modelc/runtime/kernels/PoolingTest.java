package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The max-pooling loops against a plain reference of the documented semantics (each window's first maximum in
 * row-major order, a NaN wins and a later NaN takes over, as PyTorch's {@code val > maxval || isnan(val)}, padding
 * never wins, an empty window gives -infinity and routes nothing),
 * on random shapes with ties, NaN and infinities, with and without padding, compared bit for bit in f32 and f64;
 * the overloads that record the argmax in the forward and read it in the backward and gather give the same. The f32
 * row loop of 2 x 2 windows at column stride 2 is held to the reference bit for bit.
 */
class PoolingTest {
  private static final double[] SPECIAL = {Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 0.0, -0.0};

  @Test
  void matchesTheReference() {
    Random rnd = new Random(5);
    for (int trial = 0; trial < 400; trial++) {
      int planes = 1 + rnd.nextInt(3), h = 1 + rnd.nextInt(9), w = 1 + rnd.nextInt(9);
      int kh = 1 + rnd.nextInt(Math.min(h, 4)), kw = 1 + rnd.nextInt(Math.min(w, 4));
      int sh = 1 + rnd.nextInt(3), sw = 1 + rnd.nextInt(3);
      int ph = rnd.nextInt(kh / 2 + 1), pw = rnd.nextInt(kw / 2 + 1);
      check(rnd, planes, h, w, kh, kw, sh, sw, ph, pw);
    }
  }

  /**
   * Windows holding several NaNs record the last (PyTorch's {@code val > maxval || isnan(val)}): the positions are
   * torch 1.13's {@code max_pool2d(..., return_indices=True)}, for the 2 x 2 path and for 3 x 3 windows over padding.
   */
  @Test
  void aWindowsLastNaNWinsAsInPyTorch() {
    double nan = Double.NaN;
    double[] x = {nan, 1, 3, nan, nan, 2, nan, 4, 5, 6, 7, 8, 1, nan, 8, nan};
    assertArgmax(x, 4, 4, 2, 2, 0, new int[] {4, 6, 13, 15});
    double[] z = {nan, 2, 3, nan, 5, 6, 7, 8, nan};
    assertArgmax(z, 3, 3, 3, 1, 1, new int[] {3, 3, 5, 3, 8, 8, 3, 8, 8});
  }

  /**
   * Average pooling has torch 1.13's bits in f32: its CPU kernel sums each window in float, row by row, and divides
   * by {@code kh * kw}; its backward divides each output gradient in float and adds it over the window. The values
   * are {@code avg_pool2d(x, 3, 1, 1)} and its input gradient for the inputs below (a sum in double, rounded once,
   * differs from 12 of the 25 outputs). A float sum that overflows is infinite, as there.
   */
  @Test
  void averagePoolingHasPyTorchsBits() {
    float[] x = new float[25];
    float[] g = new float[25];
    for (int i = 0; i < 25; i++) {
      x[i] = (float) (0.1 * (i + 1) - 1.3);
      g[i] = (float) (0.7 * (i + 1));
    }
    float[] y = new float[25];
    Pooling.avgpool2d(x, y, 1, 5, 5, 5, 5, 3, 3, 1, 1, 1, 1);
    assertBits(new float[] {-0.40000003576278687f, -0.5666666626930237f, -0.5f, -0.4333333373069763f,
        -0.2666666805744171f, -0.4333333671092987f, -0.5999999642372131f, -0.5f, -0.4000000059604645f,
        -0.23333334922790527f, -0.09999999403953552f, -0.09999999403953552f, 0.0f, 0.09999999403953552f,
        0.09999999403953552f, 0.23333331942558289f, 0.3999999761581421f, 0.5f, 0.6000000834465027f,
        0.4333333373069763f, 0.2666666805744171f, 0.4333333373069763f, 0.5f, 0.5666667222976685f,
        0.4000000059604645f}, y, "avg_pool2d");
    float[] dx = new float[25];
    Pooling.avgpool2dBackward(g, dx, 1, 5, 5, 5, 5, 3, 3, 1, 1, 1, 1, false);
    assertBits(new float[] {1.2444443702697754f, 2.0999999046325684f, 2.566666603088379f, 3.0333333015441895f,
        2.1777777671813965f, 3.0333333015441895f, 4.900000095367432f, 5.600000381469727f, 6.299999713897705f,
        4.433333396911621f, 5.366666316986084f, 8.399999618530273f, 9.09999942779541f, 9.799999237060547f,
        6.766666412353516f, 7.699999809265137f, 11.899999618530273f, 12.600000381469727f, 13.300000190734863f,
        9.100000381469727f, 5.911110877990723f, 9.100000381469727f, 9.566666603088379f, 10.033333778381348f,
        6.844444274902344f}, dx, "its backward");

    float[] big = {3e38f, 3e38f, 3e38f, 3e38f};
    float[] mean = new float[1];
    Pooling.avgpool2d(big, mean, 1, 2, 2, 1, 1, 2, 2, 2, 2, 0, 0);
    assertEquals(Float.POSITIVE_INFINITY, mean[0], "a window whose float sum overflows");
  }

  private static void assertBits(float[] expected, float[] actual, String what) {
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
          what + " at " + i + ": expected " + expected[i] + ", got " + actual[i]);
    }
  }

  private static void assertArgmax(double[] x, int h, int w, int k, int s, int p, int[] expected) {
    int oh = (h + 2 * p - k) / s + 1;
    int ow = (w + 2 * p - k) / s + 1;
    float[] xf = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      xf[i] = (float) x[i];
    }
    int[] argmax = new int[oh * ow];
    int[] argmaxf = new int[oh * ow];
    Pooling.maxpool2d(x, new double[oh * ow], argmax, 1, h, w, oh, ow, k, k, s, s, p, p);
    Pooling.maxpool2d(xf, new float[oh * ow], argmaxf, 1, h, w, oh, ow, k, k, s, s, p, p);
    double[] g = new double[oh * ow];
    java.util.Arrays.fill(g, 1);
    double[] searched = new double[x.length];
    Pooling.maxpool2dBackward(g, x, searched, 1, h, w, oh, ow, k, k, s, s, p, p, false);
    double[] routed = new double[x.length];
    for (int a : expected) {
      routed[a]++;
    }
    assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(argmax), "f64");
    assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(argmaxf), "f32");
    assertEquals(java.util.Arrays.toString(routed), java.util.Arrays.toString(searched), "f64 backward by search");
  }

  /** The CNN's case, 2 x 2 windows at column stride 2, which has a path of its own, with every row stride. */
  @Test
  void twoByTwoWindowsMatchTheReference() {
    Random rnd = new Random(13);
    for (int trial = 0; trial < 300; trial++) {
      int h = 2 + rnd.nextInt(9), w = 2 + rnd.nextInt(9);
      check(rnd, 1 + rnd.nextInt(3), h, w, 2, 2, 1 + rnd.nextInt(3), 2, rnd.nextInt(2), rnd.nextInt(2));
    }
  }

  /**
   * The 2 x 2 row loop, plain and with the selected kernel's (the Vector API form when the tests run with the module),
   * values and recorded positions bit for bit against the reference, argmax recorded or not: rows from shorter than a
   * vector to several vectors and a tail, odd widths and heights, every row stride, padding, planes of even height at
   * stride 2 without padding (whose rows of all planes go in one loop, the CNN's case) in a quarter of the trials,
   * half of them with rows of a multiple of four outputs, several planes and a range of planes as {@link Parallel}
   * asks for; data of many ties, signed zeros, and NaN or infinities in some trials only (a row of both infinities or
   * a NaN takes the general search).
   */
  @Test
  void twoByTwoRowLoopsMatchTheReferenceBitForBit() {
    float[][] palettes = {
        {-2f, -1f, 0f, 1f, 2f},
        {0f, -0f, 1f, -1f},
        {0f, -0f, Float.NEGATIVE_INFINITY, -3e38f, Float.MIN_VALUE, -Float.MIN_VALUE},
        {0f, -0f, 1f, Float.POSITIVE_INFINITY, 3e38f},
        {-1f, 0f, -0f, Float.NaN, 1f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY},
    };
    Random rnd = new Random(29);
    for (int trial = 0; trial < 600; trial++) {
      int planes = 1 + rnd.nextInt(4), h = 2 + rnd.nextInt(30), w = 2 + rnd.nextInt(70);
      int sh = 1 + rnd.nextInt(3), ph = rnd.nextInt(2), pw = rnd.nextInt(2);
      if (trial % 4 == 0) { // the CNN's case: planes of even height, stride 2, no padding (all rows in one loop)
        h += h % 2;
        sh = 2;
        ph = 0;
        pw = 0;
        if (trial % 8 == 0) { // rows of whole groups of four outputs (the CNN's 24 -> 12), which go as one sequence
          w = 8 * (1 + rnd.nextInt(5)) + rnd.nextInt(2);
        }
      }
      int oh = (h + 2 * ph - 2) / sh + 1, ow = (w + 2 * pw - 2) / 2 + 1;
      int kind = rnd.nextInt(palettes.length + 2);
      float[] x = new float[planes * h * w];
      for (int i = 0; i < x.length; i++) {
        x[i] = kind < palettes.length ? palettes[kind][rnd.nextInt(palettes[kind].length)]
            : kind == palettes.length ? rnd.nextFloat() - 0.5f
            : rnd.nextInt(800) == 0 ? Float.NaN : rnd.nextInt(6) - 3; // a NaN in a few rows only
      }
      double[] xd = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        xd[i] = x[i];
      }
      int[] expectedAt = new int[planes * oh * ow];
      double[] expected = reference(xd, planes, h, w, oh, ow, 2, 2, sh, 2, ph, pw, expectedAt);
      int first = rnd.nextInt(planes), end = first + 1 + rnd.nextInt(planes - first);
      String where = planes + "x" + h + "x" + w + " s" + sh + " p" + ph + "x" + pw + " planes " + first + ".." + end
          + " palette " + kind;
      for (int run = 0; run < 4; run++) {
        boolean record = run % 2 == 1;
        // the selected kernel's with a rent of none or of a few rows, so that some calls switch part of the way
        JavaPoolRows loops = run < 2 ? JavaPoolRows.INSTANCE
            : Kernels.selected().poolRows().withRent(rnd.nextBoolean() ? 0 : rnd.nextInt(4 * w));
        float[] out = new float[expected.length];
        int[] at = record ? new int[expected.length] : null;
        java.util.Arrays.fill(out, 7f);
        if (at != null) {
          java.util.Arrays.fill(at, -7);
        }
        Pooling.maxpool2dPlanes(loops, x, out, at, first, end, h, w, oh, ow, 2, 2, sh, 2, ph, pw);
        String which = where + (record ? " argmax" : "") + " " + loops.getClass().getSimpleName();
        for (int o = 0; o < expected.length; o++) {
          boolean inside = o >= first * oh * ow && o < end * oh * ow;
          assertEquals(inside ? Float.floatToRawIntBits((float) expected[o]) : Float.floatToRawIntBits(7f),
              Float.floatToRawIntBits(out[o]), which + " value " + o);
          if (at != null) {
            assertEquals(inside ? expectedAt[o] : -7, at[o], which + " position " + o);
          }
        }
      }
    }
  }

  /**
   * Forward, backward and gather, searching and through the recorded argmax, against the reference bit for bit in
   * f32 and f64.
   */
  private static void check(Random rnd, int planes, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw) {
    check(rnd, null, planes, h, w, kh, kw, sh, sw, ph, pw);
  }

  /**
   * Values far apart in magnitude and of both signs, whose order-preserving keys differ by more than a long holds
   * (f64) or an int holds (f32): the 2 x 2 path compares keys by the sign of their difference.
   */
  @Test
  void twoByTwoWindowsOfDistantValues() {
    // each exactly a float too, so that f32 and f64 have the same ties
    double[] palette = {3e38f, -3e38f, 1e-40f, -1e-40f, Float.MIN_VALUE, -Float.MIN_VALUE, 7.5, -7.5, 0.0, -0.0};
    Random rnd = new Random(17);
    for (int trial = 0; trial < 300; trial++) {
      int h = 2 + rnd.nextInt(9), w = 2 + rnd.nextInt(9);
      check(rnd, palette, 1 + rnd.nextInt(3), h, w, 2, 2, 1 + rnd.nextInt(3), 2, rnd.nextInt(2), rnd.nextInt(2));
    }
  }

  private static void check(Random rnd, double[] palette, int planes, int h, int w, int kh, int kw, int sh, int sw,
                            int ph, int pw) {
    int oh = (h + 2 * ph - kh) / sh + 1, ow = (w + 2 * pw - kw) / sw + 1;
    double[] x = new double[planes * h * w];
    for (int i = 0; i < x.length; i++) {
      int kind = rnd.nextInt(20);
      x[i] = palette != null ? palette[rnd.nextInt(palette.length)]
          : kind == 0 ? SPECIAL[rnd.nextInt(SPECIAL.length)] : rnd.nextInt(4) - 2; // many ties
    }
    double[] g = new double[planes * oh * ow];
    for (int i = 0; i < g.length; i++) {
      g[i] = rnd.nextInt(7) - 3 + 0.25;
    }
    String where = planes + "x" + h + "x" + w + " k" + kh + "x" + kw + " s" + sh + "x" + sw + " p" + ph + "x" + pw;
    int[] argmax = new int[g.length];
    double[] expected = reference(x, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, argmax);
    boolean accumulate = rnd.nextBoolean();

    double[] out = new double[g.length];
    Pooling.maxpool2d(x, out, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
    float[] xf = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      xf[i] = (float) x[i];
    }
    float[] outf = new float[g.length];
    Pooling.maxpool2d(xf, outf, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
    for (int i = 0; i < out.length; i++) {
      assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(out[i]), where + " f64 " + i);
      assertEquals(Float.floatToRawIntBits((float) expected[i]), Float.floatToRawIntBits(outf[i]),
          where + " f32 " + i);
    }

    double[] dx = new double[x.length];
    float[] dxf = new float[x.length];
    double[] want = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      dx[i] = accumulate ? 0.5 : 99;
      dxf[i] = (float) dx[i];
      want[i] = accumulate ? 0.5 : 0;
    }
    for (int o = 0; o < g.length; o++) {
      if (argmax[o] >= 0) {
        want[argmax[o]] += g[o];
      }
    }
    float[] gf = new float[g.length];
    for (int i = 0; i < g.length; i++) {
      gf[i] = (float) g[i];
    }
    Pooling.maxpool2dBackward(g, x, dx, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, accumulate);
    Pooling.maxpool2dBackward(gf, xf, dxf, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, accumulate);
    for (int i = 0; i < x.length; i++) {
      assertEquals(want[i], dx[i], 0.0, where + " f64 grad " + i);
      assertEquals((float) want[i], dxf[i], 0.0f, where + " f32 grad " + i);
    }

    int[] recorded = new int[g.length];
    int[] recordedf = new int[g.length];
    java.util.Arrays.fill(out, 7);
    java.util.Arrays.fill(outf, 7);
    Pooling.maxpool2d(x, out, recorded, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
    Pooling.maxpool2d(xf, outf, recordedf, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
    for (int i = 0; i < out.length; i++) {
      assertEquals(argmax[i], recorded[i], where + " f64 argmax " + i);
      assertEquals(argmax[i], recordedf[i], where + " f32 argmax " + i);
      assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(out[i]), where + " f64 " + i);
      assertEquals(Float.floatToRawIntBits((float) expected[i]), Float.floatToRawIntBits(outf[i]),
          where + " f32 " + i);
    }
    for (int i = 0; i < x.length; i++) {
      dx[i] = accumulate ? 0.5 : 99;
      dxf[i] = (float) dx[i];
    }
    Pooling.maxpool2dBackward(g, recorded, dx, x.length, g.length, accumulate);
    Pooling.maxpool2dBackward(gf, recordedf, dxf, x.length, g.length, accumulate);
    for (int i = 0; i < x.length; i++) {
      assertEquals(Double.doubleToRawLongBits(want[i]), Double.doubleToRawLongBits(dx[i]), where + " f64 grad " + i);
      assertEquals(Float.floatToRawIntBits((float) want[i]), Float.floatToRawIntBits(dxf[i]),
          where + " f32 grad " + i);
    }

    double[] t = new double[x.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = rnd.nextInt(9) - 4 + 0.5;
    }
    float[] tf = new float[t.length];
    for (int i = 0; i < t.length; i++) {
      tf[i] = (float) t[i];
    }
    double[] searched = new double[g.length];
    float[] searchedf = new float[g.length];
    Pooling.maxpool2dGather(t, x, searched, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
    Pooling.maxpool2dGather(tf, xf, searchedf, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
    Pooling.maxpool2dGather(t, recorded, out, g.length);
    Pooling.maxpool2dGather(tf, recordedf, outf, g.length);
    for (int o = 0; o < g.length; o++) {
      double gathered = argmax[o] >= 0 ? t[argmax[o]] : 0;
      assertEquals(gathered, searched[o], 0.0, where + " f64 gather " + o);
      assertEquals(gathered, out[o], 0.0, where + " f64 gather at argmax " + o);
      assertEquals((float) gathered, searchedf[o], 0.0f, where + " f32 gather " + o);
      assertEquals((float) gathered, outf[o], 0.0f, where + " f32 gather at argmax " + o);
    }
  }

  /** Straight from the definition; records each window's winning position (-1 for an empty window). */
  private static double[] reference(double[] x, int planes, int h, int w, int oh, int ow, int kh, int kw, int sh,
                                    int sw, int ph, int pw, int[] argmax) {
    double[] out = new double[planes * oh * ow];
    int o = 0;
    for (int p = 0; p < planes; p++) {
      for (int oi = 0; oi < oh; oi++) {
        for (int oj = 0; oj < ow; oj++) {
          double best = Double.NEGATIVE_INFINITY;
          int arg = -1;
          for (int ki = 0; ki < kh; ki++) {
            for (int kj = 0; kj < kw; kj++) {
              int i = oi * sh - ph + ki;
              int j = oj * sw - pw + kj;
              if (i < 0 || i >= h || j < 0 || j >= w) {
                continue;
              }
              double v = x[p * h * w + i * w + j];
              if (arg < 0 || v > best || Double.isNaN(v)) {
                best = v;
                arg = p * h * w + i * w + j;
              }
            }
          }
          argmax[o] = arg;
          out[o++] = best;
        }
      }
    }
    return out;
  }
}
