package dev.modelc.types;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One dimension of a shape: a monomial, a constant coefficient times a product of symbolic sizes. {@code 864} is
 * {@code Dim.of(864)}, {@code B} is {@code Dim.symbol("B")}, and flattening {@code [B, 10]} gives {@code 10*B}.
 * Monomials are closed under multiplication, which is all that reshape, flatten and matmul need, so element counts
 * such as {@code B*864} can be compared exactly at compile time.
 *
 * @param coefficient the constant factor, non-negative
 * @param symbols the symbolic sizes multiplied in, sorted, with repeats
 */
public record Dim(long coefficient, List<String> symbols) {
  public Dim {
    List<String> sorted = new ArrayList<>(symbols);
    Collections.sort(sorted);
    symbols = List.copyOf(sorted);
  }

  /** a * b for non-negative a and b, Long.MAX_VALUE when it would overflow (a size too large for any array). */
  static long saturatingTimes(long a, long b) {
    return a != 0 && b > Long.MAX_VALUE / a ? Long.MAX_VALUE : a * b;
  }

  public static Dim of(long value) {
    return new Dim(value, List.of());
  }

  public static Dim symbol(String name) {
    return new Dim(1, List.of(name));
  }

  public boolean isConstant() {
    return symbols.isEmpty();
  }

  public Dim times(Dim other) {
    List<String> product = new ArrayList<>(symbols);
    product.addAll(other.symbols);
    return new Dim(saturatingTimes(coefficient, other.coefficient), product);
  }

  /** This dimension with every symbolic size replaced by its bound value. */
  public long evaluate(Map<String, Long> sizes) {
    long value = coefficient;
    for (String s : symbols) {
      Long bound = sizes.get(s);
      if (bound == null) {
        throw new IllegalArgumentException("symbolic size " + s + " is not bound");
      }
      value *= bound;
    }
    return value;
  }

  /** {@code 864}, {@code B}, {@code 10*B}, {@code B*N}. */
  @Override
  public String toString() {
    if (symbols.isEmpty()) {
      return Long.toString(coefficient);
    }
    String product = String.join("*", symbols);
    return coefficient == 1 ? product : coefficient + "*" + product;
  }
}
