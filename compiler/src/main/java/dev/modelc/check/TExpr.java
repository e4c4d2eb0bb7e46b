package dev.modelc.check;

import dev.modelc.diag.Span;
import dev.modelc.types.TensorType;
import java.util.List;

/**
 * A checked expression: every node has its static type and source span; layers are inlined, so references name
 * inputs, parameters (by dotted name such as {@code fc1.weight}) or earlier values of the model.
 */
public sealed interface TExpr {
  TensorType type();

  Span span();

  enum RefKind { INPUT, PARAM, VALUE }

  /** A reference to an input, a parameter or an earlier value. */
  record Ref(String name, RefKind kind, TensorType type, Span span) implements TExpr {}

  /** A number; its type is a scalar of the dtype it takes on where it is used. */
  record Const(double value, TensorType type, Span span) implements TExpr {}

  /**
   * An application of a builtin. {@code args} are the tensor operands in the builtin's positional order (optional
   * ones absent from the end, e.g. a conv2d without bias has two); constant arguments are in {@code attrs}.
   */
  record Call(Builtin op, List<TExpr> args, Attrs attrs, TensorType type, Span span) implements TExpr {}
}
