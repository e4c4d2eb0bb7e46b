package dev.modelc.sched;

import dev.modelc.ir.Node;
import java.util.List;

/**
 * One unit of generated work, emitted as one method.
 *
 * @param index position in {@link Schedule#steps()}
 * @param kind LOOP (a fused elementwise loop computing {@code node} with {@code fused} inlined), KERNEL (one
 *     non-elementwise op through a runtime kernel) or ACCUMULATE (adds {@code node}'s value into a gradient)
 * @param node the value written
 * @param fused the nodes computed inside the loop, in graph order (LOOP only)
 * @param accumulate whether the step adds into its target (a parameter's gradient) instead of overwriting it
 * @param target where the value is written
 */
public record Step(int index, Kind kind, Node node, List<Node> fused, boolean accumulate, Location target) {
  public enum Kind {
    LOOP, KERNEL, ACCUMULATE
  }

  public Step {
    fused = List.copyOf(fused);
  }
}
