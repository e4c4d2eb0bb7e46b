package dev.modelc.eval;

import dev.modelc.ir.Attr;
import dev.modelc.ir.Node;
import dev.modelc.runtime.numeric.ConvKernels;
import dev.modelc.runtime.numeric.PoolKernels;
import dev.modelc.runtime.numeric.Window;
import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.Tensor;
import java.util.List;

/**
 * The window ops (conv2d, pooling and their transposes) evaluated with the reference runtime's tape-free kernels
 * ({@code dev.modelc.runtime.numeric}), so the IR's meaning of these primitives is the runtime's, not a second copy.
 * Values travel as f64 tensors; the caller rounds results to the node's dtype.
 */
final class Windows {
  private Windows() {}

  /** The value of a window op of {@link IrEvaluator#evaluate}, before rounding. */
  static double[] evaluate(Node n, List<NdArray> in, int[] out) {
    Attr.Window w = n.attr instanceof Attr.WindowTo t ? t.window() : (Attr.Window) n.attr;
    return switch (n.op) {
      case CONV2D -> conv2d(in.get(0), in.get(1), w, out);
      case CONV2D_BACKWARD_INPUT -> conv2dBackwardInput(in.get(0), in.get(1), w, out);
      case CONV2D_BACKWARD_WEIGHT -> conv2dBackwardWeight(in.get(0), in.get(1), w, out);
      case MAXPOOL2D -> maxpool2d(in.get(0), w, out);
      case MAXPOOL2D_BACKWARD -> maxpool2dBackward(in.get(0), in.get(1), w);
      case MAXPOOL2D_GATHER -> maxpool2dGather(in.get(0), in.get(1), w, out);
      case AVGPOOL2D -> avgpool2d(in.get(0), w, out);
      case AVGPOOL2D_BACKWARD -> avgpool2dBackward(in.get(0), w, out);
      default -> throw new IllegalStateException(n.op + " is not a window op");
    };
  }

  static Tensor tensor(NdArray a) {
    return Tensor.fromDoubles(DType.F64, a.shape(), a.data());
  }

  private static Window pool(Attr.Window w) {
    return new Window(w.kernelH(), w.kernelW(), w.strideH(), w.strideW(), w.padH(), w.padW());
  }

  static double[] conv2d(NdArray x, NdArray wt, Attr.Window w, int[] out) {
    return ConvKernels.conv2d(tensor(x), tensor(wt), null, w.strideH(), w.strideW(), w.padH(), w.padW()).doubles();
  }

  /** (y_bar, w) to x_bar of shape {@code xShape}. */
  static double[] conv2dBackwardInput(NdArray g, NdArray wt, Attr.Window w, int[] xShape) {
    return ConvKernels.conv2dGradInput(tensor(g), tensor(wt), xShape, w.strideH(), w.strideW(), w.padH(), w.padW())
        .doubles();
  }

  /** (x, y_bar) to w_bar of shape {@code wShape}. */
  static double[] conv2dBackwardWeight(NdArray x, NdArray g, Attr.Window w, int[] wShape) {
    return ConvKernels.conv2dGradWeight(tensor(g), tensor(x), wShape, w.strideH(), w.strideW(), w.padH(), w.padW())
        .doubles();
  }

  static double[] maxpool2d(NdArray x, Attr.Window w, int[] out) {
    return PoolKernels.maxPool2d(tensor(x), pool(w)).values().doubles();
  }

  /** (y_bar, x) to x_bar: each window's gradient goes to its first maximum, as PyTorch. */
  static double[] maxpool2dBackward(NdArray g, NdArray x, Attr.Window w) {
    int[] argmax = PoolKernels.maxPool2d(tensor(x), pool(w)).argmax();
    return PoolKernels.maxPool2dGrad(tensor(g), argmax, x.shape()).doubles();
  }

  static double[] maxpool2dGather(NdArray t, NdArray x, Attr.Window w, int[] out) {
    int[] argmax = PoolKernels.maxPool2d(tensor(x), pool(w)).argmax();
    return PoolKernels.maxPool2dGather(tensor(t), argmax, out).doubles();
  }

  static double[] avgpool2d(NdArray x, Attr.Window w, int[] out) {
    return PoolKernels.avgPool2d(tensor(x), pool(w)).doubles();
  }

  static double[] avgpool2dBackward(NdArray g, Attr.Window w, int[] xShape) {
    return PoolKernels.avgPool2dGrad(tensor(g), xShape, pool(w)).doubles();
  }
}
