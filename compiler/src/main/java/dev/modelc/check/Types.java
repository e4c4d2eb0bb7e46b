package dev.modelc.check;

import dev.modelc.ast.Expr;
import dev.modelc.ast.Member;
import dev.modelc.ast.TypeExpr;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.Span;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import dev.modelc.types.Shape;
import dev.modelc.types.TensorType;
import java.util.ArrayList;
import java.util.List;

/** Resolves written types ({@code f32[B, 6 * 12 * 12]}) to {@link TensorType}s. */
final class Types {
  private Types() {}

  enum Mode {
    /** An input's shape: an unknown name introduces a symbolic size. */
    INPUT,
    /** A param's shape: constants only. */
    CONSTANT,
    /** A let annotation: known sizes only. */
    KNOWN
  }

  static TensorType resolve(TypeExpr t, Scope scope, Mode mode, Diagnostics diagnostics, ConstEval constants) {
    DType dtype = DType.valueOf(t.dtype().toUpperCase());
    List<Dim> dims = new ArrayList<>();
    boolean ok = true;
    for (Expr d : t.dims()) {
      if (mode == Mode.INPUT && d instanceof Expr.Name n && scope.lookup(n.name()) == null) {
        scope.bind(n.name(), new Scope.Size(Dim.symbol(n.name())), n.span());
        dims.add(Dim.symbol(n.name()));
        continue;
      }
      Object v = constants.eval(d, scope);
      if (v == null) {
        ok = false;
      } else if (v instanceof Dim dim) {
        if (mode == Mode.CONSTANT) {
          diagnostics.error(d.span(), "a param's shape must be constant; '" + dim + "' is a symbolic size");
          ok = false;
        } else {
          dims.add(dim);
        }
      } else if (v instanceof Long l && l > 0) {
        dims.add(Dim.of(l));
      } else {
        diagnostics.error(d.span(), "a dimension must be a positive integer, got "
            + ConstEval.describeNonInteger(v));
        ok = false;
      }
    }
    if (!ok) {
      return null;
    }
    TensorType type = new TensorType(dtype, new Shape(dims));
    return fitsAnArray(type, t.span(), diagnostics) ? type : null;
  }

  /** The most elements a JVM array holds (the VM reserves a few header words below Integer.MAX_VALUE). */
  static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  /**
   * Whether every value of this type fits in one JVM array (for symbolic sizes, at size 1); reports the error at
   * {@code at} when not.
   */
  static boolean fitsAnArray(TensorType type, Span at, Diagnostics diagnostics) {
    long count = type.shape().elementCount().coefficient();
    if (count <= MAX_ELEMENTS) {
      return true;
    }
    diagnostics.error(at, type + " has " + (count == Long.MAX_VALUE ? "more than 9.2e18" : String.format("%,d", count))
        + " elements; a JVM array holds at most " + String.format("%,d", MAX_ELEMENTS));
    return false;
  }

  /** Checks a let's optional type annotation against the inferred type; reports and returns false on mismatch. */
  static boolean matchesAnnotation(Member.Let let, TExpr value, Scope scope, Diagnostics diagnostics,
      ConstEval constants) {
    if (let.type() == null) {
      return true;
    }
    TensorType declared = resolve(let.type(), scope, Mode.KNOWN, diagnostics, constants);
    if (declared == null) {
      return false;
    }
    if (!declared.equals(value.type())) {
      diagnostics.error(let.type().span(), "'" + let.name().name() + "' is declared " + declared + " but its value is "
          + value.type());
      return false;
    }
    return true;
  }
}
