package dev.modelc.sched;

import dev.modelc.ir.Dims;
import dev.modelc.ir.Node;
import dev.modelc.types.Dim;
import java.util.ArrayList;
import java.util.List;

/**
 * A shape as alternating runs of dims: adjacent dims with the same flag (reduced or kept, repeated or copied) merge
 * into one run and dims of size 1 drop out. Four runs or fewer are padded with size-1 runs to four, the form the
 * runtime's rank-4 reduction and broadcast loops take, and the reductions and broadcasts the code generator writes
 * inline; a shape that needs more runs keeps them all ({@link #fitsFour} is false), and its kernel takes them as an
 * array (the runtime's any-rank loops).
 *
 * @param dims the run lengths, outermost first: four, or more when the shape does not fit four
 * @param firstFlag whether the first run has the flag (is reduced, is repeated)
 */
public record Runs(List<Dim> dims, boolean firstFlag) {

  /** Merges {@code dims} by {@code flags}, padded to four runs when fewer remain. */
  public static Runs of(List<Dim> dims, List<Boolean> flags) {
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
    boolean first = !mergedFlags.isEmpty() && mergedFlags.get(0);
    while (merged.size() < 4) merged.add(Dim.of(1));
    return new Runs(List.copyOf(merged), first);
  }

  /** Whether the runs are four (padding included): the rank-4 loops' form. */
  public boolean fitsFour() {
    return dims.size() == 4;
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
    return of(out, repeated);
  }

  /** The number of runs that are not padding. */
  public int count() {
    int n = dims.size();
    while (n > 0 && Dims.isOne(dims.get(n - 1))) n--;
    return n;
  }

  /** The runs of a reduction's operand, flagged where reduced. */
  public static Runs ofReduction(Node reduce, List<Integer> axes) {
    List<Dim> dims = Dims.dims(reduce.in(0).shape());
    List<Boolean> reduced = new ArrayList<>();
    for (int i = 0; i < dims.size(); i++) reduced.add(axes.contains(i));
    return of(dims, reduced);
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
   * A run k of these runs whose runs from k on together hold {@code split.get(1)} elements (the last such, searching
   * from the padding inward), so that a loop over these runs finds the outer and inner positions of a broadcast split as {@code split} in its counters (outer: the
   * runs before k, inner: the runs from k); -1 when no run boundary falls there.
   */
  public static int splitRun(Runs runs, List<Dim> split) {
    int n = runs.dims.size();
    Dim suffix = Dim.of(1);   // the product of runs k..n-1
    for (int k = n; k >= 0; k--) {
      if (k < n) suffix = suffix.times(runs.dims.get(k));
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
