package dev.modelc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code modelc check} passes on every sample: compiled class and interpreter agree, and so do finite differences. */
class CheckCommandTest {
  @ParameterizedTest
  @ValueSource(strings = {"linreg", "logreg", "mlp", "cnn", "vjp", "penalty"})
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
}
