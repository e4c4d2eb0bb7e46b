package dev.modelc.crosscheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.check.Builtin;
import dev.modelc.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code modelc check} on the table of models in {@code src/test/resources/check} (single ops and composed models
 * in f32 and f64): compiled class vs reference interpreter for 3 optimizer steps, and compiled f64 gradients vs
 * finite differences. A second test keeps the table complete: every builtin, loss, initializer and optimizer
 * appears in it, so a new one without a row fails.
 */
class CheckTableTest {
  private static final Path TABLE = Path.of("src/test/resources/check");

  static Stream<Path> models() throws IOException {
    try (Stream<Path> files = Files.list(TABLE)) {
      return files.filter(p -> p.toString().endsWith(".mdl")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void checks(Path model) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"check", model.toString(), "--steps", "3", "--batch", "3"},
        new PrintWriter(out, true), new PrintWriter(err, true));
    assertEquals(0, code, out + "\n" + err);
    String text = out.toString();
    assertTrue(text.contains("comparisons within tolerance") && text.contains("loss (step 3)"), text);
    boolean detached = text.contains("finite differences skipped: the model uses detach");
    assertTrue(text.contains("finite differences (f64)") || detached, text);
  }

  @Test
  void coversEveryBuiltinInitializerAndOptimizerInBothFloatWidths() throws IOException {
    String all = models().map(CheckTableTest::read).collect(Collectors.joining("\n"))
        .replaceAll("//[^\n]*", "");
    Map<Builtin, String> operators = Map.of(Builtin.ADD, " + ", Builtin.SUB, " - ", Builtin.MUL, " * ",
        Builtin.DIV, " / ", Builtin.POW, " ** ", Builtin.MATMUL, " @ ", Builtin.NEG, "(-");
    for (Builtin b : Builtin.values()) {
      String spelled = b.callable() ? b.spelling() + "(" : operators.get(b);
      assertTrue(all.contains(spelled), "no model of the check table uses " + spelled.trim());
    }
    for (String name : List.of("zeros(", "ones(", "constant(", "uniform(", "normal(", "kaiming_uniform(",
        "kaiming_normal(", "xavier_uniform(", "xavier_normal(", "with sgd(", "with adam(", "with adamw(",
        "momentum", "nesterov", "dampening", "weight_decay", "betas", "eps", "reduction = \"sum\"", "f32[",
        "f64[")) {
      assertTrue(all.contains(name), "no model of the check table uses " + name);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
