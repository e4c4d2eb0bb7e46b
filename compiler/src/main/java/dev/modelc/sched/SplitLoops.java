package dev.modelc.sched;

import dev.modelc.ir.Dims;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.runtime.kernels.Parallel;
import dev.modelc.types.Dim;
import java.util.List;

/**
 * Which fused elementwise loops a model on several threads ({@code Model.setThreads}) runs in ranges over its worker
 * team ({@code Parallel.forRange}), and over which index. A loop may split when
 * <ol>
 *   <li>it is emitted as a loop: a LOOP step, or the loop a KERNEL step runs in place over its kernel's output (an
 *       epilogue), but not one of the runtime calls of {@link LogisticCalls} or {@link MaskCalls} (the mask call
 *       splits itself, {@code Parallel.mulGreater});
 *   <li>it may have enough work to pay for the hand-off: its element count is symbolic (the call's sizes decide, at
 *       run time) or a constant that, times the loop's {@link #cost}, is at least {@link Parallel#MIN_LOOP};
 *   <li>for a loop nest (one reading a broadcast that is not a single element), its outer run is not the constant 1:
 *       a nest splits over its outer index, so that each range covers whole inner runs.
 * </ol>
 * Every element of an elementwise loop is computed by the same code whichever range it falls in, so a split loop
 * computes exactly what the loop on one thread does. Sums (REDUCE steps) are not split: their double accumulator
 * adds the elements in one sequence, and per-range partial sums would round differently.
 */
public final class SplitLoops {

  private SplitLoops() {}

  /** Whether step s's elementwise loop may run split over the team. */
  public static boolean splits(Schedule schedule, Step s) {
    boolean loop = s.kind() == Step.Kind.LOOP || s.hasEpilogueLoop();
    if (!loop || LogisticCalls.of(schedule, s) != LogisticCalls.Call.NONE || MaskCalls.of(schedule, s) != null) {
      return false;
    }
    List<Dim> rows = rows(schedule, s);
    Dim count = Dims.count(s.node().shape());
    boolean longEnough = !count.isConstant() || count.coefficient() * cost(s) >= Parallel.MIN_LOOP;
    return longEnough && !Dims.isOne(rows.get(0));
  }

  /**
   * The work of one element, for {@code Parallel.forRange}'s threshold: {@link Parallel#CALL_COST} when the chain
   * calls a function per element (the ops the loop emitter computes with a call into {@code Math}, {@code FloatMath}
   * or {@code Functions} that C2 does not vectorize: exp, log, tanh, a comparison, ...), else 1 (arithmetic, abs,
   * max and min, which C2 vectorizes; a square is a multiplication).
   */
  public static int cost(Step s) {
    for (Node f : s.fused()) {
      boolean plain = switch (f.op) {
        case NEG, ADD, MUL, DIV, STOP_GRADIENT, TO_FLOAT, ABS, SIGN, MAXIMUM, MINIMUM, RELU -> true;
        case POW -> f.in(1).isConstant(2);
        default -> false;
      };
      if (!plain) return Parallel.CALL_COST;
    }
    return 1;
  }

  /**
   * The loop's index range and what one index covers: {@code [count, 1]} for a flat loop, {@code [outer, inner]}
   * for a nest (the outer and inner runs of its first broadcast, as the loop emitter nests them).
   */
  public static List<Dim> rows(Schedule schedule, Step s) {
    Node broadcast = nestBroadcast(schedule, s);
    return broadcast == null ? List.of(Dims.count(s.node().shape()), Dim.of(1)) : Runs.loopSplit(broadcast);
  }

  /** The first broadcast the loop reads element by element (not a single value), or null for a flat loop. */
  public static Node nestBroadcast(Schedule schedule, Step s) {
    for (Node f : s.fused()) {
      for (Node x : f.inputs) {
        if (!s.fused().contains(x) && schedule.form(x) == Form.INLINE && x.op == Op.BROADCAST_TO
            && !Schedule.isScalarBroadcast(x)) {
          return x;
        }
      }
    }
    return null;
  }
}
