package dev.modelc.runtime.tensor;

import dev.modelc.runtime.numeric.MatmulKernels;

/**
 * Differentiable {@code matmul} and {@code linear}. The matmul rule works on the promoted operands (1-D made 2-D):
 * {@code a_bar = sumTo(g @ b^T, a)}, {@code b_bar = sumTo(a^T @ g, b)}, reshaped back to the operands' shapes, in
 * recorded operations (so the gradient is itself differentiable).
 */
final class MatrixOps {

    private MatrixOps() {
    }

    static Tensor matmul(Tensor a, Tensor b) {
        Tensor y = MatmulKernels.matmul(a, b);
        int[] aShape = a.shape();
        int[] bShape = b.shape();
        return Node.record("MmBackward0", y, g -> {
            Tensor pa = GradientOps.view(a, MatmulKernels.promotedLeft(aShape));
            Tensor pb = GradientOps.view(b, MatmulKernels.promotedRight(bShape));
            Tensor pg = GradientOps.view(g, MatmulKernels.resultShape(pa.shape(), pb.shape()));
            Tensor ga = pg.matmul(pb.mT());
            Tensor gb = pa.mT().matmul(pg);
            return new Tensor[] {
                GradientOps.view(GradientOps.sumTo(ga, pa.shape()), aShape),
                GradientOps.view(GradientOps.sumTo(gb, pb.shape()), bShape)};
        }, a, b);
    }

    /** {@code x @ weight^T + bias} with x [..., in], weight [out, in], bias [out] or {@code null}. */
    static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (weight.dim() != 2 || x.dim() < 1 || x.size(-1) != weight.size(1)) {
            throw new IllegalArgumentException("linear: input " + java.util.Arrays.toString(x.shape())
                    + " and weight " + java.util.Arrays.toString(weight.shape()) + " do not fit ([..., in] and [out, in])");
        }
        Tensor y = x.matmul(weight.mT());
        return bias == null ? y : y.add(bias);
    }
}
