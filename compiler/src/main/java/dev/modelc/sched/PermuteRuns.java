package dev.modelc.sched;

import dev.modelc.ir.Attr;
import dev.modelc.ir.Dims;
import dev.modelc.ir.Node;
import dev.modelc.types.Dim;
import java.util.ArrayList;
import java.util.List;

/**
 * A permute as the runtime's rank-4 permute loop takes it: the operand's dims merged into at most four, and the
 * permutation of the merged dims. Both the scheduler (is the permute supported?) and the code generator (what does
 * it pass?) ask this class, so they cannot disagree.
 *
 * <ol>
 *   <li>Dims of size 1 drop out (they move nothing).
 *   <li>Operand dims that stay next to each other, in order, in the output merge into one (a rank-5 swap of the last
 *       two dims is a rank-3 one).
 *   <li>Size-1 dims pad the list to four in front, mapped to themselves.
 * </ol>
 *
 * @param dims the operand's four merged dims, outermost first
 * @param perm the output's dim i is the operand's merged dim {@code perm.get(i)}
 */
public record PermuteRuns(List<Dim> dims, List<Integer> perm) {

  /** Node n's permute merged into four dims, or null when more than four remain. */
  public static PermuteRuns ofOrNull(Node n) {
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
    if (groups.size() > 4) return null;
    List<int[]> byOperand = new ArrayList<>(groups);
    byOperand.sort((a, b) -> Integer.compare(a[0], b[0]));
    int pad = 4 - groups.size();
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

  /** The first operand axis after {@code axis} whose size is not 1, or -1. */
  private static int nextKept(List<Dim> in, int axis) {
    for (int a = axis + 1; a < in.size(); a++) {
      if (!Dims.isOne(in.get(a))) return a;
    }
    return -1;
  }
}
