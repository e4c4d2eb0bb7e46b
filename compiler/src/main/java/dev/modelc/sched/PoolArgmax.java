package dev.modelc.sched;

import dev.modelc.ir.Dims;
import dev.modelc.ir.Graph;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.types.DType;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pairs each max pooling's gradient ops with the pooling that can record their argmax, as PyTorch does: the
 * forward's {@code maxpool2d} writes each window's first maximum (a position in x) into an int buffer, and
 * {@code maxpool2d_backward(g, x)} and {@code maxpool2d_gather(t, x)} read it instead of searching every window of x
 * again, so they no longer read x at all.
 *
 * <ol>
 *   <li>Readers: every {@code maxpool2d_backward} and {@code maxpool2d_gather} that a training step computes and
 *       inference does not (inference computes no argmax, so that {@code predict} never pays for one).
 *   <li>Source: among the {@code maxpool2d} nodes over the reader's x with the same window, the first that the
 *       forward pass computes before the reader: any, when the reader is in the backward pass; one earlier in graph
 *       order (steps run in graph order), when both are in the forward pass (a gradient inside the model).
 *   <li>A reader without such a pooling keeps searching x (for instance when a gradient is all that is left of a
 *       pooling after dead-code elimination).
 *   <li>Buffers: once the working buffers are planned, each recording pooling gets an int buffer of its own, as long
 *       as its output (it lives from the forward pass to the end of the backward pass).
 * </ol>
 */
final class PoolArgmax {
  private PoolArgmax() {
  }

  /** Each reader to the pooling whose recorded argmax it reads. */
  static Map<Node, Node> pair(Graph graph, FusionPlan fusion, Set<Node> forwardSet, Set<Node> backwardSet,
                              Set<Node> predictSet) {
    Map<Node, Integer> position = new IdentityHashMap<>();
    for (Node n : graph.nodes()) position.put(n, position.size());
    Map<Node, Node> source = new IdentityHashMap<>();
    for (Node b : graph.nodes()) {
      if (b.op != Op.MAXPOOL2D_BACKWARD && b.op != Op.MAXPOOL2D_GATHER) continue;
      if (predictSet.contains(b) || !(forwardSet.contains(b) || backwardSet.contains(b))) continue;
      for (Node p : fusion.consumers(b.in(1))) {
        if (p.op != Op.MAXPOOL2D || !p.attr.equals(b.attr) || !forwardSet.contains(p)) continue;
        if (backwardSet.contains(b) || position.get(p) < position.get(b)) {
          source.put(b, p);
          break;
        }
      }
    }
    return source;
  }

  /**
   * Appends one int buffer per recording pooling to {@code buffers}; answers its location by the pooling and by
   * each reader.
   */
  static Map<Node, Location> buffers(Graph graph, Map<Node, Node> source, List<Schedule.Buffer> buffers) {
    Map<Node, Location> at = new IdentityHashMap<>();
    for (Node reader : graph.nodes()) {
      Node pool = source.get(reader);
      if (pool == null) continue;
      if (!at.containsKey(pool)) {
        at.put(pool, new Location(Location.Kind.BUFFER, buffers.size()));
        buffers.add(new Schedule.Buffer(buffers.size(), DType.I32, Dims.count(pool.shape()), List.of(pool)));
      }
      at.put(reader, at.get(pool));
    }
    return at;
  }
}
