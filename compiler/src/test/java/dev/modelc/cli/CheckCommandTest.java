package dev.modelc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code modelc check} passes on every sample: compiled class and interpreter agree, and so do finite differences. */
class CheckCommandTest {
  /** Every file of samples/models, so that a new sample is checked without being listed here. */
  static Stream<String> samples() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("../samples/models"))) {
      List<String> names = files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".mdl"))
          .map(f -> f.substring(0, f.length() - 4)).sorted().toList();
      assertTrue(names.containsAll(List.of("cnn", "resnet", "transformer")), names.toString());
      return names.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("samples")
  void everySampleChecks(String sample) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"check", "../samples/models/" + sample + ".mdl", "--steps", "3", "--batch", "3"},
        new PrintWriter(out, true), new PrintWriter(err, true));
    assertEquals(0, code, out + "\n" + err);
    assertTrue(out.toString().contains("comparisons within tolerance"), out.toString());
    if (!sample.equals("vjp")) { // vjp has no objective
      assertTrue(out.toString().contains("finite differences (f64)"), out.toString());
    }
    if (!sample.equals("vjp")) { // every objective, the gradient penalty's too, is compared with the interpreter
      assertTrue(out.toString().contains("grad "), out.toString());
      assertTrue(out.toString().contains("compiled vs reference interpreter"), out.toString());
    }
  }

  @Test
  void normalizationLayersHavePyTorchsStateDictNames() throws Exception {
    List<String> names = dev.modelc.Samples.load("norm", false).params().stream()
        .map(dev.modelc.check.CheckedModel.Param::name).toList();
    assertEquals(List.of("conv.weight", "conv.bias", "gn.weight", "gn.bias", "ln.weight", "ln.bias", "fc.weight",
        "fc.bias"), names);
  }

  @TempDir Path dir;

  private String[] check(String source, int expectedCode) throws Exception {
    Path f = Files.writeString(dir.resolve("m.mdl"), source);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"check", f.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
    assertEquals(expectedCode, code, out + "\n" + err);
    assertFalse(err.toString().contains("internal error"), err.toString());
    return new String[] {out.toString(), err.toString()};
  }

  /** Models a fuzzer found that made check fail with an internal error or a false FAIL. */
  @Test
  void anObjectiveThatReadsNoParam() throws Exception {
    String out = check("model A {\n  input x : f32[B, 3]\n  param w : f32[3] init ones()\n  let y = x * w\n"
        + "  output y\n  minimize sum(x * x) with sgd(lr = 0.1)\n}\n", 0)[0];
    assertTrue(out.contains("gradients not compared: the objective reads no param"), out);
  }

  /**
   * A model the back end refuses (too many parameters for one JVM class) is the located error modelc compile gives,
   * not an internal one.
   */
  @Test
  void aModelTheBackEndRefusesIsALocatedError() throws Exception {
    StringBuilder src = new StringBuilder("model Many {\n  input x : f32[2]\n");
    StringBuilder sum = new StringBuilder();
    for (int i = 0; i < 65_600; i++) src.append("  param p").append(i).append(" : f32 init 1\n");
    for (int i = 0; i < 200; i++) sum.append(" + p").append(i * 328);
    src.append("  let y = x").append(sum).append("\n  output y\n  minimize sum(y * y) with sgd(lr = 0.1)\n}\n");
    String err = check(src.toString(), 1)[1];
    assertTrue(err.contains("m.mdl:1:7: error: model Many is too large for one JVM class"), err);
  }

  /** A stack of 4-D values is a 5-D value the compiled class indexes (its parts' gradients are 5-D slices). */
  @Test
  void aFiveDimensionalStackIsChecked() throws Exception {
    check("model K {\n  input x : f32[2, 2, 2, 2]\n  param w : f32[2, 2, 2, 2] init uniform(-1, 1)\n"
        + "  let s = stack([x * w, w], dim = 0)\n  minimize sum(s * s) with sgd(lr = 0.1)\n}\n", 0);
  }

  @Test
  void aScalarLabelInput() throws Exception {
    check("model C {\n  input n : i32[]\n  input x : f32[3]\n  param w : f32[3] init ones()\n"
        + "  minimize sum(x * w) with sgd(lr = 0.1)\n}\n", 0);
  }

  @Test
  void aSquareSymbolicInput() throws Exception {
    check("model D {\n  input x : f32[N, N]\n  param w : f32[3] init ones()\n"
        + "  minimize sum(x) + sum(w) with sgd(lr = 0.1)\n}\n", 0);
  }

  @Test
  void bceOfNaNStopsTheRunWithPyTorchsMessage() throws Exception {
    String out = check("model E {\n  input y : f32[3]\n  param w : f32[3] init ones()\n"
        + "  minimize bce(w * 0 + log(-1 + 0 * w), y) with sgd(lr = 0.1)\n}\n", 1)[0];
    assertTrue(out.contains("FAILED: the run stopped: m.mdl:4:12: bce: all elements of input should be between 0 and 1,"
        + " got NaN"), out);
  }

  /**
   * minimum(pa, e) * sqrt(b) with b random, so some of the incoming gradient is NaN: where pa loses, PyTorch's
   * minimum backward gives 0, not NaN * 0, and the compiled class must agree with the reference interpreter (seeds
   * 1, 3 and 4 once put a NaN where the reference had 0). The objective is NaN, so finite differences are skipped.
   */
  @Test
  void aNaNGradientIntoMinimumAgreesWithTheReference() throws Exception {
    Path f = Files.writeString(dir.resolve("nan.mdl"), "model M {\n  input e : f32[B, 2, 3, 4]\n"
        + "  input b : f32[3, 4]\n  param pa : f32[3, 4] init uniform(-1, 1)\n  let y = minimum(pa, e) * sqrt(b)\n"
        + "  let loss = sum(y)\n  output y\n  minimize loss with sgd(lr = 0.01)\n}\n");
    for (String seed : new String[] {"0", "1", "3", "4"}) {
      Cli.Run r = Cli.run("check", f.toString(), "--seed", seed);
      assertEquals(Main.OK, r.code(), r.out() + r.err());
      assertTrue(r.out().contains("finite differences skipped: the f64 twin's objective is NaN at the random "
          + "inputs"), r.out());
    }
  }

  @Test
  void equalInfinitiesAreEqual() throws Exception {
    String out = check("model F {\n  param w : f32[3] init ones()\n  let o = exp(w * 1000)\n  output o\n"
        + "  minimize sum(w) with sgd(lr = 0.1)\n}\n", 0)[0];
    assertTrue(out.contains("output o (step 1)"), out);
  }

  /** The table states the test it applied: the allowed error and the worst ratio to it. */
  @Test
  void theTableShowsTheTestApplied() throws Exception {
    String out = check("model G {\n  input x : f32[B, 3]\n  param w : f32[3, 2] init normal(0, 1)\n"
        + "  minimize sum(x @ w) with sgd(lr = 0.1)\n}\n", 0)[0];
    assertTrue(out.contains("Allowed: atol + rtol |ref|") && out.contains("Worst err / allowed")
        && out.contains("atol 2e-04, rtol 2e-04"), out);
  }
}
