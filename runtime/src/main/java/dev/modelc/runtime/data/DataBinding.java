package dev.modelc.runtime.data;

import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.api.TensorSpec;
import dev.modelc.runtime.io.ArrayData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which array of a {@link Dataset} feeds which input of a model, checked once before training so that a wrong file
 * fails with a message naming the file, the input, the expected shape and what was found, not with an index error
 * deep in a batch.
 *
 * <p><b>Matching</b>, in order:
 * <ol>
 *   <li>an input takes the array of the same name;
 *   <li>the inputs and arrays left over are paired by kind when that is unambiguous: if exactly one floating
 *       (f32/f64) input and exactly one floating array are left, they pair, and likewise one i32 input with one
 *       i32 array. So an IDX dataset's {@code images} and {@code labels} feed inputs {@code x : f32[B, 1, 28, 28]}
 *       and {@code t : i32[B]};
 *   <li>an input still without an array is an error listing the arrays the data has.
 * </ol>
 * <b>Shapes.</b> An input's first dimension must be one symbolic size (the batch, {@code B}); the others must be
 * numbers. A sample of the array (its shape without the first dimension) must have that shape, or the same number
 * of elements, in which case it is taken in row-major order (so {@code f32[N, 1, 28, 28]} images feed an MLP's
 * {@code f32[B, 784]}). All bound inputs must share the batch symbol. <b>Types.</b> Arrays are converted to the
 * input's dtype once, here (CSV values are f64; a non-integer value for an i32 input is an error, and so is a
 * value beyond f32's range, 1e39, for an f32 input, which would become infinity; for a CSV file the error names
 * the file, line, column and the column's header name, as {@link Dataset#locate} finds them).
 *
 * <p>{@link #dataset()} is the data renamed to the inputs' names and converted: what a {@link Loader} should take.
 */
public final class DataBinding {
    private final Dataset source;
    private final Dataset bound;
    private final String batchSymbol;
    private final Map<String, String> arrayOfInput;

    private DataBinding(Dataset source, Dataset bound, String batchSymbol, Map<String, String> arrayOfInput) {
        this.source = source;
        this.bound = bound;
        this.batchSymbol = batchSymbol;
        this.arrayOfInput = arrayOfInput;
    }

    /** Binds the named inputs of {@code model}, or all of them when {@code inputNames} is null. */
    public static DataBinding of(Dataset data, Model model, List<String> inputNames) throws DataException {
        List<TensorSpec> inputs = new ArrayList<>();
        for (TensorSpec t : model.inputs()) {
            if (inputNames == null || inputNames.contains(t.name())) {
                inputs.add(t);
            }
        }
        if (inputNames != null && inputs.size() != inputNames.size()) {
            throw new IllegalArgumentException("model " + model.name() + " has inputs " + model.inputs()
                    + ", not all of " + inputNames);
        }
        Map<String, String> match = match(data, inputs);
        List<String> missing = new ArrayList<>();
        for (TensorSpec t : inputs) {
            if (!match.containsKey(t.name())) {
                missing.add(t.name() + " : " + t.typeText());
            }
        }
        if (!missing.isEmpty()) {
            List<String> have = new ArrayList<>();
            for (String a : data.arrays().keySet()) {
                have.add(data.origin(a));
            }
            throw new DataException(data.source() + ": no data for model input" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing) + "; the data has " + String.join("; ", have)
                    + " (an input takes the array of its name, or the only one of its kind left)");
        }
        String batch = null;
        List<ArrayData> arrays = new ArrayList<>();
        for (TensorSpec t : inputs) {
            String arrayName = match.get(t.name());
            ArrayData a = data.array(arrayName);
            String symbol = t.shape().isEmpty() ? null : t.shape().get(0);
            if (symbol == null || !isSymbol(symbol)) {
                throw new DataException(data.source() + ": input " + t.name() + " : " + t.typeText()
                        + " has no batch dimension (its first dimension must be a size such as B)");
            }
            if (batch != null && !batch.equals(symbol)) {
                throw new DataException(data.source() + ": inputs have different batch sizes " + batch + " and "
                        + symbol + " (input " + t.name() + ")");
            }
            batch = symbol;
            int[] sample = new int[t.shape().size() - 1];
            long per = 1;
            for (int d = 1; d < t.shape().size(); d++) {
                String dim = t.shape().get(d);
                if (!dim.chars().allMatch(Character::isDigit)) {
                    throw new DataException(data.source() + ": input " + t.name() + " : " + t.typeText()
                            + " has a symbolic dimension " + dim + " after the batch; data can only feed inputs "
                            + "whose other dimensions are numbers");
                }
                sample[d - 1] = Integer.parseInt(dim);
                per *= sample[d - 1];
            }
            int[] shape = a.shape();
            long have = 1;
            for (int d = 1; d < shape.length; d++) {
                have *= shape[d];
            }
            if (have != per) {
                throw new DataException(data.source() + ": input " + t.name() + " expects " + t.typeText()
                        + ", that is " + per + (per == 1 ? " value" : " values") + " per sample, but the data has "
                        + data.origin(arrayName) + " (" + have + (have == 1 ? " value" : " values")
                        + " per sample)");
            }
            int[] target = new int[sample.length + 1];
            target[0] = data.size();
            System.arraycopy(sample, 0, target, 1, sample.length);
            ArrayData converted;
            try {
                converted = a.convertTo(t.dtype());
            } catch (IllegalArgumentException e) {
                // in a CSV file, the cell of the value: file:line:column and the column's name
                int bad = a.firstUnconvertible(t.dtype());
                Dataset.Cell cell = bad >= 0 ? data.locate(arrayName, bad) : null;
                if (cell != null) {
                    throw new DataException(cell.where() + ": column " + cell.column() + ": " + cell.text() + " is "
                            + (t.dtype().equals("f32") ? "beyond the f32 range (the largest is about 3.4e38), so it "
                            + "would become infinity as f32" : "not an integer in " + t.dtype() + "'s range")
                            + " (input " + t.name() + " : " + t.typeText() + " from " + data.origin(arrayName) + ")");
                }
                throw new DataException(data.source() + ": input " + t.name() + " : " + t.typeText()
                        + " from " + data.origin(arrayName) + ": " + e.getMessage());
            }
            arrays.add(converted.withName(t.name()).reshape(target));
        }
        return new DataBinding(data, new Dataset(data.source(), arrays), batch, match);
    }

    private static Map<String, String> match(Dataset data, List<TensorSpec> inputs) {
        Map<String, String> match = new LinkedHashMap<>();
        List<String> unusedArrays = new ArrayList<>(data.arrays().keySet());
        for (TensorSpec t : inputs) {
            if (data.array(t.name()) != null) {
                match.put(t.name(), t.name());
                unusedArrays.remove(t.name());
            }
        }
        for (boolean integer : new boolean[] {false, true}) {
            List<TensorSpec> leftInputs = new ArrayList<>();
            for (TensorSpec t : inputs) {
                if (!match.containsKey(t.name()) && t.dtype().equals("i32") == integer) {
                    leftInputs.add(t);
                }
            }
            List<String> leftArrays = new ArrayList<>();
            for (String a : unusedArrays) {
                if (data.array(a).dtype().equals("i32") == integer) {
                    leftArrays.add(a);
                }
            }
            if (leftInputs.size() == 1 && leftArrays.size() == 1) {
                match.put(leftInputs.get(0).name(), leftArrays.get(0));
            }
        }
        return match;
    }

    private static boolean isSymbol(String dim) {
        return !dim.isEmpty() && Character.isJavaIdentifierStart(dim.charAt(0))
                && dim.chars().allMatch(Character::isJavaIdentifierPart);
    }

    /** The data the binding was made from. */
    public Dataset source() {
        return source;
    }

    /** The bound arrays, named as the inputs, converted and shaped as they declare: feed it to a {@link Loader}. */
    public Dataset dataset() {
        return bound;
    }

    /** The inputs' common batch size symbol ({@code B}). */
    public String batchSymbol() {
        return batchSymbol;
    }

    /** Which array of the source feeds each input, by input name. */
    public Map<String, String> arrayOfInput() {
        return Map.copyOf(arrayOfInput);
    }

    /** The number of samples. */
    public int size() {
        return bound.size();
    }
}
