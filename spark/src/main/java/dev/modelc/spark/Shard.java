package dev.modelc.spark;

import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.io.ArrayData;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Map;

/**
 * The records of one partition: the contiguous global indices {@code [start, start + size)}, one flat row-major
 * array per model input (already of the input's dtype), {@code perSample[a]} values per record.
 */
public final class Shard implements Serializable {
    private static final long serialVersionUID = 1L;

    final int start;
    final int size;
    final String[] names;
    final Object[] arrays;
    final int[] perSample;

    Shard(int start, int size, String[] names, Object[] arrays, int[] perSample) {
        this.start = start;
        this.size = size;
        this.names = names;
        this.arrays = arrays;
        this.perSample = perSample;
    }

    /** Records {@code [from, to)} of bound data (arrays named after the inputs) as the shard starting at {@code from}. */
    static Shard slice(Map<String, ArrayData> arrays, int n, int from, int to) {
        String[] names = arrays.keySet().toArray(new String[0]);
        Object[] data = new Object[names.length];
        int[] per = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            ArrayData a = arrays.get(names[i]);
            per[i] = n == 0 ? 0 : a.length() / n;
            data[i] = ArrayData.newArray(a.dtype(), (to - from) * per[i]);
            System.arraycopy(a.data(), from * per[i], data[i], 0, (to - from) * per[i]);
        }
        return new Shard(from, to - from, names, data, per);
    }

    public int start() {
        return start;
    }

    public int size() {
        return size;
    }

    public boolean contains(int globalIndex) {
        return globalIndex >= start && globalIndex < start + size;
    }

    /**
     * Copies the records with the given global indices ({@code count} of them, all in this shard) into new arrays,
     * binds them to the model's inputs and sets the batch size {@code symbol} to {@code count}.
     */
    void bind(Model model, String symbol, int[] globalIndices, int count) {
        for (int a = 0; a < names.length; a++) {
            int per = perSample[a];
            Object dst = ArrayData.newArray(ArrayData.dtypeOf(arrays[a]), count * per);
            for (int i = 0; i < count; i++) {
                System.arraycopy(arrays[a], (globalIndices[i] - start) * per, dst, i * per, per);
            }
            model.setInput(names[a], dst);
        }
        model.setSize(symbol, count);
    }

    /** Binds records {@code [from, from + count)} of this shard (local indices), in order. */
    void bindRange(Model model, String symbol, int from, int count) {
        int[] idx = new int[count];
        for (int i = 0; i < count; i++) {
            idx[i] = start + from + i;
        }
        bind(model, symbol, idx, count);
    }

    Object array(String name) {
        int i = Arrays.asList(names).indexOf(name);
        return i < 0 ? null : arrays[i];
    }

    @Override
    public String toString() {
        return "Shard[" + start + ", " + (start + size) + ")";
    }
}
