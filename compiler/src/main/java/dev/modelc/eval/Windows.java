package dev.modelc.eval;

import dev.modelc.ir.Attr;
import dev.modelc.ir.Node;
import dev.modelc.runtime.numeric.ConvKernels;
import dev.modelc.runtime.numeric.PoolKernels;
import dev.modelc.runtime.numeric.SlidingWindow;
import java.util.List;

/**
 * The window ops (conv2d, pooling and their transposes) evaluated with the reference runtime's tape-free kernels
 * ({@code dev.modelc.runtime.numeric}), so the IR's meaning of these primitives is the runtime's, not a second copy.
 * The kernels take the evaluator's plain {@code double[]} data and shapes; the caller rounds results to the node's
 * dtype.
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

  private static SlidingWindow pool(Attr.Window w) {
    return new SlidingWindow(w.kernelH(), w.kernelW(), w.strideH(), w.strideW(), w.padH(), w.padW());
  }

  static double[] conv2d(NdArray x, NdArray wt, Attr.Window w, int[] out) {
    return ConvKernels.conv2d(x.data(), x.shape(), wt.data(), wt.shape(), null, w.strideH(), w.strideW(), w.padH(),
        w.padW());
  }

  /** (y_bar, w) to x_bar of shape {@code xShape}. */
  static double[] conv2dBackwardInput(NdArray g, NdArray wt, Attr.Window w, int[] xShape) {
    return ConvKernels.conv2dGradInput(g.data(), g.shape(), wt.data(), wt.shape(), xShape, w.strideH(), w.strideW(),
        w.padH(), w.padW());
  }

  /** (x, y_bar) to w_bar of shape {@code wShape}. */
  static double[] conv2dBackwardWeight(NdArray x, NdArray g, Attr.Window w, int[] wShape) {
    return ConvKernels.conv2dGradWeight(g.data(), g.shape(), x.data(), x.shape(), wShape, w.strideH(), w.strideW(),
        w.padH(), w.padW());
  }

  static double[] maxpool2d(NdArray x, Attr.Window w, int[] out) {
    return PoolKernels.maxPool2d(x.data(), x.shape(), pool(w), new int[NdArray.count(out)]);
  }

  /** The flat input position each window of {@code x} takes its maximum from (the first, as PyTorch). */
  private static int[] argmax(NdArray x, Attr.Window w) {
    SlidingWindow win = pool(w);
    int[] argmax = new int[NdArray.count(PoolKernels.outputShape(x.shape(), win))];
    PoolKernels.maxPool2d(x.data(), x.shape(), win, argmax);
    return argmax;
  }

  /** (y_bar, x) to x_bar: each window's gradient goes to its first maximum (last NaN), as PyTorch. */
  static double[] maxpool2dBackward(NdArray g, NdArray x, Attr.Window w) {
    return PoolKernels.maxPool2dGrad(g.data(), argmax(x, w), x.size());
  }

  static double[] maxpool2dGather(NdArray t, NdArray x, Attr.Window w, int[] out) {
    return PoolKernels.maxPool2dGather(t.data(), argmax(x, w));
  }

  static double[] avgpool2d(NdArray x, Attr.Window w, int[] out) {
    return PoolKernels.avgPool2d(x.data(), x.shape(), pool(w));
  }

  static double[] avgpool2dBackward(NdArray g, Attr.Window w, int[] xShape) {
    return PoolKernels.avgPool2dGrad(g.data(), g.shape(), xShape, pool(w));
  }
}
