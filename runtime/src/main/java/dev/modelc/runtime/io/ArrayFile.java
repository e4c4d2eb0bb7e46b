package dev.modelc.runtime.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The content of a file of named arrays (safetensors, npz): the arrays in file order and the string metadata.
 * Writers take one and readers return one, so a checkpoint can store parameters, optimizer state and its own
 * metadata (step count, hyperparameters) in one file.
 *
 * @param arrays by name, in order (the writer keeps this order; the keys are the names written, whatever
 *     {@link ArrayData#name()} says)
 * @param metadata safetensors' {@code __metadata__}: string keys to string values (empty for npz)
 */
public record ArrayFile(Map<String, ArrayData> arrays, Map<String, String> metadata) {
    public ArrayFile {
        arrays = Collections.unmodifiableMap(new LinkedHashMap<>(arrays));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    public ArrayFile(Map<String, ArrayData> arrays) {
        this(arrays, Map.of());
    }

    /** Keys each array by its own name, in the order given. */
    public static ArrayFile of(Iterable<ArrayData> arrays, Map<String, String> metadata) {
        Map<String, ArrayData> map = new LinkedHashMap<>();
        for (ArrayData a : arrays) {
            if (map.put(a.name(), a) != null) {
                throw new IllegalArgumentException("two arrays named " + a.name());
            }
        }
        return new ArrayFile(map, metadata);
    }

    public ArrayData get(String name) {
        return arrays.get(name);
    }
}
