package dev.modelc.cli;

import dev.modelc.cli.train.Evaluation;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.data.DataBinding;
import dev.modelc.runtime.data.Dataset;
import dev.modelc.runtime.data.Loader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code modelc eval MODEL.mdl --weights FILE --data PATH [--confusion]}: the model's loss over the data and, for a
 * classifier ({@link Evaluation}), its accuracy and optionally the confusion matrix. Nothing is updated.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Evaluate trained weights on a dataset: loss and, for classifiers, accuracy.")
final class EvalCommand implements Callable<Integer> {
  @Mixin TrainedModelOptions trained;

  @Option(names = "--confusion", description = "Print the confusion matrix (classifiers).")
  boolean confusion;

  @Mixin GlobalOptions options;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Model model = trained.open(options, spec);
    if (model == null) {
      return Main.USER_ERROR;
    }
    Path data = trained.data;
    try (model) {
      if (model.objective() == null) {
        throw new UserError(trained.file + ": model " + model.name() + " has no objective, so there is no loss to "
            + "evaluate; 'modelc predict' runs it");
      }
      String what = DataFiles.loadWeights(model, trained.weights);
      Dataset d = DataFiles.openForEvaluation(data, spec.commandLine().getErr());
      DataBinding binding = DataFiles.io(data, () -> d.bind(model));
      trained.printHeader(out, model, what, d, binding);
      Evaluation e = TrainCommand.runOnData(data, null,
          () -> Evaluation.run(model, new Loader(binding, trained.batch, 0).shuffle(false), confusion));
      out.printf(Locale.ROOT, "loss %.6f%n", e.loss());
      if (e.accuracy() != null) {
        out.println("accuracy " + e.accuracy());
        if (e.confusion() != null) {
          out.print(e.confusion());
          if (!e.confusion().toString().endsWith("\n")) {
            out.println();
          }
        }
      } else if (confusion) {
        out.println("no confusion matrix: " + model.name() + " is not a classifier (an i32 label input [B] and a "
            + "first output [B, C])");
      }
      out.flush();
      return Main.OK;
    }
  }
}
