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
 * and prints, per model, the median and the lowest microseconds of CPU time per step over the windows.
 *
 * <pre>
 *   java [--add-modules jdk.incubator.vector] -cp bench/target/benchmarks.jar dev.modelc.bench.train.StepCpuTime \
 *       [warm-up seconds] [windows] [model...]
 * </pre>
 */
public final class StepCpuTime {
  private StepCpuTime() {}

  public static void main(String[] args) {
    double warmup = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    int windows = args.length > 1 ? Integer.parseInt(args[1]) : 21;
    List<String> models = args.length > 2 ? List.of(args).subList(2, args.length) : List.of("logreg", "mlp");
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (String name : models) {
      CheckedModel m = BenchModels.check(name);
      Model model = Driver.compile(m, "bench", name + ".mdl", false).newUninitialized();
      model.initialize(1);
      BenchModels.randomInputs(m, BenchModels.batch(name), model, null);
      long steps = 0;
      long start = threads.getCurrentThreadCpuTime();
      while (threads.getCurrentThreadCpuTime() - start < (long) (warmup * 1e9)) {
        model.trainStep();
        steps++;
      }
      // Windows of about 0.2 s of CPU time each, sized from the warm-up's rate.
      long perWindow = Math.max(1, steps / (long) Math.ceil(warmup * 5));
      double[] micros = new double[windows];
      double sink = 0;
      for (int w = 0; w < windows; w++) {
        long t0 = threads.getCurrentThreadCpuTime();
        for (long s = 0; s < perWindow; s++) {
          sink += model.trainStep();
        }
        micros[w] = (threads.getCurrentThreadCpuTime() - t0) / 1e3 / perWindow;
      }
      Arrays.sort(micros);
      System.out.printf(Locale.ROOT, "{\"model\": \"%s\", \"median_us\": %.3f, \"min_us\": %.3f, \"steps_per_window\":"
          + " %d, \"windows\": %d, \"loss\": %s}%n", name, micros[windows / 2], micros[0], perWindow, windows,
          Double.isFinite(sink) ? "\"finite\"" : "\"not finite\"");
    }
  }
}
