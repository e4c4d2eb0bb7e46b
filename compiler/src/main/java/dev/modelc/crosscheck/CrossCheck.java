package dev.modelc.crosscheck;

import dev.modelc.check.CheckedModel;
import dev.modelc.check.OptimizerSpec;
import dev.modelc.codegen.CompiledClass;
import dev.modelc.driver.Driver;
import dev.modelc.interp.Interpreter;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.tensor.Tensor;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Runs a compiled model class and the reference interpreter side by side from the same seed and the same random
 * inputs, comparing outputs, loss, every gradient and every parameter after each optimizer step; and checks the
 * compiled gradients of the model's f64 twin against central finite differences. What {@code modelc check} prints.
 */
public final class CrossCheck {
  /**
   * One compared quantity. Each element passes when {@code |got - want| <= atol + rtol * |want|} (or both are the
   * same infinity, or both NaN); {@code worst} is the largest {@code |got - want| / (atol + rtol * |want|)}, so the
   * row passes when it is at most 1.
   */
  public record Row(String quantity, double maxAbs, double maxRel, double worst, double atol, double rtol,
      boolean ok) {}

  private final List<Row> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  /** What was not compared, and why. */
  public List<String> notes() {
    return notes;
  }

  public List<Row> rows() {
    return rows;
  }

  public boolean ok() {
    return rows.stream().allMatch(Row::ok);
  }

  /** Compiled vs interpreter for {@code steps} optimizer steps (forward and gradients only without an objective). */
  public static CrossCheck run(CheckedModel model, int steps, long seed, int batch) {
    CrossCheck c = new CrossCheck();
    CompiledClass compiled = Driver.compile(model, "modelc.check", Driver.sourceName(model.span().file()), false);
    Model m = compiled.newUninitialized();
    m.initialize(seed);
    Interpreter ref = new Interpreter(model, seed);
    double tol = model.params().stream().anyMatch(p -> p.type().dtype() == DType.F32)
        || model.inputs().stream().anyMatch(i -> i.type().dtype() == DType.F32) ? 2e-4 : 1e-9;
    bindRandomInputs(model, m, ref, batch, new Random(seed));
    for (CheckedModel.Param p : model.params()) {
      c.compare("initial " + p.name(), ref.param(p.name()).doubles(), doubles(m.parameter(p.name())), 0);
    }
    boolean training = model.objective() != null && !objectiveParams(model).isEmpty();
    if (model.objective() != null && !training) {
      c.notes.add("gradients not compared: the objective reads no param");
    }
    OptimizerSpec opt = training ? model.objective().optimizer() : null;
    boolean normalized = opt != null && opt.kind() != OptimizerSpec.Kind.SGD;
    Map<String, boolean[]> rounding = new HashMap<>(); // elements whose gradient is rounding on both sides
    for (int step = 1; step <= Math.max(1, steps); step++) {
      String at = " (step " + step + ")";
      m.zeroGrad();
      ref.zeroGrad();
      m.forward();
      ref.forward();
      for (String out : model.outputs()) {
        c.compare("output " + out + at, ref.value(out).doubles(), doubles(m.output(out)), tol);
      }
      if (!training) {
        break;
      }
      c.compare("loss" + at, new double[] {ref.loss().item()}, new double[] {m.loss()}, tol);
      m.backward();
      ref.backward();
      for (CheckedModel.Param p : model.params()) {
        if (p.buffer()) continue; // a buffer has no gradient; its value is compared after the step
        Tensor g = ref.grad(p.name());
        double[] want = g == null ? new double[p.type().shape().dims().stream().mapToInt(d -> (int) d.coefficient())
            .reduce(1, (a, b) -> a * b)] : g.doubles();
        double[] got = doubles(m.gradient(p.name()));
        c.compare("grad " + p.name() + at, want, got, tol);
        if (normalized) c.markRounding(p.name(), want, got, tol, rounding);
      }
      m.step();
      ref.step();
      double slack = normalized ? 2 * opt.lr() * Math.max(1, (1 - opt.beta1()) / Math.sqrt(1 - opt.beta2())) : 0;
      for (CheckedModel.Param p : model.params()) {
        double[] want = ref.param(p.name()).doubles();
        boolean[] bySlack = c.compare((p.buffer() ? "buffer " : "param ") + p.name() + at, want,
            doubles(m.parameter(p.name())), tol, rounding.remove(p.name()), slack);
        resync(m.parameter(p.name()), want, bySlack);
      }
    }
    return c;
  }

  /** Central finite differences of the compiled f64 model's objective against its compiled gradients. */
  public void finiteDifferences(CheckedModel f64Model, long seed, int batch) {
    if (f64Model.objective() == null || objectiveParams(f64Model).isEmpty()) {
      return;
    }
    if (objectiveUses(f64Model, dev.modelc.check.Builtin.DETACH)) {
      notes.add("finite differences skipped: the objective uses detach(...), whose cut the differences cannot see");
      return;
    }
    Model m = Driver.compile(f64Model, "modelc.check", Driver.sourceName(f64Model.span().file()), false)
        .newUninitialized();
    m.initialize(seed);
    bindRandomInputs(f64Model, m, null, batch, new Random(seed));
    m.zeroGrad();
    m.forward();
    if (!Double.isFinite(m.loss())) {
      // every difference of a NaN (or infinite) objective is NaN: there is no slope to compare the gradients with
      notes.add("finite differences skipped: the f64 twin's objective is " + m.loss() + " at the random inputs, "
          + "so differences of it say nothing about the gradients");
      return;
    }
    m.backward();
    long draw = m.dropoutDraws(); // each difference redraws this pass's dropout masks, those of the gradient
    Random probe = new Random(seed + 1);
    double worstAbs = 0;
    double worstRel = 0;
    double worst = 0;
    boolean ok = true;
    for (CheckedModel.Param p : f64Model.params()) {
      if (p.buffer()) continue; // finite differences see through a buffer's stop_gradient; it has no gradient by design
      double[] w = (double[]) m.parameter(p.name());
      double[] g = ((double[]) m.gradient(p.name())).clone();
      for (int k = 0; k < Math.min(8, w.length); k++) {
        int i = k == 0 ? 0 : probe.nextInt(w.length);
        double keep = w[i];
        double h = 1e-6 * Math.max(1, Math.abs(keep));
        w[i] = keep + h;
        m.setDropoutDraws(draw - 1);
        m.forward();
        double up = m.loss();
        w[i] = keep - h;
        m.setDropoutDraws(draw - 1);
        m.forward();
        double down = m.loss();
        w[i] = keep;
        double numeric = (up - down) / (2 * h);
        double abs = Math.abs(numeric - g[i]);
        double rel = abs / Math.max(1e-12, Math.abs(numeric));
        worstAbs = Math.max(worstAbs, abs);
        worstRel = Math.max(worstRel, rel);
        worst = Math.max(worst, abs / (FD_ATOL + FD_RTOL * Math.abs(numeric)));
        ok &= abs <= FD_ATOL + FD_RTOL * Math.abs(numeric);
      }
    }
    rows.add(new Row("finite differences (f64)", worstAbs, worstRel, worst, FD_ATOL, FD_RTOL, ok));
  }

  /** The finite-difference test: |numeric - analytic| <= 1e-6 + 1e-5 |numeric|. */
  static final double FD_ATOL = 1e-6;
  static final double FD_RTOL = 1e-5;

  /**
   * Marks the elements of a parameter whose gradient is zero within the tolerance on both sides but not the same
   * (rounding of a gradient that is zero in exact arithmetic, as a convolution's bias has before a batch norm).
   * Adam divides a gradient by its own magnitude, so it turns those roundings into steps of about lr in either
   * direction; the parameters' comparison allows such elements that much more, with a note when one needs it.
   */
  private static void markRounding(String name, double[] want, double[] got, double tol,
                                   Map<String, boolean[]> marks) {
    for (int i = 0; i < Math.min(want.length, got.length); i++) {
      if (want[i] != got[i] && Math.abs(want[i]) <= tol && Math.abs(got[i]) <= tol) {
        marks.computeIfAbsent(name, k -> new boolean[want.length])[i] = true;
      }
    }
  }

  /** Compares element by element with atol = rtol = tol; equal infinities and two NaNs count as equal. */
  private void compare(String quantity, double[] want, double[] got, double tol) {
    compare(quantity, want, got, tol, null, 0);
  }

  /**
   * Sets the compiled parameter's elements that passed only by Adam's slack to the reference's values, so that the
   * rounding one step turned into a step of lr does not carry into the next steps (a running mean that sums the
   * bias, say): each step is then compared from the same point for those elements.
   */
  private static void resync(Object param, double[] want, boolean[] elements) {
    if (elements == null) return;
    for (int i = 0; i < elements.length; i++) {
      if (!elements[i]) continue;
      if (param instanceof float[] f) f[i] = (float) want[i];
      else ((double[]) param)[i] = want[i];
    }
  }

  /**
   * {@link #compare(String, double[], double[], double)}, allowing the marked elements {@code slack} more, with a
   * note when an element passes only by that slack; returns those elements (null when none).
   */
  private boolean[] compare(String quantity, double[] want, double[] got, double tol, boolean[] marked,
                            double slack) {
    int bySlack = 0;
    boolean[] passedBySlack = null;
    double maxAbs = 0;
    double maxRel = 0;
    double worst = 0;
    boolean ok = want.length == got.length;
    for (int i = 0; i < Math.min(want.length, got.length); i++) {
      if (want[i] == got[i] || (Double.isNaN(want[i]) && Double.isNaN(got[i]))) {
        continue; // equal, including the same infinity (whose difference would be NaN)
      }
      double abs = Math.abs(want[i] - got[i]); // NaN when one side is NaN or infinite: Math.max keeps it
      double allowed = tol + tol * Math.abs(want[i]);
      if (abs > allowed && marked != null && marked[i] && abs <= allowed + slack) {
        bySlack++;
        allowed += slack;
        if (passedBySlack == null) passedBySlack = new boolean[want.length];
        passedBySlack[i] = true;
      }
      maxAbs = Math.max(maxAbs, abs);
      maxRel = Math.max(maxRel, abs / Math.max(1e-30, Math.abs(want[i])));
      worst = Math.max(worst, abs / allowed);
      ok &= abs <= allowed;
    }
    rows.add(new Row(quantity, maxAbs, maxRel, worst, tol, tol, ok));
    if (bySlack > 0) {
      notes.add(String.format(java.util.Locale.ROOT, "%s: %d element(s) pass only with Adam's slack: their "
          + "gradients are zero but for rounding on both sides (|g| <= %.0e, as a bias before a batch norm has), "
          + "which Adam's normalized step turns into steps of about lr (allowed %.3g more; the compiled values "
          + "are then set to the reference's)", quantity, bySlack, tol, slack));
    }
    return passedBySlack;
  }

  private static void bindRandomInputs(CheckedModel model, Model m, Interpreter ref, int batch, Random rnd) {
    for (String size : model.sizes()) {
      m.setSize(size, batch); // an input such as f32[N, N] does not tell N by its length alone
    }
    for (CheckedModel.Input in : model.inputs()) {
      int[] shape = new int[in.type().shape().rank()];
      for (int d = 0; d < shape.length; d++) {
        Dim dim = in.type().shape().dim(d);
        shape[d] = (int) (dim.coefficient() * Math.pow(batch, dim.symbols().size()));
      }
      int n = 1;
      for (int s : shape) {
        n *= s;
      }
      if (in.type().dtype() == DType.I32) {
        int classes = classesFor(model, in.name(), batch);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
          labels[i] = rnd.nextInt(classes);
        }
        m.setInput(in.name(), labels);
        if (ref != null) {
          ref.setIndices(in.name(), labels, shape);
        }
      } else {
        double[] data = new double[n];
        for (int i = 0; i < n; i++) {
          data[i] = rnd.nextDouble() * 2 - 1;
        }
        Tensor t = Tensor.fromDoubles(in.type().dtype() == DType.F64
            ? dev.modelc.runtime.tensor.DType.F64 : dev.modelc.runtime.tensor.DType.F32, shape, data);
        m.setInput(in.name(), t.dtype() == dev.modelc.runtime.tensor.DType.F64 ? t.doubleData() : t.floatData());
        if (ref != null) {
          ref.setInput(in.name(), t);
        }
      }
    }
  }

  /** The params the objective reads, directly or through the values it reads. */
  static java.util.Set<String> objectiveParams(CheckedModel model) {
    java.util.Map<String, dev.modelc.check.TExpr> values = new java.util.HashMap<>();
    model.values().forEach(v -> values.put(v.name(), v.expr()));
    java.util.Set<String> seen = new java.util.HashSet<>();
    java.util.Set<String> params = new java.util.HashSet<>();
    java.util.ArrayDeque<dev.modelc.check.TExpr> work = new java.util.ArrayDeque<>();
    work.push(model.objective().expr());
    while (!work.isEmpty()) {
      dev.modelc.check.TExpr e = work.pop();
      if (e instanceof dev.modelc.check.TExpr.Call c) {
        c.args().forEach(work::push);
      } else if (e instanceof dev.modelc.check.TExpr.Ref r) {
        if (r.kind() == dev.modelc.check.TExpr.RefKind.PARAM) {
          params.add(r.name());
        } else if (values.containsKey(r.name()) && seen.add(r.name())) {
          work.push(values.get(r.name()));
        }
      }
    }
    return params;
  }

  /** Whether the objective calls builtin b, directly or through the values it reads. */
  private static boolean objectiveUses(CheckedModel model, dev.modelc.check.Builtin b) {
    java.util.Map<String, dev.modelc.check.TExpr> values = new java.util.HashMap<>();
    model.values().forEach(v -> values.put(v.name(), v.expr()));
    java.util.Set<String> seen = new java.util.HashSet<>();
    boolean[] found = {false};
    java.util.function.Consumer<dev.modelc.check.TExpr> visit = new java.util.function.Consumer<>() {
      @Override
      public void accept(dev.modelc.check.TExpr e) {
        if (e instanceof dev.modelc.check.TExpr.Call c) {
          found[0] |= c.op() == b;
          c.args().forEach(this);
        } else if (e instanceof dev.modelc.check.TExpr.Ref r && values.containsKey(r.name()) && seen.add(r.name())) {
          accept(values.get(r.name()));
        }
      }
    };
    visit.accept(model.objective().expr());
    return found[0];
  }

  /**
   * How many values an i32 input may take: the class count of the losses that take it as labels (the second dim of
   * their logits), the size of the dim index_select and gather read along, one_hot's num_classes, embedding's
   * num_embeddings; the smallest over its uses.
   */
  private static int classesFor(CheckedModel model, String labels, int batch) {
    int[] found = {Integer.MAX_VALUE};
    java.util.function.Consumer<dev.modelc.check.TExpr> visit = new java.util.function.Consumer<>() {
      @Override
      public void accept(dev.modelc.check.TExpr e) {
        if (e instanceof dev.modelc.check.TExpr.Call c) {
          boolean second = c.args().size() > 1 && c.args().get(1) instanceof dev.modelc.check.TExpr.Ref r
              && r.name().equals(labels);
          boolean first = c.args().get(0) instanceof dev.modelc.check.TExpr.Ref r && r.name().equals(labels);
          Dim bound = switch (c.op()) {
            case CROSS_ENTROPY, NLL -> second ? c.args().get(0).type().shape().dim(1) : null;
            case INDEX_SELECT, GATHER -> second ? c.args().get(0).type().shape().dim(c.attrs().dims().get(0)) : null;
            case ONE_HOT -> first ? Dim.of(c.attrs().dims().get(0)) : null;
            case EMBEDDING -> first ? c.args().get(1).type().shape().dim(0) : null;
            default -> null;
          };
          if (bound != null) {
            found[0] = Math.min(found[0], (int) (bound.coefficient() * Math.pow(batch, bound.symbols().size())));
          }
          c.args().forEach(this);
        }
      }
    };
    model.values().forEach(v -> visit.accept(v.expr()));
    if (model.objective() != null) {
      visit.accept(model.objective().expr());
    }
    return found[0] == Integer.MAX_VALUE ? 2 : found[0];
  }

  private static double[] doubles(Object array) {
    if (array instanceof double[] d) {
      return d.clone();
    }
    if (array instanceof int[] counter) { // batch_norm's num_batches_tracked
      return java.util.Arrays.stream(counter).asDoubleStream().toArray();
    }
    float[] f = (float[]) array;
    double[] out = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = f[i];
    }
    return out;
  }
}
