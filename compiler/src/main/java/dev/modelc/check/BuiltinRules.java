package dev.modelc.check;

import dev.modelc.ast.Expr;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.Span;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import dev.modelc.types.Shape;
import dev.modelc.types.ShapeMath;
import dev.modelc.types.TensorType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The dtype and shape rule of every builtin; its constant arguments are converted into {@link Attrs} first, by
 * {@link BuiltinAttributes}.
 * Shape arithmetic ({@link ShapeMath}) works on {@link Dim} monomials, so symbolic batch sizes flow through; window
 * sizes (conv, pool) need constant spatial dimensions. Messages follow PyTorch's where PyTorch has a well-known one.
 */
final class BuiltinRules {
  private final Diagnostics diagnostics;
  private final BuiltinAttributes attributes;
  /** The float width a mask's comparison compared (masks are lowered to 0/1 numbers of that width). */
  private final Function<TExpr, DType> maskWidth;

  BuiltinRules(Diagnostics diagnostics, Function<TExpr, DType> maskWidth) {
    this.diagnostics = diagnostics;
    this.attributes = new BuiltinAttributes(diagnostics);
    this.maskWidth = maskWidth;
  }

  /** Applies a builtin whose constant arguments have been bound by name-checking (see ExprChecker#bind). */
  TExpr applyCall(Builtin op, Object[] bound, List<TExpr> tensors, Expr.Call call) {
    BuiltinAttributes.Converted converted = attributes.convert(op, bound, tensors, call.span());
    return converted == null ? null : apply(converted.op(), tensors, converted.attrs(), call.span());
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
    List<Builtin.Arg> tensorArgs = op.args().stream().filter(Builtin.Arg::isTensor).toList();
    for (int i = 0; i < args.size(); i++) {
      TExpr a = args.get(i);
      boolean labels = tensorArgs.size() > i && tensorArgs.get(i).kind().equals("labels");
      boolean index = tensorArgs.size() > i && tensorArgs.get(i).kind().equals("index");
      boolean mask = tensorArgs.size() > i && tensorArgs.get(i).kind().equals("mask");
      DType d = a.type().dtype();
      if (mask != (d == DType.BOOL)) {
        diagnostics.error(a.span(), !mask
            ? "a mask (" + a.type() + ", from a comparison) is not a number: it can be the condition of where, "
                + "combined with & | ~, or turned into 0/1 numbers with float(mask), but not an operand of "
                + describe(op)
            : op == Builtin.WHERE
            ? op.spelling() + ": condition must be a mask (a comparison such as x > 0), got " + a.type()
            : describe(op) + " needs a mask (a comparison such as x > 0), got " + a.type()
                + (op == Builtin.FLOAT && d == DType.I32 ? "; i32 labels and indices do not convert to floats" : ""));
        return false;
      }
      if (mask) {
        continue;
      }
      if (index) {
        if (d != DType.I32) {
          diagnostics.error(a.span(), op.spelling() + ": index must be an i32 tensor, got " + a.type());
          return false;
        }
        continue;
      }
      if (labels) {
        if (d != DType.I32) {
          diagnostics.error(a.span(), op.spelling() + ": target must be i32 class labels, got " + a.type());
          return false;
        }
        continue;
      }
      if (d == DType.I32) {
        diagnostics.error(a.span(), "i32 values are class labels and indices; they can only be the target of "
            + "cross_entropy or nll or the index of index_select, gather, one_hot or embedding, not an operand of "
            + describe(op));
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
      case LT, LE, GT, GE, EQ, NE -> {
        Shape out = broadcast(s, args.get(1).type().shape(), describe(op), at);
        return out == null ? null : new TensorType(DType.BOOL, out);
      }
      case AND, OR -> {
        DType left = maskWidth.apply(args.get(0));
        DType right = maskWidth.apply(args.get(1));
        if (left != null && right != null && left != right) {
          diagnostics.error(at, describe(op) + " combines a mask of " + left.spelling() + " values with one of "
              + right.spelling() + " values; modelc does not convert between float widths silently");
          return null;
        }
        Shape out = broadcast(s, args.get(1).type().shape(), describe(op), at);
        return out == null ? null : new TensorType(DType.BOOL, out);
      }
      case NOT -> {
        return x;
      }
      case FLOAT -> {
        DType width = maskWidth.apply(args.get(0));
        return new TensorType(width == null ? DType.F32 : width, s);
      }
      case WHERE -> {
        Shape branches = broadcast(args.get(1).type().shape(), args.get(2).type().shape(), "where", at);
        Shape out = branches == null ? null : broadcast(s, branches, "where", at);
        return out == null ? null : new TensorType(args.get(1).type().dtype(), out);
      }
      case MATMUL -> {
        Shape out = matmul(s, args.get(1).type().shape(), at);
        return out == null ? null : new TensorType(dt, out);
      }
      case TRANSPOSE -> {
        if (s.rank() == 0) {
          return x; // torch.transpose of a 0-d tensor (dims 0 or -1) is the tensor
        }
        List<Dim> dims = new ArrayList<>(s.dims());
        int a = attrs.dims().get(0);
        int b = attrs.dims().get(1);
        dims.set(a, s.dim(b));
        dims.set(b, s.dim(a));
        return new TensorType(dt, new Shape(dims));
      }
      case RESHAPE, FLATTEN, INDEX -> {
        return new TensorType(dt, attrs.shape());
      }
      case SUM, MEAN, MAX, MAX_ALL, AMAX, LOGSUMEXP -> {
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
      case CAT -> {
        return cat(args, attrs.dims().get(0), at);
      }
      case STACK -> {
        return stack(args, attrs.dims().get(0), at);
      }
      case INDEX_SELECT, GATHER -> {
        return indexed(op, args, attrs.dims().get(0), at);
      }
      case LAYER_NORM -> {
        return layerNorm(args, attrs, at);
      }
      case GROUP_NORM -> {
        return groupNorm(args, attrs, at);
      }
      case BATCH_NORM -> {
        return batchNorm(args, at);
      }
      case ONE_HOT -> {
        List<Dim> dims = new ArrayList<>(s.dims());
        dims.add(Dim.of(attrs.dims().get(0)));
        return new TensorType(attrs.dtype().equals("f64") ? DType.F64 : DType.F32, new Shape(dims));
      }
      case EMBEDDING -> {
        TensorType w = args.get(1).type();
        if (w.shape().rank() != 2) {
          return error(args.get(1).span(), "embedding: weight must be [num_embeddings, embedding_dim], got " + w);
        }
        List<Dim> dims = new ArrayList<>(s.dims());
        dims.add(w.shape().dim(1));
        return new TensorType(w.dtype(), new Shape(dims));
      }
      default -> {
        return x; // elementwise unary, softmax, log_softmax, detach
      }
    }
  }

  /** torch.cat: equal ranks, equal sizes but along {@code dim}, where sizes add (they must be constants). */
  private TensorType cat(List<TExpr> args, int dim, Span at) {
    Shape first = args.get(0).type().shape();
    if (first.rank() == 0) {
      return error(at, "cat: zero-dimensional tensor (at position 0) cannot be concatenated");
    }
    long total = 0;
    for (int i = 0; i < args.size(); i++) {
      Shape s = args.get(i).type().shape();
      if (s.rank() != first.rank()) {
        return error(args.get(i).span(), "cat: Tensors must have same number of dimensions: got " + first.rank()
            + " and " + s.rank());
      }
      for (int d = 0; d < s.rank(); d++) {
        if (d != dim && !s.dim(d).equals(first.dim(d))) {
          return error(args.get(i).span(), "cat: Sizes of tensors must match except in dimension " + dim
              + ". Expected size " + first.dim(d) + " but got size " + s.dim(d) + " for tensor number " + i
              + " in the list.");
        }
      }
      if (!s.dim(dim).isConstant() && args.size() > 1) {
        return error(args.get(i).span(), "cat: dimension " + dim + " of " + args.get(i).type()
            + " has the symbolic size " + s.dim(dim) + "; concatenating along it needs constant sizes");
      }
      total += s.dim(dim).coefficient();
    }
    List<Dim> out = new ArrayList<>(first.dims());
    out.set(dim, args.size() == 1 ? first.dim(dim) : Dim.of(total));
    return new TensorType(args.get(0).type().dtype(), new Shape(out));
  }

  /** torch.stack: tensors of one shape, a new dim of their count at {@code dim}. */
  private TensorType stack(List<TExpr> args, int dim, Span at) {
    Shape first = args.get(0).type().shape();
    for (int i = 1; i < args.size(); i++) {
      if (!args.get(i).type().shape().equals(first)) {
        return error(args.get(i).span(), "stack expects each tensor to be equal size, but got " + first
            + " at entry 0 and " + args.get(i).type().shape() + " at entry " + i);
      }
    }
    List<Dim> out = new ArrayList<>(first.dims());
    out.add(dim, Dim.of(args.size()));
    return new TensorType(args.get(0).type().dtype(), new Shape(out));
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

  /**
   * index_select: index [n] replaces x's dim; gather: the index's shape, which must be x's except along dim (a
   * stricter rule than torch.gather's "at most x's size", so the gradient's scatter covers whole rows).
   */
  private TensorType indexed(Builtin op, List<TExpr> args, int dim, Span at) {
    TensorType x = args.get(0).type();
    TensorType index = args.get(1).type();
    if (x.shape().rank() == 0) {
      return error(args.get(0).span(), op.spelling() + ": the input is a scalar; it needs a tensor "
          + "with at least one dim to pick along");
    }
    if (op == Builtin.INDEX_SELECT) {
      if (index.shape().rank() != 1) {
        return error(args.get(1).span(), "index_select(): Index is supposed to be a vector, got " + index);
      }
      List<Dim> dims = new ArrayList<>(x.shape().dims());
      dims.set(dim, index.shape().dim(0));
      return new TensorType(x.dtype(), new Shape(dims));
    }
    boolean fits = index.shape().rank() == x.shape().rank();
    for (int d = 0; fits && d < x.shape().rank(); d++) {
      fits = d == dim || index.shape().dim(d).equals(x.shape().dim(d));
    }
    if (!fits) {
      return error(args.get(1).span(), "gather: index " + index + " must have the shape of the input " + x
          + " except along dim " + dim);
    }
    return new TensorType(x.dtype(), index.shape());
  }

  /** torch.layer_norm: the input ends in normalized_shape; weight and bias, when given, have that shape. */
  private TensorType layerNorm(List<TExpr> args, Attrs attrs, Span at) {
    TensorType x = args.get(0).type();
    Shape normalized = attrs.shape();
    int lead = x.shape().rank() - normalized.rank();
    if (!x.shape().dims().subList(lead, x.shape().rank()).equals(normalized.dims())) {
      return error(at, "layer_norm: Given normalized_shape=" + normalized + ", expected input with shape [*, "
          + normalized.toString().substring(1) + ", but got input of size" + x.shape());
    }
    for (int i = 1; i < args.size(); i++) {
      if (!args.get(i).type().shape().equals(normalized)) {
        String what = i == 1 && attrs.norm().weight() ? "weight" : "bias";
        return error(args.get(i).span(), "layer_norm: Expected " + what + " to be of same shape as normalized_shape,"
            + " but got " + what + " of shape " + args.get(i).type().shape() + " and normalized_shape = "
            + normalized);
      }
    }
    return x;
  }

  /** torch.group_norm: input [N, C, *] with C divisible by num_groups; weight and bias, when given, are [C]. */
  private TensorType groupNorm(List<TExpr> args, Attrs attrs, Span at) {
    TensorType x = args.get(0).type();
    int groups = attrs.norm().groups();
    if (x.shape().rank() < 2) {
      return error(at, "group_norm: Expected at least 2 dimensions for input tensor but received "
          + x.shape().rank());
    }
    Dim c = x.shape().dim(1);
    if (!c.isConstant()) {
      return error(at, "group_norm: the channel dim of " + x + " has the symbolic size " + c
          + "; it must be a constant");
    }
    if (c.coefficient() % groups != 0) {
      return error(at, "group_norm: Expected number of channels in input to be divisible by num_groups, but got "
          + "input of shape " + x.shape() + " and num_groups=" + groups);
    }
    for (int i = 1; i < args.size(); i++) {
      Shape p = args.get(i).type().shape();
      if (p.rank() != 1 || !p.dim(0).equals(c)) {
        String what = i == 1 && attrs.norm().weight() ? "weight" : "bias";
        return error(args.get(i).span(), "group_norm: Expected " + what + " to be a vector of size equal to the "
            + "number of channels in input, but got " + what + " of shape " + p + " and input of shape "
            + x.shape());
      }
    }
    return x;
  }

  /**
   * torch.batch_norm: x is {@code [N, C]}, {@code [N, C, L]} or {@code [N, C, H, W]} with a constant C; the running
   * statistics, the weight and the bias are vectors of C.
   */
  private TensorType batchNorm(List<TExpr> args, Span at) {
    TensorType x = args.get(0).type();
    if (x.shape().rank() < 2 || x.shape().rank() > 4) {
      return error(at, "batch_norm: expected a 2D, 3D or 4D input ([N, C], [N, C, L] or [N, C, H, W]), got " + x);
    }
    Dim c = x.shape().dim(1);
    if (!c.isConstant()) {
      return error(at, "batch_norm: the channel dim of " + x + " has the symbolic size " + c
          + "; it must be a constant");
    }
    String[] names = {"running_mean", "running_var", "weight", "bias"};
    for (int i = 1; i < args.size(); i++) {
      Shape p = args.get(i).type().shape();
      if (p.rank() != 1 || !p.dim(0).equals(c)) {
        String what = i <= 2 ? names[i - 1] : args.size() == 5 ? names[i - 1] : "weight or bias";
        return error(args.get(i).span(), "batch_norm: " + what + " should contain " + c + " elements (the channels "
            + "of the input " + x.shape() + "), got shape " + p);
      }
    }
    return x;
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
      case LT -> "'<'";
      case LE -> "'<='";
      case GT -> "'>'";
      case GE -> "'>='";
      case EQ -> "'=='";
      case NE -> "'!='";
      case AND -> "'&'";
      case OR -> "'|'";
      case NOT -> "'~'";
      case INDEX -> "indexing";
      default -> op.spelling();
    };
  }
}
