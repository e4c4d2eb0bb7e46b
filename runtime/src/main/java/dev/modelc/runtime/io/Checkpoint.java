package dev.modelc.runtime.io;

import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.api.TensorSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A training checkpoint: everything a run needs to continue bit for bit, in one safetensors file written atomically.
 *
 * <p><b>Layout.</b> Tensors: every parameter under its {@code state_dict} name (as {@link Weights#save} writes
 * them), then every optimizer state array under {@code optim.<parameter>.<kind>} ({@code optim.fc1.weight.exp_avg});
 * see {@link Model#optimizerState()}. {@code __metadata__} (string values):
 *
 * <pre>
 *   format            pt                      as safetensors.torch writes it
 *   modelc_checkpoint 1                       the layout version
 *   model             Net                     the model's name
 *   source_sha256     9f86d0...               SHA-256 of the .mdl text (absent if the writer did not give one)
 *   step              188                     optimizer steps taken (Adam's t)
 *   epoch             2                       the epoch in progress, from 0 (2: two whole epochs done) ...
 *   batch             0                       ... and the batches of it done (0: at the epoch's start)
 *   seed              0                       the loader's seed (its order depends on seed and epoch only)
 *   dropout_seed      0                       the model's dropout seed ({@link Model#dropoutSeed()}) ...
 *   dropout_draws     40                      ... and the masks it has drawn (absent in older checkpoints)
 *   hp.lr, hp.beta1   0.001, 0.9, ...         every optimizer hyperparameter as set, Double.toString form
 *   anything else     the writer's own keys   (extra(); modelc train keeps its flags here)
 * </pre>
 *
 * <p>Because the parameters keep their names, PyTorch's {@code model.load_state_dict(load_file(path),
 * strict=False)} loads a checkpoint's weights (reporting the {@code optim.*} keys as unexpected); the plain weights
 * file of {@link Weights#save} is the one for {@code strict=True}.
 *
 * <p><b>Restoring</b> ({@link #restore}) checks the model name, that every parameter and state array is present
 * with its shape and that nothing else is, and that the hyperparameter names are the model's, before it changes
 * anything (a hyperparameter value the optimizer rejects is found only when set, before the tensors are
 * written); then it sets the hyperparameters and writes parameters, optimizer state, the step count and dropout's seed
 * and draws. Whether the model's
 * source changed is the caller's decision ({@link #sameSource}).
 */
public final class Checkpoint {
    /** The layout version written in {@code modelc_checkpoint}. */
    public static final String VERSION = "1";
    /** The prefix of optimizer state tensors. */
    public static final String STATE_PREFIX = "optim.";

    private static final String VERSION_KEY = "modelc_checkpoint";
    /** The most optimizer steps a model counts ({@code Model.setStepCount}). */
    private static final long MAX_STEPS = Integer.MAX_VALUE - 1;
    private static final Set<String> CORE_KEYS =
            Set.of("format", VERSION_KEY, "model", "source_sha256", "step", "epoch", "batch", "seed", "dropout_seed",
                    "dropout_draws");

    /**
     * Where a run stands besides the model's own state.
     *
     * @param sourceSha256 SHA-256 (hex) of the model's source text, or null
     * @param epoch the epoch in progress, from 0
     * @param batch batches of that epoch done
     * @param seed the loader's seed
     * @param extra the writer's own string values (keys other than the layout's, not starting with {@code hp.})
     */
    public record Position(String sourceSha256, int epoch, int batch, long seed, Map<String, String> extra) {
        public Position {
            extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
        }
    }

    private final String file;
    private final ArrayFile content;

    private Checkpoint(String file, ArrayFile content) {
        this.file = file;
        this.content = content;
    }

    /** Writes the model's parameters, optimizer state, step count and hyperparameters with {@code position}. */
    public static void save(Path file, Model model, Position position) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put(VERSION_KEY, VERSION);
        meta.put("model", model.name());
        if (position.sourceSha256() != null) {
            meta.put("source_sha256", position.sourceSha256());
        }
        meta.put("step", Long.toString(model.stepCount()));
        meta.put("epoch", Integer.toString(position.epoch()));
        meta.put("batch", Integer.toString(position.batch()));
        meta.put("seed", Long.toString(position.seed()));
        meta.put("dropout_seed", Long.toString(model.dropoutSeed()));
        meta.put("dropout_draws", Long.toString(model.dropoutDraws()));
        for (String h : model.hyperparameterNames()) {
            meta.put("hp." + h, Double.toString(model.hyperparameter(h)));
        }
        for (Map.Entry<String, String> e : position.extra().entrySet()) {
            if (CORE_KEYS.contains(e.getKey()) || e.getKey().startsWith("hp.")) {
                throw new IllegalArgumentException("checkpoint metadata key " + e.getKey() + " is the layout's own");
            }
            meta.put(e.getKey(), e.getValue());
        }
        Map<String, ArrayData> arrays = new LinkedHashMap<>(Weights.fileArrays(model));
        for (TensorSpec s : model.optimizerState()) {
            String key = STATE_PREFIX + s.name();
            if (arrays.containsKey(key)) {
                throw new IllegalArgumentException("parameter " + key + " has the name of an optimizer state tensor");
            }
            arrays.put(key, new ArrayData(key, s.dtype(), Weights.shapeOf(s), model.optimizerState(s.name())));
        }
        SafeTensors.write(file, arrays, meta);
    }

    /** True when the file's metadata marks it as a checkpoint (a plain weights file is not one). */
    public static boolean isCheckpoint(ArrayFile content) {
        return content.metadata().containsKey(VERSION_KEY);
    }

    /** Reads and validates a checkpoint file (layout version and metadata; the tensors are checked by restore). */
    public static Checkpoint read(Path file) throws IOException {
        return of(SafeTensors.read(file), file.toString());
    }

    /** A checkpoint from a file already read; {@code source} names it in messages. */
    public static Checkpoint of(ArrayFile content, String source) throws WeightsFormatException {
        String version = content.metadata().get(VERSION_KEY);
        if (version == null) {
            throw new WeightsFormatException(source, null, "not a checkpoint (its metadata has no " + VERSION_KEY
                    + " entry); a weights file holds parameters only and cannot resume training");
        }
        if (!version.equals(VERSION)) {
            throw new WeightsFormatException(source, null, "checkpoint layout version " + version
                    + " is not supported (this runtime reads version " + VERSION + ")");
        }
        Checkpoint c = new Checkpoint(source, content);
        if (c.meta("model") == null) {
            throw new WeightsFormatException(source, null, "checkpoint metadata has no model name");
        }
        long step = c.longValue("step");
        if (step > MAX_STEPS) {                            // a model counts its steps in an int (Adam's t)
            throw new WeightsFormatException(source, null, "checkpoint metadata step: '" + c.meta("step")
                    + "' is more optimizer steps than a model counts (at most " + MAX_STEPS + ")");
        }
        c.signedLong("seed"); // any long: modelc train --seed takes negative seeds
        if (c.hasDropout()) {
            c.signedLong("dropout_seed");
            c.longValue("dropout_draws");
        }
        for (String key : List.of("epoch", "batch")) {
            if (c.longValue(key) > Integer.MAX_VALUE) {
                throw new WeightsFormatException(source, null, "checkpoint metadata " + key + ": '" + c.meta(key)
                        + "' is out of range (at most " + Integer.MAX_VALUE + ")");
            }
        }
        c.hyperparameters();
        return c;
    }

    private String meta(String key) {
        return content.metadata().get(key);
    }

    /** Whether the checkpoint records dropout's state (checkpoints from before dropout have neither entry). */
    private boolean hasDropout() {
        return meta("dropout_seed") != null || meta("dropout_draws") != null;
    }

    private long signedLong(String key) throws WeightsFormatException {
        return number(key, true);
    }

    private long longValue(String key) throws WeightsFormatException {
        return number(key, false);
    }

    /** The metadata entry {@code key} as a long; a count unless {@code signed}. */
    private long number(String key, boolean signed) throws WeightsFormatException {
        String v = meta(key);
        try {
            long x = Long.parseLong(v == null ? "" : v);
            if (x < 0 && !signed) {
                throw new NumberFormatException();
            }
            return x;
        } catch (NumberFormatException e) {
            throw new WeightsFormatException(file, null, "checkpoint metadata " + key + ": "
                    + (v == null ? "missing" : "'" + v + "' is not " + (signed ? "a number" : "a count")));
        }
    }

    /** The file, as given. */
    public String file() {
        return file;
    }

    public String model() {
        return meta("model");
    }

    /** The SHA-256 of the model source the checkpoint was written from, or null. */
    public String sourceSha256() {
        return meta("source_sha256");
    }

    /** True when the checkpoint records no source hash or the same one as {@code sha256}. */
    public boolean sameSource(String sha256) {
        return sourceSha256() == null || sourceSha256().equals(sha256);
    }

    public long step() {
        return Long.parseLong(meta("step"));
    }

    public int epoch() {
        return Integer.parseInt(meta("epoch"));
    }

    public int batch() {
        return Integer.parseInt(meta("batch"));
    }

    public long seed() {
        return Long.parseLong(meta("seed"));
    }

    /** The hyperparameters, by name without the {@code hp.} prefix, in file order. */
    public Map<String, Double> hyperparameters() throws WeightsFormatException {
        Map<String, Double> hp = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : content.metadata().entrySet()) {
            if (e.getKey().startsWith("hp.")) {
                try {
                    hp.put(e.getKey().substring(3), Double.parseDouble(e.getValue()));
                } catch (NumberFormatException x) {
                    throw new WeightsFormatException(file, null, "checkpoint metadata " + e.getKey() + ": '"
                            + e.getValue() + "' is not a number");
                }
            }
        }
        return hp;
    }

    /** The writer's own metadata (everything but the layout's keys and the hyperparameters). */
    public Map<String, String> extra() {
        Map<String, String> out = new LinkedHashMap<>();
        content.metadata().forEach((k, v) -> {
            if (!CORE_KEYS.contains(k) && !k.startsWith("hp.")) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The parameter tensors only, for {@link Weights#load(Model, ArrayFile, String, boolean)}. */
    public ArrayFile parameters() {
        Map<String, ArrayData> params = new LinkedHashMap<>();
        content.arrays().forEach((k, v) -> {
            if (!k.startsWith(STATE_PREFIX)) {
                params.put(k, v);
            }
        });
        return new ArrayFile(params, content.metadata());
    }

    /**
     * Restores parameters, optimizer state, hyperparameters and step count into {@code model}, after checking that
     * they all fit (nothing is changed when something does not).
     */
    public void restore(Model model) throws WeightsFormatException {
        if (!model.name().equals(model())) {
            throw new WeightsFormatException(file, null, "checkpoint of model " + model() + ", not " + model.name());
        }
        List<String> errors = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (String k : content.arrays().keySet()) {
            if (k.startsWith(STATE_PREFIX)) {
                unexpected.add(k);
            }
        }
        for (TensorSpec s : model.optimizerState()) {
            String key = STATE_PREFIX + s.name();
            ArrayData a = content.get(key);
            unexpected.remove(key);
            if (a == null) {
                errors.add("missing optimizer state " + key + " (was the checkpoint written with another optimizer?)");
            } else if (!Arrays.equals(a.shape(), Weights.shapeOf(s)) || a.dtype().equals("i32")) {
                errors.add("optimizer state " + key + " is " + a.typeText() + ", the model's is " + s.dtype()
                        + ArrayData.shapeText(Weights.shapeOf(s)));
            }
        }
        if (!unexpected.isEmpty()) {
            errors.add("unexpected optimizer state " + String.join(", ", unexpected)
                    + " (was the checkpoint written with another optimizer?)");
        }
        Map<String, Double> hp = hyperparameters();
        if (!hp.keySet().equals(Set.copyOf(model.hyperparameterNames()))) {
            errors.add("hyperparameters " + hp.keySet() + " are not the model's " + model.hyperparameterNames());
        }
        errors.addAll(Weights.problems(model, parameters(), true));
        if (!errors.isEmpty()) {
            throw new WeightsFormatException(file, null, "cannot restore model " + model.name() + ":\n\t"
                    + String.join("\n\t", errors));
        }
        Map<String, Object> states = new java.util.LinkedHashMap<>();   // converted first: a refusal changes nothing
        for (TensorSpec s : model.optimizerState()) {
            states.put(s.name(), Weights.convert(content.get(STATE_PREFIX + s.name()), s.dtype(), file));
        }
        Map<String, Double> before = new java.util.LinkedHashMap<>();
        for (String name : model.hyperparameterNames()) {
            before.put(name, model.hyperparameter(name));
        }
        for (Map.Entry<String, Double> e : hp.entrySet()) {
            try {
                model.setHyperparameter(e.getKey(), e.getValue());
            } catch (IllegalArgumentException x) {
                before.forEach(model::setHyperparameter);          // a value the model refuses changes nothing
                throw new WeightsFormatException(file, null, "hyperparameter " + e.getKey() + ": " + x.getMessage());
            }
        }
        Weights.load(model, parameters(), file, true);
        for (TensorSpec s : model.optimizerState()) {
            Object from = states.get(s.name());
            Object to = model.optimizerState(s.name());
            System.arraycopy(from, 0, to, 0, ArrayData.length(to));
        }
        model.setStepCount(step());
        if (hasDropout()) {
            model.setDropoutSeed(signedLong("dropout_seed"));
            model.setDropoutDraws(longValue("dropout_draws"));
        }
    }
}
