package dev.modelc.runtime.tensor;

import static dev.modelc.runtime.numeric.Broadcasting.sumTo;

import dev.modelc.runtime.numeric.ElementwiseKernels;
import dev.modelc.runtime.numeric.ElementwiseKernels.Ternary;
import dev.modelc.runtime.numeric.ScalarMath;

/**
 * The differentiable elementwise operations: each one computes its result with a kernel of
 * {@link ElementwiseKernels} and records its gradient rule right below (PyTorch's {@code derivatives.yaml} formulas,
 * {@code g} being the output gradient). Binary rules sum the broadcast gradient back to each operand's shape.
 */
final class ElementwiseOps {

    private ElementwiseOps() {
    }

    static Tensor add(Tensor a, Tensor b) {
        Tensor y = ElementwiseKernels.add(a, b);
        return Node.record("AddBackward0", y, g -> new Tensor[] {sumTo(g, a.shape()), sumTo(g, b.shape())}, a, b);
    }

    static Tensor sub(Tensor a, Tensor b) {
        Tensor y = ElementwiseKernels.sub(a, b);
        return Node.record("SubBackward0", y,
                g -> new Tensor[] {sumTo(g, a.shape()), sumTo(ElementwiseKernels.neg(g), b.shape())}, a, b);
    }

    static Tensor mul(Tensor a, Tensor b) {
        Tensor y = ElementwiseKernels.mul(a, b);
        return Node.record("MulBackward0", y, g -> new Tensor[] {
            sumTo(ElementwiseKernels.mul(g, b), a.shape()),
            sumTo(ElementwiseKernels.mul(g, a), b.shape())}, a, b);
    }

    static Tensor div(Tensor a, Tensor b) {
        Tensor y = ElementwiseKernels.div(a, b);
        return Node.record("DivBackward0", y, g -> new Tensor[] {
            sumTo(ElementwiseKernels.div(g, b), a.shape()),
            sumTo(by(g, a, b, (gi, x, z) -> -gi * x / (z * z)), b.shape())}, a, b);
    }

    static Tensor pow(Tensor a, Tensor b) {
        Tensor y = ElementwiseKernels.pow(a, b);
        return Node.record("PowBackward1", y, g -> new Tensor[] {
            sumTo(ElementwiseKernels.powGradBase(g, a, b), a.shape()),
            sumTo(ElementwiseKernels.powGradExponent(g, a, b), b.shape())}, a, b);
    }

    static Tensor pow(Tensor a, double exponent) {
        Tensor b = Tensor.scalar(exponent, a.dtype());
        Tensor y = ElementwiseKernels.pow(a, b);
        return Node.record("PowBackward0", y, g -> new Tensor[] {ElementwiseKernels.powGradBase(g, a, b)}, a);
    }

    static Tensor maximum(Tensor a, Tensor b) {
        Tensor y = ElementwiseKernels.maximum(a, b);
        return Node.record("MaximumBackward0", y, g -> new Tensor[] {
            sumTo(ElementwiseKernels.selectGrad(g, a, b, true), a.shape()),
            sumTo(ElementwiseKernels.selectGrad(g, b, a, true), b.shape())}, a, b);
    }

    static Tensor minimum(Tensor a, Tensor b) {
        Tensor y = ElementwiseKernels.minimum(a, b);
        return Node.record("MinimumBackward0", y, g -> new Tensor[] {
            sumTo(ElementwiseKernels.selectGrad(g, a, b, false), a.shape()),
            sumTo(ElementwiseKernels.selectGrad(g, b, a, false), b.shape())}, a, b);
    }

    static Tensor neg(Tensor x) {
        return unary("NegBackward0", x, ElementwiseKernels.neg(x), g -> ElementwiseKernels.neg(g));
    }

    static Tensor exp(Tensor x) {
        Tensor y = ElementwiseKernels.exp(x);
        return unary("ExpBackward0", x, y, g -> ElementwiseKernels.mul(g, y));
    }

    static Tensor log(Tensor x) {
        return unary("LogBackward0", x, ElementwiseKernels.log(x), g -> ElementwiseKernels.div(g, x));
    }

    static Tensor sqrt(Tensor x) {
        Tensor y = ElementwiseKernels.sqrt(x);
        return unary("SqrtBackward0", x, y, g -> by(g, y, y, (gi, r, unused) -> gi / (2 * r)));
    }

    static Tensor abs(Tensor x) {
        return unary("AbsBackward0", x, ElementwiseKernels.abs(x), g -> ElementwiseKernels.absGrad(g, x));
    }

    static Tensor sin(Tensor x) {
        return unary("SinBackward0", x, ElementwiseKernels.sin(x), g -> by(g, x, x, (gi, v, u) -> gi * Math.cos(v)));
    }

    static Tensor cos(Tensor x) {
        return unary("CosBackward0", x, ElementwiseKernels.cos(x), g -> by(g, x, x, (gi, v, u) -> -gi * Math.sin(v)));
    }

    static Tensor tanh(Tensor x) {
        Tensor y = ElementwiseKernels.tanh(x);
        return unary("TanhBackward0", x, y, g -> by(g, y, y, (gi, t, u) -> gi * (1 - t * t)));
    }

    static Tensor sigmoid(Tensor x) {
        Tensor y = ElementwiseKernels.sigmoid(x);
        return unary("SigmoidBackward0", x, y, g -> by(g, y, y, (gi, s, u) -> gi * s * (1 - s)));
    }

    static Tensor relu(Tensor x) {
        Tensor y = ElementwiseKernels.relu(x);
        return unary("ReluBackward0", x, y, g -> ElementwiseKernels.reluGrad(g, y));
    }

    static Tensor leakyRelu(Tensor x, double slope) {
        return unary("LeakyReluBackward0", x, ElementwiseKernels.leakyRelu(x, slope),
                g -> ElementwiseKernels.leakyReluGrad(g, x, slope));
    }

    static Tensor softplus(Tensor x, double beta, double threshold) {
        return unary("SoftplusBackward0", x, ElementwiseKernels.softplus(x, beta, threshold),
                g -> ElementwiseKernels.softplusGrad(g, x, beta, threshold));
    }

    static Tensor gelu(Tensor x, boolean tanh) {
        return unary("GeluBackward0", x, ElementwiseKernels.gelu(x, tanh), g -> ElementwiseKernels.geluGrad(g, x, tanh));
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

    private static Tensor by(Tensor g, Tensor a, Tensor b, Ternary f) {
        return ElementwiseKernels.zip3(g, a, b, f);
    }
}
