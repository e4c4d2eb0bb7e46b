package dev.modelc.runtime.kernels;

/**
 * Whole-tensor loops that generated classes call instead of emitting their own: the sum of {@code bce_with_logits}
 * over every element (the loss of a binary classifier, before its mean), the sigmoid, exp and erf (gelu's).
 *
 * <p>The emitted loops compute these element by element with one call to {@link FloatMath} (f32) or
 * {@code Functions} (f64) per element and, for the sum, a double accumulator; C2 vectorizes neither (the calls,
 * the conversions, the reduction into a scalar). With the Vector API kernel ({@link Kernels}) the f32 forms run in
 * vector lanes instead ({@code VectorLogistic}, exp and log1p as float polynomials of its own; erf and exp alone from
 * JDK 25 on, see {@code VectorLogistic.LANES_FROM_JDK}); otherwise, and for f64, they are the emitted loops' own
 * arithmetic in the same order, so the results are the same to the bit.
 *
 * <p>Accuracy of the Vector API f32 forms against the plain ones: each sigmoid and each loss term is computed in
 * float from exp and log1p within about 1 and 2 ulps, so a term differs from the plain one by a
 * few float ulps of the larger of the term and the logit (the stable form of the loss adds {@code (1 - y) x} and
 * {@code max(-x, 0)} before the logarithm; {@code LogisticTest} states the bounds). The Vector API form sums the
 * terms in float lanes over blocks of at most 16 vectors and adds each block's total in double: a block's sum (all
 * terms non-negative) is within 31 float roundings, 2e-6 relative, of exact. The f32 erf in lanes is within 4 float
 * ulps of the double erf, the f32 exp within 2 of the double exp ({@code LogisticTest}).
 */
public final class Logistic {

    private static final JavaLogistic LOOPS = Kernels.selected().logistic();

    private Logistic() {
    }

    /** The sum over {@code i < n} of {@code bce_with_logits(z[i], y[i])}, each term rounded to float. */
    public static double sumBceWithLogits(float[] z, float[] y, int n) {
        check(n, z.length, y.length);
        return LOOPS.sumBceWithLogits(z, y, n);
    }

    /** The sum over {@code i < n} of {@code bce_with_logits(z[i], y[i])}. */
    public static double sumBceWithLogits(double[] z, double[] y, int n) {
        check(n, z.length, y.length);
        return LOOPS.sumBceWithLogits(z, y, n);
    }

    /** {@code out[i] = sigmoid(x[i])} for {@code i < n}; out may be x. */
    public static void sigmoid(float[] x, float[] out, int n) {
        check(n, x.length, out.length);
        LOOPS.sigmoid(x, out, n);
    }

    /** {@code out[i] = sigmoid(x[i])} for {@code i < n}; out may be x. */
    public static void sigmoid(double[] x, double[] out, int n) {
        check(n, x.length, out.length);
        LOOPS.sigmoid(x, out, n);
    }

    /** {@code out[i] = e^x[i]} for {@code i < n}; out may be x. */
    public static void exp(float[] x, float[] out, int n) {
        check(n, x.length, out.length);
        LOOPS.exp(x, out, n);
    }

    /** {@code out[i] = e^x[i]} for {@code i < n}; out may be x. */
    public static void exp(double[] x, double[] out, int n) {
        check(n, x.length, out.length);
        LOOPS.exp(x, out, n);
    }

    /** {@code out[i] = erf(x[i])} for {@code i < n}; out may be x. */
    public static void erf(float[] x, float[] out, int n) {
        check(n, x.length, out.length);
        LOOPS.erf(x, out, n);
    }

    /** {@code out[i] = erf(x[i])} for {@code i < n}; out may be x. */
    public static void erf(double[] x, double[] out, int n) {
        check(n, x.length, out.length);
        LOOPS.erf(x, out, n);
    }

    private static void check(int n, int first, int second) {
        if (n < 0 || n > first || n > second) {
            throw new IllegalArgumentException("logistic loop over " + n + " elements, but the arrays have "
                    + first + " and " + second);
        }
    }
}
