package dev.modelc.sched;

import dev.modelc.ir.Attr;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import java.util.List;

/**
 * Loops of the schedule that run as one call to a runtime gradient-mask kernel ({@code dev.modelc.runtime.kernels
 * .Masks}) instead of an emitted loop. These chains qualify, each a comparison against an inlined constant {@code c}
 * and the ops reading it (or a lone {@code leaky_relu}), with x and a whole arrays of the step's size (a may be the
 * kernel's output, in place, for the epilogue of a product or a pooling's backward), written, not added, to the
 * step's target:
 * <ol>
 *   <li>{@code select(equal(x, c), 0, a)}: the backward of {@code relu} (its rule in {@code VjpRules}), as
 *       {@code Masks.zeroWhereEqual(a, x, c, out, n)}, {@code out = x == c ? 0 : a};</li>
 *   <li>{@code mul(a, greater(x, c))}: a mask a model multiplies by itself, as
 *       {@code Masks.mulGreater(a, x, c, out, n)}, {@code out = a * (x > c)};</li>
 *   <li>{@code select(greater(x, c), a, mul(a, s))} with an inlined constant {@code s}: the backward of
 *       {@code leaky_relu}, as {@code Masks.scaleUnlessGreater(a, x, c, s, out, n)}, {@code out = x > c ? a : a * s};
 *       </li>
 *   <li>{@code leaky_relu(x)} alone: {@code Masks.scaleUnlessGreater(x, x, 0, slope, out, n)}.</li>
 * </ol>
 * The emitted loop compares and branches (or moves conditionally) per element, which C2 does not vectorize; the
 * runtime's Vector API form does, with the same result to the bit.
 */
public final class MaskCalls {

  /** The runtime kernel a step becomes, by its method name in {@code Masks} and {@code Parallel}. */
  public enum Kernel {
    ZERO_WHERE_EQUAL("zeroWhereEqual"),
    MUL_GREATER("mulGreater"),
    SCALE_UNLESS_GREATER("scaleUnlessGreater");

    public final String method;

    Kernel(String method) {
      this.method = method;
    }
  }

  /** The operands of a step that becomes a mask call; {@code s} is the scale of {@code scaleUnlessGreater}. */
  public record Call(Kernel kernel, Node a, Node x, double c, double s) {
    Call(Kernel kernel, Node a, Node x, double c) {
      this(kernel, a, x, c, 0);
    }
  }

  private MaskCalls() {}

  /** The call a step becomes, or null. */
  public static Call of(Schedule schedule, Step s) {
    boolean loop = s.kind() == Step.Kind.LOOP || s.kind() == Step.Kind.KERNEL && s.hasEpilogueLoop();
    Node last = s.node();
    List<Node> fused = s.fused();
    if (!loop || s.accumulate() || !last.dtype().isFloat() || fused.isEmpty() || fused.get(fused.size() - 1) != last) {
      return null;
    }
    Call call = switch (fused.size()) {
      case 1 -> last.op == Op.LEAKY_RELU
          ? new Call(Kernel.SCALE_UNLESS_GREATER, last.in(0), last.in(0), 0, ((Attr.Value) last.attr).value()) : null;
      case 2 -> compareThen(schedule, last, fused.get(0));
      case 3 -> last.op == Op.SELECT ? scaleUnlessGreater(schedule, last, fused) : null;
      default -> null;
    };
    if (call == null) return null;
    boolean aInPlace = schedule.inTarget(s, call.a());
    boolean xInPlace = aInPlace && call.x() == call.a();
    if (!(aInPlace || schedule.wholeArray(call.a(), last)) || !(xInPlace || schedule.wholeArray(call.x(), last))) {
      return null;
    }
    return call;
  }

  /** The two-op chains: a comparison against an inlined constant, then the select or product reading it. */
  private static Call compareThen(Schedule schedule, Node last, Node compare) {
    Call call = last.op == Op.SELECT ? zeroWhereEqual(schedule, last, compare)
        : last.op == Op.MUL ? mulGreater(schedule, last, compare) : null;
    return call == null || !constant(schedule, compare.in(1)) ? null : call;
  }

  /** {@code select(greater(x, c), a, mul(a, s))} or {@code select(greater(x, c), a, mul(s, a))}, c and s inlined. */
  private static Call scaleUnlessGreater(Schedule schedule, Node select, List<Node> fused) {
    Node greater = select.in(0);
    Node a = select.in(1);
    Node mul = select.in(2);
    if (greater.op != Op.GREATER || mul.op != Op.MUL || !fused.contains(greater) || !fused.contains(mul)
        || a == greater || a == mul || !constant(schedule, greater.in(1))) {
      return null;
    }
    Node s = mul.in(0) == a ? mul.in(1) : mul.in(1) == a ? mul.in(0) : null;
    if (s == null || !constant(schedule, s)) return null;
    return new Call(Kernel.SCALE_UNLESS_GREATER, a, greater.in(0), greater.in(1).constantValue(), s.constantValue());
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
