package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.modelc.runtime.api.Functions;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@link FloatMath} against {@code Math} (and {@code Functions}) in float ulps: every float in a stride through all
 * 2^32 bit patterns, every float near the edges where results overflow, underflow or turn subnormal, a stretch of
 * subnormal inputs, and the special values, which must match exactly.
 */
class FloatMathTest {

    /** The stated accuracy: within this many ulps of Math's result rounded to float. */
    private static final int MAX_ULPS = 1;

    private static final float[] SPECIAL = {
        0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MIN_VALUE, -Float.MIN_VALUE,
        Float.MIN_NORMAL, -Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f, Math.nextDown(-1f),
        Math.nextUp(-1f), 0.5f, 2f, (float) Math.E, 1e-30f, -1e-30f,
        88.72283f, 88.722839f, 88.72284f, 88.7229f, 89f, -87.33654f, -103.27893f, -103.972084f, -103.97208f,
        -104f, -105f, -150f, 1000f, -1000f,
    };

    /** Centres of windows of floats checked one by one: overflow, the subnormal range, underflow to 0. */
    private static final float[] EDGES = {88.72284f, -87.33655f, -103.27893f, -103.97208f, 0f, 1f, -1f};

    @Test
    void expIsWithinOneUlpOfMathExp() {
        sweep("exp", Math::exp, FloatMath::exp);
    }

    @Test
    void logIsWithinOneUlpOfMathLog() {
        sweep("log", Math::log, FloatMath::log);
    }

    @Test
    void log1pIsWithinOneUlpOfMathLog1p() {
        sweep("log1p", Math::log1p, FloatMath::log1p);
    }

    @Test
    void sigmoidIsWithinOneUlpOfTheReference() {
        // the f32 sigmoid is 0 where PyTorch's float exp(-x) overflows (f32SigmoidSaturatesAsPyTorchs in LogisticTest)
        sweep("sigmoid", x -> x <= FloatMath.SIGMOID_ZERO ? 0 : Functions.sigmoid(x), FloatMath::sigmoid);
    }

    @Test
    void tanhIsWithinOneUlpOfMathTanh() {
        sweep("tanh", Math::tanh, FloatMath::tanh);
    }

    /**
     * Against the reference's erf (Taylor series and continued fraction, summed to double precision): within 2 ulps
     * (float arithmetic only, so that its loop vectorizes), and its array loop gives its bits.
     */
    @Test
    void erfIsWithinTwoUlpsOfTheReference() {
        sweep("erf", Functions::erf, x -> FloatMath.erf((float) x), false, 2);
    }

    /** The float-only exp the emitted loops and Logistic.exp use, against the double Math.exp: within 1 ulp. */
    @Test
    void expfIsWithinOneUlpOfMathExp() {
        sweep("expf", Math::exp, x -> FloatMath.expf((float) x), false, 1, 1);
    }

    @Test
    void expfsArrayLoopGivesTheScalarBits() {
        arrayLoopGivesTheScalarBits(FloatMath::expf, FloatMath::expf);
    }

    @Test
    void erfsArrayLoopGivesTheScalarBits() {
        arrayLoopGivesTheScalarBits(FloatMath::erf, FloatMath::erf);
    }

    interface ScalarF {
        float apply(float x);
    }

    interface ArrayLoop {
        void run(float[] x, float[] out, int from, int to, float[] a, float[] b, float[] c);
    }

    /** The array loop over [1, n + 1) of n + 2 values, apart and in place, against the scalar, bit for bit. */
    private static void arrayLoopGivesTheScalarBits(ScalarF scalar, ArrayLoop loop) {
        java.util.Random r = new java.util.Random(13);
        for (int n : new int[] {0, 1, 15, 16, 17, 255, 256, 257, 1000}) {
            float[] x = new float[n + 2];
            for (int i = 0; i < x.length; i++) {
                x[i] = i % 7 == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) (r.nextGaussian() * 2);
            }
            float[] out = new float[n + 2];
            out[n + 1] = 42f;
            float[] xs = new float[FloatMath.BLOCK];
            float[] small = new float[FloatMath.BLOCK];
            float[] large = new float[FloatMath.BLOCK];
            loop.run(x, out, 1, n + 1, xs, small, large);
            float[] inPlace = x.clone();
            loop.run(inPlace, inPlace, 1, n + 1, xs, small, large);
            for (int i = 1; i <= n; i++) {
                int want = Float.floatToRawIntBits(scalar.apply(x[i]));
                assertEquals(want, Float.floatToRawIntBits(out[i]), "n=" + n + " x=" + x[i]);
                assertEquals(want, Float.floatToRawIntBits(inPlace[i]), "in place, n=" + n + " x=" + x[i]);
            }
            assertEquals(0f, out[0]);
            assertEquals(42f, out[n + 1]);
        }
    }

    /**
     * Within 1 ulp of the result, or of the input: {@code (1 - y) x + max(-x, 0)} cancels, so near a zero loss both
     * forms are only good to the input's ulp (at x = -87.34, y = 0, Functions gives 0 and FloatMath the truer
     * log1p(e^x) = 1.2e-38).
     */
    @Test
    void bceWithLogitsIsWithinOneUlpOfTheReference() {
        for (float y : new float[] {0f, 1f, 0.25f}) {
            sweep("bceWithLogits y=" + y, x -> Functions.bceWithLogits(x, y), x -> FloatMath.bceWithLogits(x, y),
                    true);
        }
    }

    @Test
    void specialValuesAreExact() {
        assertEquals(Float.POSITIVE_INFINITY, (float) FloatMath.exp(Float.POSITIVE_INFINITY));
        assertEquals(0f, (float) FloatMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(Float.NEGATIVE_INFINITY, (float) FloatMath.log(0f));
        assertEquals(Float.NEGATIVE_INFINITY, (float) FloatMath.log(-0f));
        assertEquals(Float.NEGATIVE_INFINITY, (float) FloatMath.log1p(-1f));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits((float) FloatMath.log1p(-0f)));
        assertEquals(Float.NaN, (float) FloatMath.log(-1f));
        assertEquals(Float.NaN, (float) FloatMath.log1p(-2f));
        assertEquals(1f, (float) FloatMath.exp(0f));
        assertEquals(0f, (float) FloatMath.log(1f));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits((float) FloatMath.tanh(-0f)));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits((float) FloatMath.erf(-0f)));
        assertEquals(1f, (float) FloatMath.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, (float) FloatMath.erf(Float.NEGATIVE_INFINITY));
        assertEquals(Float.NaN, (float) FloatMath.tanh(Float.NaN));
        assertEquals(Float.NaN, (float) FloatMath.erf(Float.NaN));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.expf(Float.POSITIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.expf(88.73f));
        assertEquals(0f, FloatMath.expf(Float.NEGATIVE_INFINITY));
        assertEquals(1f, FloatMath.expf(0f));
        assertEquals(1f, FloatMath.expf(-0f));
        assertEquals(Float.NaN, FloatMath.expf(Float.NaN));
        assertEquals(Float.MIN_VALUE, FloatMath.expf(-103.28f));
    }

    /** Compares the two on the special values (exactly), on windows around the edges and on a stride of all floats. */
    private static void sweep(String name, DoubleUnaryOperator reference, DoubleUnaryOperator fast) {
        sweep(name, reference, fast, false);
    }

    private static void sweep(String name, DoubleUnaryOperator reference, DoubleUnaryOperator fast,
                              boolean inputUlp) {
        sweep(name, reference, fast, inputUlp, MAX_ULPS);
    }

    private static void sweep(String name, DoubleUnaryOperator reference, DoubleUnaryOperator fast,
                              boolean inputUlp, int maxUlps) {
        sweep(name, reference, fast, inputUlp, maxUlps, 0);
    }

    /** {@code specialUlps}: the ulps allowed on the special values whose result is finite and not 0. */
    private static void sweep(String name, DoubleUnaryOperator reference, DoubleUnaryOperator fast,
                              boolean inputUlp, int maxUlps, int specialUlps) {
        for (float x : SPECIAL) {
            double want = reference.applyAsDouble(x);
            boolean exactCase = !Double.isFinite(want) || (float) want == 0f;
            compare(name, x, reference, fast, exactCase ? 0 : specialUlps, inputUlp);
        }
        for (float centre : EDGES) {
            int bits = Float.floatToRawIntBits(centre);
            for (int d = -20_000; d <= 20_000; d++) {
                float x = Float.intBitsToFloat(bits + d);
                if (!Float.isNaN(x)) {
                    compare(name, x, reference, fast, maxUlps, inputUlp);
                    compare(name, -x, reference, fast, maxUlps, inputUlp);
                }
            }
        }
        for (int bits = 1; bits < 0x0080_0000; bits += 97) {
            compare(name, Float.intBitsToFloat(bits), reference, fast, maxUlps, inputUlp);
            compare(name, -Float.intBitsToFloat(bits), reference, fast, maxUlps, inputUlp);
        }
        for (long bits = 0; bits <= 0xffff_ffffL; bits += 509) {
            compare(name, Float.intBitsToFloat((int) bits), reference, fast, maxUlps, inputUlp);
        }
    }

    private static void compare(String name, float x, DoubleUnaryOperator reference, DoubleUnaryOperator fast,
                                int maxUlps, boolean inputUlp) {
        float expected = (float) reference.applyAsDouble(x);
        float actual = (float) fast.applyAsDouble(x);
        long ulps = ulps(expected, actual);
        boolean withinInputUlp = inputUlp && Math.abs((double) expected - actual) <= Math.ulp(x);
        if (ulps > maxUlps && !withinInputUlp) {
            fail(name + "(" + x + " = 0x" + Integer.toHexString(Float.floatToRawIntBits(x)) + ") is " + actual
                    + ", expected " + expected + " (" + ulps + " ulps apart, allowed " + maxUlps + ")");
        }
    }

    /** Distance in floats between a and b; 0 when both are NaN, the largest long when only one is. */
    static long ulps(float a, float b) {
        if (Float.isNaN(a) || Float.isNaN(b)) {
            return Float.isNaN(a) && Float.isNaN(b) ? 0 : Long.MAX_VALUE;
        }
        if (a == b) {
            return Float.floatToRawIntBits(a) == Float.floatToRawIntBits(b) || a != 0 ? 0 : Long.MAX_VALUE;
        }
        return Math.abs(ordered(a) - ordered(b));
    }

    /** Floats as integers in the same order, adjacent floats one apart (-0 and +0 both map to 0). */
    private static long ordered(float x) {
        int bits = Float.floatToRawIntBits(x);
        return bits >= 0 ? bits : -(long) (bits & 0x7fff_ffff);
    }
}
