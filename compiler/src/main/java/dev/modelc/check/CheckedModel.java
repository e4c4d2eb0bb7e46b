package dev.modelc.check;

import dev.modelc.diag.Span;
import dev.modelc.types.TensorType;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A model after checking, self-contained and with layers inlined; what the IR lowering, the reference interpreter
 * and {@code modelc summary} consume.
 *
 * <ul>
 *   <li>{@code span}: the whole {@code model} declaration; {@code nameSpan}: its name, where errors about the model
 *       as a whole (its class) point.
 *   <li>{@code sizes}: the symbolic sizes, in the order inputs introduce them ({@code B}, {@code N}).
 *   <li>{@code inputs}: in declaration order, with their types (shapes may hold symbolic sizes).
 *   <li>{@code params}: params and buffers in PyTorch {@code state_dict} order (declaration order, layer params under dotted names such
 *       as {@code fc1.weight} where the instance is declared), with constant shapes and resolved initializers.
 *   <li>{@code values}: every {@code let} in definition order, including those of layer block bodies (named
 *       {@code instance.let}, with {@code #2}, {@code #3} appended for later calls of the same instance); each is a
 *       typed expression over inputs, params and earlier values. A value's {@code op} is a short description
 *       of its outermost operation for reports.
 *   <li>{@code outputs}: names of inputs, params or values.
 *   <li>{@code objective}: null for an inference-only model; else a float scalar expression and its optimizer.
 * </ul>
 */
public record CheckedModel(String name, Span span, Span nameSpan, List<String> sizes, List<Input> inputs,
    List<Param> params, List<Value> values, List<String> outputs, Objective objective) {

  public record Input(String name, TensorType type, Span span) {}

  /**
   * A param, or with {@code buffer} a buffer (PyTorch's registered buffer): saved and loaded in the state_dict with
   * the params, in declaration order among them, but it gets no gradient and no optimizer state.
   */
  public record Param(String name, TensorType type, Initializer init, Span span, boolean buffer) {
    public long count() {
      return type.shape().elementCount().coefficient();
    }
  }

  public record Value(String name, TExpr expr, Span span) {
    public TensorType type() {
      return expr.type();
    }
  }

  public record Objective(TExpr expr, OptimizerSpec optimizer, Span span) {}

  public long parameterCount() {
    long n = 0;
    for (Param p : params) {
      n += p.buffer() ? 0 : p.count();
    }
    return n;
  }

  /** The names (inputs, params, values) that some {@code grad(of, wrt)} of the model differentiates with respect to. */
  public Set<String> gradTargets() {
    Set<String> targets = new HashSet<>();
    ArrayDeque<TExpr> work = new ArrayDeque<>();
    values.forEach(v -> work.push(v.expr()));
    if (objective != null) {
      work.push(objective.expr());
    }
    while (!work.isEmpty()) {
      if (work.pop() instanceof TExpr.Call c) {
        if (c.op() == Builtin.GRAD && c.args().get(1) instanceof TExpr.Ref r) {
          targets.add(r.name());
        }
        c.args().forEach(work::push);
      }
    }
    return targets;
  }

  public Value value(String name) {
    for (Value v : values) {
      if (v.name().equals(name)) {
        return v;
      }
    }
    return null;
  }
}
