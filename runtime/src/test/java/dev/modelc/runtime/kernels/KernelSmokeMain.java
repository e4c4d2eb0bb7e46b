package dev.modelc.runtime.kernels;

import java.util.Random;

/**
 * Run in a child JVM by {@link ChildJvmTest}: prints the selected kernel and checks one f32 and one f64 product
 * through {@link MatMul} and one f64 convolution with its gradients against the references. Exits 1 on a wrong result.
 */
public final class KernelSmokeMain {

    private KernelSmokeMain() {
    }

    public static void main(String[] args) {
        System.out.println("kernel=" + MatMul.kernelName());
        System.out.println("reason=" + Kernels.selectionReason());
        Random random = new Random(1);
        Workspace ws = new Workspace();
        int m = 19, n = 37, k = 23;
        double[] a = MatMulTest.randomDoubles(random, m * k), b = MatMulTest.randomDoubles(random, k * n);
        double[] c = new double[m * n];
        float[] af = new float[a.length], bf = new float[b.length], cf = new float[c.length];
        for (int i = 0; i < a.length; i++) {
            af[i] = (float) a[i];
        }
        for (int i = 0; i < b.length; i++) {
            bf[i] = (float) b[i];
        }
        MatMul.gemm(ws, true, false, m, n, k, a, 0, b, 0, c, 0, false);
        MatMul.gemm(ws, true, false, m, n, k, af, 0, bf, 0, cf, 0, false);
        double[] ref = Reference.gemm(true, false, m, n, k, a, 0, b, 0, c, 0, false);
        for (int i = 0; i < m * n; i++) {
            if (Math.abs(c[i] - ref[2 * i]) > 1e-12 || Math.abs(cf[i] - ref[2 * i]) > 1e-4) {
                System.out.println("wrong result at " + i);
                System.exit(1);
            }
        }
        Conv2dShape s = new Conv2dShape(2, 3, 9, 8, 5, 3, 2, 2, 1, 1, 0);
        double[] x = MatMulTest.randomDoubles(random, s.batch() * s.imageSize());
        double[] w = MatMulTest.randomDoubles(random, s.weightSize());
        double[] bias = MatMulTest.randomDoubles(random, s.outChannels());
        double[] dy = MatMulTest.randomDoubles(random, s.batch() * s.outImageSize());
        ConvReference conv = new ConvReference(s, x, w, bias, dy);
        double[] y = new double[conv.y.length], dx = new double[conv.dx.length], dw = new double[conv.dw.length];
        Convolution.forward(ws, s, x, w, bias, y);
        Convolution.backwardInput(ws, s, dy, w, dx, false);
        Convolution.backwardWeight(ws, s, x, dy, dw, false);
        if (!close(conv.y, y) || !close(conv.dx, dx) || !close(conv.dw, dw)) {
            System.out.println("wrong convolution");
            System.exit(1);
        }
        System.out.println("ok");
    }

    private static boolean close(double[] expected, double[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= 1e-12)) {
                return false;
            }
        }
        return true;
    }
}
