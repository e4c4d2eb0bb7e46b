package dev.modelc.sched;

import dev.modelc.ir.Attr;
import dev.modelc.ir.Dims;
import dev.modelc.ir.Node;
import dev.modelc.types.Dim;
import java.util.ArrayList;
import java.util.List;

/**
 * A permute with its operand's dims merged: the runtime's rank-4 permute loop takes four merged dims, its any-rank
 * loop ({@code Movement.strided}) the dims that remain when more do. The code generator asks this class which loop a
 * permute takes and what it passes.
 *
 * <ol>
 *   <li>Dims of size 1 drop out (they move nothing).
 *   <li>Operand dims that stay next to each other, in order, in the output merge into one (a rank-5 swap of the last
 *       two dims is a rank-3 one).
 *   <li>When four or fewer remain, size-1 dims pad the list to four in front, mapped to themselves.
 * </ol>
 *
 * @param dims the operand's merged dims, outermost first: four, or more when the permute does not fit four
 * @param perm the output's dim i is the operand's merged dim {@code perm.get(i)}
 */
public record PermuteRuns(List<Dim> dims, List<Integer> perm) {

  /** Node n's permute with its dims merged, padded to four when fewer remain. */
  public static PermuteRuns of(Node n) {
    List<Dim> in = Dims.dims(n.in(0).shape());
    List<Integer> kept = new ArrayList<>(); // the output's axes as operand axes, size-1 dims left out
    for (int axis : ((Attr.Perm) n.attr).perm()) {
      if (!Dims.isOne(in.get(axis))) kept.add(axis);
    }
    List<int[]> groups = new ArrayList<>(); // runs of operand axes [first, last], in output order
    for (int axis : kept) {
      int[] last = groups.isEmpty() ? null : groups.get(groups.size() - 1);
      if (last != null && nextKept(in, last[1]) == axis) last[1] = axis;
      else groups.add(new int[] {axis, axis});
    }
    List<int[]> byOperand = new ArrayList<>(groups);
    byOperand.sort((a, b) -> Integer.compare(a[0], b[0]));
    int pad = Math.max(0, 4 - groups.size());
    List<Dim> dims = new ArrayList<>();
    List<Integer> perm = new ArrayList<>();
    for (int i = 0; i < pad; i++) {
      dims.add(Dim.of(1));
      perm.add(i);
    }
    for (int[] g : byOperand) {
      Dim d = Dim.of(1);
      for (int axis = g[0]; axis <= g[1]; axis++) d = d.times(in.get(axis));
      dims.add(d);
    }
    for (int[] g : groups) perm.add(pad + byOperand.indexOf(g));
    return new PermuteRuns(List.copyOf(dims), List.copyOf(perm));
  }

  /** Whether the merged dims are four (padding included): the rank-4 loop's form. */
  public boolean fitsFour() {
    return dims.size() == 4;
  }

  /** The first operand axis after {@code axis} whose size is not 1, or -1. */
  private static int nextKept(List<Dim> in, int axis) {
    for (int a = axis + 1; a < in.size(); a++) {
      if (!Dims.isOne(in.get(a))) return a;
    }
    return -1;
  }
}
