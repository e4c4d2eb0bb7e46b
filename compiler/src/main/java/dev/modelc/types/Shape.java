package dev.modelc.types;

import java.util.List;
import java.util.StringJoiner;

/** A tensor shape: a list of {@link Dim}s, row-major. The empty shape is a scalar. */
public record Shape(List<Dim> dims) {
  public static final Shape SCALAR = new Shape(List.of());

  public Shape {
    dims = List.copyOf(dims);
  }

  public static Shape of(Dim... dims) {
    return new Shape(List.of(dims));
  }

  public static Shape of(long... dims) {
    Dim[] d = new Dim[dims.length];
    for (int i = 0; i < dims.length; i++) {
      d[i] = Dim.of(dims[i]);
    }
    return of(d);
  }

  public int rank() {
    return dims.size();
  }

  public Dim dim(int i) {
    return dims.get(i);
  }

  public boolean isScalar() {
    return dims.isEmpty();
  }

  /** The number of elements, as a monomial ({@code B*864}). */
  public Dim elementCount() {
    Dim n = Dim.of(1);
    for (Dim d : dims) {
      n = n.times(d);
    }
    return n;
  }

  /** {@code [B, 1, 28, 28]}. */
  @Override
  public String toString() {
    StringJoiner j = new StringJoiner(", ", "[", "]");
    for (Dim d : dims) {
      j.add(d.toString());
    }
    return j.toString();
  }
}
