package dev.modelc.runtime.tensor;

import dev.modelc.runtime.numeric.ElementwiseKernels;
import dev.modelc.runtime.numeric.ScalarMath;

/**
 * The differentiable elementwise operations: each one computes its result with a kernel of
 * {@link ElementwiseKernels} and records its gradient rule right below (PyTorch's {@code derivatives.yaml} formulas,
 * {@code g} being the output gradient, {@code y} the result). Rules are written in recorded operations (or the
 * helpers of {@link GradientOps}, which record their own rules), so that with grad mode on they build the graph of the
 * gradient itself. Binary rules sum the broadcast gradient back to each operand's shape.
 */
final class ElementwiseOps {

    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double GELU_TANH_COEF = 0.044715;

    private ElementwiseOps() {
    }

    static Tensor add(Tensor a, Tensor b) {
        Tensor y = ElementwiseKernels.add(a, b);
        return Node.record("AddBackward0", y, g -> new Tensor[] {sumTo(g, a), sumTo(g, b)}, a, b);
    }

    static Tensor sub(Tensor a, Tensor b) {
        Tensor y = ElementwiseKernels.sub(a, b);
        return Node.record("SubBackward0", y, g -> new Tensor[] {sumTo(g, a), sumTo(g.neg(), b)}, a, b);
    }

    static Tensor mul(Tensor a, Tensor b) {
        Tensor y = ElementwiseKernels.mul(a, b);
        return Node.record("MulBackward0", y, g -> new Tensor[] {sumTo(g.mul(b), a), sumTo(g.mul(a), b)}, a, b);
    }

    static Tensor div(Tensor a, Tensor b) {
        Tensor y = ElementwiseKernels.div(a, b);
        return Node.record("DivBackward0", y, g -> new Tensor[] {
            sumTo(g.div(b), a),
            sumTo(g.mul(a).div(b.mul(b)).neg(), b)}, a, b);
    }

    /**
     * Base: {@code g b a^(b-1)}, 0 where b == 0 (selected); exponent: {@code g} times {@code y log(a)}, that factor 0
     * where a == 0 and b >= 0 (selected, then multiplied by g, so a NaN g stays NaN): PyTorch's pow_backward_self
     * and pow_backward_exponent, whose own derivatives then are PyTorch's too.
     */
    static Tensor pow(Tensor a, Tensor b) {
        Tensor y = ElementwiseKernels.pow(a, b);
        return Node.record("PowBackward1", y, g -> new Tensor[] {
            sumTo(zeroWhere(g.mul(b).mul(a.pow(b.sub(1))), a, b, (x, e) -> e == 0), a),
            sumTo(g.mul(zeroWhere(y.mul(a.log()), a, b, (x, e) -> x == 0 && e >= 0)), b)}, a, b);
    }

    static Tensor pow(Tensor a, double exponent) {
        Tensor b = Tensor.scalar(exponent, a.dtype());
        Tensor y = ElementwiseKernels.pow(a, b.item());
        return Node.record("PowBackward0", y, g -> new Tensor[] {
            exponent == 0 ? Tensor.zeros(g.dtype(), g.shape()) : g.mul(b).mul(a.pow(exponent - 1))}, a);
    }

    static Tensor maximum(Tensor a, Tensor b) {
        Tensor y = ElementwiseKernels.maximum(a, b);
        return Node.record("MaximumBackward0", y, g -> new Tensor[] {
            sumTo(select("MaximumBackwardBackward0", g, a, b, true), a),
            sumTo(select("MaximumBackwardBackward0", g, b, a, true), b)}, a, b);
    }

    static Tensor minimum(Tensor a, Tensor b) {
        Tensor y = ElementwiseKernels.minimum(a, b);
        return Node.record("MinimumBackward0", y, g -> new Tensor[] {
            sumTo(select("MinimumBackwardBackward0", g, a, b, false), a),
            sumTo(select("MinimumBackwardBackward0", g, b, a, false), b)}, a, b);
    }

    /**
     * torch.where(c, a, b) with {@code c} a 0/1 mask; the three broadcast. Gradient: g where c holds to a, g where it
     * does not to b (each summed back to its operand's shape), none to the mask.
     */
    static Tensor where(Tensor c, Tensor a, Tensor b) {
        Tensor y = ElementwiseKernels.where(c, a, b);
        return Node.record("WhereBackward0", y, g -> new Tensor[] {
            sumTo(mask("WhereBackward0", g, c, true), a),
            sumTo(mask("WhereBackward0", g, c, false), b)}, a, b);
    }

    /**
     * torch.clamp(x, min, max), a bound null when omitted: min(max(x, min), max), NaN propagating. Gradient g where
     * min <= x <= max (inclusive, as torch's clamp_backward), 0 elsewhere and at NaN.
     */
    static Tensor clamp(Tensor x, Double min, Double max) {
        double lo = min == null ? Double.NEGATIVE_INFINITY : min;
        double hi = max == null ? Double.POSITIVE_INFINITY : max;
        Tensor y = ElementwiseKernels.map(x, v -> Math.min(Math.max(v, lo), hi));
        Tensor inside = ElementwiseKernels.map(x, v -> v >= lo && v <= hi ? 1 : 0);
        return unary("ClampBackward1", x, y, g -> mask("ClampBackwardBackward0", g, inside, true));
    }

    static Tensor neg(Tensor x) {
        return unary("NegBackward0", x, ElementwiseKernels.neg(x), g -> g.neg());
    }

    static Tensor exp(Tensor x) {
        Tensor y = ElementwiseKernels.exp(x);
        return unary("ExpBackward0", x, y, g -> g.mul(y));
    }

    static Tensor log(Tensor x) {
        return unary("LogBackward0", x, ElementwiseKernels.log(x), g -> g.div(x));
    }

    static Tensor sqrt(Tensor x) {
        Tensor y = ElementwiseKernels.sqrt(x);
        return unary("SqrtBackward0", x, y, g -> g.div(y.mul(2)));
    }

    static Tensor abs(Tensor x) {
        return unary("AbsBackward0", x, ElementwiseKernels.abs(x),
                g -> GradientOps.diagonal("AbsBackwardBackward0", g, t -> ElementwiseKernels.absGrad(t, x)));
    }

    static Tensor sin(Tensor x) {
        return unary("SinBackward0", x, ElementwiseKernels.sin(x), g -> g.mul(x.cos()));
    }

    static Tensor cos(Tensor x) {
        return unary("CosBackward0", x, ElementwiseKernels.cos(x), g -> g.mul(x.sin()).neg());
    }

    static Tensor tanh(Tensor x) {
        Tensor y = ElementwiseKernels.tanh(x);
        return unary("TanhBackward0", x, y, g -> g.mul(one(y).sub(y.mul(y))));
    }

    static Tensor sigmoid(Tensor x) {
        Tensor y = ElementwiseKernels.sigmoid(x);
        return unary("SigmoidBackward0", x, y, g -> g.mul(y).mul(one(y).sub(y)));
    }

    /** PyTorch's threshold_backward(g, result, 0): the mask reads the result. */
    static Tensor relu(Tensor x) {
        Tensor y = ElementwiseKernels.relu(x);
        return unary("ReluBackward0", x, y,
                g -> GradientOps.diagonal("ThresholdBackwardBackward0", g, t -> ElementwiseKernels.reluGrad(t, y)));
    }

    static Tensor leakyRelu(Tensor x, double slope) {
        return unary("LeakyReluBackward0", x, ElementwiseKernels.leakyRelu(x, slope),
                g -> GradientOps.diagonal("LeakyReluBackwardBackward0", g,
                        t -> ElementwiseKernels.leakyReluGrad(t, x, slope)));
    }

    /**
     * Slope sigmoid(beta x), 1 where softplus is linear (beta x > threshold); its derivative beta s (1 - s) where
     * beta x < threshold, 0 elsewhere: on the threshold too, as PyTorch's softplus_double_backward.
     */
    static Tensor softplus(Tensor x, double beta, double threshold) {
        return unary("SoftplusBackward0", x, ElementwiseKernels.softplus(x, beta, threshold),
                g -> g.mul(GradientOps.slope("SoftplusBackwardBackward0", x,
                        v -> ScalarMath.softplusGrad(v, beta, threshold), v -> {
                            Tensor s = v.mul(beta).sigmoid();
                            Tensor curvature = s.mul(one(s).sub(s)).mul(beta);
                            return GradientOps.diagonal("SoftplusBackwardBackward0", curvature,
                                    t -> ElementwiseKernels.zip(t, v, (ti, vi) -> beta * vi >= threshold ? 0 : ti));
                        })));
    }

    /**
     * Exact: slope Phi(x) + x phi(x) (a kernel, Phi needs erf), whose derivative is phi(x) (2 - x^2). Tanh
     * approximation: the slope written in recorded operations, in the order of {@link ScalarMath#geluTanhGrad}.
     */
    static Tensor gelu(Tensor x, boolean tanh) {
        return unary("GeluBackward0", x, ElementwiseKernels.gelu(x, tanh), g -> g.mul(tanh ? geluTanhSlope(x)
                : GradientOps.slope("GeluBackwardBackward0", x, ScalarMath::geluGrad,
                        v -> v.mul(v).mul(-0.5).exp().mul(INV_SQRT_2PI).mul(one(v).mul(2).sub(v.mul(v))))));
    }

    private static Tensor geluTanhSlope(Tensor x) {
        Tensor inner = x.add(x.mul(GELU_TANH_COEF).mul(x).mul(x)).mul(SQRT_2_OVER_PI);
        Tensor t = inner.tanh();
        Tensor dInner = one(x).add(x.mul(3 * GELU_TANH_COEF).mul(x)).mul(SQRT_2_OVER_PI);
        return one(t).add(t).mul(0.5).add(x.mul(0.5).mul(one(t).sub(t.mul(t))).mul(dInner));
    }

    /** The sign used by losses (not differentiable: its gradient is zero almost everywhere). */
    static Tensor sign(Tensor x) {
        return ElementwiseKernels.map(x, ScalarMath::sign);
    }

    private interface UnaryRule {
        Tensor apply(Tensor g);
    }

    private static Tensor unary(String name, Tensor x, Tensor y, UnaryRule rule) {
        return Node.record(name, y, g -> new Tensor[] {rule.apply(g)}, x);
    }

    private static Tensor sumTo(Tensor g, Tensor operand) {
        return GradientOps.sumTo(g, operand.shape());
    }

    /** The constant 1 in {@code t}'s dtype. */
    private static Tensor one(Tensor t) {
        return Tensor.scalar(1, t.dtype());
    }

    /** maximum/minimum's share of g for operand {@code a}: all of it where a wins, half on ties, none where it loses. */
    private static Tensor select(String name, Tensor g, Tensor a, Tensor b, boolean maximum) {
        return GradientOps.diagonal(name, g, t -> ElementwiseKernels.selectGrad(t, a, b, maximum));
    }

    /** g where the mask c holds ({@code keep}) or does not hold (not keep), 0 elsewhere; linear in g. */
    private static Tensor mask(String name, Tensor g, Tensor c, boolean keep) {
        return GradientOps.diagonal(name, g, t -> ElementwiseKernels.maskGrad(t, c, keep));
    }

    private interface Where {
        boolean test(double a, double b);
    }

    /** {@code t} with 0 written where {@code zero(a, b)} holds ({@code a} and {@code b} broadcast to t's shape). */
    private static Tensor zeroWhere(Tensor t, Tensor a, Tensor b, Where zero) {
        return GradientOps.diagonal("WhereBackward0", t,
                u -> ElementwiseKernels.zip3(u, a, b, (ui, ai, bi) -> zero.test(ai, bi) ? 0 : ui));
    }
}
