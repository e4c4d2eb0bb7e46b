package dev.modelc.runtime.api;

import java.util.List;

/**
 * The array helpers of {@link CompiledModel} and {@link InputBinding}: a model's arrays are {@code float[]},
 * {@code double[]} or {@code int[]} held as {@code Object}, so their length, dtype, allocation and the flat copies
 * of all parameters are written once here, by kind of array (the search for a non-finite value is
 * {@link dev.modelc.runtime.kernels.FiniteScan}, which {@link dev.modelc.runtime.io.ArrayData} shares).
 */
final class ModelArrays {
    private ModelArrays() {
    }

    static int constantCount(TensorSpec t) {
        long n = 1;
        for (String d : t.shape()) {
            n *= Long.parseLong(d);
        }
        return Math.toIntExact(n);
    }

    static Object newArray(TensorSpec t, int n) {
        return switch (t.dtype()) {
            case "f64" -> new double[n];
            case "i32" -> new int[n];
            default -> new float[n];
        };
    }

    static int length(Object a) {
        return a instanceof float[] f ? f.length : a instanceof double[] d ? d.length : ((int[]) a).length;
    }

    static String dtypeOf(Object a) {
        return a instanceof float[] ? "f32" : a instanceof double[] ? "f64" : a instanceof int[] ? "i32" : null;
    }

    static String javaType(String dtype) {
        return switch (dtype) {
            case "f32" -> "float[]";
            case "f64" -> "double[]";
            default -> "int[]";
        };
    }

    static int indexOf(List<TensorSpec> list, String name, String what) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no " + what + " named " + name + "; have "
                + list.stream().map(TensorSpec::name).toList());
    }

    static double value(Object a, int i) {
        return a instanceof float[] f ? f[i] : ((double[]) a)[i];
    }

    /** Copies between the arrays, one after another, and one flat float[] (all f32) or double[]. */
    static void copyFlat(Object[] arrays, Object flat, int size, String what, boolean read, boolean allF32,
                         String model) {
        boolean ok = flat instanceof double[] || (flat instanceof float[] && allF32);
        if (!ok || length(flat) != size) {
            throw new IllegalArgumentException("flat " + what + " of model " + model + ": expected "
                    + (allF32 ? "float[] or double[]" : "double[] (the parameters' dtypes differ)") + " of " + size
                    + " elements, got " + (flat == null ? "null" : flat.getClass().getSimpleName()
                    + (ok || flat instanceof float[] || flat instanceof double[] || flat instanceof int[]
                    ? " of " + length(flat) + " elements" : "")));
        }
        int at = 0;
        for (Object a : arrays) {
            int n = length(a);
            if (a.getClass() == flat.getClass()) {
                if (read) {
                    System.arraycopy(a, 0, flat, at, n);
                } else {
                    System.arraycopy(flat, at, a, 0, n);
                }
            } else {
                float[] f = (float[]) a;
                double[] d = (double[]) flat;
                for (int i = 0; i < n; i++) {
                    if (read) {
                        d[at + i] = f[i];
                    } else {
                        f[i] = (float) d[at + i];
                    }
                }
            }
            at += n;
        }
    }

    /** A new array with the elements of a float[], double[] or int[]. */
    static Object copy(Object array) {
        if (array instanceof float[] f) {
            return f.clone();
        }
        return array instanceof double[] d ? d.clone() : ((int[]) array).clone();
    }
}
