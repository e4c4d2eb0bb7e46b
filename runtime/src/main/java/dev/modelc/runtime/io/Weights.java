package dev.modelc.runtime.io;

import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.api.TensorSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saves and loads a model's parameters by their PyTorch {@code state_dict} names, so weights move between a
 * compiled model and {@code torch.nn.Module.load_state_dict} / {@code safetensors.torch.save_file}. The format
 * follows the file name: {@code .npz} is NumPy's, anything else safetensors.
 *
 * <p>Loading follows {@code load_state_dict}: with {@code strict} (the default) names missing from the file and
 * names the model does not have are both errors, listed in one message as PyTorch lists them; without it they are
 * ignored and reported in the returned {@link LoadResult}. A shape mismatch is always an error. An f32 parameter
 * accepts F64 data and the reverse (converted, as {@code copy_} does); integer data for a float parameter is
 * refused.
 *
 * <p>An integer buffer (batch_norm's {@code num_batches_tracked}) is {@code i32} in the model and in
 * {@link #stateDict}, and int64 in files, as PyTorch saves it (safetensors {@code I64}, npz {@code <i8}); loading
 * takes int64 or int32 data, each value checked to fit an {@code int}.
 */
public final class Weights {
    private Weights() {}

    /** What a non-strict load skipped, as PyTorch's {@code _IncompatibleKeys}. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {}

    /** The parameters as arrays in {@code state_dict} order (the live arrays, not copies). */
    public static Map<String, ArrayData> stateDict(Model model) {
        Map<String, ArrayData> arrays = new LinkedHashMap<>();
        for (TensorSpec p : model.parameters()) {
            arrays.put(p.name(), new ArrayData(p.name(), p.dtype(), shapeOf(p), model.parameter(p.name())));
        }
        return arrays;
    }

    /**
     * The parameters as a file holds them: copies ({@link Model#parameterCopy}, so that saving hands no live array
     * out), each integer buffer widened to {@code i64} (PyTorch's int64).
     */
    public static Map<String, ArrayData> fileArrays(Model model) {
        Map<String, ArrayData> arrays = new LinkedHashMap<>();
        for (TensorSpec p : model.parameters()) {
            ArrayData a = new ArrayData(p.name(), p.dtype(), shapeOf(p), model.parameterCopy(p.name()));
            arrays.put(p.name(), a.dtype().equals("i32") ? a.convertTo("i64") : a);
        }
        return arrays;
    }

    /** Writes every parameter with its shape, plus {@code metadata}, replacing the file atomically. */
    public static void save(Model model, Path file, Map<String, String> metadata) throws IOException {
        if (isNpz(file)) {
            Npz.write(file, fileArrays(model));
        } else {
            SafeTensors.write(file, fileArrays(model), metadata);
        }
    }

    public static void save(Model model, Path file) throws IOException {
        save(model, file, Map.of("format", "pt"));
    }

    /** Strict load: every parameter must be in the file and every array in the file must be a parameter. */
    public static void load(Model model, Path file) throws IOException {
        load(model, file, true);
    }

    public static LoadResult load(Model model, Path file, boolean strict) throws IOException {
        ArrayFile content = isNpz(file) ? Npz.read(file) : SafeTensors.read(file);
        return load(model, content, file.toString(), strict);
    }

    /**
     * {@code a} as {@code dtype}'s array; a value the type cannot hold (an f64 1e300 for an f32 parameter) is a
     * format error of {@code source}, naming the tensor and the element.
     */
    static Object convert(ArrayData a, String dtype, String source) throws WeightsFormatException {
        try {
            return a.convertTo(dtype).data();
        } catch (IllegalArgumentException e) {
            throw new WeightsFormatException(source, null, e.getMessage());
        }
    }

    /** Loads arrays already read (a checkpoint's parameter part, for instance). */
    public static LoadResult load(Model model, ArrayFile content, String source, boolean strict)
            throws WeightsFormatException {
        List<String> errors = problems(model, content, strict);
        if (!errors.isEmpty()) {
            throw new WeightsFormatException(source, null, "Error(s) in loading state_dict for " + model.name()
                    + ":\n\t" + String.join("\n\t", errors));
        }
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>(content.arrays().keySet());
        Map<String, Object> converted = new LinkedHashMap<>();   // all converted first: a refusal changes nothing
        for (TensorSpec p : model.parameters()) {
            unexpected.remove(p.name());
            ArrayData a = content.get(p.name());
            if (a == null) {
                missing.add(p.name());
            } else {
                converted.put(p.name(), convert(a, p.dtype(), source));
            }
        }
        converted.forEach(model::setParameter);
        return new LoadResult(List.copyOf(missing), List.copyOf(unexpected));
    }

    /**
     * What would stop {@link #load(Model, ArrayFile, String, boolean)}, in PyTorch's words (empty when it would
     * succeed); nothing is changed.
     */
    public static List<String> problems(Model model, ArrayFile content, boolean strict) {
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>(content.arrays().keySet());
        List<String> errors = new ArrayList<>();
        for (TensorSpec p : model.parameters()) {
            unexpected.remove(p.name());
            ArrayData a = content.get(p.name());
            if (a == null) {
                missing.add(p.name());
                continue;
            }
            int[] want = shapeOf(p);
            if (!java.util.Arrays.equals(want, a.shape())) {
                errors.add("size mismatch for " + p.name() + ": copying a param with shape "
                        + ArrayData.shapeText(a.shape()) + " from checkpoint, the shape in current model is "
                        + ArrayData.shapeText(want) + ".");
            } else if (a.dtype().equals("i32") != p.dtype().equals("i32")) {
                // integer tensors of every stored width (I32, I64, U8) are read as i32
                errors.add("dtype mismatch for " + p.name() + ": the file has "
                        + (a.dtype().equals("i32") ? "integers" : a.dtype()) + ", the model " + p.dtype() + ".");
            }
        }
        if (strict && !unexpected.isEmpty()) {
            errors.add(0, "Unexpected key(s) in state_dict: " + quoted(unexpected) + ".");
        }
        if (strict && !missing.isEmpty()) {
            errors.add(0, "Missing key(s) in state_dict: " + quoted(missing) + ".");
        }
        return errors;
    }

    /** A parameter's shape; parameters have constant dimensions. */
    public static int[] shapeOf(TensorSpec p) {
        int[] shape = new int[p.shape().size()];
        for (int d = 0; d < shape.length; d++) {
            shape[d] = Integer.parseInt(p.shape().get(d));
        }
        return shape;
    }

    private static boolean isNpz(Path file) {
        return file.getFileName().toString().endsWith(".npz");
    }

    private static String quoted(List<String> names) {
        StringBuilder s = new StringBuilder();
        for (String n : names) {
            s.append(s.length() == 0 ? "" : ", ").append('"').append(n).append('"');
        }
        return s.toString();
    }
}
