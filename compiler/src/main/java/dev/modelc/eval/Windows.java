package dev.modelc.eval;

import dev.modelc.ir.Attr;

/**
 * The 2-D window kernels (convolution, pooling) and their transposes, on NCHW arrays. Each backward kernel is the
 * exact transpose of its forward kernel, which is what makes the derivative rules of these ops close under
 * differentiation (see {@code VjpRules}).
 */
final class Windows {
  private Windows() {}

  /** Visits each (output position, input position inside the padded input) pair of one channel plane. */
  private interface Visit {
    void at(int outIndex, int inIndex, int ki, int kj);
  }

  private static void windows(int h, int w, int oh, int ow, int kh, int kw, Attr.Window win, Visit v) {
    for (int oi = 0; oi < oh; oi++) {
      for (int oj = 0; oj < ow; oj++) {
        for (int ki = 0; ki < kh; ki++) {
          int i = oi * win.strideH() - win.padH() + ki;
          if (i < 0 || i >= h) continue;
          for (int kj = 0; kj < kw; kj++) {
            int j = oj * win.strideW() - win.padW() + kj;
            if (j < 0 || j >= w) continue;
            v.at(oi * ow + oj, i * w + j, ki, kj);
          }
        }
      }
    }
  }

  static double[] conv2d(NdArray x, NdArray wt, Attr.Window win, int[] out) {
    int n = x.shape()[0], c = x.shape()[1], h = x.shape()[2], w = x.shape()[3];
    int o = wt.shape()[0], kh = wt.shape()[2], kw = wt.shape()[3];
    int oh = out[2], ow = out[3];
    double[] r = new double[n * o * oh * ow];
    for (int b = 0; b < n; b++) {
      for (int f = 0; f < o; f++) {
        int ro = (b * o + f) * oh * ow;
        for (int ch = 0; ch < c; ch++) {
          int xo = (b * c + ch) * h * w;
          int wo = (f * c + ch) * kh * kw;
          windows(h, w, oh, ow, kh, kw, win,
              (oi, ii, ki, kj) -> r[ro + oi] += x.data()[xo + ii] * wt.data()[wo + ki * kw + kj]);
        }
      }
    }
    return r;
  }

  static double[] conv2dBackwardInput(NdArray g, NdArray wt, Attr.Window win, int[] xShape) {
    int n = xShape[0], c = xShape[1], h = xShape[2], w = xShape[3];
    int o = wt.shape()[0], kh = wt.shape()[2], kw = wt.shape()[3];
    int oh = g.shape()[2], ow = g.shape()[3];
    double[] r = new double[n * c * h * w];
    for (int b = 0; b < n; b++) {
      for (int f = 0; f < o; f++) {
        int go = (b * o + f) * oh * ow;
        for (int ch = 0; ch < c; ch++) {
          int xo = (b * c + ch) * h * w;
          int wo = (f * c + ch) * kh * kw;
          windows(h, w, oh, ow, kh, kw, win,
              (oi, ii, ki, kj) -> r[xo + ii] += g.data()[go + oi] * wt.data()[wo + ki * kw + kj]);
        }
      }
    }
    return r;
  }

  static double[] conv2dBackwardWeight(NdArray x, NdArray g, Attr.Window win, int[] wShape) {
    int n = x.shape()[0], c = x.shape()[1], h = x.shape()[2], w = x.shape()[3];
    int o = wShape[0], kh = wShape[2], kw = wShape[3];
    int oh = g.shape()[2], ow = g.shape()[3];
    double[] r = new double[o * c * kh * kw];
    for (int b = 0; b < n; b++) {
      for (int f = 0; f < o; f++) {
        int go = (b * o + f) * oh * ow;
        for (int ch = 0; ch < c; ch++) {
          int xo = (b * c + ch) * h * w;
          int wo = (f * c + ch) * kh * kw;
          windows(h, w, oh, ow, kh, kw, win,
              (oi, ii, ki, kj) -> r[wo + ki * kw + kj] += g.data()[go + oi] * x.data()[xo + ii]);
        }
      }
    }
    return r;
  }

  /** For each output element, the input index of its window's first maximum (padding never wins). */
  private static int[] argmax(NdArray x, Attr.Window win, int oh, int ow) {
    int planes = x.shape()[0] * x.shape()[1], h = x.shape()[2], w = x.shape()[3];
    int[] arg = new int[planes * oh * ow];
    double[] best = new double[arg.length];
    java.util.Arrays.fill(best, Double.NEGATIVE_INFINITY);
    java.util.Arrays.fill(arg, -1);
    for (int p = 0; p < planes; p++) {
      int xo = p * h * w;
      int ro = p * oh * ow;
      windows(h, w, oh, ow, win.kernelH(), win.kernelW(), win, (oi, ii, ki, kj) -> {
        double v = x.data()[xo + ii];
        if (arg[ro + oi] < 0 || v > best[ro + oi] || Double.isNaN(v)) {
          if (arg[ro + oi] >= 0 && Double.isNaN(best[ro + oi])) return;
          best[ro + oi] = v;
          arg[ro + oi] = xo + ii;
        }
      });
    }
    return arg;
  }

  static double[] maxpool2d(NdArray x, Attr.Window win, int[] out) {
    int[] arg = argmax(x, win, out[2], out[3]);
    double[] r = new double[arg.length];
    for (int i = 0; i < r.length; i++) r[i] = x.data()[arg[i]];
    return r;
  }

  static double[] maxpool2dBackward(NdArray g, NdArray x, Attr.Window win) {
    int[] arg = argmax(x, win, g.shape()[2], g.shape()[3]);
    double[] r = new double[x.size()];
    for (int i = 0; i < arg.length; i++) r[arg[i]] += g.data()[i];
    return r;
  }

  static double[] avgpool2d(NdArray x, Attr.Window win, int[] out) {
    int planes = x.shape()[0] * x.shape()[1], h = x.shape()[2], w = x.shape()[3];
    int oh = out[2], ow = out[3];
    double inv = 1.0 / (win.kernelH() * win.kernelW());
    double[] r = new double[planes * oh * ow];
    for (int p = 0; p < planes; p++) {
      int xo = p * h * w;
      int ro = p * oh * ow;
      windows(h, w, oh, ow, win.kernelH(), win.kernelW(), win,
          (oi, ii, ki, kj) -> r[ro + oi] += x.data()[xo + ii] * inv);
    }
    return r;
  }

  static double[] avgpool2dBackward(NdArray g, Attr.Window win, int[] xShape) {
    int planes = xShape[0] * xShape[1], h = xShape[2], w = xShape[3];
    int oh = g.shape()[2], ow = g.shape()[3];
    double inv = 1.0 / (win.kernelH() * win.kernelW());
    double[] r = new double[planes * h * w];
    for (int p = 0; p < planes; p++) {
      int xo = p * h * w;
      int go = p * oh * ow;
      windows(h, w, oh, ow, win.kernelH(), win.kernelW(), win,
          (oi, ii, ki, kj) -> r[xo + ii] += g.data()[go + oi] * inv);
    }
    return r;
  }
}
