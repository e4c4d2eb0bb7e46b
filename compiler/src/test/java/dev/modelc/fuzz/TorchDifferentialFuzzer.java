package dev.modelc.fuzz;

import dev.modelc.check.CheckedModel;
import dev.modelc.check.CheckedProgram;
import dev.modelc.check.Frontend;
import dev.modelc.check.OptimizerSpec;
import dev.modelc.check.TExpr;
import dev.modelc.diag.Diagnostic;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.SourceFile;
import dev.modelc.driver.Driver;
import dev.modelc.interp.Interpreter;
import dev.modelc.ir.IrException;
import dev.modelc.ir.Origin;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.io.ArrayData;
import dev.modelc.runtime.io.ArrayFile;
import dev.modelc.runtime.io.Npz;
import dev.modelc.runtime.kernels.Dropout;
import dev.modelc.runtime.tensor.Tensor;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A differential fuzzer against real PyTorch. {@link DifferentialFuzzer} compares the compiled class with modelc's
 * own reference interpreter, which could share a misreading of PyTorch; this one compares both with torch itself
 * (Debian's python3-torch at {@code /usr/bin/python3}).
 *
 * <ol>
 *   <li>Each model comes from {@link ValidModelGenerator} and a seed, as for {@link DifferentialFuzzer}; it is
 *   checked, and so is its f64 twin (every f32 made f64).</li>
 *   <li>{@link TorchTranslator} writes each (the f64 twin always, the f32 model too when it is one) as a Python
 *   function over torch from the checked tree.</li>
 *   <li>The compiled class is initialized from the seed; its params and buffers, random inputs of {@link #STEPS}
 *   steps (labels within their class counts) and dropout's masks (modelc's generator, not torch's) go to an npz file.
 *   The compiled class then trains those steps, and the reference interpreter runs the first forward pass.</li>
 *   <li>One Python process ({@code src/test/python/torch_fuzz.py}) runs a batch of models from those files with
 *   torch.optim's optimizer of the same hyperparameters and writes what it computed.</li>
 *   <li>Compared, within a tolerance relative to each tensor's largest magnitude ({@link #F64_TOL}, {@link #F32_TOL}),
 *   in f64 (in f32 only up to the params after the first step: rounding of the params can then move a later value
 *   across a kink):
 *   each step's loss, every parameter's gradient at each step and the parameters after each step, the buffers and
 *   counters after the last (compiled class); the outputs (compiled class) and every let (interpreter) of the first
 *   forward pass; after the steps, the loss and outputs of a pass in evaluation mode (PyTorch's model.eval(): the
 *   compiled class's forward after setTraining(false), and its predict) on the first step's inputs.</li>
 * </ol>
 *
 * <p>Adam divides a gradient by its own magnitude, so a gradient element that is zero but for rounding (the sum of
 * a softmax) becomes a step of about lr whose sign rounding decides, differently on each side. A model trained
 * with Adam or AdamW whose comparison fails only after the first step's gradients, and which has such an element (at
 * most 1e-9, 1e-5 in f32, of its param's largest on either side, or zero on one side only), is compared again with
 * SGD and momentum from the same start, as {@link DifferentialFuzzer} does. A model that does not check or that
 * PyTorch rejects, and every difference, is a finding; models that cannot be compared are counted by reason.
 */
public final class TorchDifferentialFuzzer {
  static final int STEPS = 3;
  static final double F64_TOL = 1e-9;
  static final double F32_TOL = 1e-4;
  /**
   * The smallest magnitude a tolerance is taken of, in f64 and f32: a tensor of values near zero (a gradient that
   * sums terms of both signs) carries the rounding of the terms, not of the result. In f32 that is 1, as for
   * {@link DifferentialFuzzer}: a normalization of values that hardly vary (a variance near 0) multiplies their
   * rounding by up to {@code 1 / sqrt(eps)}, about 316, so f32 is the coarse check and f64 the fine one.
   */
  static final double F64_FLOOR = 1e-3;
  static final double F32_FLOOR = 1;
  static final Path PYTHON = Path.of("/usr/bin/python3");
  static final Path SCRIPT = Path.of("src", "test", "python", "torch_fuzz.py");
  static final String SGD_REPLACEMENT = "sgd(lr = 0.05, momentum = 0.9)";

  /** A model that differs from PyTorch: its seed, precision, what differed, its source and its translation. */
  public record Finding(long seed, String precision, String what, String source, String python) {
    @Override
    public String toString() {
      return "seed " + seed + " (" + precision + "): " + what + "\n" + source
          + (python == null ? "" : "---- as PyTorch:\n" + python);
    }
  }

  /** What a campaign did. */
  public static final class Report {
    public int models;
    public int translated;
    public int comparedF64;
    public int comparedF32;
    public int adamReplaced;
    /** Models compared with inputs on the grid of {@link #onGrid}. */
    public int grid;
    public final Map<String, Integer> skipped = new TreeMap<>();
    /** For each builtin (operators by their enum name), the f64 models compared that use it. */
    public final Map<String, Integer> ops = new TreeMap<>();
    public final List<Finding> findings = new ArrayList<>();

    /** The builtins the compared models used, with how many models used each. */
    public String coverage() {
      return ops.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    void skip(String reason) {
      skipped.merge(reason, 1, Integer::sum);
    }

    @Override
    public String toString() {
      return models + " models generated, " + translated + " translated, " + comparedF64 + " compared in f64 and "
          + comparedF32 + " in f32 with PyTorch (" + grid + " with inputs on a grid, " + adamReplaced
          + " with Adam replaced by SGD), skipped: "
          + (skipped.isEmpty() ? "none" : skipped.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
          .collect(Collectors.joining(", "))) + "; " + findings.size() + " findings";
    }
  }

  /** Whether /usr/bin/python3 imports torch. */
  public static boolean torchAvailable() {
    if (!Files.isExecutable(PYTHON)) return false;
    try {
      Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import torch, numpy").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private final boolean f32;
  private final int perProcess;
  /** Whether each batch of models prints the report so far on stderr. */
  boolean progress;
  /**
   * Whether the generator also draws the forms only PyTorch gives meaning to ({@code ValidModelGenerator}'s torch
   * mode); {@code -Dfuzz.torchForms=false} gives the models {@link DifferentialFuzzer} compares for the same seeds.
   */
  boolean torchForms = !System.getProperty("fuzz.torchForms", "true").equals("false");

  /** @param f32 whether f32 models are compared in f32 too; @param perProcess models per Python process */
  public TorchDifferentialFuzzer(boolean f32, int perProcess) {
    this.f32 = f32;
    this.perProcess = perProcess;
  }

  /** Runs {@code models} generated models, the i-th from seed {@code seed * 1_000_003 + i}. */
  public Report run(long seed, int models) throws IOException, InterruptedException {
    List<Long> seeds = new ArrayList<>();
    for (int i = 0; i < models; i++) seeds.add(seed * 1_000_003L + i);
    return runSeeds(seeds);
  }

  /** Runs the models of exactly these seeds. */
  public Report runSeeds(List<Long> seeds) throws IOException, InterruptedException {
    Report report = new Report();
    for (int from = 0; from < seeds.size(); from += perProcess) {
      List<Long> chunk = seeds.subList(from, Math.min(seeds.size(), from + perProcess));
      Path dir = Files.createTempDirectory("torch-fuzz");
      try {
        List<Case> cases = new ArrayList<>();
        StringBuilder models = new StringBuilder();
        for (long s : chunk) {
          report.models++;
          ValidModelGenerator.Generated g = ValidModelGenerator.generate(s, torchForms);
          prepare(s, g.source(), g.labelClasses(), dir, models, cases, report);
        }
        Files.writeString(dir.resolve("models.py"), models.toString());
        String log = python(dir);
        for (Case c : cases) compare(c, dir, log, report);
        if (progress) System.err.println(report);
      } finally {
        if (Boolean.getBoolean("fuzz.keep")) { // -Dfuzz.keep=true: the files of each batch stay, for a closer look
          System.err.println("kept " + dir);
          continue;
        }
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
    return report;
  }

  /** Checks one model written by hand (a minimized finding) against PyTorch; the findings. */
  public static List<Finding> check(String source, Map<String, Integer> labelClasses, long seed, boolean f32)
      throws IOException, InterruptedException {
    Report report = new Report();
    Path dir = Files.createTempDirectory("torch-fuzz");
    List<Case> cases = new ArrayList<>();
    StringBuilder models = new StringBuilder();
    TorchDifferentialFuzzer fuzzer = new TorchDifferentialFuzzer(f32, 1);
    fuzzer.prepare(seed, source, labelClasses, dir, models, cases, report);
    Files.writeString(dir.resolve("models.py"), models.toString());
    String log = python(dir);
    for (Case c : cases) fuzzer.compare(c, dir, log, report);
    if (cases.isEmpty()) {
      report.findings.add(new Finding(seed, "-", "not compared: " + report.skipped, source, null));
    }
    return report.findings;
  }

  // ------------------------------------------------------------------------------------------------ preparing

  /** One model in one precision, ready to be compared once PyTorch has run it. */
  private record Case(String id, long seed, String precision, String source, Map<String, Integer> labels,
                      CheckedModel model, String python, Run compiled, Map<String, double[]> lets,
                      Map<String, ArrayData> data) {}

  /** What the compiled class computed. */
  private record Run(double[] losses, Map<String, double[]> grads, Map<String, double[]> params,
                     Map<String, double[]> state, Map<String, double[]> outputs, double evalLoss,
                     Map<String, double[]> evalOutputs) {}

  private void prepare(long s, String source, Map<String, Integer> labels, Path dir, StringBuilder models,
                       List<Case> cases, Report report) {
    CheckedModel m32 = load(source);
    String wideSource = source.replaceAll("\\bf32\\b", "f64");
    CheckedModel m64 = load(wideSource);
    if (m32 == null || m64 == null) {
      report.findings.add(new Finding(s, "-", "the model does not check: " + checkErrors(source), source, null));
      return;
    }
    boolean narrow = !source.equals(wideSource);
    List<String> precisions = narrow && f32 ? List.of("f64", "f32") : List.of("f64");
    boolean translated = false;
    for (String precision : precisions) {
      CheckedModel m = precision.equals("f64") ? m64 : m32;
      String text = precision.equals("f64") ? wideSource : source;
      String id = s + (precision.equals("f64") ? "d" : "f");
      id = id.replace('-', 'n');
      String python;
      TorchTranslator t = new TorchTranslator(m);
      try {
        python = t.translate(id, m.objective() == null ? null : m.objective().optimizer());
      } catch (TorchTranslator.Untranslatable u) {
        report.skip("untranslatable (" + u.getMessage() + ")");
        return;
      }
      translated = true;
      try {
        Map<String, ArrayData> data = new LinkedHashMap<>();
        Run compiled = compiled(m, s, labels, t, data);
        Map<String, double[]> lets = interpreter(m, s, data);
        Npz.write(dir.resolve(id + ".in.npz"), data);
        models.append(python);
        cases.add(new Case(id, s, precision, text, labels, m, python, compiled, lets, data));
      } catch (IrException e) {
        if (e.origin != Origin.NONE && e.getMessage().contains("not supported by the code generator")) {
          report.skip("refused by the code generator");
          return;
        }
        report.findings.add(new Finding(s, precision, "exception " + trace(e), text, python));
        return;
      } catch (Exception e) {
        report.findings.add(new Finding(s, precision, "exception " + trace(e), text, python));
        return;
      }
    }
    if (translated) report.translated++;
  }

  private static CheckedModel load(String source) {
    Diagnostics d = new Diagnostics();
    CheckedProgram program = Frontend.load(new SourceFile("fuzz.mdl", source), d);
    return program == null || d.hasErrors() ? null : program.models().get(0);
  }

  private static String checkErrors(String source) {
    Diagnostics d = new Diagnostics();
    Frontend.load(new SourceFile("fuzz.mdl", source), d);
    return d.all().stream().filter(x -> x.severity() == Diagnostic.Severity.ERROR)
        .map(x -> x.span().line() + ":" + x.span().column() + ": " + x.message()).limit(3)
        .collect(Collectors.joining("; "));
  }

  /**
   * Initializes the compiled class from the seed, writes its params and buffers, the inputs of every step and
   * dropout's masks into {@code data}, and trains it {@link #STEPS} steps on those inputs.
   */
  private static Run compiled(CheckedModel cm, long s, Map<String, Integer> labels, TorchTranslator t,
                              Map<String, ArrayData> data) {
    int batch = batchOf(cm, s);
    Map<String, Long> sizes = new LinkedHashMap<>();
    for (String size : cm.sizes()) sizes.put(size, (long) batch);
    try (Model m = Driver.compile(cm, "fuzz.torch", "fuzz.mdl", false).newUninitialized()) {
      m.initialize(s);
      for (CheckedModel.Param p : cm.params()) {
        Object v = m.parameterCopy(p.name());
        data.put("p." + p.name(), array("p." + p.name(), v, shape(p.type().shape().dims(), sizes)));
      }
      for (String size : cm.sizes()) {
        m.setSize(size, batch);
        data.put("size." + size, ArrayData.of("size." + size, new int[] {batch}));
      }
      data.put("steps", ArrayData.of("steps", new int[] {STEPS}));
      Random rnd = new Random(s + 17);
      boolean grid = onGrid(s);
      double[] losses = new double[STEPS];
      Map<String, double[]> grads = new LinkedHashMap<>();
      Map<String, double[]> params = new LinkedHashMap<>();
      Map<String, double[]> outputs = new LinkedHashMap<>();
      for (int step = 0; step < STEPS; step++) {
        for (CheckedModel.Input in : cm.inputs()) {
          int[] shape = shape(in.type().shape().dims(), sizes);
          int n = count(shape);
          String key = "x." + step + "." + in.name();
          if (in.type().dtype() == DType.I32) {
            int classes = labels.getOrDefault(in.name(), 2);
            int[] v = new int[n];
            for (int i = 0; i < n; i++) v[i] = rnd.nextInt(classes);
            m.setInput(in.name(), v);
            data.put(key, ArrayData.of(key, v, shape));
          } else if (in.type().dtype() == DType.F64) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = grid ? (rnd.nextInt(5) - 2) * 0.5 : (float) (rnd.nextDouble() * 2 - 1);
            m.setInput(in.name(), v);
            data.put(key, ArrayData.of(key, v.clone(), shape));
          } else {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = grid ? (rnd.nextInt(5) - 2) * 0.5f : (float) (rnd.nextDouble() * 2 - 1);
            m.setInput(in.name(), v);
            data.put(key, ArrayData.of(key, v.clone(), shape));
          }
        }
        m.zeroGrad();
        m.forward();
        for (TorchTranslator.DropoutSite d : t.dropouts) { // the mask this pass drew for each dropout call
          int n = count(shape(d.shape().dims(), sizes));
          double[] mask = new double[n];
          Dropout.mask(mask, n, d.p(), d.site(), m.dropoutSeed(), m.dropoutDraws());
          for (int i = 0; i < n; i++) mask[i] = mask[i] != 0 ? 1 : 0;
          String key = "m." + step + "." + d.site();
          data.put(key, ArrayData.of(key, mask, n));
        }
        losses[step] = m.loss();
        if (step == 0) for (String out : cm.outputs()) outputs.put(out, DifferentialFuzzer.doubles(m.output(out)));
        m.backward();
        for (CheckedModel.Param p : cm.params()) {
          if (!p.buffer()) {
            String key = "grad " + p.name() + " (step " + (step + 1) + ")";
            grads.put(key, DifferentialFuzzer.doubles(m.gradient(p.name())));
          }
        }
        m.step();
        for (CheckedModel.Param p : cm.params()) {
          if (!p.buffer()) params.put("param " + p.name() + " (after step " + (step + 1) + ")",
              DifferentialFuzzer.doubles(m.parameter(p.name())));
        }
      }
      Map<String, double[]> state = new LinkedHashMap<>();
      for (CheckedModel.Param p : cm.params()) {
        if (p.buffer()) state.put(p.name(), DifferentialFuzzer.doubles(m.parameter(p.name())));
      }
      // evaluation mode (model.eval()) on the first step's inputs: forward, and predict, a schedule of its own
      m.setTraining(false);
      for (CheckedModel.Input in : cm.inputs()) m.setInput(in.name(), data.get("x.0." + in.name()).data());
      m.forward();
      double evalLoss = m.loss();
      Map<String, double[]> evalOutputs = new LinkedHashMap<>();
      for (String out : cm.outputs()) evalOutputs.put("forward " + out, DifferentialFuzzer.doubles(m.output(out)));
      m.predict();
      for (String out : cm.outputs()) evalOutputs.put("predict " + out, DifferentialFuzzer.doubles(m.output(out)));
      return new Run(losses, grads, params, state, outputs, evalLoss, evalOutputs);
    }
  }

  /**
   * Whether the model's float inputs are drawn from {-1, -0.5, 0, 0.5, 1} rather than uniformly (one model in
   * three): exact zeros, ties and values on clamp's bounds put the ops on their kinks, where finite differences mean
   * nothing (so {@link DifferentialFuzzer} avoids them) but PyTorch's choice of gradient is what modelc documents.
   * Params stay random: params on the grid too made ties that rounding decides (identical rows of a product come
   * out of PyTorch's BLAS a unit in the last place apart, and max pooling then picks another maximum).
   */
  static boolean onGrid(long s) {
    return Math.floorMod(s, 3L) == 0;
  }

  /** The batch size of a model's seed: 1 to 5 rows, 2 or more with batch_norm (one row: an infinite variance). */
  private static int batchOf(CheckedModel cm, long s) {
    boolean bn = false;
    for (CheckedModel.Param p : cm.params()) bn |= p.buffer();
    int batch = 1 + (int) Math.floorMod(s * 7, 5L);
    return batch == 1 && bn ? 2 : batch;
  }

  /** The reference interpreter's lets in the first forward pass, from the same params, buffers and inputs. */
  private static Map<String, double[]> interpreter(CheckedModel cm, long s, Map<String, ArrayData> data) {
    Interpreter ref = new Interpreter(cm, s);
    for (CheckedModel.Param p : cm.params()) {
      Tensor t = ref.param(p.name());
      ArrayData v = data.get("p." + p.name());
      for (int i = 0; i < v.length(); i++) {
        if (t.floatData() != null) t.floatData()[i] = (float) v.get(i);
        else t.doubleData()[i] = v.get(i);
      }
    }
    for (CheckedModel.Input in : cm.inputs()) {
      ArrayData v = data.get("x.0." + in.name());
      if (v.data() instanceof int[] ints) ref.setIndices(in.name(), ints, v.shape());
      else if (v.data() instanceof double[] d) ref.setInput(in.name(), Tensor.of(d.clone(), v.shape()));
      else ref.setInput(in.name(), Tensor.of(v.floats().clone(), v.shape()));
    }
    ref.forward();
    Map<String, double[]> lets = new LinkedHashMap<>();
    for (CheckedModel.Value v : cm.values()) lets.put(v.name(), ref.value(v.name()).doubles());
    return lets;
  }

  // ------------------------------------------------------------------------------------------------ PyTorch

  /** Runs torch_fuzz.py over the folder; its output (empty when it succeeded quietly). */
  private static String python(Path dir) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(PYTHON.toString(), SCRIPT.toString(), dir.toString()).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(600, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return out + "\n(timed out)";
    }
    return p.exitValue() == 0 ? out : out + "\n(exit " + p.exitValue() + ")";
  }

  // ------------------------------------------------------------------------------------------------ comparing

  private void compare(Case c, Path dir, String log, Report report) throws IOException {
    Path err = dir.resolve(c.id() + ".err");
    Path out = dir.resolve(c.id() + ".out.npz");
    if (Files.exists(err)) {
      String trace = Files.readString(err);
      report.findings.add(new Finding(c.seed(), c.precision(), "PyTorch raised:\n" + lastLines(trace, 6),
          c.source(), c.python()));
      return;
    }
    if (!Files.exists(out)) {
      report.findings.add(new Finding(c.seed(), c.precision(), "PyTorch wrote nothing: " + lastLines(log, 6),
          c.source(), c.python()));
      return;
    }
    ArrayFile torch = Npz.read(out);
    boolean wide = c.precision().equals("f64");
    double tol = wide ? F64_TOL : F32_TOL;
    List<String> bad = new ArrayList<>();
    List<String> early = new ArrayList<>(); // differences before the first step's update
    compareLets(c, torch, tol, early);
    compareRun(c.compiled(), torch, "", c.model(), tol, early, bad);
    OptimizerSpec opt = c.model().objective().optimizer();
    if (early.isEmpty() && !bad.isEmpty() && opt.kind() != OptimizerSpec.Kind.SGD
        && roundingOnly(c.compiled(), torch, wide ? 1e-9 : 1e-5)) {
      // Adam on a gradient that is zero but for rounding: compared with SGD and momentum from the same start
      String sgdSource = c.source().replaceAll("minimize loss with .*", "minimize loss with " + SGD_REPLACEMENT);
      CheckedModel sgd = load(sgdSource);
      Run again = compiled(sgd, c.seed(), c.labels(), new TorchTranslator(sgd), new LinkedHashMap<>());
      bad.clear();
      compareRun(again, torch, "sgd.", sgd, tol, early, bad);
      report.adamReplaced++;
    }
    if (wide) {
      report.comparedF64++;
      if (onGrid(c.seed())) report.grid++;
      Set<String> used = new TreeSet<>();
      ArrayDeque<TExpr> work = new ArrayDeque<>();
      c.model().values().forEach(v -> work.push(v.expr()));
      work.push(c.model().objective().expr());
      while (!work.isEmpty()) {
        if (work.pop() instanceof TExpr.Call call) {
          used.add(call.op().callable() ? call.op().spelling() : call.op().name());
          call.args().forEach(work::push);
        }
      }
      used.add("optimizer " + opt.kind().name().toLowerCase(Locale.ROOT));
      used.forEach(op -> report.ops.merge(op, 1, Integer::sum));
    } else {
      report.comparedF32++;
    }
    early.addAll(bad);
    if (!early.isEmpty()) {
      report.findings.add(new Finding(c.seed(), c.precision(), "differs from PyTorch"
          + (onGrid(c.seed()) ? " (inputs on the grid: look for a tie that rounding decides)" : "") + ":\n  "
          + String.join("\n  ", early.subList(0, Math.min(8, early.size()))), c.source(), c.python()));
    }
  }

  /** The interpreter's lets in the first forward pass; a let PyTorch has no value for is not compared. */
  private static void compareLets(Case c, ArrayFile torch, double tol, List<String> bad) {
    for (Map.Entry<String, double[]> e : c.lets().entrySet()) {
      ArrayData want = torch.arrays().get("value." + e.getKey());
      if (want != null) check("let " + e.getKey() + " (interpreter, first forward)", doubles(want), e.getValue(), tol,
          bad);
    }
    for (Map.Entry<String, double[]> e : c.compiled().outputs().entrySet()) {
      ArrayData want = torch.arrays().get("value." + e.getKey());
      if (want == null) want = c.data().get("p." + e.getKey()); // a param as an output: its initial value
      if (want != null) check("output " + e.getKey() + " (first forward)", doubles(want), e.getValue(), tol, bad);
    }
  }

  /** Losses, gradients, params, buffers and counters; the first step's loss and gradients go to {@code early}. */
  private static void compareRun(Run run, ArrayFile torch, String prefix, CheckedModel cm, double tol,
                                 List<String> early, List<String> bad) {
    boolean wide = tol == F64_TOL;
    // in f32 the params after a step differ by rounding, which can put a later step's value on the other side of a
    // kink (a tie of minimum in PyTorch, not in modelc): f32 compares the first step only
    int steps = wide ? STEPS : 1;
    for (int step = 0; step < steps; step++) {
      double want = torch.get(prefix + "loss." + step).get(0);
      check("loss (step " + (step + 1) + ")", new double[] {want}, new double[] {run.losses()[step]}, tol,
          step == 0 ? early : bad);
      for (CheckedModel.Param p : cm.params()) {
        if (p.buffer()) continue;
        String g = "grad " + p.name() + " (step " + (step + 1) + ")";
        check(g, doubles(torch.get(prefix + "grad." + step + "." + p.name())), run.grads().get(g), tol,
            step == 0 ? early : bad);
        String q = "param " + p.name() + " (after step " + (step + 1) + ")";
        check(q, doubles(torch.get(prefix + "param." + step + "." + p.name())), run.params().get(q), tol, bad);
      }
    }
    if (!wide) return;
    check("evaluation loss", new double[] {torch.get(prefix + "eval.loss").get(0)}, new double[] {run.evalLoss()},
        tol, bad);
    for (Map.Entry<String, double[]> e : run.evalOutputs().entrySet()) {
      String name = e.getKey().substring(e.getKey().indexOf(' ') + 1);
      ArrayData want = torch.arrays().get(prefix + "eval.value." + name);
      if (want != null) check("evaluation " + e.getKey(), doubles(want), e.getValue(), tol, bad);
    }
    for (CheckedModel.Param p : cm.params()) {
      if (!p.buffer()) continue;
      String key = (p.type().dtype().isFloat() ? "buffer." : "counter.") + p.name();
      check("buffer " + p.name() + " (after step " + STEPS + ")", doubles(torch.get(prefix + key)),
          run.state().get(p.name()), tol, bad);
    }
  }

  /**
   * Whether a gradient element of some step is zero but for rounding on either side: at most {@code rel} of its
   * param's largest and not zero, or zero on one side only.
   */
  private static boolean roundingOnly(Run run, ArrayFile torch, double rel) {
    for (Map.Entry<String, double[]> e : run.grads().entrySet()) {
      // "grad NAME (step K)"
      String key = e.getKey();
      String name = key.substring(5, key.lastIndexOf(" (step "));
      int step = Integer.parseInt(key.substring(key.lastIndexOf(' ') + 1, key.length() - 1)) - 1;
      ArrayData theirs = torch.arrays().get("grad." + step + "." + name);
      if (theirs == null) continue;
      double[] mine = e.getValue();
      double[] t = doubles(theirs);
      double scale = Math.max(DifferentialFuzzer.maxAbs(t), rel == 1e-9 ? F64_FLOOR : F32_FLOOR);
      for (int i = 0; i < mine.length; i++) {
        if ((mine[i] == 0) != (t[i] == 0)) return true;
        if (mine[i] != 0 && Math.abs(mine[i]) <= rel * scale || t[i] != 0 && Math.abs(t[i]) <= rel * scale) {
          return true;
        }
      }
    }
    return false;
  }

  /** Every element within tol times max(its tensor's largest magnitude, the floor); equal infinities, two NaNs agree. */
  private static void check(String what, double[] want, double[] got, double tol, List<String> bad) {
    if (got == null || want.length != got.length) {
      bad.add(what + ": " + (got == null ? "missing" : got.length + " elements, not " + want.length));
      return;
    }
    double allowed = tol * Math.max(tol == F64_TOL ? F64_FLOOR : F32_FLOOR, DifferentialFuzzer.maxAbs(want));
    double worst = 0;
    int at = -1;
    for (int i = 0; i < want.length; i++) {
      if (want[i] == got[i] || Double.isNaN(want[i]) && Double.isNaN(got[i])) continue;
      double err = Math.abs(want[i] - got[i]);
      if (!(err <= allowed) && (Double.isNaN(err) || err / allowed > worst)) {
        worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err / allowed;
        at = i;
      }
    }
    if (at >= 0) {
      bad.add(String.format(Locale.ROOT, "%s[%d]: modelc %.12g, PyTorch %.12g (allowed %.3g, largest %.3g)", what,
          at, got[at], want[at], allowed, DifferentialFuzzer.maxAbs(want)));
    }
  }

  // ------------------------------------------------------------------------------------------------ arrays

  private static int[] shape(List<Dim> dims, Map<String, Long> sizes) {
    int[] s = new int[dims.size()];
    for (int i = 0; i < s.length; i++) s[i] = (int) dims.get(i).evaluate(sizes);
    return s;
  }

  private static int count(int[] shape) {
    int n = 1;
    for (int d : shape) n *= d;
    return n;
  }

  private static ArrayData array(String name, Object v, int[] shape) {
    if (v instanceof float[] f) return ArrayData.of(name, f, shape);
    if (v instanceof double[] d) return ArrayData.of(name, d, shape);
    return ArrayData.of(name, (int[]) v, shape);
  }

  private static double[] doubles(ArrayData a) {
    double[] out = new double[a.length()];
    for (int i = 0; i < out.length; i++) out[i] = a.get(i);
    return out;
  }

  private static String lastLines(String text, int n) {
    List<String> lines = text.lines().collect(Collectors.toList());
    return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
  }

  private static String trace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString().lines().limit(12).collect(Collectors.joining("\n"));
  }

  /**
   * {@code TorchDifferentialFuzzer SEED MODELS}: a campaign, printing each finding; {@code TorchDifferentialFuzzer
   * at SEED...}: those exact models. Run in the {@code compiler} directory.
   */
  public static void main(String[] args) throws Exception {
    TorchDifferentialFuzzer fuzzer = new TorchDifferentialFuzzer(!"false".equals(System.getProperty("fuzz.f32")), 100);
    fuzzer.progress = true;
    Report report;
    if (args.length > 1 && args[0].equals("at")) {
      List<Long> seeds = new ArrayList<>();
      for (int i = 1; i < args.length; i++) seeds.add(Long.parseLong(args[i]));
      report = fuzzer.runSeeds(seeds);
    } else {
      report = fuzzer.run(args.length > 0 ? Long.parseLong(args[0]) : 1, args.length > 1
          ? Integer.parseInt(args[1]) : 1000);
    }
    report.findings.forEach(f -> System.out.println("---- " + f));
    System.out.println("builtins compared (models using each): " + report.coverage());
    System.out.println(report);
  }
}
