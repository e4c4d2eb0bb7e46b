package dev.modelc.ir;

import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import dev.modelc.types.Shape;
import dev.modelc.types.TensorType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The few operations the IR needs on the checker's sizes and shapes, in one place: building shapes, products of
 * sizes (element counts, which stay monomials when symbolic), and evaluating a size once symbols are bound.
 */
public final class Dims {
  private Dims() {}

  public static final Shape SCALAR = new Shape(List.of());

  public static Dim of(long value) {
    return Dim.of(value);
  }

  public static Dim symbol(String name) {
    return Dim.symbol(name);
  }

  public static Shape shape(List<Dim> dims) {
    return new Shape(List.copyOf(dims));
  }

  public static Shape shape(long... dims) {
    List<Dim> list = new ArrayList<>();
    for (long d : dims) list.add(Dim.of(d));
    return new Shape(list);
  }

  public static List<Dim> dims(Shape shape) {
    return shape.dims();
  }

  public static int rank(Shape shape) {
    return shape.dims().size();
  }

  public static Dim dim(Shape shape, int axis) {
    return shape.dims().get(axis);
  }

  public static boolean isConstant(Dim d) {
    return d.isConstant();
  }

  /** The value of a constant size; fails for a symbolic one. */
  public static long value(Dim d) {
    if (!d.isConstant()) throw new IllegalArgumentException("size " + d + " is symbolic");
    return d.coefficient();
  }

  public static boolean isOne(Dim d) {
    return d.isConstant() && d.coefficient() == 1;
  }

  public static Dim times(Dim a, Dim b) {
    return a.times(b);
  }

  /** Number of elements of a shape: a monomial in its symbols. */
  public static Dim count(Shape shape) {
    Dim n = Dim.of(1);
    for (Dim d : shape.dims()) n = n.times(d);
    return n;
  }

  public static long evaluate(Dim d, Map<String, Long> sizes) {
    long v = d.coefficient();
    for (String s : d.symbols()) {
      Long bound = sizes.get(s);
      if (bound == null) throw new IllegalArgumentException("symbolic size " + s + " is not bound");
      v *= bound;
    }
    return v;
  }

  public static int[] evaluate(Shape shape, Map<String, Long> sizes) {
    int[] out = new int[rank(shape)];
    for (int i = 0; i < out.length; i++) out[i] = Math.toIntExact(evaluate(dim(shape, i), sizes));
    return out;
  }

  public static long coefficient(Dim d) {
    return d.coefficient();
  }

  public static List<String> symbols(Dim d) {
    return d.symbols();
  }

  public static TensorType type(DType dtype, Shape shape) {
    return new TensorType(dtype, shape);
  }

  public static TensorType scalar(DType dtype) {
    return new TensorType(dtype, SCALAR);
  }

  public static String text(Shape shape) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < rank(shape); i++) {
      if (i > 0) sb.append(", ");
      sb.append(dim(shape, i));
    }
    return sb.append(']').toString();
  }

  public static String text(TensorType type) {
    return type.dtype().name().toLowerCase(java.util.Locale.ROOT) + text(type.shape());
  }
}
