package dev.modelc.sched;

import dev.modelc.ir.Attr;
import dev.modelc.ir.Dims;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.types.Dim;
import java.util.ArrayList;
import java.util.List;

/**
 * A broadcast, permute or slice as the runtime's any-rank movement loop takes it ({@code Movement.strided}, and
 * {@code Movement.placeStrided} for a slice's transpose): the output's position {@code (i_0, ..., i_r-1)} reads the
 * operand at {@code offset + sum_d i_d stride_d}. The code generator uses it where the rank-4 loops do not fit: a
 * broadcast of more than four {@link Runs}, a permute of more than four merged dims ({@link PermuteRuns}), a slice of
 * rank above 4.
 *
 * <ol>
 *   <li>Each output dim gets its size and its stride in the operand: 0 where a broadcast repeats, the operand dim's
 *       stride where a permute moves it, the step times that stride where a slice steps along it; a slice's starts
 *       times the strides add up to the offset.
 *   <li>Dims of size 1 drop out (their index is always 0).
 *   <li>A dim whose stride is the next one's stride times its size merges with it (they walk the operand as one).
 * </ol>
 *
 * @param offset the terms whose sum is the operand position of the output's first element
 * @param sizes the output's dims as walked, outermost first
 * @param strides each dim's stride in the operand
 */
public record StridedWalk(List<Dim> offset, List<Dim> sizes, List<Dim> strides) {

  /** A broadcast's walk over its runs: a repeated run has stride 0, a copied one the copied elements after it. */
  public static StridedWalk ofBroadcast(Runs runs) {
    List<Dim> strides = new ArrayList<>();
    for (int k = 0; k < runs.dims().size(); k++) {
      Dim stride = Dim.of(1);
      for (int j = k + 1; j < runs.dims().size(); j++) {
        if (!runs.flagged(j)) stride = stride.times(runs.dim(j));
      }
      strides.add(runs.flagged(k) ? Dim.of(0) : stride);
    }
    return merged(List.of(), runs.dims(), strides);
  }

  /** A permute's walk: output dim i is the operand's merged dim {@code perm.get(i)}, at that dim's stride. */
  public static StridedWalk ofPermute(PermuteRuns runs) {
    List<Dim> sizes = new ArrayList<>();
    List<Dim> strides = new ArrayList<>();
    for (int axis : runs.perm()) {
      sizes.add(runs.dims().get(axis));
      strides.add(product(runs.dims().subList(axis + 1, runs.dims().size())));
    }
    return merged(List.of(), sizes, strides);
  }

  /**
   * A slice's walk over the sliced tensor (the operand of a slice, the result of a slice_backward, which places the
   * slice there): dim d of the slice starts at {@code start_d} and steps by {@code step_d}.
   */
  public static StridedWalk ofSlice(Node n) {
    boolean forward = n.op == Op.SLICE;
    Attr.Slice s = forward ? (Attr.Slice) n.attr : ((Attr.SliceTo) n.attr).slice();
    List<Dim> whole = Dims.dims(forward ? n.in(0).shape() : n.shape());
    List<Dim> offset = new ArrayList<>();
    List<Dim> strides = new ArrayList<>();
    for (int d = 0; d < whole.size(); d++) {
      Dim stride = product(whole.subList(d + 1, whole.size()));
      if (s.start().get(d) != 0) offset.add(Dim.of(s.start().get(d)).times(stride));
      strides.add(Dim.of(s.step().get(d)).times(stride));
    }
    return merged(offset, Dims.dims(s.shape()), strides);
  }

  /** The walk with its dims of size 1 dropped and the dims that walk the operand as one merged. */
  private static StridedWalk merged(List<Dim> offset, List<Dim> sizes, List<Dim> strides) {
    List<Dim> mergedSizes = new ArrayList<>();
    List<Dim> mergedStrides = new ArrayList<>();
    for (int d = 0; d < sizes.size(); d++) {
      if (Dims.isOne(sizes.get(d))) continue;
      int last = mergedSizes.size() - 1;
      if (last >= 0 && mergedStrides.get(last).equals(strides.get(d).times(sizes.get(d)))) {
        mergedSizes.set(last, mergedSizes.get(last).times(sizes.get(d)));
        mergedStrides.set(last, strides.get(d));
      } else {
        mergedSizes.add(sizes.get(d));
        mergedStrides.add(strides.get(d));
      }
    }
    return new StridedWalk(List.copyOf(offset), List.copyOf(mergedSizes), List.copyOf(mergedStrides));
  }

  private static Dim product(List<Dim> dims) {
    Dim p = Dim.of(1);
    for (Dim d : dims) p = p.times(d);
    return p;
  }
}
