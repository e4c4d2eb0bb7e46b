package dev.modelc.sched;

import dev.modelc.ir.Dims;
import dev.modelc.ir.Graph;
import dev.modelc.ir.Node;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The buffer plan: which working array holds each materialized value. The last part of {@link Scheduler}'s work,
 * once the steps and their order are known.
 *
 * <ol>
 *   <li>Liveness: positions run through forward then backward; a value lives from its step to its last reader.
 *       Outputs, the objective and forward values the backward pass reads live to the end (a backward with
 *       {@code retainGraph} may run again).
 *   <li>Buffers: in order of definition, each value takes the first buffer (by index) of its dtype and length whose
 *       last value died strictly before, or a new one. The buffers of each dtype and length wait in a queue by the
 *       position at which they free up, and the free ones in a queue by index, so the choice does not scan them all.
 * </ol>
 */
final class BufferPlanner {
  private BufferPlanner() {}

  /**
   * The buffers of the steps in {@code forward} then {@code backward} order; puts each value's buffer into
   * {@code locations}.
   */
  static List<Schedule.Buffer> plan(Graph graph, FusionPlan fusion, List<Step> steps, List<Integer> forward,
                                    List<Integer> backward, Set<Node> forwardSet, Map<Node, Location> locations) {
    List<Integer> order = new ArrayList<>(forward);
    order.addAll(backward);
    int end = order.size();
    Map<Node, Integer> def = new IdentityHashMap<>();
    Map<Node, Integer> last = new IdentityHashMap<>();
    for (int pos = 0; pos < order.size(); pos++) {
      Step s = steps.get(order.get(pos));
      if (s.kind() != Step.Kind.ACCUMULATE && s.kind() != Step.Kind.COPY && !s.accumulate()) def.put(s.node(), pos);
      for (Node r : fusion.reads(s)) {
        last.merge(r, pos, Math::max);
        if (pos >= forward.size() && forwardSet.contains(r)) last.put(r, end);
      }
    }
    for (Graph.Result r : graph.results()) {
      if (r.kind() != Graph.Kind.GRADIENT) last.put(fusion.root(r.node()), end);
    }
    List<Schedule.Buffer> buffers = new ArrayList<>();
    Map<Kind, Pool> pools = new HashMap<>();
    for (int pos = 0; pos < order.size(); pos++) {
      Node n = steps.get(order.get(pos)).node();
      if (!def.containsKey(n) || def.get(n) != pos) continue;
      int dies = last.getOrDefault(n, pos);
      Kind kind = new Kind(n.dtype(), Dims.count(n.shape()));
      Pool pool = pools.computeIfAbsent(kind, k -> new Pool());
      Integer chosen = pool.take(pos);
      if (chosen == null) {
        chosen = buffers.size();
        buffers.add(new Schedule.Buffer(chosen, kind.dtype(), kind.length(), new ArrayList<>()));
      }
      buffers.get(chosen).values().add(n);
      pool.busy.add(new int[] {dies, chosen});
      locations.put(n, new Location(Location.Kind.BUFFER, chosen));
    }
    return buffers.stream().map(b -> new Schedule.Buffer(b.index(), b.dtype(), b.length(), List.copyOf(b.values())))
        .toList();
  }

  /** What makes buffers interchangeable: element type and length. */
  private record Kind(DType dtype, Dim length) {}

  /**
   * The buffers of one kind: those free (their last value died before the current position) by index, and those
   * busy by the position after which they free up. Positions only grow, so a buffer freed stays free until taken.
   */
  private static final class Pool {
    final PriorityQueue<Integer> free = new PriorityQueue<>();
    final PriorityQueue<int[]> busy = new PriorityQueue<>(Comparator.comparingInt((int[] b) -> b[0]));

    /** The free buffer of lowest index at {@code pos}, taken, or null. */
    Integer take(int pos) {
      while (!busy.isEmpty() && busy.peek()[0] < pos) free.add(busy.poll()[1]);
      return free.poll();
    }
  }
}
