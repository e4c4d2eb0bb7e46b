package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Conv2d} forward and gradients against the direct loops of {@link ConvReference}, in f32 and f64. */
class Conv2dTest {

    static final List<Conv2dShape> SHAPES = List.of(
            Conv2dShape.of(2, 1, 12, 12, 6, 5, 1, 0),
            new Conv2dShape(2, 3, 7, 9, 4, 3, 2, 2, 1, 1, 2),
            Conv2dShape.of(3, 4, 5, 5, 6, 1, 1, 0),
            Conv2dShape.of(1, 2, 6, 6, 3, 3, 2, 1),
            new Conv2dShape(2, 2, 5, 7, 3, 2, 3, 3, 2, 0, 1),
            Conv2dShape.of(1, 1, 3, 3, 2, 5, 1, 1),
            Conv2dShape.of(2, 3, 4, 4, 40, 3, 1, 1),
            Conv2dShape.of(0, 2, 4, 4, 3, 3, 1, 0));

    @Test
    void f64MatchesDirectLoops() {
        Random random = new Random(11);
        Workspace ws = new Workspace();
        for (Conv2dShape s : SHAPES) {
            double[] x = MatMulTest.randomDoubles(random, s.batch() * s.imageSize());
            double[] w = MatMulTest.randomDoubles(random, s.weightSize());
            double[] bias = MatMulTest.randomDoubles(random, s.outChannels());
            double[] dy = MatMulTest.randomDoubles(random, s.batch() * s.outImageSize());
            ConvReference ref = new ConvReference(s, x, w, bias, dy);
            double[] y = new double[ref.y.length], dx = filled(ref.dx.length), dw = filled(ref.dw.length);
            double[] db = filled(s.outChannels());
            Conv2d.forward(ws, s, x, w, bias, y);
            Conv2d.backwardInput(ws, s, dy, w, dx, false);
            Conv2d.backwardWeight(ws, s, x, dy, dw, false);
            Conv2d.backwardBias(s, dy, db, false);
            close(s + " y", ref.y, y, 1, 1e-12);
            close(s + " dx", ref.dx, dx, 1, 1e-12);
            close(s + " dw", ref.dw, dw, 1, 1e-12);
            close(s + " db", ref.db, db, 1, 1e-12);
            Conv2d.backwardInput(ws, s, dy, w, dx, true);
            Conv2d.backwardWeight(ws, s, x, dy, dw, true);
            Conv2d.backwardBias(s, dy, db, true);
            close(s + " accumulated dx", ref.dx, dx, 2, 1e-12);
            close(s + " accumulated dw", ref.dw, dw, 2, 1e-12);
            close(s + " accumulated db", ref.db, db, 2, 1e-12);
        }
    }

    @Test
    void f32MatchesDirectLoops() {
        Random random = new Random(12);
        Workspace ws = new Workspace();
        for (Conv2dShape s : SHAPES) {
            float[] x = MatMulTest.randomFloats(random, s.batch() * s.imageSize());
            float[] w = MatMulTest.randomFloats(random, s.weightSize());
            float[] bias = MatMulTest.randomFloats(random, s.outChannels());
            float[] dy = MatMulTest.randomFloats(random, s.batch() * s.outImageSize());
            ConvReference ref = new ConvReference(s, Reference.toDouble(x), Reference.toDouble(w),
                    Reference.toDouble(bias), Reference.toDouble(dy));
            float[] y = new float[ref.y.length], dx = new float[ref.dx.length], dw = new float[ref.dw.length];
            float[] db = new float[s.outChannels()];
            java.util.Arrays.fill(dx, Float.NaN);
            java.util.Arrays.fill(dw, Float.NaN);
            java.util.Arrays.fill(db, Float.NaN);
            Conv2d.forward(ws, s, x, w, bias, y);
            Conv2d.backwardInput(ws, s, dy, w, dx, false);
            Conv2d.backwardWeight(ws, s, x, dy, dw, false);
            Conv2d.backwardBias(s, dy, db, false);
            close(s + " f32 y", ref.y, Reference.toDouble(y), 1, 1e-4);
            close(s + " f32 dx", ref.dx, Reference.toDouble(dx), 1, 1e-4);
            close(s + " f32 dw", ref.dw, Reference.toDouble(dw), 1, 1e-4);
            close(s + " f32 db", ref.db, Reference.toDouble(db), 1, 1e-4);
        }
    }

    @Test
    void withoutBiasTheOutputIsTheBareConvolution() {
        Conv2dShape s = new Conv2dShape(2, 3, 7, 9, 4, 3, 2, 2, 1, 1, 2);
        Random random = new Random(13);
        double[] x = MatMulTest.randomDoubles(random, s.batch() * s.imageSize());
        double[] w = MatMulTest.randomDoubles(random, s.weightSize());
        ConvReference ref = new ConvReference(s, x, w, new double[s.outChannels()],
                new double[s.batch() * s.outImageSize()]);
        double[] y = new double[ref.y.length];
        Conv2d.forward(new Workspace(), s, x, w, null, y);
        close("no bias", ref.y, y, 1, 1e-12);
    }

    @Test
    void badGeometryAndShortArraysAreReported() {
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> Conv2dShape.of(1, 1, 3, 3, 1, 5, 1, 0));
        assertEquals("conv2d: kernel 5x5 is larger than the padded input 3x3", big.getMessage());
        Conv2dShape s = Conv2dShape.of(2, 1, 28, 28, 6, 5, 1, 0);
        IllegalArgumentException shortY = assertThrows(IllegalArgumentException.class,
                () -> Conv2d.forward(new Workspace(), s, new float[2 * 784], new float[150], null, new float[10]));
        assertEquals("conv2d: output y [2, 6, 24, 24] needs 6912 elements but its array has length 10",
                shortY.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Conv2d.backwardBias(s, new float[6912], null, false));
    }

    private static double[] filled(int size) {
        double[] a = new double[size];
        java.util.Arrays.fill(a, Double.NaN);
        return a;
    }

    private static void close(String what, double[] expected, double[] actual, double factor, double tolerance) {
        for (int i = 0; i < expected.length; i++) {
            double e = factor * expected[i];
            if (!(Math.abs(actual[i] - e) <= tolerance * (1 + Math.abs(e)))) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + e);
            }
        }
    }
}
