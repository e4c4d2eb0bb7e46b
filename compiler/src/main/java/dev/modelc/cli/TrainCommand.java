package dev.modelc.cli;

import dev.modelc.cli.train.BatchFailure;
import dev.modelc.cli.train.EpochMetrics;
import dev.modelc.cli.train.Evaluation;
import dev.modelc.cli.train.MetricsLog;
import dev.modelc.cli.train.Progress;
import dev.modelc.cli.train.TrainingPlot;
import dev.modelc.runtime.api.AnomalyException;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.api.TensorSpec;
import dev.modelc.runtime.data.Batch;
import dev.modelc.runtime.data.DataBinding;
import dev.modelc.runtime.data.Dataset;
import dev.modelc.runtime.data.Loader;
import dev.modelc.runtime.io.ArrayData;
import dev.modelc.runtime.io.Checkpoint;
import dev.modelc.runtime.io.Weights;
import dev.modelc.runtime.train.MeanLoss;
import dev.modelc.runtime.train.Schedule;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code modelc train MODEL.mdl --data PATH ...}: compiles the model in this process, binds the data to its inputs,
 * trains with a seeded loader, evaluates on held-out data after each epoch, and saves weights and checkpoints.
 *
 * <p>The run, in order: check the flags; compile; restore a checkpoint ({@code --resume}) or initialize from the
 * seed; open and bind the training and held-out data; then for each epoch set the learning rate from the schedule,
 * run the loader's batches through {@code trainStep()}, evaluate, print one line, append to the metrics file and
 * write the checkpoint; finally save the weights and draw the plot. {@code --epochs} is the total: a resumed run
 * continues from the checkpoint's epoch (and batch) up to it.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train a model on a dataset, evaluating on held-out data after each epoch.")
final class TrainCommand implements Callable<Integer> {
  enum ScheduleUnit { epoch, step }

  @Parameters(paramLabel = "MODEL", arity = "1", description = "The .mdl file.")
  Path file;

  @Option(names = "--data", paramLabel = "PATH", required = true,
      description = "Training data: a directory of IDX files (MNIST layout), or a .csv, .npz, .npy or .safetensors file.")
  Path data;

  @Option(names = "--epochs", paramLabel = "E", description = "Epochs in total, counting those of a resumed checkpoint (default: 1).")
  Integer epochs;

  @Option(names = "--batch", paramLabel = "B", description = "Batch size (default: 64, or the checkpoint's).")
  Integer batch;

  @Option(names = "--lr", paramLabel = "LR", description = "Base learning rate (default: the .mdl's, or the checkpoint's).")
  Double lr;

  @Option(names = "--schedule", paramLabel = "SPEC",
      description = "Learning-rate schedule, e.g. step:size=2,gamma=0.5 or linear:start=0.1,iters=2+cosine:T=8 (default: constant).")
  String schedule;

  @Option(names = "--schedule-unit", paramLabel = "UNIT",
      description = "Whether the schedule counts ${COMPLETION-CANDIDATES} (default: epoch).")
  ScheduleUnit scheduleUnit;

  @Option(names = "--seed", paramLabel = "S", description = "Seed of the initial parameters and the data order (default: 0).")
  Long seed;

  @Option(names = "--val", paramLabel = "PATH",
      description = "Held-out data (default: the t10k-* files beside IDX training files, if any; for a directory, its t10k-* pair, else its train-* pair).")
  Path val;

  @Option(names = "--save", converter = OutputFile.PathConverter.class, paramLabel = "FILE", description = "Write the trained weights by state_dict name, as .safetensors or .npz.")
  Path save;

  @Option(names = "--checkpoint", converter = OutputFile.PathConverter.class, paramLabel = "FILE", description = "Write a checkpoint after every epoch and when stopping.")
  Path checkpoint;

  @Option(names = "--resume", paramLabel = "FILE", description = "Continue from a checkpoint.")
  Path resume;

  @Option(names = "--force-resume", description = "Resume even though the model's source changed since the checkpoint.")
  boolean forceResume;

  @Option(names = "--plot", converter = OutputFile.PathConverter.class, paramLabel = "FILE", description = "Draw the training curve (.svg or .png).")
  Path plot;

  @Option(names = "--metrics", converter = OutputFile.PathConverter.class, paramLabel = "FILE", description = "Write per-epoch metrics (.csv, or JSON lines otherwise).")
  Path metrics;

  @Option(names = "--drop-last", description = "Drop the last batch of an epoch when it is smaller than the batch size.")
  Boolean dropLast;

  @Option(names = "--max-steps", paramLabel = "N", description = "Stop once the model has taken N optimizer steps in total.")
  Long maxSteps;

  @Option(names = "--model", paramLabel = "NAME", description = "The model to train when the file has several.")
  String modelName;

  @Option(names = {"--detect-anomaly", "--anomaly"},
      description = "Check every input, parameter, step and update for NaN and infinity, and stop at the first with "
          + "the .mdl line and op that made it, instead of training on NaN.")
  boolean detectAnomaly;

  @Mixin ThreadsOption threads;

  @Option(names = "--split", paramLabel = "HOW", defaultValue = "kernels",
      description = "How --threads share a step: kernels (each heavy kernel split; default) or batch (each thread "
          + "the whole step on its own rows, gradients added once); see docs/training.md.")
  String split;

  @Mixin GlobalOptions options;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private PrintWriter out;

  @Override
  public Integer call() {
    checkFlags();
    out = spec.commandLine().getOut();
    if (split.equals("batch") && threads.count == 1) {
      spec.commandLine().getErr().println("modelc: warning: --split batch has no effect on one thread (give --threads "
          + "2 or more); training on one thread");
    }
    LoadedModel loaded = LoadedModel.compile(file, modelName, options, spec.commandLine().getErr());
    if (loaded == null) {
      return Main.USER_ERROR;
    }
    Checkpoint ck = resume == null ? null : DataFiles.io(resume, () -> Checkpoint.read(resume));
    try (Model model = ck == null ? loaded.create(seed == null ? 0 : seed) : loaded.uninitialized()) {
      try {
        model.setThreads(threads.count, splitMode());
      } catch (IllegalArgumentException e) {
        throw new UserError(file + ": --split batch: " + e.getMessage());
      }
      if (model.objective() == null) {
        throw new UserError(file + ": model " + model.name() + " has no objective (a 'minimize LOSS with OPTIMIZER' "
            + "line), so there is nothing to train; 'modelc predict' runs it");
      }
      if (model.parameters().isEmpty()) {
        throw new UserError(file + ": model " + model.name() + " has no parameters (no 'param' line), so there is "
            + "nothing to train; 'modelc predict' runs it");
      }
      if (ck != null) {
        restore(ck, model, loaded);
      }
      model.setDetectAnomaly(detectAnomaly);
      Map<String, String> saved = ck == null ? Map.of() : ck.extra();
      int savedBatch = savedInt(saved, "train.batch", 64);
      int batchSize = batch != null ? batch : savedBatch;
      boolean savedDrop = savedBool(saved, "train.drop_last");
      boolean drop = dropLast != null ? dropLast : savedDrop;
      double baseLr = lr != null ? lr : saved.containsKey("train.base_lr")
          ? savedDouble(saved, "train.base_lr") : model.learningRate();
      ScheduleUnit unit = scheduleUnit;
      if (unit == null) {
        String text = saved.getOrDefault("train.schedule_unit", "epoch");
        try {
          unit = ScheduleUnit.valueOf(text);
        } catch (IllegalArgumentException e) {
          throw malformed("train.schedule_unit", text, "epoch or step");
        }
      }
      long seedValue = seed != null ? seed : ck != null ? ck.seed() : 0;
      if (ck != null && ck.batch() > 0) {
        // Mid-epoch, the checkpoint's position counts batches of its own loader: another batch size, seed or
        // drop-last would skip or repeat samples.
        requireSame("--batch", batchSize, savedBatch);
        requireSame("--seed", seedValue, ck.seed());
        requireSame("--drop-last", drop, savedDrop);
      }
      int totalEpochs = epochs != null ? epochs : 1;
      String scheduleText = schedule != null ? schedule : saved.get("train.schedule");
      if (scheduleUnit != null && scheduleText == null) {
        throw noSchedule();
      }
      Schedule lrAt;
      try {
        lrAt = scheduleText == null ? Schedule.constant(baseLr) : Schedule.parse(scheduleText, baseLr);
      } catch (IllegalArgumentException e) { // only a checkpoint's: --schedule is checked with the other flags
        throw new UserError(resume + ": train.schedule of the checkpoint: " + e.getMessage());
      }
      try {
        model.setLearningRate(lrAt.lr(0));
      } catch (IllegalArgumentException e) { // --lr is checked with the other flags; the .mdl's by the checker
        throw new UserError((lr == null && saved.containsKey("train.base_lr") ? resume + ": train.base_lr of the "
            + "checkpoint" : lr != null ? "--lr" : file + ": the optimizer's lr") + ": " + e.getMessage());
      }

      Dataset trainData = DataFiles.open(data, spec.commandLine().getErr());
      DataBinding trainBinding = DataFiles.io(data, () -> trainData.bind(model));
      if (!detectAnomaly) {
        warnNonFinite(trainBinding, data, spec.commandLine().getErr());
      }
      Loader loader = new Loader(trainBinding, batchSize, seedValue).dropLast(drop);
      if (loader.batchCount() == 0) {
        throw new UserError(data + ": " + trainData.size() + " samples make no batch of " + batchSize
            + (drop ? " with --drop-last" : ""));
      }
      int startEpoch = ck == null ? 0 : ck.epoch();
      int skip = ck == null ? 0 : ck.batch();
      if (scheduleText != null) {
        String baseName = lr != null ? "--lr" : saved.containsKey("train.base_lr") ? "base rate (--lr; the "
            + "checkpoint's is " + baseLr + ")" : "base rate (--lr, or the optimizer's lr in " + file + ")";
        checkFinite(lrAt, scheduleText, baseLr, baseName, unit, model, startEpoch, totalEpochs, skip,
            loader.batchCount());
      }
      Loader heldOut = heldOut(model, batchSize);
      TensorSpec label = Evaluation.labelInput(model);

      out.printf(Locale.ROOT, "model %s (%s): %,d parameters, %s; compiled in %.1f s%n", model.name(), file,
          model.flatParameterSize(), optimizerText(baseLr, scheduleText, unit), loaded.compileNanos / 1e9);
      out.println("training data: " + describe(trainData, "", trainBinding, model));
      if (heldOut != null) {
        out.println("held-out data: " + heldOut.dataset().source()
            + (val == null || DataFiles.hasHeldOut(val) ? " (t10k-* files)" : "") + ", "
            + heldOut.dataset().size() + " samples");
      } else {
        out.println("held-out data: none (pass --val PATH to evaluate after each epoch)");
      }
      out.printf(Locale.ROOT, "batch %d, %d batches per epoch%s, seed %d%s%s%n", batchSize, loader.batchCount(),
          drop ? " (last partial batch dropped)" : "", seedValue,
          threads.count > 1 ? ", " + threads.count + " threads" + (split.equals("batch") ? " splitting the batch" : "") : "",
          label == null ? ""
          : ", classifier of " + Evaluation.classes(model) + " classes (labels: input " + label.name() + ")");
      if (ck != null) {
        out.println("resumed from " + resume + (ck.batch() > 0
            ? " within epoch " + (ck.epoch() + 1) + ", after batch " + ck.batch() : " after epoch " + ck.epoch())
            + " (step " + ck.step() + ")");
      }
      out.flush();

      Map<String, String> runSettings = new LinkedHashMap<>();
      runSettings.put("train.batch", Integer.toString(batchSize));
      runSettings.put("train.drop_last", Boolean.toString(drop));
      runSettings.put("train.base_lr", Double.toString(baseLr));
      if (scheduleText != null) {
        runSettings.put("train.schedule", scheduleText);
      }
      runSettings.put("train.schedule_unit", unit.name());
      runSettings.put("train.epochs", Integer.toString(totalEpochs));

      List<EpochMetrics> history = new ArrayList<>();
      MetricsLog log = metrics == null ? null : DataFiles.io(metrics, () -> new MetricsLog(metrics));
      Progress progress = Progress.onStdout(out);
      boolean stopped = false;
      int epoch = startEpoch;
      for (; epoch < totalEpochs && !stopped && !stepLimitReached(model); epoch++) {
        long start = System.nanoTime();
        MeanLoss loss = epoch == startEpoch && skip > 0
            ? MeanLoss.of(savedDouble(saved, "train.epoch_loss_sum"), (long) savedDouble(saved, "train.epoch_samples"))
            : new MeanLoss();
        if (unit == ScheduleUnit.epoch) {
          model.setLearningRate(lrAt.lr(epoch));
        }
        progress.startEpoch(epoch + 1, totalEpochs, loader.batchCount());
        int done = 0;
        long samples = 0;
        for (Batch b : loader.epoch(epoch)) {
          if (epoch == startEpoch && b.index() < skip) {
            continue;
          }
          b.bindTo(model);
          if (unit == ScheduleUnit.step) {
            model.setLearningRate(lrAt.lr((int) Math.min(Integer.MAX_VALUE, model.stepCount())));
          }
          double l = runOnData(data, b, model::trainStep);
          loss.add(l, b.size());
          samples += b.size();
          done = b.index() + 1;
          progress.update(done, samples, loss.mean());
          if (stepLimitReached(model) && done < loader.batchCount()) {
            stopped = true;
            break;
          }
        }
        progress.endEpoch();
        Evaluation eval = heldOut == null ? null : runEval(model, heldOut);
        double seconds = (System.nanoTime() - start) / 1e9;
        EpochMetrics m = new EpochMetrics(epoch + 1, model.stepCount(), loss.mean(),
            eval == null ? Double.NaN : eval.loss(),
            eval == null || eval.accuracy() == null ? Double.NaN : eval.accuracy().value(), seconds);
        history.add(m);
        out.println(epochLine(m, totalEpochs, eval, stopped ? done : -1));
        out.flush();
        if (log != null) {
          DataFiles.io(metrics, () -> {
            log.write(m);
            return null;
          });
        }
        if (checkpoint != null) {
          Map<String, String> extra = new LinkedHashMap<>(runSettings);
          if (stopped) {
            extra.put("train.epoch_loss_sum", Double.toString(loss.sum()));
            extra.put("train.epoch_samples", Long.toString(loss.count()));
          }
          Checkpoint.Position at = new Checkpoint.Position(loaded.sha256, stopped ? epoch : epoch + 1,
              stopped ? done : 0, seedValue, extra);
          DataFiles.io(checkpoint, () -> {
            Checkpoint.save(checkpoint, model, at);
            return null;
          });
        }
      }
      if (log != null) {
        DataFiles.io(metrics, () -> {
          log.close();
          return null;
        });
      }
      if (history.isEmpty()) {
        out.println("nothing to train: " + (stepLimitReached(model) ? "the model has taken " + model.stepCount()
            + " steps, --max-steps is " + maxSteps : "epoch " + startEpoch + " of " + totalEpochs + " reached")
            + " (--epochs counts every epoch, those before the checkpoint too)");
      } else if (stopped) {
        out.println("stopped after step " + model.stepCount() + " (--max-steps " + maxSteps + ")");
      }
      if (checkpoint != null && !history.isEmpty()) {
        out.println("wrote checkpoint " + checkpoint);
      }
      if (save != null) {
        DataFiles.io(save, () -> {
          Weights.save(model, save);
          return null;
        });
        out.println("saved weights to " + save);
      }
      if (plot != null && !history.isEmpty()) {
        DataFiles.io(plot, () -> {
          TrainingPlot.write(plot, model.name() + " (" + file.getFileName() + ")", history);
          return null;
        });
        out.println("wrote plot " + plot);
      }
      if (metrics != null) {
        out.println("wrote metrics " + metrics);
      }
      out.flush();
      return Main.OK;
    }
  }

  private Model.ThreadSplit splitMode() {
    return split.equals("batch") ? Model.ThreadSplit.BATCH : Model.ThreadSplit.KERNELS;
  }

  private void checkFlags() {
    CommandLine cmd = spec.commandLine();
    if (!split.equals("kernels") && !split.equals("batch")) {
      throw new CommandLine.ParameterException(cmd, "--split must be kernels or batch, got " + split);
    }
    if (epochs != null && epochs < 1) {
      throw new CommandLine.ParameterException(cmd, "--epochs must be at least 1, got " + epochs);
    }
    if (batch != null && batch < 1) {
      throw new CommandLine.ParameterException(cmd, "--batch must be at least 1, got " + batch);
    }
    if (lr != null && !(lr >= 0 && Double.isFinite(lr))) {
      throw new CommandLine.ParameterException(cmd, "--lr must be a number >= 0, got " + lr);
    }
    if (maxSteps != null && maxSteps < 1) {
      throw new CommandLine.ParameterException(cmd, "--max-steps must be at least 1, got " + maxSteps);
    }
    if (schedule != null) {
      try {
        Schedule.parse(schedule, 1.0);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(cmd, "--schedule: " + e.getMessage());
      }
    }
    if (plot != null && !TrainingPlot.supports(plot)) {
      throw new CommandLine.ParameterException(cmd, "--plot: " + plot + " must end in .svg or .png");
    }
    // Weights.save writes npz for .npz and safetensors for any other name, Checkpoint.save always safetensors: a
    // name of another format that modelc and NumPy read by its extension would hold bytes they cannot read.
    if (save != null && endsWith(save, ".npy", ".csv")) {
      throw new CommandLine.ParameterException(cmd, "--save: " + save + " would be a safetensors file under the "
          + "name of another format; weights are saved as .safetensors or .npz");
    }
    if (checkpoint != null && endsWith(checkpoint, ".npz", ".npy", ".csv")) {
      throw new CommandLine.ParameterException(cmd, "--checkpoint: " + checkpoint + " would be a safetensors file "
          + "under the name of another format; a checkpoint is a safetensors file (name it .safetensors)");
    }
    if (forceResume && resume == null) {
      throw new CommandLine.ParameterException(cmd, "--force-resume needs --resume FILE");
    }
    if (scheduleUnit != null && schedule == null && resume == null) {
      throw noSchedule();
    }
    // Files written at the end must not fail after a long run for want of a directory, or for being one.
    OutputFile.check("--save", save);
    OutputFile.check("--checkpoint", checkpoint);
    OutputFile.check("--plot", plot);
    OutputFile.check("--metrics", metrics);
    Map<String, Path> inputs = new LinkedHashMap<>();
    inputs.put("the model file", file);
    inputs.put("the --data file", data);
    inputs.put("the --val file", val);
    Map<String, Path> inputsAndResume = new LinkedHashMap<>(inputs);
    inputsAndResume.put("the --resume checkpoint", resume);   // which only --checkpoint may replace
    OutputFile.notAnotherFile("--checkpoint", checkpoint, inputs, Map.of());
    Map<String, Path> later = new LinkedHashMap<>();
    later.put("--checkpoint", checkpoint);
    for (Map.Entry<String, Path> e : outputFlags().entrySet()) {
      OutputFile.notAnotherFile(e.getKey(), e.getValue(), inputsAndResume, later);
      later.put(e.getKey(), e.getValue());
    }
  }

  /** The files written at the end of a run, by flag. */
  private Map<String, Path> outputFlags() {
    Map<String, Path> outputs = new LinkedHashMap<>();
    outputs.put("--save", save);
    outputs.put("--plot", plot);
    outputs.put("--metrics", metrics);
    return outputs;
  }

  private static boolean endsWith(Path file, String... extensions) {
    String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    for (String e : extensions) {
      if (name.endsWith(e)) {
        return true;
      }
    }
    return false;
  }

  /** --schedule-unit without a schedule (given, or the checkpoint's) would be silently ignored. */
  private CommandLine.ParameterException noSchedule() {
    return new CommandLine.ParameterException(spec.commandLine(), "--schedule-unit " + scheduleUnit + " says what "
        + "the schedule counts, but there is no schedule (no --schedule" + (resume == null ? "" : ", and " + resume
        + " has none") + "); add --schedule SPEC or leave --schedule-unit out");
  }

  /**
   * Refuses, before training, a schedule whose rate stops being a finite number within the epochs (or steps) this
   * run takes: a gamma above 1 overflows to infinity after enough of them (and cosine with a base rate near the
   * largest double at once), and training on that silently gives NaN.
   * A usage error naming the schedule, the epoch (or step) and the rate, as a schedule that would turn negative is.
   */
  private void checkFinite(Schedule lrAt, String text, double baseLr, String baseName, ScheduleUnit unit, Model model,
      int startEpoch, int totalEpochs, int skip, int batchesPerEpoch) {
    long from = unit == ScheduleUnit.epoch ? startEpoch : model.stepCount();
    long to = unit == ScheduleUnit.epoch ? totalEpochs
        : from + (long) (totalEpochs - startEpoch) * batchesPerEpoch - skip;
    if (unit == ScheduleUnit.step && maxSteps != null) {
      to = Math.min(to, maxSteps);
    }
    int t = lrAt.firstNonFinite((int) Math.min(from, Integer.MAX_VALUE), (int) Math.min(to, Integer.MAX_VALUE));
    if (t < 0) {
      return;
    }
    String where = unit == ScheduleUnit.epoch ? "epoch " + (t + 1) + " of " + totalEpochs
        : "step " + (t + 1) + " of " + to;
    throw new CommandLine.ParameterException(spec.commandLine(), (schedule != null ? "--schedule " + text
        : resume + ": the checkpoint's schedule " + text) + ": the learning rate becomes " + lrAt.lr(t) + " at "
        + where + " (base " + baseLr + (t > 0 ? ", " + lrAt.lr(t - 1) + " the " + unit + " before" : "")
        + "); it must stay finite: " + overflowAdvice(Schedule.kindAt(text, t), baseName, unit));
  }

  /**
   * What to change when the rate overflows: a step or exp part grows by its gamma, so a smaller gamma or a shorter
   * run helps; the other kinds never exceed the base rate, but cosine computes {@code min + (base - min) (1 + cos) / 2},
   * which overflows for a base rate above about 9e307, so the base rate must be smaller.
   */
  private static String overflowAdvice(String kind, String baseName, ScheduleUnit unit) {
    if (kind.equals("step") || kind.equals("exp")) {
      return "use a smaller gamma (at most 1 keeps the rate from growing), or fewer " + unit + "s";
    }
    return kind + " computes the rate from the base rate, which is too large for it here; use a smaller " + baseName;
  }

  /** Checks that the checkpoint is this model's, from the same source unless forced, and restores it. */
  private void restore(Checkpoint ck, Model model, LoadedModel loaded) {
    if (!ck.model().equals(model.name())) {
      throw new UserError(resume + ": a checkpoint of model " + ck.model() + ", but " + file + " defines "
          + model.name());
    }
    if (!ck.sameSource(loaded.sha256) && !forceResume) {
      throw new UserError(resume + ": the checkpoint was written from a model source with SHA-256 "
          + ck.sourceSha256() + ", but " + file + " now has SHA-256 " + loaded.sha256 + "; the model changed "
          + "since. To resume anyway (parameter names and shapes must still match), add --force-resume");
    }
    DataFiles.io(resume, () -> {
      ck.restore(model);
      return null;
    });
  }

  private Loader heldOut(Model model, int batchSize) {
    Dataset d = val != null ? DataFiles.openForEvaluation(val, spec.commandLine().getErr())
        : DataFiles.hasHeldOut(data) ? DataFiles.openHeldOut(data, spec.commandLine().getErr()) : null;
    if (d == null) {
      return null;
    }
    Path where = val != null ? val : data;
    DataBinding b = DataFiles.io(where, () -> d.bind(model));
    if (b.size() == 0) {
      return null;
    }
    return new Loader(b, batchSize, 0).shuffle(false);
  }

  /**
   * Training data may hold NaN or infinity (a model can mask it, as PyTorch's would), so it is not refused; but as
   * one usually makes every loss and, after a step, every parameter NaN, the first of each input is named.
   */
  private static void warnNonFinite(DataBinding binding, Path data, PrintWriter err) {
    for (ArrayData a : binding.dataset().arrays().values()) {
      String first = a.firstNonFinite();
      if (first != null) {
        err.println("modelc: warning: " + data + ": input " + a.name() + " " + first + " (the loss and, after a "
            + "step, the parameters may become NaN; --detect-anomaly stops at the first)");
      }
    }
    err.flush();
  }

  private Evaluation runEval(Model model, Loader heldOut) {
    Path where = val != null ? val : data;
    return runOnData(where, null, () -> Evaluation.run(model, heldOut, false));
  }

  /**
   * Runs a step on data; a model's complaint about the data (a label out of range, or with --detect-anomaly a NaN
   * or infinity) becomes a UserError naming the data, the batch and the sample (an evaluation's through
   * {@link BatchFailure}).
   */
  static <T> T runOnData(Path where, Batch b, java.util.function.Supplier<T> step) {
    try {
      return step.get();
    } catch (IllegalArgumentException | AnomalyException e) {
      throw new UserError(where + (b == null ? "" : " (epoch " + (b.epoch() + 1) + ", batch " + (b.index() + 1) + ")")
          + ": " + e.getMessage() + (b == null ? "" : BatchFailure.sampleOf(b, e)), e);
    } catch (BatchFailure f) {
      throw new UserError(where + " (batch " + (f.batch() + 1) + "): " + f.getMessage() + f.sample(), f.getCause());
    }
  }

  private boolean stepLimitReached(Model model) {
    return maxSteps != null && model.stepCount() >= maxSteps;
  }

  private static String epochLine(EpochMetrics m, int epochs, Evaluation eval, int stoppedAtBatch) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d", m.epoch(), epochs));
    if (stoppedAtBatch >= 0) {
      s.append(" (stopped after batch ").append(stoppedAtBatch).append(')');
    }
    s.append(String.format(Locale.ROOT, ": train loss %.4f", m.trainLoss()));
    if (eval != null) {
      s.append(String.format(Locale.ROOT, ", held-out loss %.4f", eval.loss()));
      if (eval.accuracy() != null) {
        s.append(", accuracy ").append(eval.accuracy());
      }
    }
    return s.append(String.format(Locale.ROOT, ", %.1f s", m.seconds())).toString();
  }

  private static String optimizerText(double baseLr, String schedule, ScheduleUnit unit) {
    return "lr " + baseLr + (schedule == null ? "" : ", schedule " + schedule + " per " + unit);
  }

  /** {@code DIR (t10k-* files), 1000 samples, images -> x, labels -> t}; {@code note} may be empty. */
  static String describe(Dataset d, String note, DataBinding b, Model model) {
    StringBuilder s = new StringBuilder(d.source() + note + ", " + d.size() + " samples");
    Map<String, String> arrays = b.arrayOfInput();
    for (TensorSpec t : model.inputs()) {
      if (arrays.containsKey(t.name())) {
        s.append(", ").append(arrays.get(t.name())).append(" -> ").append(t.name());
      }
    }
    return s.toString();
  }

  private void requireSame(String flag, Object given, Object saved) {
    if (!given.equals(saved)) {
      throw new UserError(resume + ": the checkpoint stopped within an epoch of batches made with " + flag + " "
          + saved + "; resuming with " + given + " would skip or repeat samples (resume with the same value, or "
          + "from a checkpoint written at the end of an epoch)");
    }
  }

  /** A checkpoint entry that does not parse or is out of range: an error naming the checkpoint and the key. */
  private UserError malformed(String key, String text, String expected) {
    return new UserError(resume + ": checkpoint metadata " + key + ": '" + clip(text) + "' is not "
        + expected);
  }

  /** A batch size kept in the checkpoint (at least 1), or {@code otherwise} without one. */
  private int savedInt(Map<String, String> saved, String key, int otherwise) {
    String text = saved.get(key);
    if (text == null) {
      return otherwise;
    }
    try {
      int v = Integer.parseInt(text);
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw malformed(key, text, "a whole number of at least 1");
  }

  private boolean savedBool(Map<String, String> saved, String key) {
    String text = saved.get(key);
    if (text == null || text.equals("false")) {
      return false;
    }
    if (text.equals("true")) {
      return true;
    }
    throw malformed(key, text, "true or false");
  }

  /**
   * A number the checkpoint must hold: the base rate (finite, at least 0), or the loss so far of an epoch it
   * stopped within (any number: a loss may be negative, or NaN after a diverging run).
   */
  private double savedDouble(Map<String, String> saved, String key) {
    String text = saved.get(key);
    if (text == null) {
      throw new UserError(resume + ": the checkpoint stopped within an epoch but does not hold " + key);
    }
    boolean rate = key.equals("train.base_lr");
    try {
      double v = Double.parseDouble(text);
      if (!rate || v >= 0 && Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw malformed(key, text, rate ? "a learning rate (a number >= 0)" : "a number");
  }

  private static String clip(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }
}
