package dev.modelc.runtime.kernels;

/** Direct seven-loop convolution and its gradients in double precision: the reference for {@link Convolution}. */
final class ConvReference {

    final double[] y;
    final double[] dx;
    final double[] dw;
    final double[] db;

    /** Computes y = conv(x, w) + bias, and for the output gradient dy the gradients of x, w and bias. */
    ConvReference(Conv2dShape s, double[] x, double[] w, double[] bias, double[] dy) {
        int oh = s.outHeight(), ow = s.outWidth();
        int c = s.inChannels(), h = s.height(), wd = s.width(), kh = s.kernelHeight(), kw = s.kernelWidth();
        y = new double[s.batch() * s.outImageSize()];
        dx = new double[s.batch() * s.imageSize()];
        dw = new double[s.weightSize()];
        db = new double[s.outChannels()];
        for (int n = 0; n < s.batch(); n++) {
            for (int o = 0; o < s.outChannels(); o++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        int yi = ((n * s.outChannels() + o) * oh + i) * ow + j;
                        double sum = bias[o];
                        db[o] += dy[yi];
                        for (int ch = 0; ch < c; ch++) {
                            for (int p = 0; p < kh; p++) {
                                for (int q = 0; q < kw; q++) {
                                    int iy = i * s.strideH() - s.padH() + p, ix = j * s.strideW() - s.padW() + q;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) {
                                        continue;
                                    }
                                    int xi = ((n * c + ch) * h + iy) * wd + ix;
                                    int wi = ((o * c + ch) * kh + p) * kw + q;
                                    sum += x[xi] * w[wi];
                                    dx[xi] += dy[yi] * w[wi];
                                    dw[wi] += dy[yi] * x[xi];
                                }
                            }
                        }
                        y[yi] = sum;
                    }
                }
            }
        }
    }
}
