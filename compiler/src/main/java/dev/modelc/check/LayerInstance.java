package dev.modelc.check;

import dev.modelc.ast.LayerDef;

/**
 * One instance of a layer in a model ({@code fc1 = Linear(864, 120)}): its dotted name prefix, its definition and a
 * scope holding its sizes, parameters (as references to the model's dotted parameters) and nested instances.
 */
final class LayerInstance {
  final String prefix;
  final LayerDef def;
  final Scope scope;
  /** Where the instance is declared ({@code fc1 = Linear(864, 120)}), and that text, for notes on errors. */
  final dev.modelc.diag.Span declared;
  final String declaration;
  int calls;

  LayerInstance(String prefix, LayerDef def, Scope scope, dev.modelc.diag.Span declared, String declaration) {
    this.prefix = prefix;
    this.def = def;
    this.scope = scope;
    this.declared = declared;
    this.declaration = declaration;
  }
}
