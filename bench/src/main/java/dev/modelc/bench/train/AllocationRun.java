package dev.modelc.bench.train;

import dev.modelc.bench.models.BenchModels;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.runtime.api.Model;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * Bytes the compiled train step and predict allocate on the calling thread, counted exactly
 * ({@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes}) over a window of calls after a warm-up. JMH's
 * {@code gc.alloc.rate.norm} divides its own bookkeeping per iteration (some kilobytes) by the calls of the
 * iteration, which for steps of milliseconds shows as tens to hundreds of bytes per call; this count does not.
 * The window is steady state: windows of at least 20 calls and 0.5 s are repeated (up to {@value #WINDOWS}) until
 * one passes in which the JIT compiled nothing ({@code CompilationMXBean.getTotalCompilationTime} unchanged); a
 * compilation or deoptimization landing in a window counts what the code ran before C2's final version allocated
 * (objects C2 removes by escape analysis, rematerialized on deoptimization), tens to hundreds of bytes once.
 * Prints one JSON line per model: the bytes allocated in the window and the number of calls, for each of the two,
 * and which window was counted ({@code 0}: none was quiet, the last is reported).
 *
 * <p>{@code --batch N} binds N rows instead of each model's benchmark batch (one-sample predict: {@code --batch 1}).
 *
 * <p>With {@code --fail-on-allocation} first, the run exits with status 1 when a quiet window of any model counted
 * a byte, or when no window of a model was quiet (nothing steady was measured, so nothing was shown); a window with
 * JIT activity in it that is followed by a quiet one does not fail. It is the check CI runs over every model of the
 * harness in one JVM, where one model's Vector API code can change how C2 compiles another's.
 *
 * <pre>
 *   java [--add-modules jdk.incubator.vector] -cp bench/target/benchmarks.jar dev.modelc.bench.train.AllocationRun \
 *       [--fail-on-allocation] [--batch N] [warm-up seconds] [model...]
 * </pre>
 */
public final class AllocationRun {
  /** Windows tried before giving up on a JIT-quiet one. */
  static final int WINDOWS = 12;

  private AllocationRun() {}

  public static void main(String[] args) {
    boolean failOnAllocation = args.length > 0 && args[0].equals("--fail-on-allocation");
    if (failOnAllocation) {
      args = java.util.Arrays.copyOfRange(args, 1, args.length);
    }
    int batch = 0; // the model's benchmark batch
    if (args.length > 1 && args[0].equals("--batch")) {
      batch = args[1].matches("[1-9][0-9]{0,5}") ? Integer.parseInt(args[1]) : 0;
      if (batch == 0) {
        System.err.println("AllocationRun: --batch takes a number of rows from 1 to 999999, got " + args[1]);
        System.exit(2);
      }
      args = java.util.Arrays.copyOfRange(args, 2, args.length);
    }
    List<String> allocating = new java.util.ArrayList<>();
    double warmup = args.length > 0 ? Double.parseDouble(args[0]) : 3;
    List<String> models = args.length > 1 ? List.of(args).subList(1, args.length)
        : List.of("linreg", "logreg", "mlp", "cnn", "widemlp");
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().getId();
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    for (String name : models) {
      CheckedModel m = BenchModels.check(name);
      Model model = Driver.compile(m, "bench", name + ".mdl", false).newUninitialized();
      model.initialize(1);
      int rows = batch > 0 ? batch : BenchModels.batch(name);
      BenchModels.randomInputs(m, rows, model, null);
      long[] result = new long[4];
      long[] windows = new long[2];
      for (int kind = 0; kind < 2; kind++) {
        long end = System.nanoTime() + (long) (warmup * 1e9);
        while (System.nanoTime() < end) {
          call(model, kind);
        }
        // windows of at least 20 calls and 0.5 s, until one in which the JIT compiled nothing (at most WINDOWS)
        long quiet = 0;
        for (int window = 1; window <= WINDOWS; window++) {
          long compiling = jit.getTotalCompilationTime();
          long calls = 0;
          long before = threads.getThreadAllocatedBytes(self);
          long stop = System.nanoTime() + 500_000_000L;
          while (calls < 20 || System.nanoTime() < stop) {
            call(model, kind);
            calls++;
          }
          result[2 * kind] = threads.getThreadAllocatedBytes(self) - before;
          result[2 * kind + 1] = calls;
          if (jit.getTotalCompilationTime() == compiling) {
            quiet = window;
            break;
          }
        }
        windows[kind] = quiet;
      }
      System.out.println(String.format(Locale.ROOT,
          "{\"model\": \"%s\", \"batch\": %d, \"train_bytes\": %d, \"train_steps\": %d, \"predict_bytes\": %d, "
              + "\"predict_calls\": %d, \"train_window\": %d, \"predict_window\": %d}",
          name, rows, result[0], result[1], result[2], result[3], windows[0], windows[1]));
      for (int kind = 0; kind < 2; kind++) {
        String call = kind == 0 ? "trainStep" : "predict";
        if (windows[kind] > 0 && result[2 * kind] > 0) {
          allocating.add(String.format(Locale.ROOT, "%s %s: %d bytes in %d calls", name, call, result[2 * kind],
              result[2 * kind + 1]));
        } else if (windows[kind] == 0) {
          // no steady state to judge: the check would otherwise pass without having measured anything
          allocating.add(String.format(Locale.ROOT, "%s %s: the JIT compiled in each of %d windows, so no steady "
              + "state was measured (%d bytes in the last)", name, call, WINDOWS, result[2 * kind]));
        }
      }
    }
    if (failOnAllocation && !allocating.isEmpty()) {
      System.err.println("allocation in a steady state (JIT-quiet window): " + String.join("; ", allocating));
      System.exit(1);
    }
  }

  private static void call(Model model, int kind) {
    if (kind == 0) {
      model.trainStep();
    } else {
      model.predict();
    }
  }
}
