package dev.modelc.runtime.data;

import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.io.ArrayData;
import dev.modelc.runtime.io.Npy;
import dev.modelc.runtime.io.Npz;
import dev.modelc.runtime.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A set of samples held as named arrays whose first dimension is the sample index, like a
 * {@code torch.utils.data.TensorDataset} with names: {@code images : f32[60000, 1, 28, 28]} and
 * {@code labels : i32[60000]}. Every array has the same number of samples. A dataset comes from a file or a
 * directory ({@link #open}), is matched to a model's inputs by name ({@link #bind}) and is cut into batches by a
 * {@link Loader}.
 *
 * <p>Each array may carry a short description of where it came from ({@code 3 columns x0, x1, x2}), used in error
 * messages about it.
 */
public final class Dataset {
    private final String source;
    private final int size;
    private final Map<String, ArrayData> arrays;
    private final Map<String, String> origins;
    private final Locator locator;
    private final List<String> notes;

    /**
     * Where an element of an array sits in a text file, for messages: {@code train.csv:3:7} and the column's name in
     * its header ({@link Csv} has one); null where the data has no such place.
     */
    @FunctionalInterface
    public interface Locator {
        /** The cell holding element {@code element} (flat, row-major) of array {@code array}, or null. */
        Cell locate(String array, int element);
    }

    /** A cell of a text file: {@code file:line:column}, the column's header name and the text written there. */
    public record Cell(String where, String column, String text) {}

    /**
     * @param source the file or directory, for messages
     * @param arrays one or more arrays of rank &ge; 1, all with the same first dimension
     */
    public Dataset(String source, List<ArrayData> arrays) throws DataException {
        this(source, arrays, Map.of());
    }

    public Dataset(String source, List<ArrayData> arrays, Map<String, String> origins) throws DataException {
        this(source, arrays, origins, null);
    }

    /** As above, with a {@link Locator} of the elements in the file (a CSV file's line and column). */
    public Dataset(String source, List<ArrayData> arrays, Map<String, String> origins, Locator locator)
            throws DataException {
        this(source, arrays, origins, locator, List.of());
    }

    private Dataset(String source, List<ArrayData> arrays, Map<String, String> origins, Locator locator,
            List<String> notes) throws DataException {
        this.source = source;
        this.locator = locator;
        this.notes = List.copyOf(notes);
        Map<String, ArrayData> map = new LinkedHashMap<>();
        int n = -1;
        for (ArrayData a : arrays) {
            if (a.rank() == 0) {
                throw new DataException(source + ": array " + a.name() + " is a scalar, not one value per sample");
            }
            if (n >= 0 && a.dim(0) != n) {
                throw new DataException(source + ": array " + a.name() + " has " + a.dim(0) + " samples but "
                        + map.keySet().iterator().next() + " has " + n);
            }
            n = a.dim(0);
            if (map.put(a.name(), a) != null) {
                throw new DataException(source + ": two arrays named " + a.name());
            }
        }
        if (n < 0) {
            throw new DataException(source + ": no arrays");
        }
        this.size = n;
        this.arrays = Collections.unmodifiableMap(map);
        this.origins = Map.copyOf(origins);
    }

    /**
     * Opens a dataset by what {@code path} is: a directory holding the IDX training pair
     * ({@link Idx#directory}), a {@code .csv} ({@link Csv}), an {@code .npz} or {@code .safetensors} file of
     * arrays, or one {@code .npy} array (named after the file).
     */
    public static Dataset open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            return Idx.directory(path, false);
        }
        if (!Files.exists(path)) {
            throw new DataException(path + ": no such file or directory");
        }
        String name = path.getFileName().toString();
        if (name.endsWith(".csv")) {
            return Csv.read(path);
        }
        if (name.endsWith(".npz")) {
            return new Dataset(path.toString(), List.copyOf(Npz.read(path).arrays().values()));
        }
        if (name.endsWith(".safetensors")) {
            return new Dataset(path.toString(), List.copyOf(SafeTensors.read(path).arrays().values()));
        }
        if (name.endsWith(".npy")) {
            return new Dataset(path.toString(), List.of(Npy.read(path)));
        }
        throw new DataException(path + ": unknown data format; expected a directory with IDX files (MNIST), "
                + "or a .csv, .npz, .npy or .safetensors file");
    }

    /** The held-out split of a directory (the IDX {@code t10k-*} pair). */
    public static Dataset openHeldOut(Path directory) throws IOException {
        return Idx.directory(directory, true);
    }

    /** Matches every model input to an array ({@link DataBinding} gives the rule). */
    public DataBinding bind(Model model) throws DataException {
        return DataBinding.of(this, model, null);
    }

    /** Matches only the named inputs (those inference needs, for instance). */
    public DataBinding bind(Model model, List<String> inputNames) throws DataException {
        return DataBinding.of(this, model, inputNames);
    }

    /** The samples {@code from} (inclusive) to {@code to} (exclusive), copied: for a validation split. */
    public Dataset slice(int from, int to) throws DataException {
        if (from < 0 || to > size || from > to) {
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") of " + size + " samples");
        }
        List<ArrayData> out = new java.util.ArrayList<>();
        for (ArrayData a : arrays.values()) {
            int per = a.dim(0) == 0 ? 0 : a.length() / a.dim(0);
            Object data = ArrayData.newArray(a.dtype(), (to - from) * per);
            System.arraycopy(a.data(), from * per, data, 0, (to - from) * per);
            int[] shape = a.shape();
            shape[0] = to - from;
            out.add(new ArrayData(a.name(), a.dtype(), shape, data));
        }
        return new Dataset(source, out, origins, locator == null ? null : (array, element) -> {
            ArrayData a = arrays.get(array);
            int per = a == null || a.dim(0) == 0 ? 0 : a.length() / a.dim(0);
            return locator.locate(array, element + from * per);
        }, notes);
    }

    /** This dataset with notes about how it was read, for the user (a command line prints them on stderr). */
    public Dataset withNotes(List<String> more) throws DataException {
        List<String> all = new java.util.ArrayList<>(notes);
        all.addAll(more);
        return new Dataset(source, List.copyOf(arrays.values()), origins, locator, all);
    }

    /**
     * What the reader chose that the user may not expect, one sentence each: which of two files it read
     * ({@link Idx#directory}: a plain IDX file beside its {@code .gz}). Empty for most data.
     */
    public List<String> notes() {
        return notes;
    }

    /** The cell of the file holding element {@code element} of {@code array}, or null when not known. */
    public Cell locate(String array, int element) {
        return locator == null ? null : locator.locate(array, element);
    }

    /** The file or directory the data came from. */
    public String source() {
        return source;
    }

    /** The number of samples. */
    public int size() {
        return size;
    }

    /** The arrays by name, in file order. */
    public Map<String, ArrayData> arrays() {
        return arrays;
    }

    public ArrayData array(String name) {
        return arrays.get(name);
    }

    /** Where an array came from, for messages: {@code 3 columns x0, x1, x2}, or its name and type. */
    public String origin(String name) {
        String o = origins.get(name);
        return o != null ? o : "array " + arrays.get(name);
    }

    @Override
    public String toString() {
        return source + ": " + size + " samples, " + arrays.values();
    }
}
