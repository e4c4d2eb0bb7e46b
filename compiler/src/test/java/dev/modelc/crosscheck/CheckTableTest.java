package dev.modelc.crosscheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.check.Builtin;
import dev.modelc.check.CheckedModel;
import dev.modelc.check.CheckedProgram;
import dev.modelc.check.Frontend;
import dev.modelc.check.Initializer;
import dev.modelc.check.OptimizerSpec;
import dev.modelc.check.TExpr;
import dev.modelc.cli.Main;
import dev.modelc.diag.DiagnosticPrinter;
import dev.modelc.diag.Diagnostics;
import dev.modelc.types.DType;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code modelc check} table: every file in {@code src/test/resources/check} is run through {@code modelc check}
 * (compiled class against the reference interpreter for a few optimizer steps, then the compiled f64 gradients
 * against central finite differences) and must pass with a finite-difference row for every model. The coverage tests
 * read the checked models of the table and fail when a builtin, a dtype, an initializer family or an optimizer
 * option has no row, so a new builtin or optimizer cannot land without one.
 *
 * <p>A model whose objective reads {@code detach(...)} cannot be checked against finite differences (they see the
 * detached path, the gradient rightly does not); {@code check/detach} holds one, and {@code modelc check} must pass
 * it side by side and say that it skips the finite-difference row.
 */
class CheckTableTest {
  static final Path TABLE = Path.of("src/test/resources/check");
  static final String FINITE_DIFFERENCES = "finite differences (f64)";

  record Run(int exitCode, String out, String err) {
    String all() {
      return out + "\n" + err;
    }
  }

  static Run check(Path file) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"check", file.toString(), "--steps", "3", "--batch", "3"},
        new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  static List<Path> tableFiles() throws IOException {
    try (Stream<Path> files = Files.list(TABLE)) {
      return files.filter(p -> p.toString().endsWith(".mdl")).sorted().collect(Collectors.toList());
    }
  }

  static CheckedProgram load(Path file) {
    Diagnostics d = new Diagnostics();
    CheckedProgram p = Frontend.load(file, d);
    assertFalse(d.hasErrors(), DiagnosticPrinter.text(d));
    assertNotNull(p, file.toString());
    return p;
  }

  static List<CheckedModel> tableModels() throws IOException {
    List<CheckedModel> models = new ArrayList<>();
    for (Path file : tableFiles()) {
      models.addAll(load(file).models());
    }
    return models;
  }

  /** Exit code 0, and for every model of the file a header and a passing finite-difference row. */
  static boolean passes(Run run, List<CheckedModel> models) {
    long finiteDifferenceRows = run.out().lines().filter(l -> l.startsWith(FINITE_DIFFERENCES) && l.endsWith("ok"))
        .count();
    return run.exitCode() == Main.OK && finiteDifferenceRows == models.size() && !run.out().contains("FAIL")
        && models.stream().allMatch(m -> run.out().contains("Model " + m.name() + ":"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tableFiles")
  void everyRowPassesModelcCheck(Path file) {
    List<CheckedModel> models = load(file).models();
    assertFalse(models.isEmpty(), file + " has no model");
    Run run = check(file);
    assertEquals(Main.OK, run.exitCode(), run.all());
    assertTrue(run.out().contains(FINITE_DIFFERENCES), run.all());
    assertTrue(passes(run, models), "want a header and a passing finite-difference row for each of "
        + models.stream().map(CheckedModel::name).collect(Collectors.toList()) + "\n" + run.all());
  }

  @Test
  void aDetachedObjectiveIsComparedSideBySideAndSaysWhyNoFiniteDifferences() {
    Run run = check(TABLE.resolve("detach").resolve("detach_in_objective.mdl"));
    assertEquals(Main.OK, run.exitCode(), run.all());
    assertTrue(run.out().contains("grad w (step 3)"), run.all());
    assertTrue(run.out().contains("finite differences skipped: the objective uses detach(...)"), run.all());
    assertFalse(run.out().contains(FINITE_DIFFERENCES), run.all());
  }

  @Test
  void everyBuiltinHasARowInF32AndInF64() throws IOException {
    Set<String> seen = new TreeSet<>();
    for (CheckedModel m : tableModels()) {
      // a comparison's result and a combination of masks are bool masks: the row is in the dtype they compare
      forEachCall(m, c -> seen.add(c.op() + " " + compared(c)));
    }
    List<String> missing = new ArrayList<>();
    for (Builtin b : Builtin.values()) {
      for (DType dtype : List.of(DType.F32, DType.F64)) {
        if (!seen.contains(b + " " + dtype)) {
          missing.add(b + " in " + dtype.spelling());
        }
      }
    }
    assertEquals(List.of(), missing, "builtins without a row in " + TABLE);
  }

  /** The dtype of a value, or for a mask the dtype its comparison compared. */
  private static DType compared(TExpr e) {
    return e.type().dtype() == DType.BOOL && e instanceof TExpr.Call c ? compared(c.args().get(0)) : e.type().dtype();
  }

  /** Forms of a builtin that take a different path: reductions, approximations, optional operands, window args. */
  @Test
  void builtinVariantsHaveRows() throws IOException {
    Set<String> seen = new TreeSet<>();
    for (CheckedModel m : tableModels()) {
      forEachCall(m, c -> seen.addAll(variants(c)));
    }
    List<String> wanted = new ArrayList<>(List.of("gelu approximate=none", "gelu approximate=tanh",
        "grad of a scalar", "grad with a seed", "linear with bias", "linear without bias", "conv2d with bias",
        "conv2d without bias", "conv2d strided", "conv2d padded", "maxpool2d padded", "maxpool2d unpadded",
        "avgpool2d padded", "avgpool2d unpadded", "matmul 1-d operand", "matmul batched"));
    for (Builtin b : Builtin.values()) {
      if (b.isLoss()) {
        wanted.add(b.spelling() + " reduction=mean");
        wanted.add(b.spelling() + " reduction=sum");
      }
    }
    for (Builtin b : List.of(Builtin.SUM, Builtin.MEAN, Builtin.MAX, Builtin.LOGSUMEXP)) {
      wanted.add(b.spelling() + " all dims");
      wanted.add(b.spelling() + " some dims");
      wanted.add(b.spelling() + " keepdim");
    }
    wanted.removeAll(seen);
    assertEquals(List.of(), wanted, "builtin forms without a row in " + TABLE);
  }

  @Test
  void everyOptimizerAndOptionHasARowInF32AndInF64() throws IOException {
    Set<String> seen = new TreeSet<>();
    for (CheckedModel m : tableModels()) {
      if (m.objective() != null) {
        DType dtype = m.params().get(0).type().dtype();
        for (String v : variants(m.objective().optimizer())) {
          seen.add(v + " in " + dtype.spelling());
        }
      }
    }
    List<String> wanted = new ArrayList<>();
    for (DType dtype : List.of(DType.F32, DType.F64)) {
      for (OptimizerSpec.Kind kind : OptimizerSpec.Kind.values()) {
        wanted.add(kind.name().toLowerCase() + " in " + dtype.spelling());
      }
      for (String v : List.of("sgd plain", "sgd momentum", "sgd dampening", "sgd nesterov", "sgd weight_decay",
          "adam default", "adam betas", "adam eps", "adam weight_decay", "adamw default", "adamw betas", "adamw eps",
          "adamw weight_decay")) {
        wanted.add(v + " in " + dtype.spelling());
      }
    }
    wanted.removeAll(seen);
    assertEquals(List.of(), wanted, "optimizer settings without a row in " + TABLE);
  }

  @Test
  void everyInitializerHasARowInF32AndInF64() throws IOException {
    Set<String> seen = new TreeSet<>();
    for (CheckedModel m : tableModels()) {
      for (CheckedModel.Param p : m.params()) {
        Initializer init = p.init();
        String dtype = " in " + p.type().dtype().spelling();
        seen.add(init.kind() + dtype);
        if (init.args().containsKey("mode")) {
          seen.add(init.kind() + " mode=" + init.text("mode") + dtype);
        }
      }
    }
    List<String> missing = new ArrayList<>();
    for (DType dtype : List.of(DType.F32, DType.F64)) {
      for (Initializer.Kind kind : Initializer.Kind.values()) {
        missing.add(kind + " in " + dtype.spelling());
      }
      for (Initializer.Kind kind : List.of(Initializer.Kind.KAIMING_UNIFORM, Initializer.Kind.KAIMING_NORMAL)) {
        missing.add(kind + " mode=fan_in in " + dtype.spelling());
        missing.add(kind + " mode=fan_out in " + dtype.spelling());
      }
    }
    missing.removeAll(seen);
    assertEquals(List.of(), missing, "initializers without a row in " + TABLE);
  }

  /** Each {@code NAME_f32.mdl} has a {@code NAME_f64.mdl} that is the same model with every f32 made f64. */
  @Test
  void f64TwinsMatchTheirF32Rows() throws IOException {
    for (Path f32 : tableFiles()) {
      String name = f32.getFileName().toString();
      if (!name.endsWith("_f32.mdl")) {
        assertTrue(name.endsWith("_f64.mdl"), name + " should end in _f32.mdl or _f64.mdl");
        assertTrue(Files.exists(TABLE.resolve(name.replace("_f64.mdl", "_f32.mdl"))), name + " has no f32 twin");
        continue;
      }
      Path f64 = TABLE.resolve(name.replace("_f32.mdl", "_f64.mdl"));
      assertTrue(Files.exists(f64), name + " has no f64 twin");
      assertEquals(code(Files.readString(f32)).replaceAll("\\bf32\\b", "f64"), code(Files.readString(f64)),
          f64 + " differs from " + name + " outside comments and dtypes");
    }
  }

  private static String code(String text) {
    return text.lines().filter(l -> !l.trim().startsWith("//")).collect(Collectors.joining("\n"));
  }

  private static void forEachCall(CheckedModel m, java.util.function.Consumer<TExpr.Call> action) {
    java.util.function.Consumer<TExpr> walk = new java.util.function.Consumer<>() {
      @Override
      public void accept(TExpr e) {
        if (e instanceof TExpr.Call c) {
          action.accept(c);
          c.args().forEach(this);
        }
      }
    };
    m.values().forEach(v -> walk.accept(v.expr()));
    if (m.objective() != null) {
      walk.accept(m.objective().expr());
    }
  }

  private static List<String> variants(TExpr.Call c) {
    String name = c.op().spelling();
    List<String> out = new ArrayList<>();
    if (c.op().isLoss()) {
      out.add(name + " reduction=" + c.attrs().reduction());
    }
    switch (c.op()) {
      case GELU -> out.add(name + " approximate=" + c.attrs().approximate());
      case GRAD -> out.add(c.args().size() == 3 ? "grad with a seed" : "grad of a scalar");
      case LINEAR, CONV2D -> out.add(name + (c.args().size() == 3 ? " with bias" : " without bias"));
      case MATMUL -> {
        int left = c.args().get(0).type().shape().rank();
        int right = c.args().get(1).type().shape().rank();
        out.add(left == 1 || right == 1 ? "matmul 1-d operand" : left > 2 || right > 2 ? "matmul batched" : "matmul");
      }
      case SUM, MEAN, MAX, MAX_ALL, LOGSUMEXP -> {
        int rank = c.args().get(0).type().shape().rank();
        out.add(name + (c.attrs().dims().isEmpty() || c.attrs().dims().size() == rank ? " all dims" : " some dims"));
        if (c.attrs().keepdim()) {
          out.add(name + " keepdim");
        }
      }
      default -> { }
    }
    if (c.op() == Builtin.CONV2D || c.op() == Builtin.MAXPOOL2D || c.op() == Builtin.AVGPOOL2D) {
      boolean padded = c.attrs().padding()[0] != 0 || c.attrs().padding()[1] != 0;
      out.add(name + (padded ? " padded" : " unpadded"));
      if (c.attrs().stride()[0] != 1 || c.attrs().stride()[1] != 1) {
        out.add(name + " strided");
      }
    }
    return out;
  }

  private static List<String> variants(OptimizerSpec o) {
    String name = o.kind().name().toLowerCase();
    List<String> out = new ArrayList<>(List.of(name));
    if (o.kind() == OptimizerSpec.Kind.SGD) {
      if (o.momentum() == 0 && o.weightDecay() == 0) {
        out.add("sgd plain");
      }
      if (o.momentum() != 0) {
        out.add("sgd momentum");
      }
      if (o.dampening() != 0) {
        out.add("sgd dampening");
      }
      if (o.nesterov()) {
        out.add("sgd nesterov");
      }
      if (o.weightDecay() != 0) {
        out.add("sgd weight_decay");
      }
      return out;
    }
    double defaultDecay = o.kind() == OptimizerSpec.Kind.ADAM ? 0 : 0.01;
    if (o.lr() == 0.001 && o.beta1() == 0.9 && o.beta2() == 0.999 && o.eps() == 1e-8
        && o.weightDecay() == defaultDecay) {
      out.add(name + " default");
    }
    if (o.beta1() != 0.9 || o.beta2() != 0.999) {
      out.add(name + " betas");
    }
    if (o.eps() != 1e-8) {
      out.add(name + " eps");
    }
    if (o.weightDecay() != defaultDecay) {
      out.add(name + " weight_decay");
    }
    return out;
  }
}
