package dev.modelc.check;

import dev.modelc.ast.Expr;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.Span;
import dev.modelc.types.Dim;
import dev.modelc.types.Shape;
import dev.modelc.types.SliceSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The rule of {@code x[...]}: PyTorch's (NumPy's) basic indexing with constant bounds, resolved into a
 * {@link SliceSpec} and the result shape.
 *
 * <ol>
 *   <li>Expand {@code ...} into as many whole-dim slices as the other entries leave; entries missing at the end take
 *       whole dims too. More entries than dims, or two ellipses, are errors.
 *   <li>An integer index {@code i} keeps one element ({@code i + n} when negative) and removes the dim; outside
 *       {@code [-n, n)} it is an error, as PyTorch's.
 *   <li>A slice {@code a:b:s} wraps negative bounds once and clamps them to {@code [0, n]}, as Python's; the step
 *       must be positive; a slice that keeps nothing is an error (the language has no empty dims).
 *   <li>A symbolic dim can only be taken whole: its bounds are not known when the model is checked.
 * </ol>
 */
final class Indexing {
  private final Diagnostics diagnostics;
  private final ConstEval constants;
  private final BuiltinRules rules;

  Indexing(Diagnostics diagnostics, ConstEval constants, BuiltinRules rules) {
    this.diagnostics = diagnostics;
    this.constants = constants;
    this.rules = rules;
  }

  TExpr apply(TExpr x, Expr.Index e, Scope scope) {
    if (x instanceof TExpr.Const c && c.type().dtype() == null) {
      return error(e.span(), "a number cannot be indexed");
    }
    Shape shape = x.type().shape();
    List<Expr.IndexItem> items = expand(e, shape);
    if (items == null) {
      return null;
    }
    List<Integer> start = new ArrayList<>();
    List<Integer> step = new ArrayList<>();
    List<Dim> kept = new ArrayList<>();
    List<Dim> result = new ArrayList<>();
    boolean ok = true;
    for (int d = 0; d < shape.rank(); d++) {
      Expr.IndexItem item = items.get(d);
      Dim n = shape.dim(d);
      if (whole(item)) {
        start.add(0);
        step.add(1);
        kept.add(n);
        result.add(n);
        continue;
      }
      if (!n.isConstant()) {
        ok = false;
        error(item.span(), "dimension " + d + " of " + x.type() + " has the symbolic size " + n
            + ": it can only be taken whole (':')");
        continue;
      }
      long[] range = item instanceof Expr.Point p ? point(p, n.coefficient(), d, scope)
          : range((Expr.Range) item, n.coefficient(), d, scope);
      if (range == null) {
        ok = false;
        continue;
      }
      start.add((int) range[0]);
      step.add((int) range[1]);
      kept.add(Dim.of(range[2]));
      if (item instanceof Expr.Range) {
        result.add(Dim.of(range[2]));
      }
    }
    if (!ok) {
      return null;
    }
    SliceSpec spec = new SliceSpec(start, step, new Shape(kept));
    return rules.apply(Builtin.INDEX, List.of(x), Attrs.NONE.withSlice(spec, new Shape(result)), e.span());
  }

  /** One entry per dim: the ellipsis expanded, whole-dim slices appended. Null after an error. */
  private List<Expr.IndexItem> expand(Expr.Index e, Shape shape) {
    List<Expr.IndexItem> given = e.items();
    long ellipses = given.stream().filter(i -> i instanceof Expr.Ellipsis).count();
    if (ellipses > 1) {
      return error(e.span(), "an index can only have a single ellipsis ('...')");
    }
    int explicit = given.size() - (int) ellipses;
    if (explicit > shape.rank()) {
      return error(e.span(), "too many indices for tensor of dimension " + shape.rank() + " (" + explicit
          + " given)");
    }
    List<Expr.IndexItem> out = new ArrayList<>();
    for (Expr.IndexItem i : given) {
      if (i instanceof Expr.Ellipsis) {
        for (int k = 0; k < shape.rank() - explicit; k++) {
          out.add(new Expr.Range(null, null, null, i.span()));
        }
      } else {
        out.add(i);
      }
    }
    while (out.size() < shape.rank()) {
      out.add(new Expr.Range(null, null, null, e.span()));
    }
    return out;
  }

  /** Whether the entry is {@code :} or {@code ::} (also {@code ::1}), which keeps a dim whole whatever its size. */
  private static boolean whole(Expr.IndexItem item) {
    return item instanceof Expr.Range r && r.start() == null && r.stop() == null
        && (r.step() == null || r.step() instanceof Expr.IntLit i && i.value() == 1);
  }

  /** {start, 1, 1} for an integer index, or null after an error. */
  private long[] point(Expr.Point p, long n, int d, Scope scope) {
    Long i = integer(p.index(), scope);
    if (i == null) {
      return null;
    }
    if (i < -n || i >= n) {
      return error(p.span(), "index " + i + " is out of bounds for dimension " + d + " with size " + n);
    }
    return new long[] {i < 0 ? i + n : i, 1, 1};
  }

  /** {start, step, size} of a slice over a dim of size n, or null after an error. */
  private long[] range(Expr.Range r, long n, int d, Scope scope) {
    Long step = r.step() == null ? Long.valueOf(1) : integer(r.step(), scope);
    Long start = r.start() == null ? Long.valueOf(0) : integer(r.start(), scope);
    Long stop = r.stop() == null ? Long.valueOf(n) : integer(r.stop(), scope);
    if (step == null || start == null || stop == null) {
      return null;
    }
    if (step <= 0) {
      return error(r.step().span(), "slice step must be greater than zero, got " + step);
    }
    long a = clamp(start, n);
    long b = clamp(stop, n);
    long size = b > a ? (b - a + step - 1) / step : 0;
    if (size == 0) {
      return error(r.span(), "the slice " + text(start, stop, step) + " of dimension " + d + " (size " + n
          + ") selects no elements; modelc has no empty tensors");
    }
    return new long[] {a, size == 1 ? 1 : step, size}; // one element: the step does not matter
  }

  /** Python's bound: a negative one counts from the end, then it is clamped to [0, n]. */
  private static long clamp(long bound, long n) {
    long b = bound < 0 ? bound + n : bound;
    return Math.max(0, Math.min(n, b));
  }

  private static String text(long start, long stop, long step) {
    return start + ":" + stop + (step == 1 ? "" : ":" + step);
  }

  private Long integer(Expr e, Scope scope) {
    Object v = constants.eval(e, scope);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Long l)) {
      return error(e.span(), "indices must be integer constants, got " + ConstEval.describe(v));
    }
    return l;
  }

  private <T> T error(Span at, String message) {
    diagnostics.error(at, message);
    return null;
  }
}
