package dev.modelc.types;

import java.util.ArrayList;
import java.util.List;

/**
 * The language's shape arithmetic in one place, on the checker's symbolic {@link Dim}s: NumPy broadcasting,
 * {@code torch.matmul}'s promotion of 1-D operands and its result shape, the output size of a sliding window and
 * PyTorch's wrapping of a negative dim. The checker ({@code BuiltinRules}), the lowering ({@code Sugar}) and the IR's
 * shape rules ({@code ShapeRules}) call it and word their own errors: a function answers {@code null} or {@code -1}
 * where the shapes do not fit, never a message.
 *
 * <p>The reference runtime computes the same on concrete {@code int} shapes ({@code numeric.Broadcasting.shape},
 * {@code numeric.Shapes.wrapDim}, {@code numeric.SlidingWindow}, {@code kernels.Conv2dShape}); {@code ShapeMathTest}
 * holds the two forms equal on constant shapes.
 */
public final class ShapeMath {
  private ShapeMath() {}

  private static final Dim ONE = Dim.of(1);

  // ---- broadcasting ----

  /** Dimension {@code i} of {@code s} right-aligned to {@code rank} dimensions: 1 where {@code s} has none. */
  public static Dim aligned(Shape s, int rank, int i) {
    int j = i - (rank - s.rank());
    return j < 0 ? ONE : s.dim(j);
  }

  /** The first dimension (counted in the broadcast rank) where {@code a} and {@code b} clash; -1 when none does. */
  public static int broadcastClash(Shape a, Shape b) {
    int rank = Math.max(a.rank(), b.rank());
    for (int i = 0; i < rank; i++) {
      Dim da = aligned(a, rank, i);
      Dim db = aligned(b, rank, i);
      if (!da.equals(db) && !da.equals(ONE) && !db.equals(ONE)) {
        return i;
      }
    }
    return -1;
  }

  /** NumPy's broadcast of two shapes, or {@code null} when they clash ({@link #broadcastClash} says where). */
  public static Shape broadcast(Shape a, Shape b) {
    if (broadcastClash(a, b) >= 0) {
      return null;
    }
    int rank = Math.max(a.rank(), b.rank());
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      Dim da = aligned(a, rank, i);
      out.add(da.equals(ONE) ? aligned(b, rank, i) : da);
    }
    return new Shape(out);
  }

  // ---- torch.matmul ----

  /** The left operand as matmul uses it: a vector {@code [k]} becomes the row {@code [1, k]}. */
  public static Shape matmulLeft(Shape a) {
    return a.rank() == 1 ? Shape.of(ONE, a.dim(0)) : a;
  }

  /** The right operand as matmul uses it: a vector {@code [k]} becomes the column {@code [k, 1]}. */
  public static Shape matmulRight(Shape b) {
    return b.rank() == 1 ? Shape.of(b.dim(0), ONE) : b;
  }

  /** The batch dimensions of a promoted matmul operand: all but the last two. */
  public static Shape batch(Shape promoted) {
    return new Shape(promoted.dims().subList(0, promoted.rank() - 2));
  }

  /**
   * {@code torch.matmul}'s result shape: 1-D operands promoted ({@link #matmulLeft}, {@link #matmulRight}), batch
   * dimensions broadcast, the dimension a promotion added removed again. {@code null} when an operand is a scalar,
   * the inner dimensions differ or the batch dimensions clash.
   */
  public static Shape matmul(Shape a, Shape b) {
    if (a.rank() == 0 || b.rank() == 0) {
      return null;
    }
    Shape pa = matmulLeft(a);
    Shape pb = matmulRight(b);
    if (!pa.dim(pa.rank() - 1).equals(pb.dim(pb.rank() - 2))) {
      return null;
    }
    Shape batch = broadcast(batch(pa), batch(pb));
    if (batch == null) {
      return null;
    }
    List<Dim> out = new ArrayList<>(batch.dims());
    if (a.rank() > 1) {
      out.add(pa.dim(pa.rank() - 2));
    }
    if (b.rank() > 1) {
      out.add(pb.dim(pb.rank() - 1));
    }
    return new Shape(out);
  }

  // ---- windows and axes ----

  /** Output length of a window sliding over {@code size} elements: floor((size + 2 pad - kernel) / stride) + 1. */
  public static long windowOut(long size, long kernel, int stride, int pad) {
    return Math.floorDiv(size + 2L * pad - kernel, stride) + 1;
  }

  /**
   * {@code dim} made non-negative for a tensor of rank {@code rank}, as PyTorch wraps it (a scalar accepts 0 and
   * -1); -1 when it is out of range ({@link #axisOutOfRange} words that).
   */
  public static int axis(long dim, int rank) {
    int r = Math.max(rank, 1);
    if (dim < -r || dim >= r) {
      return -1;
    }
    return (int) (dim < 0 ? dim + r : dim);
  }

  /** PyTorch's message for a dim out of range. */
  public static String axisOutOfRange(long dim, int rank) {
    int r = Math.max(rank, 1);
    return "Dimension out of range (expected to be in range of [" + (-r) + ", " + (r - 1) + "], but got " + dim + ")";
  }
}
