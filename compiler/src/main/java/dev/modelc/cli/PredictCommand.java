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
import dev.modelc.runtime.train.Accuracy;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code modelc predict MODEL.mdl --weights FILE --data PATH [--out FILE]}: runs inference ({@code predict()}, no
 * loss, only the inputs the outputs read) over every sample in batches and keeps the model's first output: written
 * as {@code .npy} ({@code [samples, ...]}) or {@code .csv} (for a classifier, the argmax class then the logits), or,
 * without {@code --out}, summarized with its first rows.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run trained weights on a dataset and write the model's first output for every sample.")
final class PredictCommand implements Callable<Integer> {
  private static final int SHOWN_ROWS = 5;

  @Mixin GlobalOptions options;

  @Mixin TrainedModelOptions trained;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the predictions: .npy or .csv.")
  Path outFile;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (outFile != null && !(outFile.toString().endsWith(".npy") || outFile.toString().endsWith(".csv"))) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--out: " + outFile + " must end in .npy or .csv");
    }
    PrintWriter out = spec.commandLine().getOut();
    LoadedModel loaded = trained.load(options, spec);
    Path file = trained.file;
    Path weights = trained.weights;
    Path data = trained.data;
    int batch = trained.batch;
    if (loaded == null) {
      return Main.USER_ERROR;
    }
    Model model = loaded.uninitialized();
    if (model.outputs().isEmpty()) {
      throw new UserError(file + ": model " + model.name() + " has no output to predict");
    }
    TensorSpec output = model.outputs().get(0);
    String what = DataFiles.loadWeights(model, weights);
    List<TensorSpec> needed = LoadedModel.predictInputs(model);
    Dataset d = DataFiles.openForEvaluation(data);
    DataBinding binding = DataFiles.io(data, () -> d.bind(model, needed.stream().map(TensorSpec::name).toList()));
    int per = perSample(output, binding.batchSymbol());
    int n = d.size();
    Object all = ArrayData.newArray(output.dtype(), Math.multiplyExact(n, per));
    int at = 0;
    for (Batch b : new Loader(binding, batch, 0).shuffle(false).epoch(0)) {
      b.bindTo(model);
      Object o = TrainCommand.runOnData(data, b, () -> {
        model.predict();
        return model.output(output.name());
      });
      System.arraycopy(o, 0, all, at, b.size() * per);
      at += b.size() * per;
    }
    int[] shape = shapeOf(output, n);
    ArrayData result = new ArrayData(output.name(), output.dtype(), shape, all);
    boolean classifier = Evaluation.labelInput(model) != null;
    out.println("model " + model.name() + " (" + file + "), " + what + " from " + weights);
    out.println("data: " + TrainCommand.describe(d, DataFiles.hasHeldOut(data) ? " (t10k-* files)" : "", binding,
        model));
    out.println("predicted " + output.name() + " : " + result.typeText() + (classifier ? ", classes by argmax" : ""));
    if (outFile != null) {
      DataFiles.io(outFile, () -> {
        if (outFile.toString().endsWith(".npy")) {
          Npy.write(outFile, result);
        } else {
          AtomicFile.write(outFile, csv(result, per, classifier).getBytes(StandardCharsets.UTF_8));
        }
        return null;
      });
      out.println("wrote " + outFile);
    } else {
      String text = csv(result, per, classifier);
      String[] lines = text.split("\n");
      for (int i = 0; i < Math.min(lines.length, SHOWN_ROWS + 1); i++) {
        out.println(lines[i]);
      }
      if (lines.length > SHOWN_ROWS + 1) {
        out.println("... (" + (lines.length - 1 - SHOWN_ROWS) + " more rows; --out FILE.csv or .npy writes them all)");
      }
    }
    out.flush();
    return Main.OK;
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
