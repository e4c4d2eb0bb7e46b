package dev.modelc.runtime.numeric;

import dev.modelc.runtime.api.Functions;

/**
 * The scalar functions behind the elementwise kernels that {@link Math} lacks, with their derivatives, in the forms
 * PyTorch uses: a sigmoid that never overflows, softplus with its linear region, and both GELUs. {@link #erf} is
 * accurate to about 1e-15 (a positive series below 3, a continued fraction for the tail), so finite differences of
 * GELU agree with its analytic derivative in {@code f64}.
 */
public final class ScalarMath {

    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private static final double GELU_TANH_COEF = 0.044715;

    private ScalarMath() {
    }

    /** The error function. */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        double r;
        if (a < 3) {
            // erf(a) = 2/sqrt(pi) * exp(-a^2) * sum_n 2^n a^(2n+1) / (1*3*...*(2n+1)); every term is positive.
            double term = a;
            double sum = a;
            for (int n = 1; n < 200 && term > 1e-17 * sum; n++) {
                term *= 2 * a * a / (2 * n + 1);
                sum += term;
            }
            r = TWO_OVER_SQRT_PI * Math.exp(-a * a) * sum;
        } else if (a < 6.5) {
            r = 1 - erfcContinuedFraction(a);
        } else {
            r = 1;
        }
        return x < 0 ? -r : r;
    }

    /** erfc(a) for a >= 3 by the continued fraction exp(-a^2)/sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))). */
    private static double erfcContinuedFraction(double a) {
        double f = a;
        for (int k = 60; k >= 1; k--) {
            f = a + (k / 2.0) / f;
        }
        return Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
    }

    /** PyTorch's softplus: x when beta*x > threshold, else log1p(exp(beta*x)) / beta. */
    public static double softplus(double x, double beta, double threshold) {
        double bx = beta * x;
        return bx > threshold ? x : Math.log1p(Math.exp(bx)) / beta;
    }

    /** d softplus / dx: 1 in the linear region, else sigmoid(beta*x). */
    public static double softplusGrad(double x, double beta, double threshold) {
        double bx = beta * x;
        return bx > threshold ? 1 : Functions.sigmoid(bx);
    }

    /** x * Phi(x) with Phi the standard normal CDF. */
    public static double gelu(double x) {
        return x * 0.5 * (1 + erf(x / Math.sqrt(2)));
    }

    /** Phi(x) + x * phi(x). */
    public static double geluGrad(double x) {
        double cdf = 0.5 * (1 + erf(x / Math.sqrt(2)));
        double pdf = Math.exp(-0.5 * x * x) * INV_SQRT_2PI;
        return cdf + x * pdf;
    }

    /** 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    public static double geluTanh(double x) {
        double inner = SQRT_2_OVER_PI * (x + GELU_TANH_COEF * x * x * x);
        return 0.5 * x * (1 + Math.tanh(inner));
    }

    /** Derivative of {@link #geluTanh}. */
    public static double geluTanhGrad(double x) {
        double inner = SQRT_2_OVER_PI * (x + GELU_TANH_COEF * x * x * x);
        double t = Math.tanh(inner);
        double dInner = SQRT_2_OVER_PI * (1 + 3 * GELU_TANH_COEF * x * x);
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dInner;
    }

    /** PyTorch's binary cross entropy of a probability {@code p} against {@code y}, each log clamped at -100. */
    public static double bce(double p, double y) {
        return -(y * Math.max(Math.log(p), -100) + (1 - y) * Math.max(Math.log(1 - p), -100));
    }

    /**
     * The IR's {@code bce_with_logits} element in PyTorch's stable form {@code (1 - y) x + m + log(e^-m + e^(-x - m))},
     * {@code m = max(-x, 0)}. (The reference loss in {@link LossKernels} writes the same function as
     * {@code max(x, 0) - x y + log1p(exp(-|x|))}, which can round differently in the last place.)
     */
    public static double bceWithLogits(double x, double y) {
        double m = Math.max(-x, 0);
        return (1 - y) * x + m + Math.log(Math.exp(-m) + Math.exp(-x - m));
    }

    /** -1, 0 or 1 (0 for zero and NaN), as PyTorch's {@code sgn} for the gradients of abs and l1. */
    public static double sign(double x) {
        return x > 0 ? 1 : x < 0 ? -1 : 0;
    }
}
