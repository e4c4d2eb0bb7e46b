package dev.modelc.check;

import dev.modelc.ast.Expr;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.Span;
import java.util.ArrayList;
import java.util.List;

/**
 * The dtype and shape rule of every builtin, and the conversion of its constant arguments into {@link Attrs}.
 * Shape arithmetic ({@link ShapeMath}) works on {@link Dim} monomials, so symbolic batch sizes flow through; window
 * sizes (conv, pool) need constant spatial dimensions. Messages follow PyTorch's where PyTorch has a well-known one.
 */
final class BuiltinRules {
  private final Diagnostics diagnostics;

  BuiltinRules(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
  }

  /** Applies a builtin whose constant arguments have been bound by name-checking (see ExprChecker#bind). */
  TExpr applyCall(Builtin op, Object[] bound, List<TExpr> tensors, Expr.Call call) {
    Span at = call.span();
    Attrs attrs = Attrs.NONE;
    switch (op) {
      case LEAKY_RELU -> attrs = attrs.withScalars(number(bound[1]), 1, 20, "none");
      case SOFTPLUS -> {
        if (number(bound[1]) == 0) {
          return error(at, "softplus: beta must not be 0");
        }
        attrs = attrs.withScalars(0.01, number(bound[1]), number(bound[2]), "none");
      }
      case GELU -> {
        String approx = string(bound[1], "approximate", at);
        if (approx == null) {
          return null;
        }
        if (!approx.equals("none") && !approx.equals("tanh")) {
          return error(at, "gelu: approximate must be \"none\" or \"tanh\", got \"" + approx + "\"");
        }
        attrs = attrs.withScalars(0.01, 1, 20, approx);
      }
      case TRANSPOSE -> {
        int rank = tensors.get(0).type().shape().rank();
        Integer d0 = dim(bound[1], rank, at);
        Integer d1 = dim(bound[2], rank, at);
        if (d0 == null || d1 == null) {
          return null;
        }
        attrs = attrs.withDims(List.of(d0, d1), false);
      }
      case RESHAPE -> {
        Shape target = reshapeTarget(tensors.get(0).type().shape(), bound[1], at);
        if (target == null) {
          return null;
        }
        attrs = attrs.withShape(target);
      }
      case FLATTEN -> {
        Shape in = tensors.get(0).type().shape();
        int rank = Math.max(1, in.rank());
        Integer s = dim(bound[1], rank, at);
        Integer e = dim(bound[2], rank, at);
        if (s == null || e == null) {
          return null;
        }
        if (s > e) {
          return error(at, "flatten() has invalid args: start_dim cannot come after end_dim");
        }
        List<Dim> dims = new ArrayList<>();
        if (in.rank() == 0) {
          dims.add(Dim.of(1));
        } else {
          Dim merged = Dim.of(1);
          for (int i = 0; i < in.rank(); i++) {
            if (i < s || i > e) {
              dims.add(in.dim(i));
            } else {
              merged = merged.times(in.dim(i));
              if (i == e) {
                dims.add(merged);
              }
            }
          }
        }
        attrs = attrs.withDims(List.of(s, e), false).withShape(new Shape(dims));
      }
      case SUM, MEAN, MAX, AMAX, LOGSUMEXP -> {
        if (op == Builtin.MAX && bound[1] instanceof List<?> l && l.size() != 1) {
          return error(at, "max takes one dim, as torch.max; amax(x, dim = " + bound[1]
              + ") reduces several");
        }
        List<Integer> dims = dimList(bound[1], tensors.get(0).type().shape().rank(), at);
        if (dims == null) {
          return null;
        }
        attrs = attrs.withDims(dims, (Boolean) bound[2]);
        if (op == Builtin.MAX && bound[1] == null) {
          op = Builtin.AMAX; // torch.max(x) without a dim shares the gradient among ties, as amax does
        }
      }
      case SOFTMAX, LOG_SOFTMAX -> {
        Integer d = dim(bound[1], tensors.get(0).type().shape().rank(), at);
        if (d == null) {
          return null;
        }
        attrs = attrs.withDims(List.of(d), false);
      }
      case CONV2D -> {
        int[] stride = pair(bound[3], "stride", at);
        int[] padding = pair(bound[4], "padding", at);
        if (stride == null || padding == null) {
          return null;
        }
        attrs = attrs.withWindow(null, stride, padding);
      }
      case MAXPOOL2D, AVGPOOL2D -> {
        int[] kernel = pair(bound[1], "kernel_size", at);
        int[] stride = bound[2] == null ? kernel : pair(bound[2], "stride", at);
        int[] padding = pair(bound[3], "padding", at);
        if (kernel == null || stride == null || padding == null) {
          return null;
        }
        attrs = attrs.withWindow(kernel, stride, padding);
      }
      case MSE, L1, CROSS_ENTROPY, NLL, BCE, BCE_WITH_LOGITS -> {
        String r = string(bound[2], "reduction", at);
        if (r == null) {
          return null;
        }
        if (!r.equals("mean") && !r.equals("sum")) {
          return error(at, op.spelling() + ": reduction must be \"mean\" or \"sum\", got \"" + r + "\"");
        }
        attrs = attrs.withReduction(r);
      }
      default -> { }
    }
    return apply(op, tensors, attrs, at);
  }

  /** Applies the dtype and shape rule of {@code op} to checked operands. */
  TExpr apply(Builtin op, List<TExpr> args, Attrs attrs, Span at) {
    if (!dtypes(op, args, at)) {
      return null;
    }
    TensorType type = type(op, args, attrs, at);
    if (type == null || !Types.fitsAnArray(type, at, diagnostics)) {
      return null;
    }
    return new TExpr.Call(op, List.copyOf(args), attrs, type, at);
  }

  private boolean dtypes(Builtin op, List<TExpr> args, Span at) {
    DType floatType = null;
    for (int i = 0; i < args.size(); i++) {
      TExpr a = args.get(i);
      boolean labels = op.args().size() > i && op.args().get(i).kind().equals("labels");
      DType d = a.type().dtype();
      if (labels) {
        if (d != DType.I32) {
          diagnostics.error(a.span(), op.spelling() + ": target must be i32 class labels, got " + a.type());
          return false;
        }
        continue;
      }
      if (d == DType.I32) {
        diagnostics.error(a.span(), "i32 values are class labels; they can only be the target of cross_entropy "
            + "or nll, not an operand of " + describe(op));
        return false;
      }
      if (floatType == null) {
        floatType = d;
      } else if (floatType != d) {
        diagnostics.error(at, describe(op) + " mixes " + floatType.spelling() + " and " + d.spelling()
            + "; modelc does not convert between float widths silently");
        return false;
      }
    }
    return true;
  }

  private TensorType type(Builtin op, List<TExpr> args, Attrs attrs, Span at) {
    TensorType x = args.get(0).type();
    DType dt = x.dtype();
    Shape s = x.shape();
    switch (op) {
      case ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM -> {
        Shape out = broadcast(s, args.get(1).type().shape(), describe(op), at);
        return out == null ? null : new TensorType(dt, out);
      }
      case MATMUL -> {
        Shape out = matmul(s, args.get(1).type().shape(), at);
        return out == null ? null : new TensorType(dt, out);
      }
      case TRANSPOSE -> {
        List<Dim> dims = new ArrayList<>(s.dims());
        int a = attrs.dims().get(0);
        int b = attrs.dims().get(1);
        dims.set(a, s.dim(b));
        dims.set(b, s.dim(a));
        return new TensorType(dt, new Shape(dims));
      }
      case RESHAPE, FLATTEN -> {
        return new TensorType(dt, attrs.shape());
      }
      case SUM, MEAN, MAX, AMAX, LOGSUMEXP -> {
        List<Dim> dims = new ArrayList<>();
        for (int i = 0; i < s.rank(); i++) {
          if (!attrs.dims().contains(i)) {
            dims.add(s.dim(i));
          } else if (attrs.keepdim()) {
            dims.add(Dim.of(1));
          }
        }
        return new TensorType(dt, new Shape(dims));
      }
      case LINEAR -> {
        return linear(args, at);
      }
      case CONV2D -> {
        return conv2d(args, attrs, at);
      }
      case MAXPOOL2D, AVGPOOL2D -> {
        return pool(op, x, attrs, at);
      }
      case MSE, L1, BCE, BCE_WITH_LOGITS -> {
        Shape t = args.get(1).type().shape();
        if (!s.equals(t)) {
          return error(at, op.spelling() + ": input " + x + " and target " + args.get(1).type()
              + " must have the same shape");
        }
        return new TensorType(dt, Shape.SCALAR);
      }
      case CROSS_ENTROPY, NLL -> {
        Shape t = args.get(1).type().shape();
        if (s.rank() != 2 || t.rank() != 1) {
          return error(at, op.spelling() + ": expects input [N, C] and target [N], got " + x + " and "
              + args.get(1).type());
        }
        if (!s.dim(0).equals(t.dim(0))) {
          return error(at, op.spelling() + ": batch sizes differ: input " + x + " has " + s.dim(0)
              + " rows but target " + args.get(1).type() + " has " + t.dim(0));
        }
        return new TensorType(dt, Shape.SCALAR);
      }
      case GRAD -> {
        return grad(args, at);
      }
      default -> {
        return x; // elementwise unary, softmax, log_softmax, detach
      }
    }
  }

  private TensorType grad(List<TExpr> args, Span at) {
    TExpr of = args.get(0);
    TExpr wrt = args.get(1);
    if (!(wrt instanceof TExpr.Ref)) {
      return error(wrt.span(), "grad: 'wrt' must name an input, param or let, not an expression");
    }
    if (args.size() == 2 && !of.type().shape().isScalar()) {
      return error(of.span(), "grad can be implicitly created only for scalar outputs (" + of.type()
          + "); pass a seed of the same shape for a vector-Jacobian product");
    }
    if (args.size() == 3 && !args.get(2).type().shape().equals(of.type().shape())) {
      return error(args.get(2).span(), "grad: Mismatch in shape: seed has a shape of "
          + args.get(2).type().shape() + " and output has a shape of " + of.type().shape());
    }
    return wrt.type();
  }

  private TensorType linear(List<TExpr> args, Span at) {
    Shape x = args.get(0).type().shape();
    Shape w = args.get(1).type().shape();
    if (w.rank() != 2 || x.rank() < 1) {
      return error(at, "linear: weight must be [out, in] and input [..., in], got " + args.get(1).type() + " and "
          + args.get(0).type());
    }
    if (!x.dim(x.rank() - 1).equals(w.dim(1))) {
      return error(at, "linear: mat1 and mat2 shapes cannot be multiplied: input " + args.get(0).type()
          + " has " + x.dim(x.rank() - 1) + " features but weight " + args.get(1).type() + " expects " + w.dim(1));
    }
    if (args.size() == 3) {
      Shape b = args.get(2).type().shape();
      if (b.rank() != 1 || !b.dim(0).equals(w.dim(0))) {
        return error(args.get(2).span(), "linear: bias must be [" + w.dim(0) + "], got " + args.get(2).type());
      }
    }
    List<Dim> out = new ArrayList<>(x.dims());
    out.set(out.size() - 1, w.dim(0));
    return new TensorType(args.get(0).type().dtype(), new Shape(out));
  }

  private TensorType conv2d(List<TExpr> args, Attrs attrs, Span at) {
    Shape x = args.get(0).type().shape();
    Shape w = args.get(1).type().shape();
    if (x.rank() != 4 || w.rank() != 4) {
      return error(at, "conv2d: expects input [N, C, H, W] and weight [O, C, kh, kw], got "
          + args.get(0).type() + " and " + args.get(1).type());
    }
    if (!x.dim(1).equals(w.dim(1))) {
      return error(at, "conv2d: weight " + args.get(1).type() + " expects " + w.dim(1)
          + " input channels, but the input " + args.get(0).type() + " has " + x.dim(1));
    }
    if (args.size() == 3) {
      Shape b = args.get(2).type().shape();
      if (b.rank() != 1 || !b.dim(0).equals(w.dim(0))) {
        return error(args.get(2).span(), "conv2d: bias must be [" + w.dim(0) + "], got " + args.get(2).type());
      }
    }
    Dim h = window(x.dim(2), w.dim(2), attrs.stride()[0], attrs.padding()[0], "conv2d", at);
    Dim wd = h == null ? null : window(x.dim(3), w.dim(3), attrs.stride()[1], attrs.padding()[1], "conv2d", at);
    if (h == null || wd == null) {
      return null;
    }
    return new TensorType(args.get(0).type().dtype(), Shape.of(x.dim(0), w.dim(0), h, wd));
  }

  private TensorType pool(Builtin op, TensorType x, Attrs attrs, Span at) {
    Shape s = x.shape();
    if (s.rank() != 4) {
      return error(at, op.spelling() + ": expects input [N, C, H, W], got " + x);
    }
    for (int i = 0; i < 2; i++) {
      if (attrs.padding()[i] * 2 > attrs.kernel()[i]) {
        return error(at, op.spelling() + ": pad should be at most half of effective kernel size, but got pad="
            + attrs.padding()[i] + " and kernel_size=" + attrs.kernel()[i]);
      }
    }
    Dim h = window(s.dim(2), Dim.of(attrs.kernel()[0]), attrs.stride()[0], attrs.padding()[0], op.spelling(), at);
    Dim w = h == null ? null
        : window(s.dim(3), Dim.of(attrs.kernel()[1]), attrs.stride()[1], attrs.padding()[1], op.spelling(), at);
    if (h == null || w == null) {
      return null;
    }
    return new TensorType(x.dtype(), Shape.of(s.dim(0), s.dim(1), h, w));
  }

  private Dim window(Dim size, Dim kernel, int stride, int padding, String op, Span at) {
    if (!size.isConstant() || !kernel.isConstant()) {
      error(at, op + ": spatial sizes must be constants, got " + size + " and kernel " + kernel);
      return null;
    }
    long out = ShapeMath.windowOut(size.coefficient(), kernel.coefficient(), stride, padding);
    if (size.coefficient() + 2L * padding < kernel.coefficient() || out < 1) {
      error(at, op + ": kernel size " + kernel + " is larger than the (padded) input size "
          + (size.coefficient() + 2L * padding));
      return null;
    }
    return Dim.of(out);
  }

  private Shape broadcast(Shape a, Shape b, String what, Span at) {
    int i = ShapeMath.broadcastClash(a, b);
    if (i >= 0) {
      int rank = Math.max(a.rank(), b.rank());
      error(at, what + ": shapes " + a + " and " + b + " cannot be broadcast together (dimension " + i + ": "
          + ShapeMath.aligned(a, rank, i) + " vs " + ShapeMath.aligned(b, rank, i) + ")");
      return null;
    }
    return ShapeMath.broadcast(a, b);
  }

  private Shape matmul(Shape a, Shape b, Span at) {
    if (a.rank() == 0 || b.rank() == 0) {
      error(at, "matmul: both arguments need at least 1 dimension, got " + a + " @ " + b);
      return null;
    }
    Shape pa = ShapeMath.matmulLeft(a);
    Shape pb = ShapeMath.matmulRight(b);
    Dim k1 = pa.dim(pa.rank() - 1);
    Dim k2 = pb.dim(pb.rank() - 2);
    if (!k1.equals(k2)) {
      error(at, "matmul: mat1 and mat2 shapes cannot be multiplied (" + a + " @ " + b + "): inner dimensions "
          + k1 + " and " + k2 + " differ");
      return null;
    }
    if (broadcast(ShapeMath.batch(pa), ShapeMath.batch(pb), "matmul batch dimensions", at) == null) {
      return null;
    }
    return ShapeMath.matmul(a, b);
  }

  private Shape reshapeTarget(Shape in, Object spec, Span at) {
    if (!(spec instanceof List<?> items)) {
      error(at, "reshape: the shape must be a list such as [B, 864]");
      return null;
    }
    List<Dim> dims = new ArrayList<>();
    int inferred = -1;
    for (int i = 0; i < items.size(); i++) {
      Object v = items.get(i);
      if (v instanceof Long l && l == -1) {
        if (inferred >= 0) {
          error(at, "reshape: only one dimension can be inferred (-1)");
          return null;
        }
        inferred = i;
        dims.add(Dim.of(1));
      } else if (v instanceof Long l && l > 0) {
        dims.add(Dim.of(l));
      } else if (v instanceof Dim d) {
        dims.add(d);
      } else {
        error(at, "reshape: invalid dimension " + v + " at position " + i);
        return null;
      }
    }
    Dim have = in.elementCount();
    Dim want = new Shape(dims).elementCount();
    if (inferred >= 0) {
      Dim rest = divide(have, want);
      if (rest == null) {
        error(at, "reshape: shape " + listText(items) + " is invalid for input of size " + have);
        return null;
      }
      dims.set(inferred, rest);
      want = have;
    }
    if (!have.equals(want)) {
      error(at, "reshape: shape " + listText(items) + " (" + want + " elements) is invalid for input " + in + " of "
          + have + " elements");
      return null;
    }
    return new Shape(dims);
  }

  /** a / b as a monomial, or null when it does not divide exactly. */
  private static Dim divide(Dim a, Dim b) {
    if (b.coefficient() == 0 || a.coefficient() % b.coefficient() != 0) {
      return null;
    }
    List<String> rest = new ArrayList<>(a.symbols());
    for (String s : b.symbols()) {
      if (!rest.remove(s)) {
        return null;
      }
    }
    return new Dim(a.coefficient() / b.coefficient(), rest);
  }

  private static String listText(List<?> items) {
    List<String> parts = new ArrayList<>();
    for (Object o : items) {
      parts.add(String.valueOf(o));
    }
    return "[" + String.join(", ", parts) + "]";
  }

  private Integer dim(Object v, int rank, Span at) {
    if (!(v instanceof Long l)) {
      error(at, "a dimension must be an integer, got " + ConstEval.describe(v));
      return null;
    }
    int axis = ShapeMath.axis(l, rank);
    if (axis < 0) {
      error(at, ShapeMath.axisOutOfRange(l, rank));
      return null;
    }
    return axis;
  }

  private List<Integer> dimList(Object v, int rank, Span at) {
    List<Integer> out = new ArrayList<>();
    if (v == null) {
      for (int i = 0; i < rank; i++) {
        out.add(i);
      }
      return out;
    }
    List<?> items = v instanceof List<?> l ? l : List.of(v);
    for (Object item : items) {
      Integer d = dim(item, rank, at);
      if (d == null) {
        return null;
      }
      if (out.contains(d)) {
        error(at, "dim " + d + " appears multiple times in the list of dims");
        return null;
      }
      out.add(d);
    }
    out.sort(null);
    return out;
  }

  private int[] pair(Object v, String name, Span at) {
    if (v instanceof Long l && l > Integer.MAX_VALUE
        || v instanceof List<?> list && list.stream().anyMatch(x -> x instanceof Long n && n > Integer.MAX_VALUE)) {
      error(at, name + " must be at most " + Integer.MAX_VALUE + ", got " + v);
      return null;
    }
    if (v instanceof Long l && l >= 0) {
      return checkPositive(new int[] {l.intValue(), l.intValue()}, name, at);
    }
    if (v instanceof List<?> l && l.size() == 2 && l.get(0) instanceof Long a && l.get(1) instanceof Long b) {
      return checkPositive(new int[] {a.intValue(), b.intValue()}, name, at);
    }
    error(at, name + " must be an integer or a list of two integers, got " + ConstEval.describe(v));
    return null;
  }

  private int[] checkPositive(int[] p, String name, Span at) {
    boolean zeroOk = name.equals("padding");
    for (int x : p) {
      if (x < 0 || (!zeroOk && x == 0)) {
        error(at, name + " must be " + (zeroOk ? "non-negative" : "positive") + ", got " + x);
        return null;
      }
    }
    return p;
  }

  private double number(Object v) {
    return ((Number) v).doubleValue();
  }

  private String string(Object v, String name, Span at) {
    if (v instanceof String s) {
      return s;
    }
    error(at, name + " must be a string, got " + ConstEval.describe(v));
    return null;
  }

  private <T> T error(Span at, String message) {
    diagnostics.error(at, message);
    return null;
  }

  private static String describe(Builtin op) {
    return switch (op) {
      case ADD -> "'+'";
      case SUB -> "'-'";
      case MUL -> "'*'";
      case DIV -> "'/'";
      case POW -> "'**'";
      case MATMUL -> "'@'";
      case NEG -> "unary '-'";
      default -> op.spelling();
    };
  }
}
