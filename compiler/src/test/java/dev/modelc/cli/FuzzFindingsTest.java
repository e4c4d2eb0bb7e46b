package dev.modelc.cli;

import static dev.modelc.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;


import dev.modelc.cli.Cli.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs a fuzzer found that made the command line fail badly (an internal error, a stack trace, output without
 * bound, a silent overwrite); each now gets a clear message and the user-error exit code.
 */
class FuzzFindingsTest {
  @TempDir Path dir;

  private Path model() throws Exception {
    Path f = dir.resolve("m.mdl");
    Files.writeString(f, "model M {\n  input x : f32[2]\n  param w : f32[2] init zeros()\n  let y = x * w\n"
        + "  output y\n}\n");
    return f;
  }

  private static void assertUserError(Run r, String message) {
    assertEquals(Main.USER_ERROR, r.code(), r.err());
    assertTrue(r.err().contains(message), r.err());
    assertFalse(r.err().contains("internal error"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }

  @Test
  void directoryNamingAFile() throws Exception {
    Path file = Files.writeString(dir.resolve("afile"), "");
    assertUserError(run("compile", model().toString(), "-d", file.toString()), "afile");
    assertUserError(run("compile", model().toString(), "-d", file.resolve("x").toString()), "afile");
  }

  @Test
  void jarNamingADirectory() throws Exception {
    assertUserError(run("compile", model().toString(), "--jar", dir.toString()), dir.toString());
  }

  /** -d and --jar together: one would be ignored, so the classes would not be where one of them says. */
  @Test
  void directoryAndJarTogetherAreAUsageError() throws Exception {
    Path jar = dir.resolve("m.jar");
    Run r = run("compile", model().toString(), "-d", dir.resolve("out").toString(), "--jar", jar.toString());
    assertEquals(Main.USAGE, r.code(), r.err());
    assertTrue(r.err().contains("-d " + dir.resolve("out") + " and --jar " + jar + " both say where the classes go; "
        + "give one of them"), r.err());
    assertFalse(Files.exists(jar));
    assertEquals(Main.OK, run("compile", model().toString(), "--jar", jar.toString()).code());
    assertTrue(Files.isRegularFile(jar));
  }

  /** --emit prints a stage and writes no class, so an output for the classes would be silently unused. */
  @Test
  void emitWithAnOutputForClassesIsAUsageError() throws Exception {
    Path out = dir.resolve("out");
    Run r = run("compile", model().toString(), "--emit", "ir", "-d", out.toString());
    assertEquals(Main.USAGE, r.code(), r.err());
    assertTrue(r.err().contains("--emit ir prints the stage instead of writing classes, so -d " + out
        + " would not be used; give one of them"), r.err());
    assertEquals("", r.out());
    Path jar = dir.resolve("m.jar");
    r = run("compile", model().toString(), "--emit", "schedule", "--jar", jar.toString());
    assertEquals(Main.USAGE, r.code(), r.err());
    assertTrue(r.err().contains("so --jar " + jar + " would not be used"), r.err());
    assertFalse(Files.exists(out) || Files.exists(jar));
  }

  /** --stages shows the passes of --emit ir or grad; without one of them it would be silently ignored. */
  @Test
  void stagesWithoutEmitIrOrGradIsAUsageError() throws Exception {
    Run r = run("compile", model().toString(), "-d", dir.resolve("out").toString(), "--stages");
    assertEquals(Main.USAGE, r.code(), r.err());
    assertTrue(r.err().contains("--stages prints the graph after every pass of --emit ir or --emit grad, which is not"
        + " given; add --emit ir or --emit grad, or leave --stages out"), r.err());
    assertFalse(Files.exists(dir.resolve("out")));
    r = run("compile", model().toString(), "--emit", "schedule", "--stages");
    assertEquals(Main.USAGE, r.code(), r.err());
    assertTrue(r.err().contains("not of --emit schedule"), r.err());
    r = run("compile", model().toString(), "--emit", "grad", "--stages");
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(r.out().contains("// ---- dce"), r.out());
  }

  /** --anomaly and --package change the generated class only; a stage printed before it would silently ignore them. */
  @Test
  void optionsOfTheClassWithAnEarlierStageAreAUsageError() throws Exception {
    for (String stage : List.of("ast", "ir", "grad", "schedule")) {
      Run r = run("compile", model().toString(), "--emit", stage, "--anomaly");
      assertEquals(Main.USAGE, r.code(), r.err());
      assertTrue(r.err().contains("--anomaly changes the generated class, which --emit " + stage + " does not print;"
          + " use --emit bytecode to see it, or leave --anomaly out"), r.err());
      assertEquals("", r.out());
      r = run("compile", model().toString(), "--emit", stage, "--package", "a.b");
      assertEquals(Main.USAGE, r.code(), r.err());
      assertTrue(r.err().contains("--package a.b changes the generated class"), r.err());
    }
    Run r = run("compile", model().toString(), "--emit", "bytecode", "--anomaly", "--package", "a.b");
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(r.out().contains("a/b/"), r.out());
    r = run("compile", model().toString(), "--emit", "ast", "--verify");
    assertEquals(Main.USAGE, r.code(), r.err());
    assertTrue(r.err().contains("--emit ast stops before the IR is built"), r.err());
    assertEquals(Main.OK, run("compile", model().toString(), "--emit", "ir", "--verify").code());
  }

  /** A path ending with '/' names a directory: Path.of would drop the slash and write a file of that name. */
  @Test
  void anOutputEndingWithASlashIsAUsageError() throws Exception {
    String out = dir.resolve("out") + "/";
    Run r = run("compile", model().toString(), "--jar", out);
    assertEquals(Main.USAGE, r.code(), r.err());
    assertTrue(r.err().contains("'" + out + "' names a directory (it ends with '/'); name a file to write"), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
    assertFalse(Files.exists(dir.resolve("out")));
    assertEquals(Main.USAGE, run("graph", model().toString(), "-o", out).code());
    assertFalse(Files.exists(dir.resolve("out")));
  }

  @Test
  void graphUnderAFile() throws Exception {
    Path file = Files.writeString(dir.resolve("afile"), "");
    assertUserError(run("graph", model().toString(), "-o", file.resolve("x.dot").toString()), "afile");
  }

  @Test
  void endlessInputIsRefused() {
    if (Files.exists(Path.of("/dev/zero"))) {
      assertUserError(run("summary", "/dev/zero"), "/dev/zero:1:1: error: file is larger than 8 MB");
    }
  }

  @Test
  void emptyFileSaysItHoldsNoModel() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.mdl"), "");
    Run r = run("summary", empty.toString());
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(r.err().contains("warning: this file holds no model"), r.err());
  }

  @Test
  void theSameModelTwiceIsNotOverwritten() throws Exception {
    Path m = model();
    Run r = run("compile", m.toString(), m.toString(), "-d", dir.resolve("out").toString());
    assertUserError(r, m + ":1:7: error: model M would overwrite class M, written for the model at " + m + ":1:7");
  }

  @Test
  void errorsAreCappedAtOneHundred() throws Exception {
    StringBuilder src = new StringBuilder("model M {\n");
    for (int i = 0; i < 150; i++) {
      src.append("  let y").append(i).append(" = q\n");
    }
    Path f = Files.writeString(dir.resolve("many.mdl"), src.append("}\n").toString());
    Run r = run("summary", f.toString());
    assertUserError(r, "100 errors shown; 50 more not shown");
    assertEquals(100, r.err().lines().filter(l -> l.contains(": error: ")).count());
  }

  @Test
  void longSourceLinesAreCutAroundTheCaret() throws Exception {
    String line = "  let y = " + "x + ".repeat(3000) + "q";
    Path f = Files.writeString(dir.resolve("long.mdl"), "model M {\n  input x : f32[2]\n" + line + "\n  output y\n}\n");
    Run r = run("summary", f.toString());
    assertUserError(r, "long.mdl:3:" + line.length() + ": error: undefined name 'q'");
    String[] lines = r.err().split("\n");
    assertTrue(lines[1].length() < 130 && lines[1].startsWith("  ...") && lines[1].endsWith("q"), lines[1]);
    assertEquals(lines[1].length() - 1, lines[2].indexOf('^'), r.err());
  }

  @Test
  void emittedAstIsIndentedAtMostThirtyTwoLevels() throws Exception {
    String expr = "relu(".repeat(200) + "x" + ")".repeat(200);
    Path f = Files.writeString(dir.resolve("deep.mdl"), "model M {\n  input x : f32[2]\n  let y = " + expr
        + "\n  output y\n}\n");
    Run r = run("compile", f.toString(), "--emit", "ast");
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(r.out().lines().allMatch(l -> l.length() < 120), "an indentation without bound");
    assertTrue(r.out().contains("[200] call relu"), r.out().substring(0, 2000));
  }

  /** An error in a layer's body names the instance that caused it, and no false unused-param warnings come first. */
  @Test
  void anErrorInALayerNamesTheInstanceAndNothingIsFalselyUnused() throws Exception {
    Path f = Files.writeString(dir.resolve("net.mdl"), String.join("\n",
        "layer Linear(in, out) {",
        "  param weight : f32[out, in] init zeros()",
        "  param bias   : f32[out]     init zeros()",
        "  (x) = x @ weight^T + bias",
        "}",
        "model Net {",
        "  input x : f32[B, 864]",
        "  input t : i32[B]",
        "  fc1 = Linear(800, 120)",
        "  fc2 = Linear(120, 10)",
        "  let logits = fc2(relu(fc1(x)))",
        "  minimize cross_entropy(logits, t) with sgd(lr = 0.1)",
        "}", ""));
    Run r = run("summary", f.toString());
    assertUserError(r, "net.mdl:4:9: error: matmul");
    assertFalse(r.err().contains("never used"), r.err());
    assertTrue(r.err().contains("net.mdl:9:3: note: in layer fc1 = Linear(800, 120) here\n"
        + "    fc1 = Linear(800, 120)\n    ^~~~~~~~~~~~~~~~~~~~~~\n"), r.err());
  }

  /** A long flat chain is as deep a tree as it is long; in-process callers get the command line's deep stack. */
  @Test
  void aLongFlatSumCompilesInProcess() throws Exception {
    String sum = "x + ".repeat(20_000) + "w";
    Path f = Files.writeString(dir.resolve("sum.mdl"), "model S {\n  input x : f32[4]\n  param w : f32[4] init ones()\n"
        + "  let s = " + sum + "\n  minimize sum(s * s) with sgd(lr = 0.1)\n}\n");
    Run r = run("compile", f.toString(), "-d", dir.resolve("out").toString());
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(Files.exists(dir.resolve("out/S.class")));
  }

  /** The '**' nesting count is per chain: many short powers, one per let or term, are not one deep chain. */
  @Test
  void manyShortPowersAreNotDeepNesting() throws Exception {
    StringBuilder src = new StringBuilder("model M {\n  input x : f32[2]\n");
    for (int i = 0; i < 300; i++) {
      src.append("  let y").append(i).append(" = x ** 2 + x ** 3 * x ** 2\n");
    }
    src.append("  let s = ");
    for (int i = 0; i < 300; i++) {
      src.append(i == 0 ? "" : " + ").append("x ** 2");
    }
    src.append("\n  output s\n}\n");
    Path ok = Files.writeString(dir.resolve("powers.mdl"), src.toString());
    Run r = run("summary", ok.toString());
    assertEquals(Main.OK, r.code(), r.err());

    StringBuilder chain = new StringBuilder("model M {\n  input x : f32[2]\n  let y = x");
    for (int i = 0; i < 300; i++) {
      chain.append(" ** x");
    }
    Path deep = Files.writeString(dir.resolve("chain.mdl"), chain.append("\n  output y\n}\n").toString());
    assertUserError(run("summary", deep.toString()), "expression nested too deeply");
  }

  /**
   * Nested grad(grad(...)) about triples the graph per level: 11 levels had run for minutes. The graph's size is
   * checked as it grows, so the model fails at once, at the grad call that passes the limit.
   */
  @Test
  @Timeout(60)
  void nestedGradsPastTheSizeLimitFailAtOnce() throws Exception {
    StringBuilder src = new StringBuilder("model M {\n  input x : f32[B, 4]\n  param w : f32[4] init ones\n"
        + "  let l0 = sum(tanh(x * w))\n");
    for (int i = 1; i <= 11; i++) {
      src.append("  let g").append(i).append(" = grad(l").append(i - 1).append(", w)\n");
      src.append("  let l").append(i).append(" = sum(g").append(i).append(" ** 2)\n");
    }
    src.append("  output g11\n  minimize l11 with sgd(lr = 0.1)\n}\n");
    Path f = Files.writeString(dir.resolve("grads.mdl"), src.toString());
    assertUserError(run("compile", f.toString(), "-d", dir.resolve("out").toString()),
        "grads.mdl:25:13: error: the model expands to more than 250,000 nodes");
  }

  /**
   * A layer holding two instances of the layer below, 29 levels deep: 2^29 instances, which had filled 6 GB. The
   * checker counts instances, params and inlined expressions and stops expanding at the limit.
   */
  @Test
  @Timeout(60)
  void layersDoublingPastTheSizeLimitFailAtOnce() throws Exception {
    StringBuilder src = new StringBuilder("layer L1(n) {\n  param w : f32[n] init ones\n  (x) = x * w\n}\n");
    for (int i = 2; i <= 29; i++) {
      src.append("layer L").append(i).append("(n) {\n  a = L").append(i - 1).append("(n)\n  b = L").append(i - 1)
          .append("(n)\n  (x) = a(x) + b(x)\n}\n");
    }
    src.append("model M {\n  input x : f32[B, 4]\n  net = L29(4)\n  let y = net(x)\n  output y\n"
        + "  minimize sum(y) with sgd(lr = 0.1)\n}\n");
    Path f = Files.writeString(dir.resolve("layers.mdl"), src.toString());
    Run r = run("compile", f.toString(), "-d", dir.resolve("out").toString());
    assertUserError(r, "error: the model expands to more than 250,000 nodes");
    assertEquals(1, r.err().lines().filter(l -> l.contains(": error: ")).count(), r.err());
  }

  /**
   * A layer holding two instances of the layer below, {@code depth} levels deep (2^(depth-1) parameters), as model M;
   * with {@code shared}, one instance called twice instead (one parameter, 2^(depth-1) calls of it). M is on line
   * {@code 5 * depth}, or {@code 4 * depth + 1} when shared.
   */
  private Path doubling(String file, int depth, boolean shared) throws Exception {
    StringBuilder src = new StringBuilder(shared
        ? "layer L1(n) {\n  param w : f32[n, n] init ones\n  (x) = relu(x @ w)\n}\n"
        : "layer L1(n) {\n  param w : f32[n] init ones\n  (x) = x * w\n}\n");
    for (int i = 2; i <= depth; i++) {
      src.append("layer L").append(i).append("(n) {\n  a = L").append(i - 1).append("(n)\n")
          .append(shared ? "  (x) = a(a(x))\n}\n" : "  b = L" + (i - 1) + "(n)\n  (x) = a(x) + b(x)\n}\n");
    }
    src.append("model M {\n  input x : f32[B, 4]\n  net = L").append(depth).append("(4)\n  let y = net(x)\n")
        .append("  output y\n  minimize sum(y) with sgd(lr = 0.1)\n}\n");
    return Files.writeString(dir.resolve(file), src.toString());
  }

  /**
   * 8,192 and 16,384 parameters (33,000 and 66,000 nodes once optimized): well under the node limit, but their
   * classes pass the JVM's 65,534 constants. They had been optimized, scheduled and emitted in full before ASM
   * refused the class, 28 s and 75 s; the constants they need are counted from the differentiated graph.
   */
  @Test
  @Timeout(20)
  void layersDoublingPastTheClassFileLimitFailBeforeOptimizing() throws Exception {
    Path d14 = doubling("d14.mdl", 14, false);
    Run r = run("compile", d14.toString(), "-d", dir.resolve("out").toString());
    assertUserError(r, d14 + ":70:7: error: model M is too large for one JVM class: its 8,192 trained parameters and "
        + "at least 8,192 computation steps need at least 65,542 constants, more than the 65,534 a class file holds; "
        + "all of the parameters are in instance net (net.a 4,096, net.b 4,096) (split it into smaller models");
    assertTrue(r.err().contains("\n  model M {\n        ^\n"), r.err());
    Path d15 = doubling("d15.mdl", 15, false);
    assertUserError(run("compile", d15.toString(), "-d", dir.resolve("out").toString()),
        d15 + ":75:7: error: model M is too large for one JVM class: its 16,384 trained parameters");
    assertFalse(Files.exists(dir.resolve("out/M.class")));
  }

  /** One level less, 4,096 parameters: about half the constants a class holds, so it compiles as before. */
  @Test
  @Timeout(60)
  void layersDoublingUnderTheClassFileLimitCompile() throws Exception {
    Path d13 = doubling("d13.mdl", 13, false);
    Run r = run("compile", d13.toString(), "-d", dir.resolve("out").toString());
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(Files.size(dir.resolve("out/M.class")) > 3_000_000);
  }

  /**
   * One parameter, its layer called 4,096 times: 12,290 steps, each a method with the methods anomaly detection and
   * the threads add. The graph gives no sign of it, the schedule does: the model fails before its class is emitted.
   */
  @Test
  @Timeout(20)
  void oneLayerCalledTooOftenFailsBeforeEmitting() throws Exception {
    Path s13 = doubling("s13.mdl", 13, true);
    assertUserError(run("compile", s13.toString(), "-d", dir.resolve("out").toString()),
        s13 + ":53:7: error: model M is too large for one JVM class: its 1 trained parameter and 12,290 computation "
        + "steps need at least 74,002 constants, more than the 65,534 a class file holds; 12,289 of the steps compute "
        + "line 3 of the source (split it into smaller models");
  }
}
