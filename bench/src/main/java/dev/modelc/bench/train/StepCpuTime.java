package dev.modelc.bench.train;

import dev.modelc.bench.models.BenchModels;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.runtime.api.Model;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The compiled train step's CPU time on the calling thread, for comparisons on a machine other processes keep
 * busy: JMH's wall-clock figures there include the time the benchmark thread waits for a core, which varied
 * several-fold between runs of the same jar; the thread's CPU time ({@code ThreadMXBean.getCurrentThreadCpuTime})
 * leaves that waiting out (not the cache misses another process causes). After a warm-up, runs windows of steps
 * and prints, per model, the median and the lowest microseconds of CPU time per step over the windows. With
 * {@code --predict} it times {@code predict} instead of {@code trainStep}; with {@code --batch N} it binds N rows
 * instead of the model's benchmark batch (one-sample predict: {@code --predict --batch 1}).
 *
 * <pre>
 *   java [--add-modules jdk.incubator.vector] -cp bench/target/benchmarks.jar dev.modelc.bench.train.StepCpuTime \
 *       [--predict] [--batch N] [warm-up seconds] [windows] [model...]
 * </pre>
 */
public final class StepCpuTime {
  private StepCpuTime() {}

  public static void main(String[] args) {
    boolean predict = false;
    int batch = 0;
    while (args.length > 0 && args[0].startsWith("--")) {
      if (args[0].equals("--predict")) {
        predict = true;
        args = Arrays.copyOfRange(args, 1, args.length);
      } else if (args[0].equals("--batch") && args.length > 1) {
        batch = Integer.parseInt(args[1]);
        args = Arrays.copyOfRange(args, 2, args.length);
      } else {
        System.err.println("StepCpuTime: unknown option " + args[0]
            + " (options: --predict, --batch N; then [warm-up seconds] [windows] [model...])");
        System.exit(2);
        return;
      }
    }
    double warmup = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    int windows = args.length > 1 ? Integer.parseInt(args[1]) : 21;
    List<String> models = args.length > 2 ? List.of(args).subList(2, args.length) : List.of("logreg", "mlp");
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (String name : models) {
      CheckedModel m = BenchModels.check(name);
      Model model = Driver.compile(m, "bench", name + ".mdl", false).newUninitialized();
      model.initialize(1);
      int rows = batch > 0 ? batch : BenchModels.batch(name);
      BenchModels.randomInputs(m, rows, model, null);
      long steps = 0;
      long start = threads.getCurrentThreadCpuTime();
      while (threads.getCurrentThreadCpuTime() - start < (long) (warmup * 1e9)) {
        call(model, predict);
        steps++;
      }
      // Windows of about 0.2 s of CPU time each, sized from the warm-up's rate.
      long perWindow = Math.max(1, steps / (long) Math.ceil(warmup * 5));
      double[] micros = new double[windows];
      double sink = 0;
      for (int w = 0; w < windows; w++) {
        long t0 = threads.getCurrentThreadCpuTime();
        for (long s = 0; s < perWindow; s++) {
          sink += call(model, predict);
        }
        micros[w] = (threads.getCurrentThreadCpuTime() - t0) / 1e3 / perWindow;
      }
      Arrays.sort(micros);
      System.out.printf(Locale.ROOT, "{\"model\": \"%s\", \"call\": \"%s\", \"batch\": %d, \"median_us\": %.3f, "
          + "\"min_us\": %.3f, \"steps_per_window\": %d, \"windows\": %d, \"result\": %s}%n", name,
          predict ? "predict" : "trainStep", rows, micros[windows / 2], micros[0], perWindow, windows,
          Double.isFinite(sink) ? "\"finite\"" : "\"not finite\"");
    }
  }

  /** One call: the train step's loss, or predict's first output element. */
  private static double call(Model model, boolean predict) {
    if (!predict) {
      return model.trainStep();
    }
    model.predict();
    return 0;
  }
}
