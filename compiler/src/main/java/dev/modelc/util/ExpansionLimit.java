package dev.modelc.util;

/**
 * The most nodes one model may expand to. A model's source is small, but inlining layers and building gradients can
 * multiply it: a layer holding two instances of the layer below, k levels deep, expands to 2^k copies, and each
 * nested {@code grad(...)} about triples the graph. Both the checker (while it expands layers) and the IR builder
 * (while lowering and differentiation add nodes) count against this limit and stop as soon as it is passed, so such a
 * model fails within a second or two with a located error instead of running for minutes out of memory.
 *
 * <p>The samples stay under 400 nodes, the largest test models (65,600 params, a 20,000-term sum) under 70,000.
 * A model with many parameters or steps passes the class-file limit on constants well below this limit, which
 * {@code codegen.ClassLimits} reports before optimizing or emitting; one whose elementwise chains fuse into few
 * steps still fits near it (a 120,000-term sum compiles to a 7 MB class in about 10 s), so this limit stays.
 */
public final class ExpansionLimit {
  public static final int MAX_NODES = 250_000;

  private ExpansionLimit() {}

  /** The error for a model past the limit. */
  public static String message() {
    return "the model expands to more than " + String.format(java.util.Locale.ROOT, "%,d", MAX_NODES)
        + " nodes once its layers are inlined and its gradients built; nested grad(...) calls and layers holding several instances of other "
        + "layers multiply its size (use fewer levels)";
  }
}
