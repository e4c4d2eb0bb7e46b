package dev.modelc.sched;

/** How a node's value exists at run time. */
public enum Form {
  /** An input or parameter array, bound by name. */
  SOURCE,
  /** Computed inside its consumer's loop: a single-use elementwise node, a constant, a size, a scalar broadcast. */
  INLINE,
  /** Written by a step of its own into a buffer (or straight into a gradient array). */
  MATERIALIZED,
  /** A reshape: the same elements as its operand, in the operand's storage. */
  ALIAS,
  /**
   * Computed by the step of a later node, in that node's storage: a matrix product or convolution, and its bias
   * add, whose only consumer is the elementwise chain that step finishes in place (a fused epilogue).
   */
  EPILOGUE,
  /** A permute swapping the last two dims whose only consumers are matrix products: a transposition flag. */
  VIEW
}
