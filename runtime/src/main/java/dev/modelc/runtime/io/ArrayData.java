package dev.modelc.runtime.io;

import dev.modelc.runtime.kernels.FiniteScan;
import java.util.Arrays;

/**
 * A named array with a shape: what every reader returns and every writer takes (datasets, safetensors, npy/npz,
 * model parameters). The elements are one flat, row-major primitive array whose type is named as in
 * {@link dev.modelc.runtime.api.TensorSpec}: {@code "f32"} holds a {@code float[]}, {@code "f64"} a
 * {@code double[]}, {@code "i32"} an {@code int[]}; {@code "i64"}, a {@code long[]}, is only written (PyTorch's
 * int64, for integer buffers such as {@code num_batches_tracked}: files read int64 back as {@code i32}). A Java array holds at most {@code Integer.MAX_VALUE} elements,
 * so dimensions are {@code int}s and their product is checked to fit.
 */
public final class ArrayData {
    private final String name;
    private final String dtype;
    private final int[] shape;
    private final Object data;

    /** Checks that {@code data} is the array type {@code dtype} names and has {@code product(shape)} elements. */
    public ArrayData(String name, String dtype, int[] shape, Object data) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data;
        String have = dtypeOf(data);
        if (have == null || !have.equals(dtype)) {
            throw new IllegalArgumentException(name + ": dtype " + dtype + " needs a " + javaType(dtype) + ", got "
                    + (data == null ? "null" : data.getClass().getSimpleName()));
        }
        long count = elementCount(this.shape);
        if (count != length(data)) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(this.shape) + " has " + count
                    + " elements but the array has " + length(data));
        }
    }

    public static ArrayData of(String name, float[] data, int... shape) {
        return new ArrayData(name, "f32", shape, data);
    }

    public static ArrayData of(String name, double[] data, int... shape) {
        return new ArrayData(name, "f64", shape, data);
    }

    public static ArrayData of(String name, int[] data, int... shape) {
        return new ArrayData(name, "i32", shape, data);
    }

    public String name() {
        return name;
    }

    /** {@code "f32"}, {@code "f64"}, {@code "i32"} or {@code "i64"}. */
    public String dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    /** The number of elements. */
    public int length() {
        return length(data);
    }

    /** The live array: {@code float[]}, {@code double[]} or {@code int[]}. */
    public Object data() {
        return data;
    }

    public float[] floats() {
        return (float[]) data;
    }

    public double[] doubles() {
        return (double[]) data;
    }

    public int[] ints() {
        return (int[]) data;
    }

    /** The same array under another name (the elements are shared). */
    public ArrayData withName(String newName) {
        return new ArrayData(newName, dtype, shape, data);
    }

    /** The same elements under another shape with as many elements (shared). */
    public ArrayData reshape(int... newShape) {
        return new ArrayData(name, dtype, newShape, data);
    }

    /**
     * The flat index of the first element that {@link #convertTo} would refuse ({@code i32}: not an integer in
     * range; {@code f32}: finite but beyond f32's range), or -1.
     */
    public int firstUnconvertible(String target) {
        if (target.equals(dtype) || !(target.equals("f32") || target.equals("i32") || target.equals("i64"))) {
            return -1;
        }
        for (int i = 0, n = length(); i < n; i++) {
            double x = get(i);
            boolean bad = switch (target) {
                case "f32" -> Float.isInfinite((float) x) && !Double.isInfinite(x);
                case "i32" -> x != Math.rint(x) || x < Integer.MIN_VALUE || x > Integer.MAX_VALUE;
                default -> x != Math.rint(x);
            };
            if (bad) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The first NaN or infinite element of a float array, as {@code AnomalyException} words it for a model's input
     * ({@code holds NaN at element 1585 (index [2, 17])}), or null when every element is finite (and for integers).
     * The scan is {@link FiniteScan}'s, which a compiled model's anomaly checks use.
     */
    public String firstNonFinite() {
        int i = FiniteScan.firstNonFinite(data, length());
        if (i < 0) {
            return null;
        }
        return "holds " + get(i) + " at element " + i + (shape.length < 2 ? "" : " (index " + perDimension(i) + ")");
    }

    /** Flat index {@code i} as written for a person: {@code 7}, or {@code 7 [3, 1]} with the index per dimension. */
    private String position(int i) {
        return shape.length < 2 ? Integer.toString(i) : i + " " + perDimension(i);
    }

    /** Flat index {@code i} per dimension: {@code [3, 1]}. */
    private String perDimension(int i) {
        int[] at = new int[shape.length];
        int rest = i;
        for (int d = shape.length - 1; d >= 0; d--) {
            at[d] = rest % shape[d];
            rest /= shape[d];
        }
        return Arrays.toString(at);
    }

    /**
     * The elements as another dtype: this array itself when the dtype is the same, else a converted copy. Floating
     * values convert to {@code i32} only when every value is an integer in range, and to {@code f32} only when every
     * finite value stays finite (1e39 would become infinity); the error names the first that does not.
     */
    public ArrayData convertTo(String target) {
        if (target.equals(dtype)) {
            return this;
        }
        int n = length();
        Object out;
        switch (target) {
            case "f32" -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    double x = get(i);
                    f[i] = (float) x;
                    if (Float.isInfinite(f[i]) && !Double.isInfinite(x)) {
                        throw new IllegalArgumentException(name + ": element " + position(i) + " is " + x
                                + ", beyond the f32 range (the largest is about 3.4e38), so it would become "
                                + "infinity as f32");
                    }
                }
                out = f;
            }
            case "f64" -> {
                double[] d = new double[n];
                for (int i = 0; i < n; i++) {
                    d[i] = get(i);
                }
                out = d;
            }
            case "i64" -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    double x = get(i);
                    if (x != Math.rint(x)) {
                        throw new IllegalArgumentException(name + ": element " + i + " is " + x
                                + ", not an integer, so the array cannot become i64");
                    }
                    v[i] = (long) x;
                }
                out = v;
            }
            case "i32" -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    double x = get(i);
                    if (x != Math.rint(x) || x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException(name + ": element " + position(i) + " is " + x
                                + ", not an integer, so the array cannot become i32");
                    }
                    v[i] = (int) x;
                }
                out = v;
            }
            default -> throw new IllegalArgumentException("unknown dtype " + target + " (f32, f64, i32 or i64)");
        }
        return new ArrayData(name, target, shape, out);
    }

    /** Element {@code i} as a double. */
    public double get(int i) {
        return data instanceof float[] f ? f[i] : data instanceof double[] d ? d[i]
                : data instanceof long[] l ? l[i] : ((int[]) data)[i];
    }

    /** {@code f32[60000, 1, 28, 28]}. */
    public String typeText() {
        return dtype + shapeText(shape);
    }

    @Override
    public String toString() {
        return name + " : " + typeText();
    }

    /** {@code [60000, 1, 28, 28]}. */
    public static String shapeText(int[] shape) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return s.append(']').toString();
    }

    /** The product of the dimensions; throws when a dimension is negative or the product exceeds an array. */
    public static long elementCount(int[] shape) {
        long count = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            count *= d;
            if (count > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape)
                        + " has more elements than a Java array can hold");
            }
        }
        return count;
    }

    /** {@code "f32"}, {@code "f64"}, {@code "i32"}, {@code "i64"} for the four array types, else null. */
    public static String dtypeOf(Object array) {
        return array instanceof float[] ? "f32" : array instanceof double[] ? "f64" : array instanceof int[] ? "i32"
                : array instanceof long[] ? "i64" : null;
    }

    public static int length(Object array) {
        return array instanceof float[] f ? f.length : array instanceof double[] d ? d.length
                : array instanceof long[] l ? l.length : ((int[]) array).length;
    }

    /** A new zeroed array of the dtype. */
    public static Object newArray(String dtype, int length) {
        return switch (dtype) {
            case "f32" -> new float[length];
            case "f64" -> new double[length];
            case "i32" -> new int[length];
            case "i64" -> new long[length];
            default -> throw new IllegalArgumentException("unknown dtype " + dtype + " (f32, f64, i32 or i64)");
        };
    }

    /** The bytes per element of the dtype. */
    public static int elementSize(String dtype) {
        return dtype.equals("f64") || dtype.equals("i64") ? 8 : 4;
    }

    private static String javaType(String dtype) {
        return switch (dtype) {
            case "f32" -> "float[]";
            case "f64" -> "double[]";
            case "i32" -> "int[]";
            case "i64" -> "long[]";
            default -> "known dtype (f32, f64, i32 or i64), not " + dtype;
        };
    }
}
