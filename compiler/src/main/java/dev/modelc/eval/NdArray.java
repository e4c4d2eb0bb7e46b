package dev.modelc.eval;

import dev.modelc.types.DType;
import java.util.Arrays;

/**
 * A dense row-major array as the evaluator holds values: a dtype, a shape and the elements as doubles (labels of
 * dtype i32 are stored exactly as whole numbers). f32 values are rounded to float after every op, so an f32 graph
 * evaluates with f32 storage semantics.
 *
 * <p>It stays the evaluator's own value type rather than {@code runtime.io.ArrayData}: every dtype (i32 labels too)
 * is computed in {@code double} and rounded after each op, which one {@code double[]} with the IR's {@code DType}
 * states directly, where an {@code ArrayData} holds a named array of the dtype's own Java type.
 */
public record NdArray(DType dtype, int[] shape, double[] data) {
  public NdArray {
    if (data.length != count(shape)) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + count(shape)
          + " elements, got " + data.length);
    }
  }

  public static int count(int[] shape) {
    int n = 1;
    for (int d : shape) n = Math.multiplyExact(n, d);
    return n;
  }

  public static NdArray scalar(DType dtype, double v) {
    return new NdArray(dtype, new int[0], new double[] {v});
  }

  public static NdArray of(DType dtype, int[] shape, double... data) {
    return new NdArray(dtype, shape.clone(), data.clone());
  }

  public int size() {
    return data.length;
  }

  public int rank() {
    return shape.length;
  }

  public double item() {
    if (data.length != 1) throw new IllegalStateException("not a single value: " + Arrays.toString(shape));
    return data[0];
  }

  /** This array with f32 rounding applied when its dtype is f32. */
  public NdArray rounded() {
    if (dtype != DType.F32) return this;
    double[] r = new double[data.length];
    for (int i = 0; i < r.length; i++) r[i] = (float) data[i];
    return new NdArray(dtype, shape, r);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NdArray a && a.dtype == dtype && Arrays.equals(a.shape, shape) && Arrays.equals(a.data, data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data) * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return dtype.name().toLowerCase(java.util.Locale.ROOT) + Arrays.toString(shape) + Arrays.toString(data);
  }
}
