package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.modelc.runtime.api.Functions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole-tensor logistic loops ({@link Logistic}, {@link JavaLogistic} and the Vector API's overrides):
 * <ol>
 *   <li>the plain f32 loops are the emitted loops' arithmetic, so they equal {@link FloatMath} element by element,
 *       and the f64 loops equal {@link Functions}, to the bit;</li>
 *   <li>each implementation's f32 sigmoid is within 2 float ulps of the double sigmoid, and each loss term within 4
 *       ulps of the larger of the term and the logit (the stable form adds {@code (1 - y) x} before the logarithm);
 *       the sum within the sum of those bounds; special values (NaN, infinities, signed zeros) as the double
 *       functions give them;</li>
 *   <li>lengths that leave a partial vector, and a sigmoid written over its own input.</li>
 * </ol>
 */
class LogisticTest {

    static Stream<JavaLogistic> loops() {
        List<JavaLogistic> list = new ArrayList<>();
        list.add(Kernels.plainJava().logistic());
        Kernels.vectorApi().ifPresent(g -> list.add(g.logistic().withTranscendentalLanes()));
        return list.stream();
    }

    /** Logits over the float range that matters (and beyond), labels in [0, 1] with the hard ones common. */
    private static float[][] data(Random random, int n) {
        float[] z = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            double scale = switch (i % 4) {
                case 0 -> 0.01;
                case 1 -> 1;
                case 2 -> 10;
                default -> 80;
            };
            z[i] = (float) (random.nextGaussian() * scale);
            y[i] = i % 3 == 0 ? random.nextFloat() : (random.nextBoolean() ? 1f : 0f);
        }
        return new float[][] {z, y};
    }

    @Test
    void plainLoopsAreTheEmittedArithmetic() {
        JavaLogistic plain = Kernels.plainJava().logistic();
        float[][] d = data(new Random(1), 301);
        float[] z = d[0], y = d[1];
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            sum += (float) FloatMath.bceWithLogits(z[i], y[i]);
        }
        assertEquals(sum, plain.sumBceWithLogits(z, y, z.length));
        float[] out = new float[z.length];
        plain.sigmoid(z, out, z.length);
        for (int i = 0; i < z.length; i++) {
            assertEquals((float) FloatMath.sigmoid(z[i]), out[i], "sigmoid at " + z[i]);
        }
        double[] zd = Reference.toDouble(z), yd = Reference.toDouble(y);
        double sumd = 0;
        for (int i = 0; i < z.length; i++) {
            sumd += Functions.bceWithLogits(zd[i], yd[i]);
        }
        assertEquals(sumd, Logistic.sumBceWithLogits(zd, yd, zd.length));
        double[] outd = new double[z.length];
        Logistic.sigmoid(zd, outd, zd.length);
        for (int i = 0; i < z.length; i++) {
            assertEquals(Functions.sigmoid(zd[i]), outd[i]);
        }
        plain.exp(z, out, z.length);
        Logistic.exp(zd, outd, zd.length);
        for (int i = 0; i < z.length; i++) {
            assertEquals(FloatMath.expf(z[i]), out[i], "exp at " + z[i]);
            assertEquals(Math.exp(zd[i]), outd[i]);
        }
        plain.erf(z, out, z.length);
        Logistic.erf(zd, outd, zd.length);
        for (int i = 0; i < z.length; i++) {
            assertEquals((float) FloatMath.erf(z[i]), out[i], "erf at " + z[i]);
            assertEquals(Functions.erf(zd[i]), outd[i]);
        }
    }

    /**
     * The f32 sigmoid is PyTorch's where its float {@code exp(-x)} overflows: 0 from -88.72283935546875 down, a
     * subnormal just above it (the values PyTorch 1.13 gives on this machine, its subnormals within 2 ulps), in vector
     * lanes and in the tail alike.
     */
    @ParameterizedTest
    @MethodSource("loops")
    void f32SigmoidSaturatesAsPyTorchs(JavaLogistic loops) {
        float[] x = {-88.72283172607422f, -88.72283935546875f, -88.72284698486328f, -100f, -1e30f,
            Float.NEGATIVE_INFINITY, -87f, 88f, 100f, Float.POSITIVE_INFINITY, Float.NaN};
        float[] torch = {2.938758297831148e-39f, 0f, 0f, 0f, 0f, 0f, 1.6458114537543937e-38f, 1f, 1f, 1f, Float.NaN};
        int n = 3 * x.length + 2;
        float[] in = new float[n];
        for (int i = 0; i < n; i++) {
            in[i] = x[i % x.length];
        }
        float[] out = new float[n];
        loops.sigmoid(in, out, n);
        for (int i = 0; i < n; i++) {
            // exact where PyTorch's is 0, 1 or NaN; its subnormals within 2 ulps (it rounds exp(-x) to float first)
            float want = torch[i % x.length];
            assertEquals(want, out[i], Float.isNaN(want) ? 0 : 2 * Math.ulp(want), "sigmoid(" + in[i] + ") at " + i);
            assertEquals(want == 0, out[i] == 0, "sigmoid(" + in[i] + ") at " + i);
        }
    }

    @Test
    void f64SigmoidIsZeroWherePyTorchsExpOverflows() {
        assertEquals(1.216780750623423e-308, Functions.sigmoid(-709.0), 1e-320);
        assertEquals(0.0, Functions.sigmoid(-709.8));
        assertEquals(0.0, Functions.sigmoid(-1e300));
        double[] out = new double[2];
        Logistic.sigmoid(new double[] {-710, -709.0}, out, 2);
        assertEquals(0.0, out[0]);
        assertEquals(Functions.sigmoid(-709.0), out[1]);
    }

    @ParameterizedTest
    @MethodSource("loops")
    void f32LoopsStayWithinTheirBounds(JavaLogistic loops) {
        Random random = new Random(2);
        for (int n : new int[] {0, 1, 3, 15, 16, 17, 31, 64, 100, 256, 1001}) {
            float[][] d = data(random, n);
            float[] z = d[0], y = d[1];
            double exact = 0, bound = 0;
            for (int i = 0; i < n; i++) {
                double term = Functions.bceWithLogits(z[i], y[i]);
                exact += term;
                bound += 4 * Math.ulp((float) Math.max(Math.abs(term), Math.abs(z[i])));
            }
            double sum = loops.sumBceWithLogits(z, y, n);
            assertTrue(Math.abs(sum - exact) <= bound + 1e-6 * Math.ulp((float) exact),
                    "n=" + n + ": sum " + sum + ", exact " + exact + ", bound " + bound);
            float[] out = z.clone();
            loops.sigmoid(out, out, n); // in place
            for (int i = 0; i < n; i++) {
                double s = z[i] <= FloatMath.SIGMOID_ZERO ? 0 : Functions.sigmoid(z[i]);
                if (!(Math.abs(out[i] - s) <= 2 * Math.ulp((float) s))) {
                    fail("n=" + n + ": sigmoid(" + z[i] + ") = " + out[i] + ", expected " + s);
                }
            }
        }
    }

    /**
     * erf within 4 float ulps of the double erf (the plain loop is FloatMath's, within 1) over [-5, 5] (the series'
     * and the fit's meeting at 1 included); a loop's last elements after its whole vectors are FloatMath's.
     */
    @ParameterizedTest
    @MethodSource("loops")
    void erfStaysWithinFourUlps(JavaLogistic loops) {
        sweep("erf", loops::erf, Functions::erf, 4, -5f, 5f, Float.NEGATIVE_INFINITY);
        float[] tail = {0.5f, -1.5f, 3f};
        float[] outTail = new float[3];
        loops.erf(tail, outTail, 3);
        for (int i = 0; i < 3; i++) {
            assertEquals((float) FloatMath.erf(tail[i]), outTail[i]);
        }
    }

    /** exp within 2 float ulps of the double exp over [-110, 95]: underflow to the subnormals and to 0, overflow. */
    @ParameterizedTest
    @MethodSource("loops")
    void expStaysWithinTwoUlps(JavaLogistic loops) {
        sweep("exp", loops::exp, Math::exp, 2, -110f, 95f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY,
                88.72283f);
    }

    /**
     * The selected loops take erf and exp in lanes from JDK 25 on, and before it are the plain loops bit for bit (on
     * JDK 17 the lane forms boxed in a model's JVM). Over a sweep where the lane form of erf and FloatMath's differ;
     * the lane form of exp is the plain loop's arithmetic in lanes, with the same bits on the Zen 5 machine's JDK 25
     * over this sweep, so only erf's bits tell the two apart (exp's lanes are checked in ulps above).
     */
    @Test
    void erfAndExpTakeLanesFromJdk25() {
        float[] x = new float[4096];
        for (int i = 0; i < x.length; i++) {
            x[i] = -20f + 40f * i / x.length;
        }
        JavaLogistic plain = Kernels.plainJava().logistic();
        JavaLogistic selected = Kernels.selected().logistic();
        boolean lanes = Kernels.vectorApi().isPresent() && selected != plain
                && Runtime.version().feature() >= 25;
        for (FloatLoop[] pair : new FloatLoop[][] {{plain::erf, selected::erf}}) {
            float[] expected = new float[x.length];
            float[] out = new float[x.length];
            pair[0].apply(x, expected, x.length);
            pair[1].apply(x, out, x.length);
            int differ = 0;
            for (int i = 0; i < x.length; i++) {
                differ += Float.floatToRawIntBits(out[i]) != Float.floatToRawIntBits(expected[i]) ? 1 : 0;
            }
            assertEquals(lanes, differ > 0, differ + " of " + x.length + " results differ from the plain loop's");
        }
    }

    /** A loop over whole float arrays, as {@code JavaLogistic.erf}. */
    private interface FloatLoop {
        void apply(float[] x, float[] out, int n);
    }

    /**
     * {@code loop} against the double function within {@code ulps} float ulps, in one call over every 4099th float
     * bit pattern, a dense sweep of {@code [from, to]}, -0, NaN and {@code more}; zeros (their signs), infinities and
     * NaN must come out exactly as the double function gives them.
     */
    private static void sweep(String name, FloatLoop loop, java.util.function.DoubleUnaryOperator reference, int ulps,
                              float from, float to, float... more) {
        int dense = 1_048_576;
        float[] x = new float[2 * dense + 2 + more.length];
        int k = 0;
        for (long bits = 0; bits <= 0xffff_ffffL && k < dense; bits += 4099) {
            x[k++] = Float.intBitsToFloat((int) bits);
        }
        for (int i = 0; i < dense; i++) {
            x[k++] = from + (to - from) * i / dense;
        }
        x[k++] = -0f;
        x[k++] = Float.NaN;
        for (float m : more) {
            x[k++] = m;
        }
        float[] out = new float[k];
        loop.apply(x, out, k);
        for (int i = 0; i < k; i++) {
            float expected = (float) reference.applyAsDouble(x[i]);
            boolean same = Float.isNaN(expected) ? Float.isNaN(out[i])
                : expected == 0 ? Float.floatToRawIntBits(out[i]) == Float.floatToRawIntBits(expected)
                : Float.isInfinite(expected) ? out[i] == expected
                : Math.abs(out[i] - expected) <= ulps * Math.ulp(expected);
            if (!same) {
                fail(name + "(" + x[i] + ") = " + out[i] + ", expected " + expected);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("loops")
    void specialValuesAsTheDoubleFunctionsGiveThem(JavaLogistic loops) {
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 88.7f, -88.7f,
            104f, -104f, 1e-30f, -1e-30f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, 17f, -17f};
        float[] out = new float[special.length];
        loops.sigmoid(special, out, special.length);
        for (int i = 0; i < special.length; i++) {
            float expected = (float) Functions.sigmoid(special[i]);
            assertTrue(out[i] == expected || Float.isNaN(out[i]) && Float.isNaN(expected)
                            || Math.abs(out[i] - expected) <= 2 * Math.ulp(expected),
                    "sigmoid(" + special[i] + ") = " + out[i] + ", expected " + expected);
        }
        for (int i = 0; i < special.length; i++) {
            for (float label : new float[] {0f, 1f, 0.25f}) {
                float[] z = new float[17];
                float[] y = new float[17];
                java.util.Arrays.fill(y, label);
                z[i] = special[i]; // one special value among zeros, in the vector part
                double expected = Functions.bceWithLogits(special[i], label) + 16 * Functions.bceWithLogits(0, label);
                double sum = loops.sumBceWithLogits(z, y, 17);
                assertTrue(sum == expected || Double.isNaN(sum) && Double.isNaN(expected)
                                || Math.abs(sum - expected) <= 1e-6 * Math.max(1, Math.abs(expected)),
                        "bce_with_logits(" + special[i] + ", " + label + ") summed: " + sum + ", expected " + expected);
            }
        }
    }

    @Test
    void lengthsBeyondTheArraysAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Logistic.sumBceWithLogits(new float[4], new float[3], 4));
        assertEquals("logistic loop over 4 elements, but the arrays have 4 and 3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Logistic.sigmoid(new double[2], new double[2], -1));
    }
}
