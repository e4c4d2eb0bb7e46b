package dev.modelc.runtime.numeric;

import dev.modelc.runtime.api.Functions;
import dev.modelc.runtime.kernels.FloatMath;
import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.Tensor;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Tape-free elementwise kernels. Contract for every method: inputs are read, never written; the result is a new tensor
 * of the inputs' dtype; binary kernels broadcast (NumPy rules) and require equal dtypes; the arithmetic is done in
 * {@code double} and each result element is rounded once to {@code float} for {@code f32}. The {@code *Grad} helpers
 * take the output gradient {@code g} and the forward input(s) and return {@code g} times the local derivative in the
 * broadcast shape (the caller sums it back to each operand's shape with {@link Broadcasting#sumTo}).
 */
public final class ElementwiseKernels {

    /** A function of three values, for gradient helpers that need the gradient and both operands. */
    @FunctionalInterface
    public interface Ternary {
        double apply(double g, double a, double b);
    }

    private ElementwiseKernels() {
    }

    public static Tensor map(Tensor x, DoubleUnaryOperator f) {
        double[] v = x.doubles();
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = f.applyAsDouble(v[i]);
        }
        return Tensor.fromDoubles(x.dtype(), x.shape(), out);
    }

    public static Tensor zip(Tensor a, Tensor b, DoubleBinaryOperator f) {
        DType dtype = commonDType(a, b);
        int[] shape = Broadcasting.shape(a.shape(), b.shape());
        int[] ia = Broadcasting.indexMap(a.shape(), shape);
        int[] ib = Broadcasting.indexMap(b.shape(), shape);
        double[] va = a.doubles();
        double[] vb = b.doubles();
        double[] out = new double[ia.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.applyAsDouble(va[ia[i]], vb[ib[i]]);
        }
        return Tensor.fromDoubles(dtype, shape, out);
    }

    /** {@code f(g, a, b)} over the shape of {@code g}, which {@code a} and {@code b} broadcast to. */
    public static Tensor zip3(Tensor g, Tensor a, Tensor b, Ternary f) {
        int[] shape = g.shape();
        int[] ia = Broadcasting.indexMap(a.shape(), shape);
        int[] ib = Broadcasting.indexMap(b.shape(), shape);
        double[] vg = g.doubles();
        double[] va = a.doubles();
        double[] vb = b.doubles();
        double[] out = new double[vg.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.apply(vg[i], va[ia[i]], vb[ib[i]]);
        }
        return Tensor.fromDoubles(g.dtype(), shape, out);
    }

    /** The shared dtype of two operands; mixing f32 and f64 is an error, as in the model language. */
    public static DType commonDType(Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException("dtype mismatch: " + a.dtype() + " and " + b.dtype()
                    + " (convert one operand with to(...))");
        }
        return a.dtype();
    }

    public static Tensor add(Tensor a, Tensor b) { return zip(a, b, Double::sum); }
    public static Tensor sub(Tensor a, Tensor b) { return zip(a, b, (x, y) -> x - y); }
    public static Tensor mul(Tensor a, Tensor b) { return zip(a, b, (x, y) -> x * y); }
    public static Tensor div(Tensor a, Tensor b) { return zip(a, b, (x, y) -> x / y); }
    public static Tensor pow(Tensor a, Tensor b) { return zip(a, b, Math::pow); }

    /** {@code a ** exponent} for a number exponent, as PyTorch's scalar pow ({@code Functions.powScalar}). */
    public static Tensor pow(Tensor a, double exponent) {
        return map(a, v -> Functions.powScalar(v, exponent));
    }
    public static Tensor maximum(Tensor a, Tensor b) { return zip(a, b, Math::max); }
    public static Tensor minimum(Tensor a, Tensor b) { return zip(a, b, Math::min); }

    public static Tensor neg(Tensor x) { return map(x, v -> -v); }
    public static Tensor exp(Tensor x) { return map(x, Math::exp); }
    public static Tensor log(Tensor x) { return map(x, Math::log); }
    public static Tensor sqrt(Tensor x) { return map(x, Math::sqrt); }
    public static Tensor abs(Tensor x) { return map(x, Math::abs); }
    public static Tensor sin(Tensor x) { return map(x, Math::sin); }
    public static Tensor cos(Tensor x) { return map(x, Math::cos); }
    public static Tensor tanh(Tensor x) { return map(x, Math::tanh); }
    /** In double, then 0 at or below {@link FloatMath#SIGMOID_ZERO} in f32, where PyTorch's float exp(-x) overflows. */
    public static Tensor sigmoid(Tensor x) {
        return x.dtype() == DType.F32 ? map(x, v -> v <= FloatMath.SIGMOID_ZERO ? 0 : Functions.sigmoid(v))
                : map(x, Functions::sigmoid);
    }
    public static Tensor relu(Tensor x) { return map(x, v -> v > 0 || Double.isNaN(v) ? v : 0); }
    /**
     * {@code x > 0 ? x : x * slope}, the slope rounded to the dtype as PyTorch's kernels take it: the product of two
     * f32 values is exact in double, so rounding it to f32 gives the f32 product.
     */
    public static Tensor leakyRelu(Tensor x, double slope) {
        double s = slopeIn(x.dtype(), slope);
        return map(x, v -> v > 0 ? v : v * s);
    }

    /** The negative slope of leaky_relu in the precision of dtype. */
    public static double slopeIn(DType dtype, double slope) {
        return dtype == DType.F32 ? (float) slope : slope;
    }
    public static Tensor softplus(Tensor x, double beta, double threshold) {
        return map(x, v -> ScalarMath.softplus(v, beta, threshold));
    }
    public static Tensor gelu(Tensor x, boolean tanh) {
        return map(x, tanh ? ScalarMath::geluTanh : ScalarMath::gelu);
    }

    // ------------------------------------------------------------------- gradient helpers: g * d f(x) / dx

    /**
     * relu, from its result y: PyTorch's threshold_backward(g, y, 0), {@code y <= 0 ? 0 : g}, so a NaN or infinite g
     * where y is 0 gives 0 (not g * 0) and a NaN y passes g.
     */
    public static Tensor reluGrad(Tensor g, Tensor y) { return zip(g, y, (gi, yi) -> yi <= 0 ? 0 : gi); }
    public static Tensor leakyReluGrad(Tensor g, Tensor x, double slope) {
        double s = slopeIn(g.dtype(), slope);
        return zip(g, x, (gi, xi) -> xi > 0 ? gi : gi * s);
    }
    /** abs: g * sign(x), 0 at 0. */
    public static Tensor absGrad(Tensor g, Tensor x) { return zip(g, x, (gi, xi) -> gi * ScalarMath.sign(xi)); }

    /** 1 where {@code test(a, b)} holds else 0, in the operands' dtype, over their broadcast shape. */
    public static Tensor compare(Tensor a, Tensor b, DoubleBinaryOperator test) {
        return zip(a, b, test);
    }

    /**
     * torch.where over the broadcast shape of the three: {@code a} where the 0/1 mask {@code c} is nonzero, else
     * {@code b} (the element itself, so a NaN or infinity in the branch not taken never shows).
     */
    public static Tensor where(Tensor c, Tensor a, Tensor b) {
        DType dtype = commonDType(a, b);
        int[] shape = Broadcasting.shape(Broadcasting.shape(c.shape(), a.shape()), b.shape());
        int[] ic = Broadcasting.indexMap(c.shape(), shape);
        int[] ia = Broadcasting.indexMap(a.shape(), shape);
        int[] ib = Broadcasting.indexMap(b.shape(), shape);
        double[] vc = c.doubles();
        double[] va = a.doubles();
        double[] vb = b.doubles();
        double[] out = new double[ia.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = vc[ic[i]] != 0 ? va[ia[i]] : vb[ib[i]];
        }
        return Tensor.fromDoubles(dtype, shape, out);
    }

    /** {@code g} where the mask {@code c} (broadcast to g's shape) is nonzero ({@code keep}) or zero (not keep), else 0. */
    public static Tensor maskGrad(Tensor g, Tensor c, boolean keep) {
        return zip3(g, c, c, (gi, ci, unused) -> (ci != 0) == keep ? gi : 0);
    }

    /**
     * maximum/minimum, gradient for the operand {@code a}: 0 where a loses, g/2 on ties, g elsewhere (where a wins,
     * or where an operand is NaN); 0, not g * 0, where a loses, so a NaN g does not reach it (PyTorch's masked_fill).
     */
    public static Tensor selectGrad(Tensor g, Tensor a, Tensor b, boolean maximum) {
        // PyTorch's masked_fill where a loses: a NaN operand neither wins nor loses, so it gets all of g
        return zip3(g, a, b, (gi, x, y) -> x == y ? gi / 2 : (maximum ? x < y : x > y) ? 0 : gi);
    }
}
