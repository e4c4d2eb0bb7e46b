package dev.modelc.runtime.tensor;

import dev.modelc.runtime.numeric.Broadcasting;
import dev.modelc.runtime.numeric.MatmulKernels;
import dev.modelc.runtime.numeric.ShapeKernels;

/**
 * Differentiable {@code matmul} and {@code linear}. The matmul rule works on the promoted operands (1-D made 2-D):
 * {@code a_bar = sumTo(g @ b^T, a)}, {@code b_bar = sumTo(a^T @ g, b)}, reshaped back to the operands' shapes.
 */
final class MatrixOps {

    private MatrixOps() {
    }

    static Tensor matmul(Tensor a, Tensor b) {
        Tensor y = MatmulKernels.matmul(a, b);
        int[] aShape = a.shape();
        int[] bShape = b.shape();
        return Node.record("MmBackward0", y, g -> {
            Tensor pa = a.withShape(MatmulKernels.promotedLeft(aShape));
            Tensor pb = b.withShape(MatmulKernels.promotedRight(bShape));
            Tensor pg = g.withShape(MatmulKernels.resultShape(pa.shape(), pb.shape()));
            Tensor ga = MatmulKernels.matmul(pg, ShapeKernels.transpose(pb, -2, -1));
            Tensor gb = MatmulKernels.matmul(ShapeKernels.transpose(pa, -2, -1), pg);
            return new Tensor[] {
                Broadcasting.sumTo(ga, pa.shape()).withShape(aShape),
                Broadcasting.sumTo(gb, pb.shape()).withShape(bShape)};
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
