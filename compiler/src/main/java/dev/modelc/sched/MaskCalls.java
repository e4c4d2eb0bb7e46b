package dev.modelc.sched;

import dev.modelc.ir.Dims;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;

/**
 * Loops of the schedule that run as one call to the runtime's gradient-mask kernel
 * ({@code dev.modelc.runtime.kernels.Masks.mulGreater(a, x, c, out, n)}: {@code out = a * (x > c)}) instead of an
 * emitted loop. The chain is the backward of {@code relu} (and of a {@code maximum} or mask against a constant):
 * exactly {@code greater(x, c)} and {@code mul} of it with {@code a}, c an inlined constant, x and a whole arrays of
 * the step's size (a may be the kernel's output, in place, for the epilogue of a product or a pooling's backward),
 * written, not added, to the step's target. The emitted loop compares and branches per element, which C2 does not
 * vectorize; the runtime's Vector API form does, with the same result to the bit.
 */
public final class MaskCalls {

  /** The operands of a step that becomes a mask call. */
  public record Call(Node a, Node x, double c) {}

  private MaskCalls() {}

  /** The call a step becomes, or null. */
  public static Call of(Schedule schedule, Step s) {
    boolean loop = s.kind() == Step.Kind.LOOP || s.kind() == Step.Kind.KERNEL && s.hasEpilogueLoop();
    Node mul = s.node();
    if (!loop || s.accumulate() || !mul.dtype().isFloat() || mul.op != Op.MUL || s.fused().size() != 2) return null;
    Node greater = s.fused().get(0);
    if (s.fused().get(1) != mul || greater.op != Op.GREATER) return null;
    Node a = mul.in(0) == greater ? mul.in(1) : mul.in(1) == greater ? mul.in(0) : null;
    Node x = greater.in(0);
    Node c = greater.in(1);
    if (a == null || a == greater || c.op != Op.CONSTANT || schedule.form(c) != Form.INLINE) return null;
    boolean aInPlace = s.kernel() != null && a == s.kernel();
    if (!(aInPlace || schedule.wholeArray(a, mul)) || !schedule.wholeArray(x, mul)) return null;
    return new Call(a, x, c.constantValue());
  }
}
