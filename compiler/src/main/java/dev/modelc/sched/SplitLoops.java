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
 *       epilogue), but not one of the runtime calls of {@link LogisticCalls};
 *   <li>it may be long enough to pay for the hand-off: its element count is symbolic (the call's sizes decide, at run
 *       time, against {@link Parallel#MIN_LOOP}) or a constant of at least {@link Parallel#MIN_LOOP};
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
    if (!loop || LogisticCalls.of(schedule, s) != LogisticCalls.Call.NONE) return false;
    List<Dim> rows = rows(schedule, s);
    Dim count = Dims.count(s.node().shape());
    boolean longEnough = !count.isConstant() || count.coefficient() >= Parallel.MIN_LOOP;
    return longEnough && !Dims.isOne(rows.get(0));
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
