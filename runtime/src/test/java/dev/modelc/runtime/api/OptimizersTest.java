package dev.modelc.runtime.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelc.runtime.optim.Updates;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Generated classes call {@link Optimizers} with double hyperparameters; the arithmetic is {@link Updates}', which
 * the reference optimizers call too. These tests hold the entry points bit for bit to a direct transcription of
 * PyTorch's formulas (elementwise in the parameter's precision, host scalars such as the step size and AdamW's
 * decay in double), over random hyperparameters.
 */
class OptimizersTest {

    static final int N = 37;
    static final int STEPS = 5;

    record Hyper(float lr, float momentum, float dampening, boolean nesterov, float weightDecay, float beta1,
            float beta2, float eps, boolean decoupled) {
        static Hyper random(Random r) {
            boolean nesterov = r.nextBoolean();
            return new Hyper((float) Math.pow(10, -4 * r.nextDouble()), r.nextInt(3) == 0 ? 0 : r.nextFloat(),
                    nesterov ? 0 : r.nextFloat(), nesterov, r.nextInt(3) == 0 ? 0 : r.nextFloat() / 10,
                    r.nextFloat(), 1 - r.nextFloat() / 100, (float) Math.pow(10, -8 * r.nextDouble()), r.nextBoolean());
        }
    }

    static float[] randoms(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    static void sgdTranscribed(float[] p, float[] g, float[] buf, int n, int step, float lr, float momentum,
            float dampening, boolean nesterov, float weightDecay) {
        for (int i = 0; i < n; i++) {
            float d = weightDecay != 0 ? g[i] + weightDecay * p[i] : g[i];
            if (momentum != 0) {
                float b = step == 1 ? d : momentum * buf[i] + (1 - dampening) * d;
                buf[i] = b;
                d = nesterov ? d + momentum * b : b;
            }
            p[i] = p[i] - lr * d;
        }
    }

    static void adamTranscribed(float[] p, float[] g, float[] m, float[] v, int n, int step, float lr, float beta1,
            float beta2, float eps, float weightDecay, boolean decoupled) {
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        float stepSize = (float) (lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float decay = decoupled ? (float) (1 - (double) lr * weightDecay) : 1;
        for (int i = 0; i < n; i++) {
            float pi = p[i] * decay;
            float gi = !decoupled && weightDecay != 0 ? g[i] + weightDecay * pi : g[i];
            float mi = m[i] + (1 - beta1) * (gi - m[i]);
            float vi = beta2 * v[i] + (1 - beta2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] = pi - stepSize * (mi / ((float) Math.sqrt(vi) / bc2Sqrt + eps));
        }
    }

    @Test
    void sgdIsTheTranscriptionBitForBit() {
        Random r = new Random(12);
        for (int trial = 0; trial < 200; trial++) {
            Hyper h = Hyper.random(r);
            float[] p = randoms(r, N);
            float[] want = p.clone();
            float[] widened = p.clone();
            float[] buf = new float[N];
            float[] wantBuf = new float[N];
            float[] widenedBuf = new float[N];
            for (int step = 1; step <= STEPS; step++) {
                float[] g = randoms(r, N);
                Optimizers.sgd(p, g, buf, N, step, h.lr, h.momentum, h.dampening, h.nesterov, h.weightDecay);
                sgdTranscribed(want, g, wantBuf, N, step, h.lr, h.momentum, h.dampening, h.nesterov, h.weightDecay);
                Updates.sgd(widened, g, widenedBuf, N, step == 1, h.lr, h.momentum, h.dampening, h.nesterov,
                        h.weightDecay);
                assertArrayEquals(want, p, h + " step " + step);
                assertArrayEquals(want, widened, h + " step " + step + " through Updates");
                assertArrayEquals(wantBuf, buf, h + " step " + step);
            }
        }
    }

    @Test
    void adamIsTheTranscriptionBitForBit() {
        Random r = new Random(13);
        for (int trial = 0; trial < 200; trial++) {
            Hyper h = Hyper.random(r);
            float[] p = randoms(r, N);
            float[] want = p.clone();
            float[] m = new float[N];
            float[] v = new float[N];
            float[] wantM = new float[N];
            float[] wantV = new float[N];
            for (int step = 1; step <= STEPS; step++) {
                float[] g = randoms(r, N);
                Optimizers.adam(p, g, m, v, N, step, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.decoupled);
                adamTranscribed(want, g, wantM, wantV, N, step, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay,
                        h.decoupled);
                assertArrayEquals(want, p, h + " step " + step);
                assertArrayEquals(wantM, m, h + " step " + step);
                assertArrayEquals(wantV, v, h + " step " + step);
            }
        }
    }

    @Test
    void adamWithoutDecoupledDecayIsUpdatesWithWidenedHyperparameters() {
        Random r = new Random(14);
        for (int trial = 0; trial < 200; trial++) {
            Hyper h = Hyper.random(r);
            float[] p = randoms(r, N);
            float[] widened = p.clone();
            float[] m = new float[N];
            float[] v = new float[N];
            float[] m2 = new float[N];
            float[] v2 = new float[N];
            for (int step = 1; step <= STEPS; step++) {
                float[] g = randoms(r, N);
                Optimizers.adam(p, g, m, v, N, step, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, false);
                Updates.adam(widened, g, m2, v2, N, step, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, false);
                assertArrayEquals(widened, p, h + " step " + step);
            }
        }
    }

    static void adamTranscribed(double[] p, double[] g, double[] m, double[] v, int n, int step, double lr,
            double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        double stepSize = lr / (1 - Math.pow(beta1, step));
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        double decay = decoupled ? 1 - lr * weightDecay : 1;
        for (int i = 0; i < n; i++) {
            double pi = p[i] * decay;
            double gi = !decoupled && weightDecay != 0 ? g[i] + weightDecay * pi : g[i];
            double mi = m[i] + (1 - beta1) * (gi - m[i]);
            double vi = beta2 * v[i] + (1 - beta2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] = pi - stepSize * (mi / (Math.sqrt(vi) / bc2Sqrt + eps));
        }
    }

    @Test
    void doubleAdamIsTheTranscriptionBitForBit() {
        Random r = new Random(15);
        for (int trial = 0; trial < 100; trial++) {
            Hyper h = Hyper.random(r);
            double[] p = Arrays.stream(new double[N]).map(x -> r.nextGaussian()).toArray();
            double[] q = p.clone();
            double[] a = new double[N];
            double[] b = new double[N];
            double[] a2 = new double[N];
            double[] b2 = new double[N];
            for (int step = 1; step <= STEPS; step++) {
                double[] g = Arrays.stream(new double[N]).map(x -> r.nextGaussian()).toArray();
                Optimizers.adam(p, g, a, b, N, step, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.decoupled);
                adamTranscribed(q, g, a2, b2, N, step, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.decoupled);
                assertArrayEquals(q, p, h + " step " + step);
            }
        }
    }

    static void sgdTranscribed(double[] p, double[] g, double[] buf, int n, int step, double lr, double momentum,
            double dampening, boolean nesterov, double weightDecay) {
        for (int i = 0; i < n; i++) {
            double d = weightDecay != 0 ? g[i] + weightDecay * p[i] : g[i];
            if (momentum != 0) {
                double b = step == 1 ? d : momentum * buf[i] + (1 - dampening) * d;
                buf[i] = b;
                d = nesterov ? d + momentum * b : b;
            }
            p[i] = p[i] - lr * d;
        }
    }

    /** Gaussians with signed zeros, infinities and a NaN among them, whose signs and kinds the updates must keep. */
    static float[] withSpecials(Random r, int n) {
        float[] a = randoms(r, n);
        float[] specials = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MIN_VALUE};
        for (int k = 0; k < 6; k++) {
            a[r.nextInt(n)] = specials[r.nextInt(specials.length)];
        }
        return a;
    }

    @Test
    void sgdIsTheTranscriptionBitForBitInBothPrecisionsWithSpecialValues() {
        Random r = new Random(16);
        for (int trial = 0; trial < 400; trial++) {
            Hyper h = Hyper.random(r);
            float[] p = withSpecials(r, N);
            float[] want = p.clone();
            float[] buf = new float[N];
            float[] wantBuf = new float[N];
            double[] pd = new double[N];
            for (int i = 0; i < N; i++) {
                pd[i] = p[i];
            }
            double[] wantD = pd.clone();
            double[] bufD = new double[N];
            double[] wantBufD = new double[N];
            for (int step = 1; step <= STEPS; step++) {
                float[] g = withSpecials(r, N);
                double[] gd = new double[N];
                for (int i = 0; i < N; i++) {
                    gd[i] = g[i];
                }
                Updates.sgd(p, g, buf, N, step == 1, h.lr, h.momentum, h.dampening, h.nesterov, h.weightDecay);
                sgdTranscribed(want, g, wantBuf, N, step, h.lr, h.momentum, h.dampening, h.nesterov, h.weightDecay);
                Updates.sgd(pd, gd, bufD, N, step == 1, h.lr, h.momentum, h.dampening, h.nesterov, h.weightDecay);
                sgdTranscribed(wantD, gd, wantBufD, N, step, h.lr, h.momentum, h.dampening, h.nesterov,
                        h.weightDecay);
                for (int i = 0; i < N; i++) {
                    String at = h + " step " + step + " element " + i;
                    assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(p[i]), at);
                    assertEquals(Float.floatToIntBits(wantBuf[i]), Float.floatToIntBits(buf[i]), at);
                    assertEquals(Double.doubleToLongBits(wantD[i]), Double.doubleToLongBits(pd[i]), at + " (f64)");
                    assertEquals(Double.doubleToLongBits(wantBufD[i]), Double.doubleToLongBits(bufD[i]),
                            at + " (f64)");
                }
            }
        }
    }

    @Test
    void adamWithTheStepsScalarsIsAdamWithTheStepNumber() {
        Random r = new Random(17);
        for (int trial = 0; trial < 200; trial++) {
            Hyper h = Hyper.random(r);
            float[] p = withSpecials(r, N);
            float[] q = p.clone();
            float[] m = new float[N];
            float[] v = new float[N];
            float[] m2 = new float[N];
            float[] v2 = new float[N];
            double[] pd = Arrays.stream(new double[N]).map(x -> r.nextGaussian()).toArray();
            double[] qd = pd.clone();
            double[][] state = new double[4][N];
            for (int step = 1; step <= STEPS; step++) {
                float[] g = withSpecials(r, N);
                double[] gd = Arrays.stream(new double[N]).map(x -> r.nextGaussian()).toArray();
                double stepSize = Updates.adamStepSize(h.lr, h.beta1, step);
                double bias2Sqrt = Updates.adamBias2Sqrt(h.beta2, step);
                Optimizers.adam(p, g, m, v, N, stepSize, bias2Sqrt, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay,
                        h.decoupled);
                adamTranscribed(q, g, m2, v2, N, step, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.decoupled);
                Optimizers.adam(pd, gd, state[0], state[1], N, stepSize, bias2Sqrt, h.lr, h.beta1, h.beta2, h.eps,
                        h.weightDecay, h.decoupled);
                adamTranscribed(qd, gd, state[2], state[3], N, step, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay,
                        h.decoupled);
                assertArrayEquals(q, p, h + " step " + step);
                assertArrayEquals(m2, m, h + " step " + step);
                assertArrayEquals(v2, v, h + " step " + step);
                assertArrayEquals(qd, pd, h + " step " + step + " (f64)");
                assertArrayEquals(state[2], state[0], h + " step " + step + " (f64)");
                assertArrayEquals(state[3], state[1], h + " step " + step + " (f64)");
            }
        }
    }
}
