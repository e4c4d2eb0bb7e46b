package dev.modelc.ir;

/** Which graph a node belongs to: the forward computation or the adjoint built by differentiation. */
public enum Phase {
  FORWARD,
  ADJOINT
}
