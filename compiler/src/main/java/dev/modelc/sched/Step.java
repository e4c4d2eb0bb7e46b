package dev.modelc.sched;

import dev.modelc.ir.Node;
import java.util.List;

/**
 * One unit of generated work, emitted as one method.
 *
 * @param index position in {@link Schedule#steps()}
 * @param kind LOOP (a fused elementwise loop computing {@code node} with {@code fused} inlined), KERNEL (one
 *     non-elementwise op through a runtime kernel), REDUCE (a sum whose operand, the elementwise chain
 *     {@code fused}, is computed inside the sum's loop nest), ACCUMULATE (adds {@code node}'s value into a
 *     gradient) or COPY (copies {@code node}'s value, a buffer update, into the buffer at the end of forward)
 * @param node the value written
 * @param fused the nodes computed inside the loop, in graph order (LOOP only)
 * @param accumulate whether the step adds into its target (a parameter's gradient) instead of overwriting it
 * @param target where the value is written
 * @param kernel for a KERNEL step with an epilogue, the matrix product or convolution computed first into the
 *     target; {@code node} is then the last epilogue node, computed in place by a loop over {@code fused}
 *     (null otherwise: the kernel is {@code node} itself)
 * @param bias the bias vector added to the kernel's output before the loop (a per-column bias of a product, a
 *     per-channel bias of a convolution), or null
 */
public record Step(int index, Kind kind, Node node, List<Node> fused, boolean accumulate, Location target,
                   Node kernel, Node bias) {
  public enum Kind {
    LOOP, KERNEL, REDUCE, ACCUMULATE, COPY
  }

  public Step {
    fused = List.copyOf(fused);
  }

  public Step(int index, Kind kind, Node node, List<Node> fused, boolean accumulate, Location target) {
    this(index, kind, node, fused, accumulate, target, null, null);
  }

  /** The node a KERNEL step's runtime call computes: the kernel of an epilogue, else the step's node. */
  public Node computed() {
    return kernel != null ? kernel : node;
  }

  /** Whether an elementwise loop runs in place on the kernel's output after the call. */
  public boolean hasEpilogueLoop() {
    return kernel != null && !fused.isEmpty();
  }
}
