package dev.modelc.cli;

import dev.modelc.cli.train.Evaluation;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.api.TensorSpec;
import dev.modelc.runtime.data.Batch;
import dev.modelc.runtime.data.DataBinding;
import dev.modelc.runtime.data.Dataset;
import dev.modelc.runtime.data.Loader;
import dev.modelc.runtime.io.ArrayData;
import dev.modelc.runtime.io.AtomicFile;
import dev.modelc.runtime.io.Npy;
import dev.modelc.runtime.io.Npz;
import dev.modelc.runtime.train.Accuracy;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code modelc predict MODEL.mdl --weights FILE --data PATH [--out FILE]}: runs inference ({@code predict()}, no
 * loss, only the inputs the outputs read) over every sample in batches. {@code .npz} gets every output, one array
 * {@code [samples, ...]} each named after it; {@code .npy} (one array) and {@code .csv} (for a classifier, the argmax
 * class then the logits) get the model's first output, as does the summary of its first rows without {@code --out}.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run trained weights on a dataset and write the model's outputs for every sample (.npz: every "
        + "output; .npy, .csv: the first).")
final class PredictCommand implements Callable<Integer> {
  private static final int SHOWN_ROWS = 5;

  @Mixin TrainedModelOptions trained;

  @Option(names = "--out", converter = OutputFile.PathConverter.class, paramLabel = "FILE",
      description = "Write the predictions: .npz (every output), .npy or .csv (the first output).")
  Path outFile;

  @Mixin GlobalOptions options;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    boolean all = outFile != null && outFile.toString().endsWith(".npz");
    if (outFile != null && !(all || outFile.toString().endsWith(".npy") || outFile.toString().endsWith(".csv"))) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--out: " + outFile
          + " must end in .npz, .npy or .csv");
    }
    OutputFile.check("--out", outFile);
    Map<String, Path> inputs = new LinkedHashMap<>();
    inputs.put("the model file", trained.file);
    inputs.put("the --data file", trained.data);
    inputs.put("the --weights file", trained.weights);
    OutputFile.notAnotherFile("--out", outFile, inputs, Map.of());
    PrintWriter out = spec.commandLine().getOut();
    Model model = trained.open(options, spec);
    if (model == null) {
      return Main.USER_ERROR;
    }
    Path data = trained.data;
    try (model) {
      if (model.outputs().isEmpty()) {
        throw new UserError(trained.file + ": model " + model.name() + " has no output to predict");
      }
      List<TensorSpec> outputs = all ? model.outputs() : model.outputs().subList(0, 1);
      TensorSpec output = outputs.get(0);
      String what = DataFiles.loadWeights(model, trained.weights);
      List<TensorSpec> needed = LoadedModel.predictInputs(model);
      Dataset d = DataFiles.openForEvaluation(data, spec.commandLine().getErr());
      DataBinding binding = DataFiles.io(data, () -> d.bind(model, needed.stream().map(TensorSpec::name).toList()));
      int n = d.size();
      int[] per = new int[outputs.size()];
      Object[] values = new Object[outputs.size()];
      for (int k = 0; k < per.length; k++) {
        per[k] = perSample(outputs.get(k), binding.batchSymbol());
        values[k] = ArrayData.newArray(outputs.get(k).dtype(), Math.multiplyExact(n, per[k]));
      }
      int at = 0;
      for (Batch b : new Loader(binding, trained.batch, 0).shuffle(false).epoch(0)) {
        b.bindTo(model);
        TrainCommand.runOnData(data, b, () -> {
          model.predict();
          return null;
        });
        for (int k = 0; k < per.length; k++) {
          System.arraycopy(model.output(outputs.get(k).name()), 0, values[k], at * per[k], b.size() * per[k]);
        }
        at += b.size();
      }
      Map<String, ArrayData> results = new LinkedHashMap<>();
      for (int k = 0; k < per.length; k++) {
        TensorSpec o = outputs.get(k);
        results.put(o.name(), new ArrayData(o.name(), o.dtype(), shapeOf(o, n), values[k]));
      }
      ArrayData result = results.get(output.name());
      boolean classifier = Evaluation.labelInput(model) != null;
      trained.printHeader(out, model, what, d, binding);
      for (ArrayData r : results.values()) {
        out.println("predicted " + r.name() + " : " + r.typeText() + (classifier && r == result ? ", classes by argmax"
            : ""));
      }
      if (outFile != null) {
        DataFiles.io(outFile, () -> {
          if (all) {
            Npz.write(outFile, results);
          } else if (outFile.toString().endsWith(".npy")) {
            Npy.write(outFile, result);
          } else {
            AtomicFile.write(outFile, csv(result, per[0], classifier).getBytes(StandardCharsets.UTF_8));
          }
          return null;
        });
        out.println("wrote " + outFile);
      } else {
        String text = csv(result, per[0], classifier);
        String[] lines = text.split("\n");
        for (int i = 0; i < Math.min(lines.length, SHOWN_ROWS + 1); i++) {
          out.println(lines[i]);
        }
        if (lines.length > SHOWN_ROWS + 1) {
          out.println("... (" + (lines.length - 1 - SHOWN_ROWS) + " more rows; --out FILE.csv or .npy writes them all"
              + (model.outputs().size() > 1 ? ", FILE.npz every output" : "") + ")");
        }
      }
      out.flush();
      return Main.OK;
    }
  }

  /** Values per sample of an output whose first dimension is the batch and the others numbers. */
  private int perSample(TensorSpec output, String batchSymbol) {
    List<String> shape = output.shape();
    if (shape.isEmpty() || !shape.get(0).equals(batchSymbol)) {
      throw new UserError(trained.file + ": output " + output + " has no batch dimension " + batchSymbol
          + " first, so it has no value per sample to predict");
    }
    int per = 1;
    for (String d : shape.subList(1, shape.size())) {
      if (!d.chars().allMatch(Character::isDigit)) {
        throw new UserError(trained.file + ": output " + output + " has a symbolic dimension " + d + " after the batch");
      }
      per = Math.multiplyExact(per, Integer.parseInt(d));
    }
    return per;
  }

  private static int[] shapeOf(TensorSpec output, int n) {
    int[] shape = new int[output.shape().size()];
    shape[0] = n;
    for (int i = 1; i < shape.length; i++) {
      shape[i] = Integer.parseInt(output.shape().get(i));
    }
    return shape;
  }

  /**
   * The predictions as CSV with a header, one row per sample: for a classifier {@code predicted} (the argmax) then
   * the output's values; columns named {@code out} for one value per sample, else {@code out0, out1, ...} (which
   * {@code Dataset.open} reads back as one array {@code out}).
   */
  static String csv(ArrayData a, int per, boolean classifier) {
    StringBuilder s = new StringBuilder();
    if (classifier) {
      s.append("predicted,");
    }
    for (int j = 0; j < per; j++) {
      s.append(j == 0 ? "" : ",").append(a.name()).append(per == 1 ? "" : Integer.toString(j));
    }
    s.append('\n');
    int n = a.dim(0);
    for (int i = 0; i < n; i++) {
      if (classifier) {
        s.append(Accuracy.argmax(a.data(), i, per)).append(',');
      }
      for (int j = 0; j < per; j++) {
        double v = a.get(i * per + j);
        s.append(j == 0 ? "" : ",").append(a.dtype().equals("f32") ? Float.toString((float) v) : Double.toString(v));
      }
      s.append('\n');
    }
    return s.toString();
  }
}
