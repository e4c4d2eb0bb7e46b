package dev.modelc.check;

import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.Span;
import dev.modelc.types.Dim;
import dev.modelc.types.Shape;
import dev.modelc.types.ShapeMath;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts the constant arguments of a builtin call, bound by name-checking ({@code ExprChecker#bind}), into
 * {@link Attrs}: dims wrapped as PyTorch wraps a negative dim, window pairs, reshape targets (one {@code -1}
 * inferred), the reduction and approximation strings. Each bad value is a located error. The dtype and shape rule
 * then runs in {@link BuiltinRules}.
 */
final class BuiltinAttributes {
  private final Diagnostics diagnostics;
  /** Dropout calls numbered so far: each gets a site of its own, so that each draws its own mask. */
  private int dropoutSites;

  BuiltinAttributes(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
  }

  /** The builtin to apply (max without a dim becomes max_all) and its attributes. */
  record Converted(Builtin op, Attrs attrs) {}

  /** The call's attributes, or null after reporting an error. */
  Converted convert(Builtin op, Object[] bound, List<TExpr> tensors, Span at) {
    Attrs attrs = Attrs.NONE;
    switch (op) {
      case LEAKY_RELU -> attrs = attrs.withScalars(number(bound[1]), 1, 20, "none");
      case SOFTPLUS -> {
        if (number(bound[1]) == 0) {
          return error(at, "softplus: beta must not be 0");
        }
        attrs = attrs.withScalars(0.01, number(bound[1]), number(bound[2]), "none");
      }
      case DROPOUT -> {
        double p = number(bound[1]);
        if (!(p >= 0 && p <= 1)) {
          return error(at, "dropout probability has to be between 0 and 1, but got " + p);
        }
        attrs = attrs.withScalars(0.01, 1, p, "none").withDims(List.of(dropoutSites++), false);
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
        if (tensors.get(0).type().shape().rank() == 0) {
          dims = List.of(); // dim 0 or -1 of a 0-d tensor names its one element, as in PyTorch: nothing to reduce
        }
        attrs = attrs.withDims(dims, (Boolean) bound[2]);
        if (op == Builtin.MAX && bound[1] == null) {
          op = Builtin.MAX_ALL; // torch.max(x) without a dim shares the gradient among ties (or NaNs)
        }
      }
      case CAT, STACK -> {
        int rank = tensors.get(0).type().shape().rank() + (op == Builtin.STACK ? 1 : 0);
        Integer d = dim(bound[1], rank, at);
        if (d == null) {
          return null;
        }
        attrs = attrs.withDims(List.of(d), false);
      }
      case LAYER_NORM -> {
        List<Long> sizes = bound[1] instanceof Long l ? List.of(l) : longs(bound[1]);
        int rank = tensors.get(0).type().shape().rank();
        if (sizes.isEmpty() || sizes.stream().anyMatch(n -> n < 1 || n > Integer.MAX_VALUE)) {
          return error(at, "layer_norm: normalized_shape must be positive sizes, got " + bound[1]);
        }
        if (sizes.size() > rank) {
          return error(at, "layer_norm: normalized_shape " + sizes + " has more dims than the input "
              + tensors.get(0).type());
        }
        List<Integer> axes = new ArrayList<>();
        List<Dim> shape = new ArrayList<>();
        for (int i = 0; i < sizes.size(); i++) {
          axes.add(rank - sizes.size() + i);
          shape.add(Dim.of(sizes.get(i)));
        }
        attrs = attrs.withDims(axes, true).withShape(new Shape(shape))
            .withNorm(new Attrs.Norm(number(bound[4]), bound[2] != null, bound[3] != null, 0));
      }
      case GROUP_NORM -> {
        long groups = (Long) bound[1];
        if (groups < 1 || groups > Integer.MAX_VALUE) {
          return error(at, "group_norm: num_groups must be a positive int, got " + groups);
        }
        attrs = attrs.withNorm(new Attrs.Norm(number(bound[4]), bound[2] != null, bound[3] != null, (int) groups));
      }
      case BATCH_NORM -> {
        String counter = bound[7] == null ? null : ((TExpr.Ref) bound[7]).name();
        if (bound[5] == null && counter == null) {
          return error(at, "batch_norm: momentum = none (the cumulative moving average, 1 / num_batches_tracked) "
              + "needs the counter: pass num_batches_tracked = <an i32 buffer> (buffer num_batches_tracked : i32 "
              + "init zeros)");
        }
        double momentum = bound[5] == null ? 0 : number(bound[5]);
        if (!(momentum >= 0 && momentum <= 1)) {
          return error(at, "batch_norm: momentum must be in [0, 1], got " + momentum);
        }
        attrs = attrs.withNorm(new Attrs.Norm(number(bound[6]), bound[3] != null, bound[4] != null, 0, momentum,
            bound[5] == null, counter));
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
      case INDEX_SELECT, GATHER -> {
        Integer d = dim(bound[1], tensors.get(0).type().shape().rank(), at);
        if (d == null) {
          return null;
        }
        attrs = attrs.withDims(List.of(d), false);
      }
      case ONE_HOT -> {
        String dtype = string(bound[2], "dtype", at);
        if (dtype == null) {
          return null;
        }
        if (!dtype.equals("f32") && !dtype.equals("f64")) {
          return error(at, "one_hot: dtype must be \"f32\" or \"f64\", got \"" + dtype + "\"");
        }
        long classes = (Long) bound[1];
        if (classes < 1 || classes > Integer.MAX_VALUE) {
          return error(at, "one_hot: num_classes must be a positive int, got " + classes);
        }
        attrs = attrs.withDims(List.of((int) classes), false).withDtype(dtype);
      }
      case EMBEDDING -> {
        Shape w = tensors.get(1).type().shape();
        if (bound[2] != null) {
          long p = (Long) bound[2];
          long num = w.rank() == 2 && w.dim(0).isConstant() ? w.dim(0).coefficient() : -1;
          if (num < 0) {
            return error(at, "embedding: padding_idx needs a weight [num_embeddings, embedding_dim] of constant size");
          }
          if (p >= num || p < -num) {
            return error(at, "embedding: Padding_idx must be within num_embeddings (" + num + "), got " + p);
          }
          attrs = attrs.withDims(List.of((int) (p < 0 ? p + num : p)), false);
        }
      }
      case CLAMP -> {
        if (bound[1] == null && bound[2] == null) {
          return error(at, "clamp: At least one of 'min' or 'max' must not be None");
        }
        attrs = attrs.withBounds(bound[1] == null ? Double.NEGATIVE_INFINITY : number(bound[1]),
            bound[2] == null ? Double.POSITIVE_INFINITY : number(bound[2]));
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
    return new Converted(op, attrs);
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
    if (v == null || v instanceof List<?> l && l.isEmpty()) { // dim = [] reduces every dim, as torch.sum's
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
    if (v instanceof Long l) {
      return checkPositive(l, l, name, at);
    }
    if (v instanceof List<?> l && l.size() == 2 && l.get(0) instanceof Long a && l.get(1) instanceof Long b) {
      return checkPositive(a, b, name, at);
    }
    error(at, name + " must be an integer or a list of two integers, got " + ConstEval.describe(v));
    return null;
  }

  /** The pair, or null after an error when a value is negative (or zero, but for padding). */
  private int[] checkPositive(long first, long second, String name, Span at) {
    boolean zeroOk = name.equals("padding");
    for (long x : new long[] {first, second}) {
      if (x < 0 || (!zeroOk && x == 0)) {
        error(at, name + " must be " + (zeroOk ? "non-negative" : "positive") + ", got " + x);
        return null;
      }
    }
    return new int[] {(int) first, (int) second};
  }

  private static List<Long> longs(Object v) {
    List<Long> out = new ArrayList<>();
    for (Object item : (List<?>) v) {
      out.add((Long) item);
    }
    return out;
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
}
