package dev.modelc.eval;

import dev.modelc.ir.Attr;
import dev.modelc.ir.Dims;
import dev.modelc.ir.IrException;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.runtime.numeric.MatmulKernels;
import dev.modelc.runtime.numeric.ScalarMath;
import dev.modelc.runtime.tensor.Tensor;
import dev.modelc.types.DType;
import java.util.List;
import java.util.Map;

/**
 * The evaluation of every op: {@link #apply} has one case per op of the catalogue, named as in {@link Op}, and
 * computes the node's value from its operands' values, with no tape: the meaning of each primitive against which the
 * compiled code and the derivative rules are checked. Matmul, conv, pooling and erf use the reference runtime's
 * kernels ({@code dev.modelc.runtime.numeric}); elementwise ops, movement and reductions are the loops below.
 */
public final class Kernels {
  private Kernels() {}

  private static Tensor tensor(NdArray a) {
    return Tensor.fromDoubles(dev.modelc.runtime.tensor.DType.F64, a.shape(), a.data());
  }

  public static NdArray apply(Node n, List<NdArray> in, Map<String, Long> sizes) {
    int[] outShape = Dims.evaluate(n.shape(), sizes);
    DType dt = n.dtype();
    double[] r = switch (n.op) {
      case INPUT, PARAM -> throw new IllegalStateException("sources are bound, not computed");
      case CONSTANT -> filled(NdArray.count(outShape), ((Attr.Value) n.attr).value());
      case SIZE -> new double[] {Dims.evaluate(((Attr.Size) n.attr).dim(), sizes)};
      case BROADCAST_TO -> broadcast(in.get(0).data(), in.get(0).shape(), outShape);
      case RESHAPE, STOP_GRADIENT -> in.get(0).data().clone();
      case PERMUTE -> permute(in.get(0).data(), in.get(0).shape(), ints(((Attr.Perm) n.attr).perm()));
      case REDUCE_SUM, REDUCE_MAX, REDUCE_AMAX, LOGSUMEXP -> reduce(n.op, in.get(0), ints(((Attr.Axes) n.attr).axes()));
      case LOG_SOFTMAX -> logSoftmax(in.get(0), ((Attr.Axes) n.attr).axes().get(0));
      case FIRST_MAX -> firstMax(in.get(0), ((Attr.Axes) n.attr).axes().get(0));
      case MATMUL -> MatmulKernels.matmul(tensor(in.get(0)), tensor(in.get(1))).doubles();
      case CONV2D -> Windows.conv2d(in.get(0), in.get(1), window(n), outShape);
      case CONV2D_BACKWARD_INPUT -> Windows.conv2dBackwardInput(in.get(0), in.get(1), window(n), outShape);
      case CONV2D_BACKWARD_WEIGHT -> Windows.conv2dBackwardWeight(in.get(0), in.get(1), window(n), outShape);
      case MAXPOOL2D -> Windows.maxpool2d(in.get(0), window(n), outShape);
      case MAXPOOL2D_BACKWARD -> Windows.maxpool2dBackward(in.get(0), in.get(1), window(n));
      case MAXPOOL2D_GATHER -> Windows.maxpool2dGather(in.get(0), in.get(1), window(n), outShape);
      case AVGPOOL2D -> Windows.avgpool2d(in.get(0), window(n), outShape);
      case AVGPOOL2D_BACKWARD -> Windows.avgpool2dBackward(in.get(0), window(n), outShape);
      case ONE_HOT -> oneHot(in.get(0), (int) ((Attr.Classes) n.attr).count(), n);
      default -> elementwise(n, in);
    };
    return new NdArray(dt, outShape, r).rounded();
  }

  private static double[] elementwise(Node n, List<NdArray> in) {
    double[] a = in.get(0).data();
    double[] r = new double[a.length];
    if (n.op.arity == 1) {
      for (int i = 0; i < r.length; i++) r[i] = unary(n.op, n.attr, a[i]);
    } else {
      double[] b = in.get(1).data();
      for (int i = 0; i < r.length; i++) r[i] = binary(n.op, a[i], b[i]);
    }
    return r;
  }

  public static double unary(Op op, Attr attr, double x) {
    return switch (op) {
      case NEG -> -x;
      case EXP -> Math.exp(x);
      case LOG -> Math.log(x);
      case SQRT -> Math.sqrt(x);
      case ABS -> Math.abs(x);
      case SIN -> Math.sin(x);
      case COS -> Math.cos(x);
      case TANH -> Math.tanh(x);
      case SIGMOID -> x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
      case ERF -> ScalarMath.erf(x);
      case RELU -> Math.max(x, 0);
      case LEAKY_RELU -> x > 0 ? x : x * ((Attr.Value) attr).value();
      case SOFTPLUS -> softplus(x, (Attr.Softplus) attr);
      case SIGN -> Math.signum(x);
      default -> throw new IllegalStateException(op + " is not elementwise unary");
    };
  }

  public static double binary(Op op, double a, double b) {
    return switch (op) {
      case ADD -> a + b;
      case MUL -> a * b;
      case DIV -> a / b;
      case POW -> Math.pow(a, b);
      case MAXIMUM -> Math.max(a, b);
      case MINIMUM -> Math.min(a, b);
      case GREATER -> a > b ? 1 : 0;
      case EQUAL -> a == b ? 1 : 0;
      case BCE -> bce(a, b);
      case BCE_WITH_LOGITS -> bceWithLogits(a, b);
      default -> throw new IllegalStateException(op + " is not elementwise binary");
    };
  }

  /** PyTorch's softplus: linear above the threshold. */
  static double softplus(double x, Attr.Softplus p) {
    double bx = x * p.beta();
    return bx > p.threshold() ? x : Math.log1p(Math.exp(bx)) / p.beta();
  }

  /** PyTorch's binary cross entropy of a probability, each log clamped at -100. */
  static double bce(double p, double y) {
    return -(y * Math.max(Math.log(p), -100) + (1 - y) * Math.max(Math.log(1 - p), -100));
  }

  /** PyTorch's stable form: (1 - y) x + m + log(e^-m + e^(-x - m)), m = max(-x, 0). */
  static double bceWithLogits(double x, double y) {
    double m = Math.max(-x, 0);
    return (1 - y) * x + m + Math.log(Math.exp(-m) + Math.exp(-x - m));
  }

  private static double[] filled(int n, double v) {
    double[] r = new double[n];
    java.util.Arrays.fill(r, v);
    return r;
  }

  static int[] ints(List<Integer> list) {
    return list.stream().mapToInt(Integer::intValue).toArray();
  }

  static int[] strides(int[] shape) {
    int[] s = new int[shape.length];
    int acc = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= shape[i];
    }
    return s;
  }

  /** Advances a row-major multi-index; false when it wraps around. */
  static boolean next(int[] idx, int[] shape) {
    for (int d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) return true;
      idx[d] = 0;
    }
    return false;
  }

  static double[] broadcast(double[] x, int[] xs, int[] out) {
    int extra = out.length - xs.length;
    int[] xStr = strides(xs);
    int[] src = new int[out.length];
    for (int d = 0; d < xs.length; d++) src[d + extra] = xs[d] == 1 ? 0 : xStr[d];
    double[] r = new double[NdArray.count(out)];
    if (r.length == 0) return r;
    int[] idx = new int[out.length];
    int i = 0;
    do {
      int off = 0;
      for (int d = 0; d < out.length; d++) off += idx[d] * src[d];
      r[i++] = x[off];
    } while (next(idx, out));
    return r;
  }

  static double[] permute(double[] x, int[] xs, int[] perm) {
    int[] xStr = strides(xs);
    int[] out = new int[perm.length];
    int[] src = new int[perm.length];
    for (int d = 0; d < perm.length; d++) {
      out[d] = xs[perm[d]];
      src[d] = xStr[perm[d]];
    }
    double[] r = new double[x.length];
    if (r.length == 0) return r;
    int[] idx = new int[out.length];
    int i = 0;
    do {
      int off = 0;
      for (int d = 0; d < out.length; d++) off += idx[d] * src[d];
      r[i++] = x[off];
    } while (next(idx, out));
    return r;
  }

  /** Sum, max or log-sum-exp over axes; the result is laid out as the keepdim shape (same order either way). */
  static double[] reduce(Op op, NdArray x, int[] axes) {
    int[] xs = x.shape();
    int[] keep = xs.clone();
    for (int a : axes) keep[a] = 1;
    int[] kStr = strides(keep);
    for (int a : axes) kStr[a] = 0;
    double[] max = new double[NdArray.count(keep)];
    java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
    double[] acc = new double[max.length];
    if (x.size() == 0) return op == Op.REDUCE_SUM ? acc : max;
    int[] idx = new int[xs.length];
    int i = 0;
    do {
      int o = 0;
      for (int d = 0; d < xs.length; d++) o += idx[d] * kStr[d];
      double v = x.data()[i++];
      if (op == Op.REDUCE_SUM) acc[o] += v;
      else max[o] = v > max[o] || Double.isNaN(v) ? v : max[o];
    } while (next(idx, xs));
    if (op == Op.REDUCE_SUM) return acc;
    if (op == Op.REDUCE_MAX || op == Op.REDUCE_AMAX) return max;
    java.util.Arrays.fill(idx, 0);
    i = 0;
    do {
      int o = 0;
      for (int d = 0; d < xs.length; d++) o += idx[d] * kStr[d];
      double m = Double.isInfinite(max[o]) ? 0 : max[o];
      acc[o] += Math.exp(x.data()[i++] - m);
    } while (next(idx, xs));
    for (int o = 0; o < acc.length; o++) acc[o] = Math.log(acc[o]) + (Double.isInfinite(max[o]) ? 0 : max[o]);
    return acc;
  }

  static double[] logSoftmax(NdArray x, int axis) {
    double[] lse = reduce(Op.LOGSUMEXP, x, new int[] {axis});
    int[] keep = x.shape().clone();
    keep[axis] = 1;
    double[] spread = broadcast(lse, keep, x.shape());
    double[] r = new double[x.size()];
    for (int i = 0; i < r.length; i++) r[i] = x.data()[i] - spread[i];
    return r;
  }

  /** 1 at the first maximal element along the axis (the first NaN, if any), 0 elsewhere: the generated loop. */
  static double[] firstMax(NdArray x, int axis) {
    int[] shape = x.shape();
    int outer = 1;
    int inner = 1;
    for (int i = 0; i < axis; i++) outer *= shape[i];
    for (int i = axis + 1; i < shape.length; i++) inner *= shape[i];
    double[] r = new double[x.data().length];
    dev.modelc.runtime.api.Loops.firstMax(x.data(), r, outer, shape[axis], inner);
    return r;
  }

  static double[] oneHot(NdArray labels, int classes, Node n) {
    double[] r = new double[labels.size() * classes];
    for (int i = 0; i < labels.size(); i++) {
      double t = labels.data()[i];
      if (t < 0 || t >= classes || t != Math.rint(t)) {
        throw new IrException("label " + (long) t + " at position " + i + " is out of range [0, " + classes + ")",
            n.origin);
      }
      r[i * classes + (int) t] = 1;
    }
    return r;
  }

  static Attr.Window window(Node n) {
    return n.attr instanceof Attr.WindowTo w ? w.window() : (Attr.Window) n.attr;
  }
}
