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
        Kernels.vectorApi().ifPresent(g -> list.add(g.logistic()));
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
                double s = Functions.sigmoid(z[i]);
                if (!(Math.abs(out[i] - s) <= 2 * Math.ulp((float) s))) {
                    fail("n=" + n + ": sigmoid(" + z[i] + ") = " + out[i] + ", expected " + s);
                }
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
