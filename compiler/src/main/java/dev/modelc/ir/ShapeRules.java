package dev.modelc.ir;

import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import dev.modelc.types.Shape;
import dev.modelc.types.ShapeMath;
import dev.modelc.types.TensorType;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape and dtype rule of every op: given the operand types and the attribute, the result type, or an
 * {@link IrException} saying why the operands do not fit. The graph builder calls it to type each new node; the
 * verifier calls it again to check every node of a finished graph. One case per op, named as in {@link Op}.
 */
public final class ShapeRules {
  private ShapeRules() {}

  public static TensorType infer(Op op, Attr attr, List<TensorType> in) {
    if (in.size() != op.arity) fail(op, "takes " + op.arity + " operands, got " + in.size());
    return switch (op) {
      case INPUT, PARAM, CONSTANT, SIZE, TRAINING ->
          throw new IrException(op.mnemonic() + " has no shape rule: its type is given");
      case NEG, EXP, LOG, SQRT, ABS, SIN, COS, TANH, SIGMOID, ERF, RELU, LEAKY_RELU, SOFTPLUS, SIGN, STOP_GRADIENT,
          MUL, DIV, POW, MAXIMUM, MINIMUM, GREATER, EQUAL, SELECT, BCE, BCE_WITH_LOGITS -> elementwise(op, in);
      case ADD -> add(op, in);
      case TO_FLOAT -> toFloat(op, in.get(0), ((Attr.ToFloat) attr).dtype());
      case BROADCAST_TO -> broadcastTo(op, in.get(0), ((Attr.Target) attr).shape());
      case RESHAPE -> reshape(op, in.get(0), ((Attr.Target) attr).shape());
      case PERMUTE -> permute(op, in.get(0), ((Attr.Perm) attr).perm());
      case SLICE -> slice(op, in.get(0), (Attr.Slice) attr);
      case SLICE_BACKWARD -> sliceBackward(op, in.get(0), (Attr.SliceTo) attr);
      case REDUCE_SUM, REDUCE_MAX, REDUCE_AMAX, REDUCE_MAX_ALL, LOGSUMEXP -> reduce(op, float0(op, in), (Attr.Axes) attr);
      case LOG_SOFTMAX, FIRST_MAX -> logSoftmax(op, float0(op, in), (Attr.Axes) attr);
      case MATMUL -> matmul(op, in.get(0), in.get(1));
      case CONV2D -> conv2d(op, in.get(0), in.get(1), (Attr.Window) attr);
      case CONV2D_BACKWARD_INPUT -> convBackwardInput(op, in.get(0), in.get(1), (Attr.WindowTo) attr);
      case CONV2D_BACKWARD_WEIGHT -> convBackwardWeight(op, in.get(0), in.get(1), (Attr.WindowTo) attr);
      case MAXPOOL2D, AVGPOOL2D -> pool(op, float0(op, in), (Attr.Window) attr);
      case MAXPOOL2D_BACKWARD -> maxpoolBackward(op, in.get(0), in.get(1), (Attr.Window) attr);
      case MAXPOOL2D_GATHER -> maxpoolGather(op, in.get(0), in.get(1), (Attr.Window) attr);
      case AVGPOOL2D_BACKWARD -> avgpoolBackward(op, in.get(0), (Attr.WindowTo) attr);
      case ONE_HOT -> oneHot(op, in.get(0), (Attr.Classes) attr);
      case GATHER -> gather(op, in.get(0), in.get(1), (Attr.Index) attr);
      case DROPOUT -> dropout(op, in.get(0), (Attr.Dropout) attr);
      case SCATTER_ADD -> scatterAdd(op, in.get(0), in.get(1), (Attr.IndexTo) attr);
    };
  }

  private static TensorType elementwise(Op op, List<TensorType> in) {
    TensorType a = float0(op, in);
    for (TensorType t : in) {
      if (!t.equals(a)) fail(op, "needs operands of one type, got " + Dims.text(a) + " and " + Dims.text(t));
    }
    return a;
  }

  /** add: float operands of one type, or i32 operands of one shape (batch_norm's counter increment). */
  private static TensorType add(Op op, List<TensorType> in) {
    if (in.get(0).dtype() != DType.I32 || !in.get(1).equals(in.get(0))) return elementwise(op, in);
    return in.get(0);
  }

  private static TensorType toFloat(Op op, TensorType x, DType to) {
    if (x.dtype() != DType.I32 || !to.isFloat()) {
      fail(op, "turns i32 into f32 or f64, got " + Dims.text(x) + " to " + to.spelling());
    }
    return new TensorType(to, x.shape());
  }

  private static TensorType float0(Op op, List<TensorType> in) {
    for (TensorType t : in) {
      if (t.dtype() == DType.I32) fail(op, "needs float operands, got " + Dims.text(t));
    }
    return in.get(0);
  }

  private static TensorType broadcastTo(Op op, TensorType x, Shape to) {
    int extra = Dims.rank(to) - Dims.rank(x.shape());
    if (extra < 0) fail(op, "cannot broadcast " + Dims.text(x.shape()) + " to lower rank " + Dims.text(to));
    for (int i = 0; i < Dims.rank(x.shape()); i++) {
      Dim d = Dims.dim(x.shape(), i);
      if (!Dims.isOne(d) && !d.equals(Dims.dim(to, i + extra))) {
        fail(op, "cannot broadcast " + Dims.text(x.shape()) + " to " + Dims.text(to));
      }
    }
    return new TensorType(x.dtype(), to);
  }

  private static TensorType reshape(Op op, TensorType x, Shape to) {
    if (!Dims.count(x.shape()).equals(Dims.count(to))) {
      fail(op, "cannot reshape " + Dims.text(x.shape()) + " to " + Dims.text(to) + ": element counts differ");
    }
    return new TensorType(x.dtype(), to);
  }

  private static TensorType permute(Op op, TensorType x, List<Integer> perm) {
    int r = Dims.rank(x.shape());
    boolean[] seen = new boolean[r];
    if (perm.size() != r) fail(op, "perm " + perm + " does not fit rank " + r);
    List<Dim> out = new ArrayList<>();
    for (int p : perm) {
      if (p < 0 || p >= r || seen[p]) fail(op, "perm " + perm + " is not a permutation of rank " + r);
      seen[p] = true;
      out.add(Dims.dim(x.shape(), p));
    }
    return new TensorType(x.dtype(), Dims.shape(out));
  }

  /**
   * Each dim is kept whole (start 0, step 1, same size, possibly symbolic), or is constant and holds every element
   * the slice reads.
   */
  private static TensorType slice(Op op, TensorType x, Attr.Slice s) {
    int r = Dims.rank(x.shape());
    if (s.start().size() != r || s.step().size() != r || Dims.rank(s.shape()) != r) {
      fail(op, s.text() + " does not fit rank " + r);
    }
    for (int d = 0; d < r; d++) {
      Dim n = Dims.dim(x.shape(), d);
      Dim size = Dims.dim(s.shape(), d);
      int start = s.start().get(d);
      int step = s.step().get(d);
      if (start == 0 && step == 1 && size.equals(n)) continue;
      if (!Dims.isConstant(n) || !Dims.isConstant(size) || start < 0 || step < 1 || Dims.value(size) < 1
          || start + (Dims.value(size) - 1) * step >= Dims.value(n)) {
        fail(op, s.text() + " does not fit dim " + d + " of " + Dims.text(x.shape()));
      }
    }
    return new TensorType(x.dtype(), s.shape());
  }

  private static TensorType sliceBackward(Op op, TensorType g, Attr.SliceTo s) {
    TensorType x = new TensorType(g.dtype(), s.shape());
    expect(op, slice(op, x, s.slice()), g);
    return x;
  }

  /** The axes must be sorted, distinct and in range. */
  static void checkAxes(Op op, int rank, List<Integer> axes) {
    for (int i = 0; i < axes.size(); i++) {
      int a = axes.get(i);
      if (a < 0 || a >= rank || (i > 0 && axes.get(i - 1) >= a)) {
        fail(op, "axes " + axes + " are not sorted distinct axes of rank " + rank);
      }
    }
  }

  private static TensorType reduce(Op op, TensorType x, Attr.Axes axes) {
    checkAxes(op, Dims.rank(x.shape()), axes.axes());
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < Dims.rank(x.shape()); i++) {
      if (!axes.axes().contains(i)) out.add(Dims.dim(x.shape(), i));
      else if (axes.keepdim()) out.add(Dims.of(1));
    }
    return new TensorType(x.dtype(), Dims.shape(out));
  }

  private static TensorType logSoftmax(Op op, TensorType x, Attr.Axes axes) {
    if (axes.axes().size() != 1) fail(op, "takes exactly one axis, got " + axes.axes());
    checkAxes(op, Dims.rank(x.shape()), axes.axes());
    return x;
  }

  private static TensorType matmul(Op op, TensorType a, TensorType b) {
    elementDtype(op, a, b);
    int r = Dims.rank(a.shape());
    if (r < 2 || Dims.rank(b.shape()) != r) {
      fail(op, "needs operands of equal rank >= 2, got " + Dims.text(a.shape()) + " and " + Dims.text(b.shape()));
    }
    List<Dim> out = new ArrayList<>(Dims.dims(a.shape()).subList(0, r - 2));
    if (!out.equals(Dims.dims(b.shape()).subList(0, r - 2))) {
      fail(op, "batch dims differ: " + Dims.text(a.shape()) + " and " + Dims.text(b.shape()));
    }
    if (!Dims.dim(a.shape(), r - 1).equals(Dims.dim(b.shape(), r - 2))) {
      fail(op, "inner dims differ: " + Dims.text(a.shape()) + " @ " + Dims.text(b.shape()));
    }
    out.add(Dims.dim(a.shape(), r - 2));
    out.add(Dims.dim(b.shape(), r - 1));
    return new TensorType(a.dtype(), Dims.shape(out));
  }

  private static void elementDtype(Op op, TensorType a, TensorType b) {
    if (a.dtype() == DType.I32 || a.dtype() != b.dtype()) {
      fail(op, "needs float operands of one dtype, got " + Dims.text(a) + " and " + Dims.text(b));
    }
  }

  private static long constantDim(Op op, Shape s, int axis) {
    Dim d = Dims.dim(s, axis);
    if (!Dims.isConstant(d)) fail(op, "needs constant spatial sizes, got " + Dims.text(s));
    return Dims.value(d);
  }

  /** The result shape of a 2-D window over x [N, C, H, W] with C' channels out and a kh x kw kernel. */
  private static Shape windowShape(Op op, Shape x, Dim channels, int kh, int kw, Attr.Window w) {
    if (Dims.rank(x) != 4) fail(op, "needs a [N, C, H, W] operand, got " + Dims.text(x));
    if (w.strideH() < 1 || w.strideW() < 1) fail(op, "needs positive strides");
    long h = ShapeMath.windowOut(constantDim(op, x, 2), kh, w.strideH(), w.padH());
    long wd = ShapeMath.windowOut(constantDim(op, x, 3), kw, w.strideW(), w.padW());
    if (h < 1 || wd < 1) fail(op, "window " + kh + "x" + kw + " does not fit " + Dims.text(x));
    return Dims.shape(List.of(Dims.dim(x, 0), channels, Dims.of(h), Dims.of(wd)));
  }

  private static TensorType conv2d(Op op, TensorType x, TensorType w, Attr.Window win) {
    elementDtype(op, x, w);
    if (Dims.rank(w.shape()) != 4) fail(op, "needs a [O, C, kh, kw] weight, got " + Dims.text(w.shape()));
    if (Dims.rank(x.shape()) != 4 || !Dims.dim(x.shape(), 1).equals(Dims.dim(w.shape(), 1))) {
      fail(op, "input " + Dims.text(x.shape()) + " does not match weight " + Dims.text(w.shape()));
    }
    int kh = (int) constantDim(op, w.shape(), 2);
    int kw = (int) constantDim(op, w.shape(), 3);
    return new TensorType(x.dtype(), windowShape(op, x.shape(), Dims.dim(w.shape(), 0), kh, kw, win));
  }

  private static TensorType convBackwardInput(Op op, TensorType g, TensorType w, Attr.WindowTo attr) {
    TensorType y = conv2d(op, new TensorType(g.dtype(), attr.shape()), w, attr.window());
    expect(op, y, g);
    return new TensorType(g.dtype(), attr.shape());
  }

  private static TensorType convBackwardWeight(Op op, TensorType x, TensorType g, Attr.WindowTo attr) {
    TensorType y = conv2d(op, x, new TensorType(x.dtype(), attr.shape()), attr.window());
    expect(op, y, g);
    return new TensorType(x.dtype(), attr.shape());
  }

  private static TensorType pool(Op op, TensorType x, Attr.Window w) {
    if (w.padH() * 2 > w.kernelH() || w.padW() * 2 > w.kernelW()) fail(op, "padding exceeds half the kernel");
    Shape s = windowShape(op, x.shape(), Dims.dim(x.shape(), 1), w.kernelH(), w.kernelW(), w);
    return new TensorType(x.dtype(), s);
  }

  private static TensorType maxpoolBackward(Op op, TensorType g, TensorType x, Attr.Window w) {
    expect(op, pool(op, x, w), g);
    return x;
  }

  private static TensorType maxpoolGather(Op op, TensorType t, TensorType x, Attr.Window w) {
    expect(op, x, t);
    return pool(op, x, w);
  }

  private static TensorType avgpoolBackward(Op op, TensorType g, Attr.WindowTo attr) {
    TensorType x = new TensorType(g.dtype(), attr.shape());
    expect(op, pool(op, x, attr.window()), g);
    return x;
  }

  private static TensorType oneHot(Op op, TensorType labels, Attr.Classes c) {
    if (labels.dtype() != DType.I32) fail(op, "needs an i32 index, got " + Dims.text(labels));
    List<Dim> out = new ArrayList<>(Dims.dims(labels.shape()));
    out.add(Dims.of(c.count()));
    return new TensorType(c.dtype(), Dims.shape(out));
  }

  /** select: x.shape[:axis] + index.shape + x.shape[axis+1:]; else the index's shape (x's except along the axis). */
  private static TensorType gather(Op op, TensorType x, TensorType index, Attr.Index a) {
    if (x.dtype() == DType.I32 || index.dtype() != DType.I32) {
      fail(op, "needs a float operand and an i32 index, got " + Dims.text(x) + " and " + Dims.text(index));
    }
    List<Dim> xs = Dims.dims(x.shape());
    if (a.axis() < 0 || a.axis() >= xs.size()) fail(op, "axis " + a.axis() + " is out of range for " + Dims.text(x));
    List<Dim> is = Dims.dims(index.shape());
    if (a.select()) {
      List<Dim> out = new ArrayList<>(xs.subList(0, a.axis()));
      out.addAll(is);
      out.addAll(xs.subList(a.axis() + 1, xs.size()));
      return new TensorType(x.dtype(), Dims.shape(out));
    }
    boolean fits = is.size() == xs.size();
    for (int d = 0; fits && d < xs.size(); d++) fits = d == a.axis() || is.get(d).equals(xs.get(d));
    if (!fits) fail(op, "index " + Dims.text(index) + " must match " + Dims.text(x) + " except along axis " + a.axis());
    return new TensorType(x.dtype(), index.shape());
  }

  private static TensorType scatterAdd(Op op, TensorType g, TensorType index, Attr.IndexTo a) {
    TensorType x = new TensorType(g.dtype(), a.shape());
    expect(op, gather(op, x, index, a.index()), g);
    return x;
  }

  /** x's type; x is f32 or f64 and p a probability. */
  private static TensorType dropout(Op op, TensorType x, Attr.Dropout a) {
    if (x.dtype() == DType.I32) fail(op, "needs a float operand, got " + Dims.text(x));
    if (!(a.p() >= 0 && a.p() <= 1)) fail(op, "p must be in [0, 1], got " + a.p());
    return x;
  }

  private static void expect(Op op, TensorType want, TensorType got) {
    if (!want.equals(got)) fail(op, "expects a gradient of type " + Dims.text(want) + ", got " + Dims.text(got));
  }

  private static void fail(Op op, String message) {
    throw new IrException(op.mnemonic() + " " + message);
  }
}
