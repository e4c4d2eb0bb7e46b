package dev.modelc.ast;

import dev.modelc.diag.Span;
import java.util.List;

/** A declaration inside a model or layer body. */
public sealed interface Member {
  Span span();

  /** {@code input x : f32[B, 784]} */
  record Input(Ident name, TypeExpr type, Span span) implements Member {}

  /** {@code param w : f32[10, 784] init kaiming_uniform(a = sqrt(5))}; {@code init} may be null (an error). */
  /** A {@code param}, or with {@code buffer} a {@code buffer}: state saved with the params that gets no gradient. */
  record Param(Ident name, TypeExpr type, Expr init, Span span, boolean buffer) implements Member {}

  /** {@code let h : f32[B, 10] = expr}; {@code type} may be null. */
  record Let(Ident name, TypeExpr type, Expr value, Span span) implements Member {}

  /** {@code output a, b} */
  record Output(List<Ident> names, Span span) implements Member {}

  /** {@code minimize loss with adam(lr = 0.001)} */
  record Minimize(Expr objective, Expr.Call optimizer, Span span) implements Member {}

  /** {@code fc1 = Linear(784, 128)} */
  record Instance(Ident name, Expr.Call layer, Span span) implements Member {}
}
