package dev.modelc.fuzz;

import dev.modelc.check.CheckedModel;
import dev.modelc.check.CheckedProgram;
import dev.modelc.check.Frontend;
import dev.modelc.check.OptimizerSpec;
import dev.modelc.codegen.CompiledClass;
import dev.modelc.crosscheck.CrossCheck;
import dev.modelc.diag.Diagnostic;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.SourceFile;
import dev.modelc.driver.Driver;
import dev.modelc.interp.Interpreter;
import dev.modelc.runtime.api.CompiledModel;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.tensor.Tensor;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * A differential fuzzer of valid models. Each model comes from {@link ValidModelGenerator} and a seed; it must
 * check, and then
 *
 * <ol>
 *   <li>{@link CrossCheck#run}, what {@code modelc check} runs, compares the compiled class with the reference
 *   interpreter on the same random inputs and weights: outputs, loss, every gradient and every parameter after each
 *   of three optimizer steps;</li>
 *   <li>{@link CrossCheck#finiteDifferences} compares the compiled gradients of the model's f64 twin with central
 *   differences of its objective;</li>
 *   <li>the compiled class runs two training steps on one thread, on two threads splitting the kernels
 *   ({@code setThreads(2)}) and, where the compiler allows it, on two threads splitting the batch
 *   ({@code setThreads(2, BATCH)}), with a batch large enough for the kernels to split; the losses, gradients,
 *   parameters and outputs of the two-thread runs must match one thread's, within a tolerance relative to each
 *   tensor's largest magnitude.</li>
 * </ol>
 *
 * <p>Any difference, any model that does not check and any exception is a finding. {@link DifferentialFuzzTest}
 * runs a short fixed-seed campaign; {@link #main} a longer one.
 */
public final class DifferentialFuzzer {
  /** A model that failed: its seed, what went wrong and its source. */
  public record Finding(long seed, String what, String source) {
    @Override
    public String toString() {
      return "seed " + seed + ": " + what + "\n" + source;
    }
  }

  /** What a run did. */
  public static final class Report {
    public int models;
    public int crossChecked;
    public int finiteDifferences;
    public int kernelSplit;
    public int batchSplit;
    /** Models whose predict and evaluation-mode forward were compared with the interpreter in evaluation mode. */
    public int evaluated;
    /** Models whose generated loops ran ranges on the worker thread when split over kernels. */
    public int loopsOnWorkers;
    /** Models trained with SGD instead of Adam: their gradients are zero but for rounding somewhere. */
    public int adamReplaced;
    public final List<Finding> findings = new ArrayList<>();

    @Override
    public String toString() {
      return models + " models: " + crossChecked + " compared with the interpreter, " + finiteDifferences
          + " with finite differences, " + evaluated + " in evaluation mode, " + kernelSplit + " with two or three threads splitting kernels (" + loopsOnWorkers + " running loop ranges on the worker), "
          + batchSplit
          + " splitting the batch (" + adamReplaced + " with Adam replaced by SGD); " + findings.size() + " findings";
    }
  }

  /** The batch of the interpreter comparison (small: the interpreter is slow). */
  static final int CHECK_BATCH = 3;

  /** Runs {@code models} generated models, the i-th from seed {@code seed * 1_000_003 + i}. */
  public Report run(long seed, int models) {
    Report report = new Report();
    for (int i = 0; i < models; i++) {
      long s = seed * 1_000_003L + i;
      report.models++;
      String source = null;
      try {
        source = ValidModelGenerator.generate(s).source();
        Finding f = one(s, report);
        if (f != null) report.findings.add(f);
      } catch (Throwable t) {
        report.findings.add(new Finding(s, "exception " + trace(t), source));
      }
    }
    return report;
  }

  /** Checks the model of seed {@code s}; null when everything agrees. */
  public Finding one(long s, Report report) {
    return check(ValidModelGenerator.generate(s), s, report);
  }

  /**
   * Checks a model written by hand (a minimized finding): {@code labelClasses} gives, for each i32 input, how many
   * values it may take; null when everything agrees.
   */
  public static Finding check(String source, Map<String, Integer> labelClasses, long seed) {
    return new DifferentialFuzzer().check(new ValidModelGenerator.Generated(source, labelClasses, 64), seed,
        new Report());
  }

  private Finding check(ValidModelGenerator.Generated g, long s, Report report) {
    int batch = 1 + (int) Math.floorMod(s * 7, 5L); // 1 to 5 rows: a batch of one too
    if (batch == 1 && g.source().contains("batch_norm")) batch = 2; // one row per channel: an infinite variance
    if (roundingOnlyGradients(g, s, batch)) {
      // Adam divides a gradient by its own magnitude: a gradient that is zero but for rounding (the sum of a
      // softmax, a shift before a normalization) becomes steps of about lr in directions rounding decides, on both
      // sides differently. Such a model is compared with SGD and momentum instead.
      g = new ValidModelGenerator.Generated(g.source().replaceAll("minimize loss with .*",
          "minimize loss with sgd(lr = 0.05, momentum = 0.9)"), g.labelClasses(), g.maxRowElements());
      report.adamReplaced++;
    }
    Diagnostics d = new Diagnostics();
    CheckedProgram program = Frontend.load(new SourceFile("fuzz.mdl", g.source()), d);
    if (program == null || d.hasErrors()) {
      return new Finding(s, "the generated model does not check: " + errors(d), g.source());
    }
    CheckedModel m = program.models().get(0);
    CrossCheck c = CrossCheck.run(m, 3, s, batch);
    report.crossChecked++;
    Diagnostics d64 = new Diagnostics();
    CheckedProgram twin = Frontend.load(new SourceFile("fuzz.mdl", g.source().replaceAll("\\bf32\\b", "f64")), d64);
    if (twin == null || d64.hasErrors()) {
      return new Finding(s, "the f64 twin does not check: " + errors(d64), g.source());
    }
    c.finiteDifferences(twin.models().get(0), s, batch);
    if (c.rows().stream().anyMatch(r -> r.quantity().startsWith("finite"))) report.finiteDifferences++;
    if (!c.ok() && g.source().contains("with adam") && c.notes().stream().anyMatch(n -> n.contains("Adam's slack"))
        && c.rows().stream().filter(r -> !r.ok()).allMatch(r -> r.quantity().startsWith("param "))) {
      // CrossCheck found gradients that are zero but for rounding and resynced the params, not Adam's moments, which
      // carry the rounding into the next steps' updates: compared with SGD and momentum instead
      report.adamReplaced++;
      report.crossChecked--; // counted again by the SGD run
      if (c.rows().stream().anyMatch(r -> r.quantity().startsWith("finite"))) report.finiteDifferences--;
      return check(new ValidModelGenerator.Generated(g.source().replaceAll("minimize loss with .*",
          "minimize loss with sgd(lr = 0.05, momentum = 0.9)"), g.labelClasses(), g.maxRowElements()), s, report);
    }
    if (!c.ok()) {
      String rows = c.rows().stream().filter(r -> !r.ok())
          .map(r -> String.format(Locale.ROOT, "%s: max abs err %.3g, max rel err %.3g, worst/allowed %.3g",
              r.quantity(), r.maxAbs(), r.maxRel(), r.worst()))
          .limit(6).collect(Collectors.joining("\n  "));
      return new Finding(s, "compiled and reference (or finite differences) differ:\n  " + rows
          + (c.notes().isEmpty() ? "" : "\n  notes: " + String.join("; ", c.notes())), g.source());
    }
    String eval = evaluation(m, g, s);
    if (eval != null) return new Finding(s, eval, g.source());
    report.evaluated++;
    String threads = threads(m, g, s, report);
    return threads == null ? null : new Finding(s, threads, g.source());
  }

  /**
   * Whether the model trains with Adam or AdamW and its f64 twin has a gradient element that is zero in exact
   * arithmetic but not in floating point: not 0, and below 1e-9 of its param's largest.
   */
  private static boolean roundingOnlyGradients(ValidModelGenerator.Generated g, long s, int batch) {
    if (!g.source().contains("with adam")) return false;
    for (long draw = s; draw < s + 2; draw++) {
      Map<String, double[]> wide = gradients(g.source().replaceAll("\\bf32\\b", "f64"), g, s, draw, batch, false);
      Map<String, double[]> narrow = gradients(g.source(), g, s, draw, batch, false);
      Map<String, double[]> reference = gradients(g.source(), g, s, draw, batch, true);
      if (wide == null || narrow == null || reference == null) return false;
      for (Map.Entry<String, double[]> e : wide.entrySet()) {
        double[] w = e.getValue();
        double[] n = narrow.get(e.getKey());
        double[] r = reference.get(e.getKey());
        double scale = maxAbs(w);
        for (int i = 0; i < w.length; i++) {
          if ((w[i] != 0 || n[i] != 0 || r[i] != 0) && Math.abs(w[i]) <= 1e-9 * Math.max(scale, 1e-3)) return true;
        }
      }
    }
    return false;
  }

  /**
   * The first step's gradients of the model in source, compiled or by the interpreter, with inputs drawn from
   * {@code draw}, by param; null when it does not run.
   */
  private static Map<String, double[]> gradients(String source, ValidModelGenerator.Generated g, long s, long draw,
                                                 int batch, boolean interpreter) {
    Diagnostics d = new Diagnostics();
    CheckedProgram program = Frontend.load(new SourceFile("fuzz.mdl", source), d);
    if (program == null || d.hasErrors()) return null;
    CheckedModel m = program.models().get(0);
    try (Model model = Driver.compile(m, "fuzz.twin", "fuzz.mdl", false).newUninitialized()) {
      model.initialize(s);
      Interpreter ref = interpreter ? new Interpreter(m, s) : null;
      bind(m, model, g, batch, new Random(draw), ref);
      Map<String, double[]> grads = new LinkedHashMap<>();
      if (ref != null) {
        ref.zeroGrad();
        ref.forward();
        ref.backward();
        for (CheckedModel.Param p : m.params()) {
          if (p.buffer()) continue;
          Tensor t = ref.grad(p.name());
          grads.put(p.name(), t == null ? doubles(model.gradient(p.name())) : t.doubles());
        }
        return grads;
      }
      model.zeroGrad();
      model.forward();
      model.backward();
      for (CheckedModel.Param p : m.params()) {
        if (!p.buffer()) grads.put(p.name(), doubles(model.gradient(p.name())));
      }
      return grads;
    } catch (RuntimeException e) {
      return null; // the comparison reports it
    }
  }

  /**
   * The compiled class in evaluation mode (its predict pass, a schedule of its own, and forward after
   * setTraining(false)) against the interpreter in evaluation mode, after one training step on both so that the
   * running statistics of a batch_norm are not their initial values. Null when they agree, elementwise within the
   * tolerance of {@link CrossCheck}.
   */
  private static String evaluation(CheckedModel cm, ValidModelGenerator.Generated g, long s) {
    boolean f64 = cm.params().stream().noneMatch(p -> p.type().dtype() == DType.F32)
        && cm.inputs().stream().noneMatch(i -> i.type().dtype() == DType.F32);
    double tol = f64 ? 1e-9 : 2e-4;
    try (Model m = Driver.compile(cm, "fuzz.eval", "fuzz.mdl", false).newUninitialized()) {
      m.initialize(s);
      Interpreter ref = new Interpreter(cm, s);
      bind(cm, m, g, CHECK_BATCH, new Random(s + 5), ref);
      m.trainStep();
      ref.trainStep();
      // the same params from here (as CrossCheck resyncs them): Adam can turn a gradient that is zero but for
      // rounding into a step of lr either way; the buffers keep what each side's training pass computed
      for (CheckedModel.Param p : cm.params()) {
        if (p.buffer()) continue;
        double[] want = ref.param(p.name()).doubles();
        Object mine = m.parameter(p.name());
        if (mine instanceof float[] f) {
          float[] values = new float[f.length];
          for (int i = 0; i < values.length; i++) values[i] = (float) want[i];
          m.setParameter(p.name(), values);
        } else {
          m.setParameter(p.name(), want);
        }
      }
      m.setTraining(false);
      ref.setTraining(false);
      ref.forward();
      List<String> bad = new ArrayList<>();
      m.predict();
      for (String out : cm.outputs()) {
        elementwise("predict: output " + out, ref.value(out).doubles(), doubles(m.output(out)), tol, bad);
      }
      m.forward();
      for (String out : cm.outputs()) {
        elementwise("evaluation forward: output " + out, ref.value(out).doubles(), doubles(m.output(out)), tol, bad);
      }
      elementwise("evaluation forward: loss", new double[] {ref.loss().item()}, new double[] {m.loss()}, tol, bad);
      return bad.isEmpty() ? null : "evaluation mode differs from the interpreter's: " + String.join("; ", bad);
    }
  }

  /** CrossCheck's test: |got - want| <= tol + tol |want|, equal infinities and two NaNs equal. */
  private static void elementwise(String what, double[] want, double[] got, double tol, List<String> bad) {
    if (want.length != got.length) {
      bad.add(what + ": " + got.length + " elements, not " + want.length);
      return;
    }
    for (int i = 0; i < want.length; i++) {
      if (want[i] == got[i] || Double.isNaN(want[i]) && Double.isNaN(got[i])) continue;
      if (!(Math.abs(want[i] - got[i]) <= tol + tol * Math.abs(want[i]))) {
        bad.add(String.format(Locale.ROOT, "%s[%d]: %.9g, not %.9g", what, i, got[i], want[i]));
        return;
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ threads

  /** What one run of two training steps left. */
  private record Run(double[] losses, Map<String, double[]> grads, Map<String, double[]> params,
                     Map<String, double[]> outputs, long rangesOnWorkers) {}

  private String threads(CheckedModel m, ValidModelGenerator.Generated g, long s, Report report) {
    CompiledClass cc = Driver.compile(m, "fuzz.threads", "fuzz.mdl", false);
    int most = (int) Math.max(3, Math.min(512, 400_000 / g.maxRowElements()));
    int batch = most - (int) Math.floorMod(s, Math.min(8L, most - 2)); // uneven chunks too
    int n = Math.floorMod(s, 4L) == 3 ? 3 : 2;
    boolean f64 = m.params().stream().noneMatch(p -> p.type().dtype() == DType.F32);
    Run one = run(cc, m, g, s, batch, 1, Model.ThreadSplit.KERNELS);
    // trainStep leaves unzeroed the gradients its backward writes whole: the same as zeroGrad, forward, backward, step
    Run passes = run(cc, m, g, s, batch, 0, Model.ThreadSplit.KERNELS);
    OptimizerSpec opt0 = m.objective().optimizer();
    String steps = compare(m, passes, one, f64 ? 1e-12 : 1e-6, opt0);
    if (steps != null) return "trainStep differs from zeroGrad, forward, backward, step (batch " + batch + "): " + steps;
    Run kernels = run(cc, m, g, s, batch, n, Model.ThreadSplit.KERNELS);
    report.kernelSplit++;
    if (kernels.rangesOnWorkers() > 0) report.loopsOnWorkers++;
    OptimizerSpec opt = m.objective().optimizer();
    String diff = compare(m, one, kernels, f64 ? 1e-11 : 1e-5, opt);
    if (diff != null) return n + " threads splitting kernels differ from one (batch " + batch + "): " + diff;
    Run split;
    try {
      split = run(cc, m, g, s, batch, n, Model.ThreadSplit.BATCH);
    } catch (IllegalArgumentException refused) {
      return null; // the compiler does not split this model's batch (batch statistics, a mixing reshape, ...)
    }
    report.batchSplit++;
    diff = compare(m, one, split, f64 ? 1e-10 : 1e-4, opt);
    return diff == null ? null : n + " threads splitting the batch differ from one (batch " + batch + "): " + diff;
  }

  private static Run run(CompiledClass cc, CheckedModel cm, ValidModelGenerator.Generated g, long s, int batch,
                         int threads, Model.ThreadSplit split) {
    try (Model m = cc.newUninitialized()) {
      m.initialize(s);
      if (threads > 1) m.setThreads(threads, split);
      bind(cm, m, g, batch, new Random(s + 17));
      double[] losses = new double[2];
      Map<String, double[]> grads = new LinkedHashMap<>();
      Map<String, double[]> params = new LinkedHashMap<>();
      for (int step = 0; step < 2; step++) {
        if (threads == 0) { // the passes one by one
          m.zeroGrad();
          m.forward();
          m.backward();
          losses[step] = m.loss();
          m.step();
        } else {
          losses[step] = m.trainStep();
        }
        for (CheckedModel.Param p : cm.params()) {
          if (!p.buffer()) grads.put(p.name() + " (step " + (step + 1) + ")", doubles(m.gradient(p.name())));
          params.put(p.name() + " (step " + (step + 1) + ")", doubles(m.parameter(p.name())));
        }
      }
      Map<String, double[]> outputs = new LinkedHashMap<>();
      for (String out : cm.outputs()) outputs.put(out, doubles(m.output(out)));
      long ranges = m instanceof CompiledModel c && c.team() != null ? c.team().loopRangesOnWorkers() : 0;
      return new Run(losses, grads, params, outputs, ranges);
    }
  }

  private static void bind(CheckedModel cm, Model m, ValidModelGenerator.Generated g, int batch, Random rnd) {
    bind(cm, m, g, batch, rnd, null);
  }

  /** Binds random inputs to m and, when not null, the same to the interpreter. */
  private static void bind(CheckedModel cm, Model m, ValidModelGenerator.Generated g, int batch, Random rnd,
                           Interpreter ref) {
    for (String size : cm.sizes()) m.setSize(size, batch);
    for (CheckedModel.Input in : cm.inputs()) {
      int rank = in.type().shape().rank();
      int[] shape = new int[rank];
      int n = 1;
      for (int k = 0; k < rank; k++) {
        Dim dim = in.type().shape().dim(k);
        shape[k] = (int) (dim.coefficient() * Math.pow(batch, dim.symbols().size()));
        n *= shape[k];
      }
      if (in.type().dtype() == DType.I32) {
        int classes = g.labelClasses().getOrDefault(in.name(), 2);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = rnd.nextInt(classes);
        m.setInput(in.name(), labels);
        if (ref != null) ref.setIndices(in.name(), labels, shape);
      } else if (in.type().dtype() == DType.F64) {
        double[] data = new double[n];
        for (int i = 0; i < n; i++) data[i] = rnd.nextDouble() * 2 - 1;
        m.setInput(in.name(), data);
        if (ref != null) ref.setInput(in.name(), Tensor.fromDoubles(dev.modelc.runtime.tensor.DType.F64, shape, data));
      } else {
        float[] data = new float[n];
        double[] wide = new double[n];
        for (int i = 0; i < n; i++) {
          data[i] = (float) (rnd.nextDouble() * 2 - 1);
          wide[i] = data[i];
        }
        m.setInput(in.name(), data);
        if (ref != null) ref.setInput(in.name(), Tensor.fromDoubles(dev.modelc.runtime.tensor.DType.F32, shape, wide));
      }
    }
  }

  /**
   * Null when {@code got} matches {@code want}: every element within {@code tol * max(1, largest |want|)} of its
   * tensor. Adam's normalized step turns a gradient that is zero but for rounding into a step of about lr either
   * way, so a parameter element whose gradient is that small is allowed the steps' lr more.
   */
  private static String compare(CheckedModel m, Run want, Run got, double tol, OptimizerSpec opt) {
    List<String> bad = new ArrayList<>();
    for (int i = 0; i < want.losses().length; i++) {
      check("loss (step " + (i + 1) + ")", new double[] {want.losses()[i]}, new double[] {got.losses()[i]}, tol,
          null, 0, bad);
    }
    boolean normalized = opt.kind() != OptimizerSpec.Kind.SGD;
    Map<String, boolean[]> tiny = new LinkedHashMap<>();
    for (Map.Entry<String, double[]> e : want.grads().entrySet()) {
      double[] w = e.getValue();
      check("grad " + e.getKey(), w, got.grads().get(e.getKey()), tol, null, 0, bad);
      double scale = Math.max(1, maxAbs(w));
      boolean[] t = new boolean[w.length];
      for (int i = 0; i < w.length; i++) t[i] = Math.abs(w[i]) <= 1e-3 * scale;
      tiny.put(e.getKey(), t);
    }
    for (Map.Entry<String, double[]> e : want.params().entrySet()) {
      String key = e.getKey();
      int step = key.endsWith("(step 2)") ? 2 : 1;
      boolean[] t = normalized ? tiny.get(key) : null;
      if (t != null && step == 2) { // a rounding at step 1 carries into step 2
        boolean[] first = tiny.get(key.replace("(step 2)", "(step 1)"));
        t = t.clone();
        for (int i = 0; i < t.length; i++) t[i] |= first[i];
      }
      check("param " + key, e.getValue(), got.params().get(key), tol, t, normalized ? 2.5 * opt.lr() * step : 0,
          bad);
    }
    for (Map.Entry<String, double[]> e : want.outputs().entrySet()) {
      check("output " + e.getKey(), e.getValue(), got.outputs().get(e.getKey()), tol, null, 0, bad);
    }
    if (bad.isEmpty()) return null;
    return String.join("; ", bad.subList(0, Math.min(6, bad.size())));
  }

  private static void check(String what, double[] want, double[] got, double tol, boolean[] slackAt, double slack,
                            List<String> bad) {
    if (want.length != got.length) {
      bad.add(what + ": " + got.length + " elements, not " + want.length);
      return;
    }
    double allowed = tol * Math.max(1, maxAbs(want));
    double worst = 0;
    int at = -1;
    for (int i = 0; i < want.length; i++) {
      if (want[i] == got[i] || Double.isNaN(want[i]) && Double.isNaN(got[i])) continue;
      double err = Math.abs(want[i] - got[i]);
      double a = allowed + (slackAt != null && slackAt[i] ? slack : 0);
      if (!(err <= a) && (Double.isNaN(err) || err / a > worst)) {
        worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err / a;
        at = i;
      }
    }
    if (at >= 0) {
      bad.add(String.format(Locale.ROOT, "%s[%d]: %.9g, not %.9g (allowed %.3g)", what, at, got[at], want[at],
          allowed));
    }
  }

  /** The largest finite magnitude in {@code a} (0 for none). */
  static double maxAbs(double[] a) {
    double m = 0;
    for (double x : a) if (Double.isFinite(x)) m = Math.max(m, Math.abs(x));
    return m;
  }

  /** A copy of an f32, f64 or i32 array as doubles. */
  static double[] doubles(Object array) {
    if (array instanceof double[] d) return d.clone();
    if (array instanceof int[] c) return java.util.Arrays.stream(c).asDoubleStream().toArray();
    float[] f = (float[]) array;
    double[] out = new double[f.length];
    for (int i = 0; i < f.length; i++) out[i] = f[i];
    return out;
  }

  private static String errors(Diagnostics d) {
    return d.all().stream().filter(x -> x.severity() == Diagnostic.Severity.ERROR)
        .map(x -> x.span().line() + ":" + x.span().column() + ": " + x.message()).limit(3)
        .collect(Collectors.joining("; "));
  }

  private static String trace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString().lines().limit(12).collect(Collectors.joining("\n"));
  }

  /** {@code DifferentialFuzzer SEED MODELS [MAX_FINDINGS]}: a longer campaign, printing each finding. */
  public static void main(String[] args) {
    if (args.length > 1 && args[0].equals("at")) { // DifferentialFuzzer at SEED...: those exact models
      for (int i = 1; i < args.length; i++) {
        long s = Long.parseLong(args[i]);
        Finding f = new DifferentialFuzzer().one(s, new Report());
        System.out.println(f == null ? "seed " + s + ": ok" : "---- " + f);
      }
      return;
    }
    long seed = args.length > 0 ? Long.parseLong(args[0]) : 1;
    int models = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    Report report = new DifferentialFuzzer().run(seed, models);
    report.findings.forEach(f -> System.out.println("---- " + f));
    System.out.println(report);
  }
}
