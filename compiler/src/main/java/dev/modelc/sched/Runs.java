package dev.modelc.sched;

import dev.modelc.ir.Dims;
import dev.modelc.ir.IrException;
import dev.modelc.ir.Node;
import dev.modelc.types.Dim;
import java.util.ArrayList;
import java.util.List;

/**
 * A shape as at most four alternating runs of dims: adjacent dims with the same flag (reduced or kept, repeated or
 * copied) merge into one run, dims of size 1 drop out, and size-1 runs pad the list to four. The runtime's
 * reduction and broadcast loops take this form, and so do the reductions the code generator writes inline.
 *
 * @param dims the four run lengths, outermost first
 * @param firstFlag whether the first run has the flag (is reduced, is repeated)
 */
public record Runs(List<Dim> dims, boolean firstFlag) {

  /** Merges {@code dims} by {@code flags}; fails, naming node n, if more than four runs remain. */
  public static Runs of(Node n, List<Dim> dims, List<Boolean> flags) {
    List<Dim> merged = new ArrayList<>();
    List<Boolean> mergedFlags = new ArrayList<>();
    for (int i = 0; i < dims.size(); i++) {
      if (Dims.isOne(dims.get(i))) continue;
      int last = merged.size() - 1;
      if (last >= 0 && mergedFlags.get(last) == flags.get(i)) {
        merged.set(last, merged.get(last).times(dims.get(i)));
      } else {
        merged.add(dims.get(i));
        mergedFlags.add(flags.get(i));
      }
    }
    if (merged.size() > 4) {
      throw new IrException(n.op.mnemonic() + " over " + Dims.text(n.in(0).shape())
          + " needs more than four alternating runs of dims, which the code generator does not support", n.origin);
    }
    boolean first = !mergedFlags.isEmpty() && mergedFlags.get(0);
    while (merged.size() < 4) merged.add(Dim.of(1));
    return new Runs(merged, first);
  }

  /** The runs of a broadcast's output, flagged where repeated (a leading dim the operand lacks is repeated). */
  public static Runs ofBroadcast(Node broadcast) {
    List<Dim> out = Dims.dims(broadcast.shape());
    List<Dim> src = Dims.dims(broadcast.in(0).shape());
    int extra = out.size() - src.size();
    List<Boolean> repeated = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) {
      repeated.add(i < extra || (Dims.isOne(src.get(i - extra)) && !Dims.isOne(out.get(i))));
    }
    return of(broadcast, out, repeated);
  }

  /** {@link #ofBroadcast}, or null when the shape needs more than four runs. */
  public static Runs ofBroadcastOrNull(Node broadcast) {
    try {
      return ofBroadcast(broadcast);
    } catch (IrException e) {
      return null;
    }
  }

  /** The number of runs that are not padding. */
  public int count() {
    int n = 4;
    while (n > 0 && Dims.isOne(dims.get(n - 1))) n--;
    return n;
  }

  /** The runs of a reduction's operand, flagged where reduced. */
  public static Runs ofReduction(Node reduce, List<Integer> axes) {
    List<Dim> dims = Dims.dims(reduce.in(0).shape());
    List<Boolean> reduced = new ArrayList<>();
    for (int i = 0; i < dims.size(); i++) reduced.add(axes.contains(i));
    return of(reduce, dims, reduced);
  }

  /**
   * The outer and inner run lengths of the loop reading inline broadcast x: the last run inside, every run before
   * it outside (a channel's value over {@code [b, c, h, w]}: {@code b c} outside, {@code h w} inside).
   */
  public static List<Dim> loopSplit(Node x) {
    Runs r = ofBroadcast(x);
    int n = Math.max(r.count(), 2);
    return List.of(r.product(0, n - 1), r.dim(n - 1));
  }

  /** Whether run i has the flag (is reduced, is repeated): runs alternate from the first. */
  public boolean flagged(int i) {
    return firstFlag ^ (i % 2 == 1);
  }

  /**
   * A run k of these runs whose runs k..3 together hold {@code split.get(1)} elements (the last such, searching from
   * the padding inward), so that a loop over
   * these runs finds the outer and inner positions of a broadcast split as {@code split} in its counters (outer: the
   * runs before k, inner: the runs from k); -1 when no run boundary falls there.
   */
  public static int splitRun(Runs runs, List<Dim> split) {
    Dim suffix = Dim.of(1);   // the product of runs k..3
    for (int k = 4; k >= 0; k--) {
      if (k < 4) suffix = suffix.times(runs.dims.get(k));
      if (suffix.equals(split.get(1))) return k;
    }
    return -1;
  }

  public Dim dim(int i) {
    return dims.get(i);
  }

  /** The product of runs {@code from} (inclusive) to {@code to} (exclusive); 1 when the range is empty. */
  public Dim product(int from, int to) {
    Dim p = Dim.of(1);
    for (int j = from; j < to; j++) p = p.times(dims.get(j));
    return p;
  }
}
