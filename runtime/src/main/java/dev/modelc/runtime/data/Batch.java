package dev.modelc.runtime.data;

import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.api.TensorSpec;
import java.util.List;

/**
 * One batch from a {@link Loader}: for each array of the dataset, the rows of the batch's samples copied into an
 * array of exactly {@code size() * valuesPerSample} elements, the length a generated model checks. The arrays are
 * the loader's and are refilled by the next batch: read them (or bind them to a model and run it) before moving on.
 */
public final class Batch {
    private final String[] names;
    private final Object[] arrays;
    private final String batchSymbol;
    private final int size;
    private int index;
    private int epoch;
    /** The epoch's order of samples and this batch's start in it: row r holds sample {@code order[start + r]}. */
    private int[] order;
    private int start;

    Batch(String[] names, Object[] arrays, String batchSymbol, int size) {
        this.names = names;
        this.arrays = arrays;
        this.batchSymbol = batchSymbol;
        this.size = size;
    }

    void position(int epoch, int index, int[] order, int start) {
        this.epoch = epoch;
        this.index = index;
        this.order = order;
        this.start = start;
    }

    Object arrayAt(int i) {
        return arrays[i];
    }

    /** The number of samples in this batch. */
    public int size() {
        return size;
    }

    /** The batch's position in its epoch, from 0. */
    public int index() {
        return index;
    }

    public int epoch() {
        return epoch;
    }

    /**
     * The sample that row {@code row} of this batch holds: its index in the dataset (the row of the data file, from
     * 0), whatever the epoch's shuffle. Like the arrays, it describes the current batch only.
     */
    public int sample(int row) {
        if (row < 0 || row >= size) {
            throw new IndexOutOfBoundsException("row " + row + " of a batch of " + size);
        }
        return order[start + row];
    }

    /** The array names, as in the dataset. */
    public List<String> names() {
        return List.of(names);
    }

    /** The batch's array for {@code name}: {@code float[]}, {@code double[]} or {@code int[]}. */
    public Object array(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return arrays[i];
            }
        }
        throw new IllegalArgumentException("no array " + name + " in the batch; it has " + List.of(names));
    }

    public float[] floats(String name) {
        return typed(name, float[].class, "f32");
    }

    public double[] doubles(String name) {
        return typed(name, double[].class, "f64");
    }

    public int[] ints(String name) {
        return typed(name, int[].class, "i32");
    }

    /** Array {@code name} as {@code type}; another element type is an error naming the accessor that fits. */
    private <T> T typed(String name, Class<T> type, String dtype) {
        Object a = array(name);
        if (!type.isInstance(a)) {
            String has = a instanceof float[] ? "f32, read it with floats()" : a instanceof double[]
                    ? "f64, read it with doubles()" : "i32, read it with ints()";
            throw new IllegalArgumentException("array " + name + " of the batch is " + has + ", not " + dtype);
        }
        return type.cast(a);
    }

    /**
     * Sets every array as the model input of the same name and binds the batch size: to the loader's batch symbol
     * when it came from a {@link DataBinding}, else to the first dimension of each bound input that is a plain
     * symbol. Arrays without an input of their name are skipped (labels during inference, for instance).
     */
    public void bindTo(Model model) {
        List<TensorSpec> inputs = model.inputs();
        for (int i = 0; i < names.length; i++) {
            for (int k = 0; k < inputs.size(); k++) {
                TensorSpec t = inputs.get(k);
                if (t.name().equals(names[i])) {
                    model.setInput(t.name(), arrays[i]);
                    if (batchSymbol == null && !t.shape().isEmpty() && !t.shape().get(0).isEmpty()
                            && Character.isJavaIdentifierStart(t.shape().get(0).charAt(0))
                            && t.shape().get(0).indexOf('*') < 0) {
                        model.setSize(t.shape().get(0), size);
                    }
                }
            }
        }
        if (batchSymbol != null) {
            model.setSize(batchSymbol, size);
        }
    }
}
