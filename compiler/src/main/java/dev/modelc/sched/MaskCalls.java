package dev.modelc.sched;

import dev.modelc.ir.Node;
import dev.modelc.ir.Op;

/**
 * Loops of the schedule that run as one call to a runtime gradient-mask kernel ({@code dev.modelc.runtime.kernels
 * .Masks}) instead of an emitted loop. Two chains qualify, each exactly a comparison against an inlined constant
 * {@code c} and the one op reading it, with x and a whole arrays of the step's size (a may be the kernel's output,
 * in place, for the epilogue of a product or a pooling's backward), written, not added, to the step's target:
 * <ol>
 *   <li>{@code select(equal(x, c), 0, a)}: the backward of {@code relu} (its rule in {@code VjpRules}), as
 *       {@code Masks.zeroWhereEqual(a, x, c, out, n)}, {@code out = x == c ? 0 : a};</li>
 *   <li>{@code mul(a, greater(x, c))}: a mask a model multiplies by itself, as
 *       {@code Masks.mulGreater(a, x, c, out, n)}, {@code out = a * (x > c)}.</li>
 * </ol>
 * The emitted loop compares and branches per element, which C2 does not vectorize; the runtime's Vector API form
 * does, with the same result to the bit.
 */
public final class MaskCalls {

  /** The runtime kernel a step becomes, by its method name in {@code Masks} and {@code Parallel}. */
  public enum Kernel {
    ZERO_WHERE_EQUAL("zeroWhereEqual"),
    MUL_GREATER("mulGreater");

    public final String method;

    Kernel(String method) {
      this.method = method;
    }
  }

  /** The operands of a step that becomes a mask call. */
  public record Call(Kernel kernel, Node a, Node x, double c) {}

  private MaskCalls() {}

  /** The call a step becomes, or null. */
  public static Call of(Schedule schedule, Step s) {
    boolean loop = s.kind() == Step.Kind.LOOP || s.kind() == Step.Kind.KERNEL && s.hasEpilogueLoop();
    Node last = s.node();
    if (!loop || s.accumulate() || !last.dtype().isFloat() || s.fused().size() != 2 || s.fused().get(1) != last) {
      return null;
    }
    Node compare = s.fused().get(0);
    Call call = last.op == Op.SELECT ? zeroWhereEqual(schedule, last, compare)
        : last.op == Op.MUL ? mulGreater(schedule, last, compare) : null;
    if (call == null || !constant(schedule, compare.in(1))) return null;
    boolean aInPlace = s.kernel() != null && call.a() == s.kernel();
    if (!(aInPlace || schedule.wholeArray(call.a(), last)) || !schedule.wholeArray(call.x(), last)) return null;
    return call;
  }

  /** {@code select(equal(x, c), 0, a)}, the constant 0 positive (the kernel writes +0). */
  private static Call zeroWhereEqual(Schedule schedule, Node select, Node equal) {
    Node zero = select.in(1);
    Node a = select.in(2);
    if (equal.op != Op.EQUAL || select.in(0) != equal || a == equal || !constant(schedule, zero)
        || Double.doubleToRawLongBits(zero.constantValue()) != 0) {
      return null;
    }
    return new Call(Kernel.ZERO_WHERE_EQUAL, a, equal.in(0), equal.in(1).constantValue());
  }

  /** {@code mul(a, greater(x, c))} or {@code mul(greater(x, c), a)}. */
  private static Call mulGreater(Schedule schedule, Node mul, Node greater) {
    if (greater.op != Op.GREATER) return null;
    Node a = mul.in(0) == greater ? mul.in(1) : mul.in(1) == greater ? mul.in(0) : null;
    if (a == null || a == greater) return null;
    return new Call(Kernel.MUL_GREATER, a, greater.in(0), greater.in(1).constantValue());
  }

  private static boolean constant(Schedule schedule, Node c) {
    return c.op == Op.CONSTANT && schedule.form(c) == Form.INLINE;
  }
}
