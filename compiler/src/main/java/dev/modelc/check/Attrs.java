package dev.modelc.check;

import dev.modelc.types.Shape;
import dev.modelc.types.SliceSpec;
import java.util.List;

/**
 * The constant arguments of a builtin call, normalized: dims are non-negative, windows are (height, width) pairs,
 * a reshape target has its -1 resolved. Fields a builtin does not use keep their defaults.
 *
 * @param dims reduction or softmax dims (empty with {@code allDims} for all), transpose's two dims, flatten's start
 *     and end
 * @param shape the target shape of reshape and flatten, the result shape of indexing
 * @param slice what indexing keeps of each dim (before the dims an integer index removes are dropped)
 * (dropout keeps its p in {@code threshold} and its site, the number of the dropout call in the model, in
 *     {@code dims})
 * @param dtype one_hot's result dtype ({@code f32} or {@code f64}); index_select and gather keep their dim in
 *     {@code dims}, one_hot its num_classes, embedding its padding_idx (wrapped non-negative; empty for none)
 * @param bounds clamp's {@code [min, max]}, an omitted bound as -infinity or +infinity
 * @param norm layer_norm's and group_norm's constants (layer_norm's normalized dims are in {@code dims}, its
 *     normalized_shape in {@code shape}); null for every other builtin
 */
public record Attrs(
    List<Integer> dims,
    boolean keepdim,
    int[] kernel,
    int[] stride,
    int[] padding,
    String reduction,
    double slope,
    double beta,
    double threshold,
    String approximate,
    Shape shape,
    SliceSpec slice,
    String dtype,
    double[] bounds,
    Norm norm) {

  public static final Attrs NONE =
      new Attrs(List.of(), false, null, null, null, "mean", 0.01, 1, 20, "none", null, null, null, null, null);

  /**
   * The constants of layer_norm and group_norm: eps, whether the weight and the bias were given (the call's tensors
   * are x, then those present, in that order), group_norm's num_groups (0 for layer_norm), and batch_norm's
   * momentum (0 for the others; batch_norm's tensors are x, running_mean, running_var, then weight and bias), whether
   * its momentum is {@code none} (the cumulative average, {@code 1 / num_batches_tracked}), and the dotted name of its
   * {@code num_batches_tracked} counter buffer (null without one; the counter is state, not an operand).
   */
  public record Norm(double eps, boolean weight, boolean bias, int groups, double momentum, boolean cumulative,
                     String counter) {
    public Norm(double eps, boolean weight, boolean bias, int groups) {
      this(eps, weight, bias, groups, 0, false, null);
    }
  }

  public Attrs withNorm(Norm n) {
    return new Attrs(dims, keepdim, kernel, stride, padding, reduction, slope, beta, threshold, approximate, shape,
        slice, dtype, bounds, n);
  }

  public Attrs withDims(List<Integer> d, boolean keep) {
    return new Attrs(List.copyOf(d), keep, kernel, stride, padding, reduction, slope, beta, threshold, approximate,
        shape, slice, dtype, bounds, norm);
  }

  public Attrs withWindow(int[] k, int[] s, int[] p) {
    return new Attrs(dims, keepdim, k, s, p, reduction, slope, beta, threshold, approximate, shape, slice, dtype,
        bounds, norm);
  }

  public Attrs withReduction(String r) {
    return new Attrs(dims, keepdim, kernel, stride, padding, r, slope, beta, threshold, approximate, shape, slice,
        dtype, bounds, norm);
  }

  public Attrs withScalars(double sl, double be, double th, String approx) {
    return new Attrs(dims, keepdim, kernel, stride, padding, reduction, sl, be, th, approx, shape, slice, dtype,
        bounds, norm);
  }

  public Attrs withSlice(SliceSpec sl, Shape result) {
    return new Attrs(dims, keepdim, kernel, stride, padding, reduction, slope, beta, threshold, approximate, result,
        sl, dtype, bounds, norm);
  }

  public Attrs withShape(Shape s) {
    return new Attrs(dims, keepdim, kernel, stride, padding, reduction, slope, beta, threshold, approximate, s, slice,
        dtype, bounds, norm);
  }

  public Attrs withBounds(double min, double max) {
    return new Attrs(dims, keepdim, kernel, stride, padding, reduction, slope, beta, threshold, approximate, shape,
        slice, dtype, new double[] {min, max}, norm);
  }

  public Attrs withDtype(String d) {
    return new Attrs(dims, keepdim, kernel, stride, padding, reduction, slope, beta, threshold, approximate, shape,
        slice, d, bounds, norm);
  }
}
