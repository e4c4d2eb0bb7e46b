package dev.modelc.check;

import dev.modelc.diag.Span;
import dev.modelc.types.Dim;
import java.util.HashMap;
import java.util.Map;

/**
 * Names visible at a point of a model or layer body. A model has one scope; a layer instance has one for its params,
 * sizes and nested instances, and each call of it a child scope for the call's arguments and block lets.
 */
final class Scope {
  /** What a name stands for. */
  sealed interface Binding {}

  /** A tensor: an input, param or value reference, or the argument expression of a layer call. */
  record Tensor(TExpr expr) implements Binding {}

  /** A size: a layer size parameter (constant) or a symbolic size introduced by an input. */
  record Size(Dim dim) implements Binding {}

  /** A name whose declaration had an error: later uses stay silent so one mistake gives one message. */
  record Poisoned() implements Binding {}

  /** An instance of a layer. */
  record Instance(LayerInstance instance) implements Binding {}

  private final Scope parent;
  private final Map<String, Binding> names = new HashMap<>();
  private final Map<String, Span> declaredAt = new HashMap<>();

  Scope(Scope parent) {
    this.parent = parent;
  }

  Binding lookup(String name) {
    Binding b = names.get(name);
    return b != null || parent == null ? b : parent.lookup(name);
  }

  /** Binds a name here; returns the span of an earlier declaration of the same name in this scope, or null. */
  Span bind(String name, Binding binding, Span at) {
    Span earlier = declaredAt.get(name);
    if (earlier != null) {
      return earlier;
    }
    names.put(name, binding);
    declaredAt.put(name, at);
    return null;
  }

  /** Where a name was declared in this scope (not its parents), or null. */
  Span declaredHere(String name) {
    return declaredAt.get(name);
  }

  Map<String, Binding> local() {
    return names;
  }
}
