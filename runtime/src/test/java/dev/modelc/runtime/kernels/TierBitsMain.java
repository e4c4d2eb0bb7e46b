package dev.modelc.runtime.kernels;

import java.util.Random;

/**
 * Run in child JVMs by {@link ChildJvmTest}: every kernel the selected implementation overrides (products in f32 and
 * f64 with each transposition, convolutions, max pooling and its gradient, the ReLU mask, the logistic loss,
 * sigmoid, erf and exp) on fixed inputs, its outputs folded into one digest. Prints the digest of the first pass ({@code cold=})
 * and, after {@code args[0]} more passes, of the last ({@code warm=}), one digest per kind of kernel: f32 products,
 * f64 products, convolutions, pooling, mask, logistic loops, erf, exp. Interpreted, in C1 and in C2 a kernel must
 * give the same bits: a model's losses would otherwise depend on when the JIT compiled its loops.
 */
public final class TierBitsMain {

    private TierBitsMain() {
    }

    public static void main(String[] args) {
        int passes = Integer.parseInt(args[0]);
        System.out.println("kernel=" + MatMul.kernelName());
        System.out.println("poolRows=" + Kernels.selected().poolRows().getClass().getSimpleName());
        System.out.println("cold=" + pass());
        String digests = "";
        for (int i = 0; i < passes; i++) {
            digests = pass();
        }
        System.out.println("warm=" + digests);
    }

    private static String pass() {
        StringBuilder digests = new StringBuilder();
        Random random = new Random(11);
        Workspace ws = new Workspace();
        long f32 = 1, f64 = 1;
        int m = 21, n = 45, k = 19;
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
            float[] a = floats(random, m * k, 1), b = floats(random, k * n, 1), c = new float[m * n];
            MatMul.gemm(ws, ta, tb, m, n, k, a, 0, b, 0, c, 0, false);
            f32 = fold(f32, c);
            double[] ad = doubles(a), bd = doubles(b), cd = new double[m * n];
            MatMul.gemm(ws, ta, tb, m, n, k, ad, 0, bd, 0, cd, 0, false);
            for (double v : cd) {
                f64 = f64 * 31 + Double.doubleToRawLongBits(v);
            }
        }
        section(digests, f32);
        section(digests, f64);

        Conv2dShape s = Conv2dShape.of(2, 3, 10, 11, 5, 3, 1, 1);
        float[] x = floats(random, s.batch() * s.imageSize(), 1), w = floats(random, s.weightSize(), 1);
        float[] bias = floats(random, s.outChannels(), 1), y = new float[s.batch() * s.outImageSize()];
        Convolution.forward(ws, s, x, w, bias, y);
        float[] dy = floats(random, y.length, 1), dx = new float[x.length], dw = new float[w.length];
        Convolution.backwardInput(ws, s, dy, w, dx, false);
        Convolution.backwardWeight(ws, s, x, dy, dw, false);
        section(digests, fold(fold(fold(1, y), dx), dw));

        int planes = 3, ph = 12, pw = 34, oh = 6, ow = 17;
        float[] p = floats(random, planes * ph * pw, 1), out = new float[planes * oh * ow];
        int[] at = new int[out.length];
        Pooling.maxpool2dPlanes(Kernels.selected().poolRows().withRent(0), p, out, at, 0, planes, ph, pw, oh, ow,
                2, 2, 2, 2, 0, 0);
        long h = fold(1, out);
        for (int v : at) {
            h = h * 31 + v;
        }
        float[] back = new float[p.length];
        Pooling.maxpool2dBackward(floats(random, out.length, 1), at, back, p.length, out.length, false);
        section(digests, fold(h, back));

        float[] g = floats(random, 203, 1), relu = floats(random, 203, 1), masked = new float[203];
        Masks.mulGreater(g, relu, 0f, masked, 203);
        section(digests, fold(1, masked));
        for (int i = 0; i < relu.length; i += 2) {
            relu[i] = Math.max(relu[i], 0f);
        }
        Masks.zeroWhereEqual(g, relu, 0f, masked, 203);
        section(digests, fold(1, masked));

        float[] z = floats(random, 203, 12), labels = floats(random, 203, 1), sig = new float[203];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 3 == 0 ? Math.abs(labels[i]) % 1 : i % 2;
        }
        h = Double.doubleToRawLongBits(Logistic.sumBceWithLogits(z, labels, z.length));
        Logistic.sigmoid(z, sig, z.length);
        section(digests, fold(h, sig));
        // the lane forms whatever the JDK (the selected loops take them from JDK 25 on)
        JavaLogistic lanes = Kernels.selected().logistic().withTranscendentalLanes();
        float[] erf = floats(random, 203, 3);
        lanes.erf(erf, erf, erf.length);
        section(digests, fold(1, erf));
        float[] exp = floats(random, 203, 30);
        lanes.exp(exp, exp, exp.length);
        section(digests, fold(1, exp));
        return digests.toString();
    }

    private static void section(StringBuilder digests, long digest) {
        digests.append(digests.length() == 0 ? "" : " ").append(Long.toHexString(digest));
    }

    private static float[] floats(Random random, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (random.nextGaussian() * scale);
        }
        return a;
    }

    private static double[] doubles(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] * 1.0000001;
        }
        return d;
    }

    private static long fold(long h, float[] a) {
        for (float v : a) {
            h = h * 31 + Float.floatToRawIntBits(v);
        }
        return h;
    }
}
