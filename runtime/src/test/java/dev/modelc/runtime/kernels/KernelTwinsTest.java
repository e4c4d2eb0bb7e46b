package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Holds each f32/f64 pair of the kernel library to one meaning: the same inputs (values that are exact in f32, with
 * ties, NaN and infinities where a kernel compares) go through both overloads, and the f32 result must equal the f64
 * result rounded to float, bit for bit where the f32 overload computes in double and rounds once (reductions,
 * log-softmax, max pooling, movement, one-hot, buffers), and within f32 rounding where it accumulates in float (the
 * convolution loops, average pooling as PyTorch sums its windows, and adding into an existing output).
 */
class KernelTwinsTest {
  private static final double[] SPECIAL = {Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 0.0, -0.0};

  private final Random rnd = new Random(12);

  /** Values exact in f32: small integers (many ties) or random floats; with {@code special}, 1 in 25 is NaN, ±inf or ±0. */
  private double[] values(int n, boolean special) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      int kind = rnd.nextInt(25);
      x[i] = special && kind == 0 ? SPECIAL[rnd.nextInt(SPECIAL.length)]
          : kind < 12 ? rnd.nextInt(5) - 2 : (float) rnd.nextGaussian();
    }
    return x;
  }

  private static float[] floats(double[] x) {
    float[] f = new float[x.length];
    for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
    return f;
  }

  /** f32 equals the f64 result rounded to float (NaN equal to NaN; -0 and +0 told apart). */
  private static void sameRounded(String what, double[] d, float[] f) {
    for (int i = 0; i < d.length; i++) {
      if (Float.floatToIntBits((float) d[i]) != Float.floatToIntBits(f[i])) {
        fail(what + " at " + i + ": f64 " + d[i] + " rounds to " + (float) d[i] + ", f32 gave " + f[i]);
      }
    }
  }

  /** f32 within {@code tolerance} of the f64 result, or both NaN / the same infinity after rounding. */
  private static void closeRounded(String what, double[] d, float[] f, double tolerance) {
    for (int i = 0; i < d.length; i++) {
      float r = (float) d[i];
      if (Float.isNaN(r) || Float.isInfinite(r)) {
        assertEquals(r, f[i], what + " at " + i);
      } else if (Math.abs(f[i] - d[i]) > tolerance) {
        fail(what + " at " + i + ": f64 " + d[i] + ", f32 " + f[i] + ", allowed " + tolerance);
      }
    }
  }

  private int[] runs() {
    return new int[] {1 + rnd.nextInt(4), 1 + rnd.nextInt(4), 1 + rnd.nextInt(4), 1 + rnd.nextInt(5)};
  }

  @Test
  void reductions() {
    for (int trial = 0; trial < 300; trial++) {
      int[] d = runs();
      int op = trial % 3;
      boolean first = rnd.nextBoolean();
      double[] x = values(d[0] * d[1] * d[2] * d[3], op != Reductions.SUM);
      int kept = first ? d[1] * d[3] : d[0] * d[2];
      double[] od = new double[kept];
      float[] of = new float[kept];
      Reductions.reduce(op, x, od, d[0], d[1], d[2], d[3], first, false);
      Reductions.reduce(op, floats(x), of, d[0], d[1], d[2], d[3], first, false);
      sameRounded("reduce op " + op, od, of);
      double[] base = values(kept, false);
      double[] ad = base.clone();
      float[] af = floats(base);
      Reductions.reduce(op, x, ad, d[0], d[1], d[2], d[3], first, true);
      Reductions.reduce(op, floats(x), af, d[0], d[1], d[2], d[3], first, true);
      for (int i = 0; i < ad.length; i++) {
        closeRounded("reduce op " + op + " accumulating", new double[] {ad[i]}, new float[] {af[i]},
            2 * Math.ulp((float) Math.max(Math.abs(ad[i]), Math.abs(od[i]) + Math.abs(base[i]))));
      }
    }
  }

  @Test
  void firstMaxAndLogSoftmax() {
    for (int trial = 0; trial < 200; trial++) {
      int outer = 1 + rnd.nextInt(4), n = 1 + rnd.nextInt(7), inner = 1 + rnd.nextInt(4);
      double[] x = values(outer * n * inner, trial % 2 == 0);
      double[] md = new double[x.length];
      float[] mf = new float[x.length];
      Reductions.firstMax(x, md, outer, n, inner);
      Reductions.firstMax(floats(x), mf, outer, n, inner);
      sameRounded("firstMax", md, mf);
      double[] ld = new double[x.length];
      float[] lf = new float[x.length];
      LogSoftmax.logSoftmax(x, ld, outer, n, inner);
      LogSoftmax.logSoftmax(floats(x), lf, outer, n, inner);
      for (int i = 0; i < ld.length; i++) {  // f32 sums FloatMath.exp, f64 Math.exp: at most an ulp apart
        closeRounded("logSoftmax", new double[] {ld[i]}, new float[] {lf[i]}, Math.ulp((float) ld[i]));
      }
    }
  }

  @Test
  void movementOneHotAndBuffers() {
    for (int trial = 0; trial < 200; trial++) {
      int[] d = runs();
      int size = d[0] * d[1] * d[2] * d[3];
      boolean first = rnd.nextBoolean();
      boolean accumulate = rnd.nextBoolean();
      double[] x = values(first ? d[1] * d[3] : d[0] * d[2], false);
      double[] start = values(size, false);
      double[] bd = start.clone();
      float[] bf = floats(start);
      Movement.broadcast(x, bd, d[0], d[1], d[2], d[3], first, accumulate);
      Movement.broadcast(floats(x), bf, d[0], d[1], d[2], d[3], first, accumulate);
      sameRounded("broadcast", bd, bf);

      double[] y = values(size, true);
      int[] p = {0, 1, 2, 3};
      for (int i = 3; i > 0; i--) {
        int j = rnd.nextInt(i + 1);
        int t = p[i];
        p[i] = p[j];
        p[j] = t;
      }
      double[] pd = start.clone();
      float[] pf = floats(start);
      Movement.permute(y, pd, d[0], d[1], d[2], d[3], p[0], p[1], p[2], p[3], accumulate);
      Movement.permute(floats(y), pf, d[0], d[1], d[2], d[3], p[0], p[1], p[2], p[3], accumulate);
      sameRounded("permute", pd, pf);

      int[] st = new int[4];
      int[] sp = new int[4];
      int[] e = new int[4];
      for (int i = 0; i < 4; i++) {
        st[i] = rnd.nextInt(d[i]);
        sp[i] = 1 + rnd.nextInt(2);
        e[i] = 1 + rnd.nextInt((d[i] - 1 - st[i]) / sp[i] + 1);
      }
      int kept = e[0] * e[1] * e[2] * e[3];
      double[] sd = values(kept, false);
      float[] sf = floats(sd);
      Movement.slice(y, sd, d[1], d[2], d[3], st[0], st[1], st[2], st[3], sp[0], sp[1], sp[2], sp[3],
          e[0], e[1], e[2], e[3], accumulate);
      Movement.slice(floats(y), sf, d[1], d[2], d[3], st[0], st[1], st[2], st[3], sp[0], sp[1], sp[2], sp[3],
          e[0], e[1], e[2], e[3], accumulate);
      sameRounded("slice", sd, sf);
      double[] g = values(kept, false);
      double[] gd = start.clone();
      float[] gf = floats(start);
      Movement.sliceBackward(g, gd, d[1], d[2], d[3], st[0], st[1], st[2], st[3], sp[0], sp[1], sp[2], sp[3],
          e[0], e[1], e[2], e[3], accumulate);
      Movement.sliceBackward(floats(g), gf, d[1], d[2], d[3], st[0], st[1], st[2], st[3], sp[0], sp[1], sp[2], sp[3],
          e[0], e[1], e[2], e[3], accumulate);
      sameRounded("sliceBackward", gd, gf);

      int classes = 1 + rnd.nextInt(6);
      int[] labels = rnd.ints(d[0], 0, classes).toArray();
      double[] hd = values(d[0] * classes, false);
      float[] hf = floats(hd);
      OneHot.oneHot(labels, hd, d[0], classes, null);
      OneHot.oneHot(labels, hf, d[0], classes, null);
      sameRounded("oneHot", hd, hf);

      double[] fd = start.clone();
      float[] ff = floats(start);
      double v = (float) rnd.nextGaussian();
      Buffers.fill(fd, size - 1, v);
      Buffers.fill(ff, size - 1, v);
      sameRounded("fill", fd, ff);
      Buffers.accumulate(y, fd, size);
      Buffers.accumulate(floats(y), ff, size);
      sameRounded("accumulate", fd, ff);
    }
  }

  @Test
  void pooling() {
    for (int trial = 0; trial < 200; trial++) {
      int planes = 1 + rnd.nextInt(3), h = 1 + rnd.nextInt(8), w = 1 + rnd.nextInt(8);
      int kh = 1 + rnd.nextInt(Math.min(h, 3)), kw = 1 + rnd.nextInt(Math.min(w, 3));
      int sh = 1 + rnd.nextInt(2), sw = 1 + rnd.nextInt(2), ph = rnd.nextInt(kh / 2 + 1), pw = rnd.nextInt(kw / 2 + 1);
      int oh = (h + 2 * ph - kh) / sh + 1, ow = (w + 2 * pw - kw) / sw + 1;
      boolean accumulate = rnd.nextBoolean();
      double[] x = values(planes * h * w, trial % 2 == 0);
      double[] g = values(planes * oh * ow, false);
      double[] t = values(planes * h * w, false);

      double[] yd = new double[g.length];
      float[] yf = new float[g.length];
      Pooling.maxpool2d(x, yd, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
      Pooling.maxpool2d(floats(x), yf, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
      sameRounded("maxpool2d", yd, yf);
      Pooling.maxpool2dGather(t, x, yd, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
      Pooling.maxpool2dGather(floats(t), floats(x), yf, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
      sameRounded("maxpool2dGather", yd, yf);
      Pooling.avgpool2d(x, yd, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
      Pooling.avgpool2d(floats(x), yf, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
      double largest = 0;
      for (double v : x) if (Double.isFinite(v)) largest = Math.max(largest, Math.abs(v));
      closeRounded("avgpool2d", yd, yf, kh * kw * Math.ulp((float) largest));

      // Gradients of small integers divided by kh * kw at most 9 add exactly in float and in double alike.
      double[] gi = new double[g.length];
      for (int i = 0; i < gi.length; i++) gi[i] = rnd.nextInt(7) - 3;
      double[] dd = accumulate ? values(x.length, false) : new double[x.length];
      for (int i = 0; i < dd.length; i++) dd[i] = Math.rint(dd[i]);
      float[] df = floats(dd);
      Pooling.maxpool2dBackward(gi, x, dd, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, accumulate);
      Pooling.maxpool2dBackward(floats(gi), floats(x), df, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, accumulate);
      sameRounded("maxpool2dBackward", dd, df);
      int[] at = new int[g.length];
      int[] atf = new int[g.length];
      Pooling.maxpool2d(x, yd, at, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
      Pooling.maxpool2d(floats(x), yf, atf, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
      sameRounded("maxpool2d recording the argmax", yd, yf);
      assertArrayEquals(at, atf, "maxpool2d's argmax");
      Pooling.maxpool2dBackward(gi, at, dd, x.length, g.length, accumulate);
      Pooling.maxpool2dBackward(floats(gi), atf, df, x.length, g.length, accumulate);
      sameRounded("maxpool2dBackward at the argmax", dd, df);
      Pooling.maxpool2dGather(t, at, yd, g.length);
      Pooling.maxpool2dGather(floats(t), atf, yf, g.length);
      sameRounded("maxpool2dGather at the argmax", yd, yf);
      double[] ad = new double[x.length];
      float[] af = new float[x.length];
      Pooling.avgpool2dBackward(g, ad, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, false);
      Pooling.avgpool2dBackward(floats(g), af, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, false);
      double bound = 0;
      for (double v : g) bound = Math.max(bound, Math.abs(v));
      closeRounded("avgpool2dBackward", ad, af, 4 * kh * kw * Math.ulp((float) bound));
    }
  }

  /** The stride-1 convolution loops (plain and, when loaded, Vector API), f32 against f64 through {@link DirectConv}. */
  @Test
  void convolutionLoops() {
    Workspace ws = new Workspace();
    for (Conv2dShape s : new Conv2dShape[] {Conv2dShape.of(2, 1, 12, 12, 6, 5, 1, 0),
        Conv2dShape.of(1, 3, 9, 7, 4, 3, 1, 1), Conv2dShape.of(2, 2, 6, 6, 3, 3, 1, 2)}) {
      for (JavaConvLoops loops : new JavaConvLoops[] {JavaConvLoops.INSTANCE, Kernels.selected().convLoops()}) {
        double[] x = values(s.batch() * s.imageSize(), false);
        double[] w = values(s.outChannels() * s.patchSize(), false);
        double[] bias = values(s.outChannels(), false);
        int ySize = s.batch() * s.outChannels() * s.outHeight() * s.outWidth();
        double[] dy = values(ySize, false);
        // each output sums patchSize products of values below 3 in magnitude, rounded in float as it goes
        double tol = 9 * (s.patchSize() + 1) * Math.ulp(9f * (s.patchSize() + 1)) / 4;
        double[] yd = new double[ySize];
        float[] yf = new float[ySize];
        DirectConv.forward(loops, ws, s, x, w, bias, yd);
        DirectConv.forward(loops, ws, s, floats(x), floats(w), floats(bias), yf);
        closeRounded("conv forward " + s, yd, yf, tol);
        double[] dxd = new double[x.length];
        float[] dxf = new float[x.length];
        DirectConv.backwardInput(loops, ws, s, dy, w, dxd, false);
        DirectConv.backwardInput(loops, ws, s, floats(dy), floats(w), dxf, false);
        closeRounded("conv input gradient " + s, dxd, dxf, tol);
        double[] dwd = new double[w.length];
        float[] dwf = new float[w.length];
        int terms = s.batch() * s.outHeight() * s.outWidth();
        DirectConv.backwardWeight(loops, ws, s, x, dy, dwd, false);
        DirectConv.backwardWeight(loops, ws, s, floats(x), floats(dy), dwf, false);
        closeRounded("conv weight gradient " + s, dwd, dwf, 9 * (terms + 1) * Math.ulp(9f * (terms + 1)) / 4);
      }
    }
  }
}
