package dev.modelc.sched;

import dev.modelc.ir.Dims;
import dev.modelc.ir.Graph;
import dev.modelc.ir.Node;
import dev.modelc.types.Dim;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The buffer plan: which working array holds each materialized value. The last part of {@link Scheduler}'s work,
 * once the steps and their order are known.
 *
 * <ol>
 *   <li>Liveness: positions run through forward then backward; a value lives from its step to its last reader.
 *       Outputs, the objective and forward values the backward pass reads live to the end (a backward with
 *       {@code retainGraph} may run again).
 *   <li>Buffers: in order of definition, each value takes a free buffer of its dtype and length whose last value
 *       died strictly before, or a new one.
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
    List<Integer> freeAfter = new ArrayList<>();
    for (int pos = 0; pos < order.size(); pos++) {
      Node n = steps.get(order.get(pos)).node();
      if (!def.containsKey(n) || def.get(n) != pos) continue;
      int dies = last.getOrDefault(n, pos);
      Dim length = Dims.count(n.shape());
      int chosen = -1;
      for (int b = 0; b < buffers.size() && chosen < 0; b++) {
        Schedule.Buffer buf = buffers.get(b);
        if (buf.dtype() == n.dtype() && buf.length().equals(length) && freeAfter.get(b) < pos) chosen = b;
      }
      if (chosen < 0) {
        buffers.add(new Schedule.Buffer(buffers.size(), n.dtype(), length, new ArrayList<>()));
        freeAfter.add(-1);
        chosen = buffers.size() - 1;
      }
      buffers.get(chosen).values().add(n);
      freeAfter.set(chosen, dies);
      locations.put(n, new Location(Location.Kind.BUFFER, chosen));
    }
    return buffers.stream().map(b -> new Schedule.Buffer(b.index(), b.dtype(), b.length(), List.copyOf(b.values())))
        .toList();
  }
}
