package dev.modelc.util;

/**
 * The most nodes one model may expand to. A model's source is small, but inlining layers and building gradients can
 * multiply it: a layer holding two instances of the layer below, k levels deep, expands to 2^k copies, and each
 * nested {@code grad(...)} about triples the graph. Both the checker (while it expands layers) and the IR builder
 * (while lowering and differentiation add nodes) count against this limit and stop as soon as it is passed, so such a
 * model fails within a second or two with a located error instead of running for minutes out of memory.
 *
 * <p>The samples stay under 400 nodes, the largest test models (65,600 params, a 20,000-term sum) under 70,000.
 * Models of about 100,000 nodes already tend to pass the class-file limits (code per method, constants per class),
 * and the optimizer's and scheduler's time grows faster than the graph, so a larger limit would mostly delay that
 * error by minutes.
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
