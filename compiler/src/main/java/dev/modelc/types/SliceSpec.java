package dev.modelc.types;

import java.util.List;

/**
 * A slice with every bound resolved: along dim d it keeps the elements {@code start[d] + i * step[d]} for
 * {@code i < shape[d]}, starts non-negative and steps positive, all inside the operand. A dim the slice keeps whole
 * (start 0, step 1, the operand's size) may be symbolic. The checker resolves PyTorch's indexing syntax into one;
 * the lowering turns it into the IR's slice op.
 */
public record SliceSpec(List<Integer> start, List<Integer> step, Shape shape) {
  public SliceSpec {
    start = List.copyOf(start);
    step = List.copyOf(step);
  }
}
