package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Convolution} forward and gradients against the direct loops of {@link ConvReference}, in f32 and f64, with each
 * kernel implementation and through each path: the public entry points (which choose), the unfolded matrix, and
 * the stride-1 loops of {@link DirectConv} wherever they apply. One workspace serves every shape in turn, so buffers
 * left over from a larger shape are reused.
 */
class Conv2dTest {

    static final List<Conv2dShape> SHAPES = List.of(
            Conv2dShape.of(2, 1, 12, 12, 6, 5, 1, 0),
            new Conv2dShape(2, 3, 7, 9, 4, 3, 2, 2, 1, 1, 2),
            Conv2dShape.of(3, 4, 5, 5, 6, 1, 1, 0),
            Conv2dShape.of(1, 2, 6, 6, 3, 3, 2, 1),
            new Conv2dShape(2, 2, 5, 7, 3, 2, 3, 3, 2, 0, 1),
            Conv2dShape.of(1, 1, 3, 3, 2, 5, 1, 1),
            Conv2dShape.of(2, 3, 4, 4, 40, 3, 1, 1),
            Conv2dShape.of(0, 2, 4, 4, 3, 3, 1, 0),
            // The benchmark's convolution (one image), then stride-1 shapes: several bands of output rows
            // (40 rows of a 39-wide padded image), 1, 2, 5 and 7 output channels (whole and partial register
            // blocks), rectangular kernels with asymmetric padding, padding wider than the kernel, an even kernel.
            Conv2dShape.of(1, 1, 28, 28, 6, 5, 1, 0),
            Conv2dShape.of(2, 1, 40, 37, 7, 3, 1, 1),
            new Conv2dShape(2, 2, 9, 11, 5, 3, 4, 1, 1, 2, 0),
            new Conv2dShape(1, 3, 6, 5, 1, 3, 2, 1, 1, 3, 1),
            Conv2dShape.of(3, 2, 5, 5, 2, 2, 1, 0),
            Conv2dShape.of(1, 1, 1, 1, 3, 3, 1, 1),
            // Stride 1 with enough weights that the gradients go through the unfolded matrix.
            Conv2dShape.of(2, 16, 6, 6, 70, 3, 1, 1),
            Conv2dShape.of(1, 32, 4, 4, 64, 3, 1, 1));

    /** How a test reaches the convolution. */
    enum Path { CHOSEN, UNFOLDED, DIRECT }

    static Stream<Arguments> kernelsAndPaths() {
        List<Arguments> list = new ArrayList<>();
        MatMulTest.kernels().forEach(kernel -> {
            for (Path path : Path.values()) {
                list.add(Arguments.of(kernel, path));
            }
        });
        return list.stream();
    }

    @ParameterizedTest
    @MethodSource("kernelsAndPaths")
    void f64MatchesDirectLoops(Gemm kernel, Path path) {
        Random random = new Random(11);
        Workspace ws = new Workspace();
        for (Conv2dShape s : SHAPES) {
            if (path == Path.DIRECT && !DirectConv.applies(s)) {
                continue;
            }
            double[] x = MatMulTest.randomDoubles(random, s.batch() * s.imageSize());
            double[] w = MatMulTest.randomDoubles(random, s.weightSize());
            double[] bias = MatMulTest.randomDoubles(random, s.outChannels());
            double[] dy = MatMulTest.randomDoubles(random, s.batch() * s.outImageSize());
            ConvReference ref = new ConvReference(s, x, w, bias, dy);
            double[] y = filled(ref.y.length), dx = filled(ref.dx.length), dw = filled(ref.dw.length);
            double[] db = filled(s.outChannels());
            String what = s + " " + kernel.name() + " " + path;
            forward(path, kernel, ws, s, x, w, bias, y);
            backwardInput(path, kernel, ws, s, dy, w, dx, false);
            backwardWeight(path, kernel, ws, s, x, dy, dw, false);
            Convolution.backwardBias(s, dy, db, false);
            close(what + " y", ref.y, y, 1, 1e-12);
            close(what + " dx", ref.dx, dx, 1, 1e-12);
            close(what + " dw", ref.dw, dw, 1, 1e-12);
            close(what + " db", ref.db, db, 1, 1e-12);
            backwardInput(path, kernel, ws, s, dy, w, dx, true);
            backwardWeight(path, kernel, ws, s, x, dy, dw, true);
            Convolution.backwardBias(s, dy, db, true);
            close(what + " accumulated dx", ref.dx, dx, 2, 1e-12);
            close(what + " accumulated dw", ref.dw, dw, 2, 1e-12);
            close(what + " accumulated db", ref.db, db, 2, 1e-12);
        }
    }

    @ParameterizedTest
    @MethodSource("kernelsAndPaths")
    void f32MatchesDirectLoops(Gemm kernel, Path path) {
        Random random = new Random(12);
        Workspace ws = new Workspace();
        for (Conv2dShape s : SHAPES) {
            if (path == Path.DIRECT && !DirectConv.applies(s)) {
                continue;
            }
            float[] x = MatMulTest.randomFloats(random, s.batch() * s.imageSize());
            float[] w = MatMulTest.randomFloats(random, s.weightSize());
            float[] bias = MatMulTest.randomFloats(random, s.outChannels());
            float[] dy = MatMulTest.randomFloats(random, s.batch() * s.outImageSize());
            ConvReference ref = new ConvReference(s, Reference.toDouble(x), Reference.toDouble(w),
                    Reference.toDouble(bias), Reference.toDouble(dy));
            float[] y = new float[ref.y.length], dx = new float[ref.dx.length], dw = new float[ref.dw.length];
            float[] db = new float[s.outChannels()];
            java.util.Arrays.fill(y, Float.NaN);
            java.util.Arrays.fill(dx, Float.NaN);
            java.util.Arrays.fill(dw, Float.NaN);
            java.util.Arrays.fill(db, Float.NaN);
            String what = s + " " + kernel.name() + " " + path + " f32";
            forward(path, kernel, ws, s, x, w, bias, y);
            backwardInput(path, kernel, ws, s, dy, w, dx, false);
            backwardWeight(path, kernel, ws, s, x, dy, dw, false);
            Convolution.backwardBias(s, dy, db, false);
            close(what + " y", ref.y, Reference.toDouble(y), 1, 1e-4);
            close(what + " dx", ref.dx, Reference.toDouble(dx), 1, 1e-4);
            close(what + " dw", ref.dw, Reference.toDouble(dw), 1, 1e-4);
            close(what + " db", ref.db, Reference.toDouble(db), 1, 1e-4);
            backwardInput(path, kernel, ws, s, dy, w, dx, true);
            backwardWeight(path, kernel, ws, s, x, dy, dw, true);
            close(what + " accumulated dx", ref.dx, Reference.toDouble(dx), 2, 1e-4);
            close(what + " accumulated dw", ref.dw, Reference.toDouble(dw), 2, 1e-4);
        }
    }

    @Test
    void smallChannelStrideOneShapesRunDirectlyAndOthersUnfolded() {
        Conv2dShape cnn = Conv2dShape.of(64, 1, 28, 28, 6, 5, 1, 0);
        MatMulTest.kernels().forEach(kernel -> {
            JavaConvLoops loops = kernel.convLoops();
            assertTrue(loops.suitsForward(cnn) && loops.suitsInputGradient(cnn) && loops.suitsWeightGradient(cnn),
                    kernel.name());
            for (Conv2dShape s : List.of(Conv2dShape.of(64, 1, 28, 28, 6, 5, 2, 0),
                    Conv2dShape.of(8, 16, 8, 8, 16, 1, 1, 0))) {
                assertFalse(loops.suitsForward(s) || loops.suitsInputGradient(s) || loops.suitsWeightGradient(s),
                        kernel.name() + " " + s);
            }
            assertFalse(loops.suitsWeightGradient(Conv2dShape.of(1, 32, 4, 4, 64, 3, 1, 1)), kernel.name());
        });
        Conv2dShape wide = Conv2dShape.of(2, 16, 6, 6, 70, 3, 1, 1);
        assertFalse(JavaConvLoops.INSTANCE.suitsWeightGradient(wide));
        assertFalse(JavaConvLoops.INSTANCE.suitsInputGradient(wide));
        assertFalse(JavaConvLoops.INSTANCE.suitsForward(Conv2dShape.of(1, 32, 4, 4, 64, 3, 1, 1)));
    }

    @Test
    void withoutBiasTheOutputIsTheBareConvolution() {
        Random random = new Random(13);
        for (Conv2dShape s : List.of(new Conv2dShape(2, 3, 7, 9, 4, 3, 2, 2, 1, 1, 2),
                Conv2dShape.of(2, 1, 9, 9, 4, 3, 1, 1))) {
            double[] x = MatMulTest.randomDoubles(random, s.batch() * s.imageSize());
            double[] w = MatMulTest.randomDoubles(random, s.weightSize());
            ConvReference ref = new ConvReference(s, x, w, new double[s.outChannels()],
                    new double[s.batch() * s.outImageSize()]);
            double[] y = new double[ref.y.length];
            Convolution.forward(new Workspace(), s, x, w, null, y);
            close(s + " no bias", ref.y, y, 1, 1e-12);
            float[] yf = new float[ref.y.length];
            float[] xf = new float[x.length], wf = new float[w.length];
            for (int i = 0; i < x.length; i++) {
                xf[i] = (float) x[i];
            }
            for (int i = 0; i < w.length; i++) {
                wf[i] = (float) w[i];
            }
            Convolution.forward(new Workspace(), s, xf, wf, null, yf);
            close(s + " f32 no bias", ref.y, Reference.toDouble(yf), 1, 1e-4);
        }
    }

    @Test
    void badGeometryAndShortArraysAreReported() {
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> Conv2dShape.of(1, 1, 3, 3, 1, 5, 1, 0));
        assertEquals("conv2d: kernel 5x5 is larger than the padded input 3x3", big.getMessage());
        Conv2dShape s = Conv2dShape.of(2, 1, 28, 28, 6, 5, 1, 0);
        IllegalArgumentException shortY = assertThrows(IllegalArgumentException.class,
                () -> Convolution.forward(new Workspace(), s, new float[2 * 784], new float[150], null, new float[10]));
        assertEquals("conv2d: output y [2, 6, 24, 24] needs 6912 elements but its array has length 10",
                shortY.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Convolution.backwardBias(s, new float[6912], null, false));
    }

    private static void forward(Path path, Gemm kernel, Workspace ws, Conv2dShape s, double[] x, double[] w,
                                double[] bias, double[] y) {
        switch (path) {
            case CHOSEN -> Convolution.forward(kernel, ws, s, x, w, bias, y);
            case UNFOLDED -> Convolution.unfoldedForward(kernel, ws, s, x, w, bias, y);
            case DIRECT -> DirectConv.forward(kernel.convLoops(), ws, s, x, w, bias, y);
        }
    }

    private static void forward(Path path, Gemm kernel, Workspace ws, Conv2dShape s, float[] x, float[] w,
                                float[] bias, float[] y) {
        switch (path) {
            case CHOSEN -> Convolution.forward(kernel, ws, s, x, w, bias, y);
            case UNFOLDED -> Convolution.unfoldedForward(kernel, ws, s, x, w, bias, y);
            case DIRECT -> DirectConv.forward(kernel.convLoops(), ws, s, x, w, bias, y);
        }
    }

    private static void backwardInput(Path path, Gemm kernel, Workspace ws, Conv2dShape s, double[] dy, double[] w,
                                      double[] dx, boolean accumulate) {
        switch (path) {
            case CHOSEN -> Convolution.backwardInput(kernel, ws, s, dy, w, dx, accumulate);
            case UNFOLDED -> Convolution.unfoldedBackwardInput(kernel, ws, s, dy, w, dx, accumulate);
            case DIRECT -> DirectConv.backwardInput(kernel.convLoops(), ws, s, dy, w, dx, accumulate);
        }
    }

    private static void backwardInput(Path path, Gemm kernel, Workspace ws, Conv2dShape s, float[] dy, float[] w,
                                      float[] dx, boolean accumulate) {
        switch (path) {
            case CHOSEN -> Convolution.backwardInput(kernel, ws, s, dy, w, dx, accumulate);
            case UNFOLDED -> Convolution.unfoldedBackwardInput(kernel, ws, s, dy, w, dx, accumulate);
            case DIRECT -> DirectConv.backwardInput(kernel.convLoops(), ws, s, dy, w, dx, accumulate);
        }
    }

    private static void backwardWeight(Path path, Gemm kernel, Workspace ws, Conv2dShape s, double[] x,
                                       double[] dy, double[] dw, boolean accumulate) {
        switch (path) {
            case CHOSEN -> Convolution.backwardWeight(kernel, ws, s, x, dy, dw, accumulate);
            case UNFOLDED -> Convolution.unfoldedBackwardWeight(kernel, ws, s, x, dy, dw, accumulate);
            case DIRECT -> DirectConv.backwardWeight(kernel.convLoops(), ws, s, x, dy, dw, accumulate);
        }
    }

    private static void backwardWeight(Path path, Gemm kernel, Workspace ws, Conv2dShape s, float[] x, float[] dy,
                                       float[] dw, boolean accumulate) {
        switch (path) {
            case CHOSEN -> Convolution.backwardWeight(kernel, ws, s, x, dy, dw, accumulate);
            case UNFOLDED -> Convolution.unfoldedBackwardWeight(kernel, ws, s, x, dy, dw, accumulate);
            case DIRECT -> DirectConv.backwardWeight(kernel.convLoops(), ws, s, x, dy, dw, accumulate);
        }
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
