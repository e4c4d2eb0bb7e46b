package dev.modelc.check;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.diag.DiagnosticPrinter;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.SourceFile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property: whatever text it is given, the front end returns (no exception, no hang) with either a checked program
 * or at least one error, and renders its diagnostics. Random bytes and random sequences of the language's tokens,
 * from a fixed seed.
 */
class FrontendFuzzTest {
  private static final List<String> TOKENS = List.of("model", "layer", "input", "param", "let", "output",
      "minimize", "with", "init", "return", "true", "false", "f32", "f64", "i32", "^T", "**", "*", "/", "@", "+",
      "-", "=", ":", ",", ";", "(", ")", "[", "]", "{", "}", "x", "y", "B", "N", "w", "Linear", "relu", "sum",
      "reshape", "conv2d", "grad", "cross_entropy", "sgd", "adam", "lr", "dim", "0", "1", "2", "-1", "0.5", "1e-3",
      "\"mean\"", "\n", "// c\n", "/* c */", "#", "\"open");

  private static void runOnce(String text) {
    Diagnostics d = new Diagnostics();
    CheckedProgram p = Frontend.load(new SourceFile("fuzz.mdl", text), d);
    DiagnosticPrinter.text(d);
    DiagnosticPrinter.json(d);
    assertTrue(p != null || d.hasErrors(), "no program and no error for:\n" + text);
  }

  @Test
  void randomBytesNeverCrashOrHang() {
    Random rnd = new Random(11);
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (int i = 0; i < 2000; i++) {
        byte[] bytes = new byte[rnd.nextInt(200)];
        rnd.nextBytes(bytes);
        runOnce(new String(bytes, StandardCharsets.ISO_8859_1));
      }
    });
  }

  @Test
  void randomTokenSequencesNeverCrashOrHang() {
    Random rnd = new Random(12);
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (int i = 0; i < 3000; i++) {
        StringBuilder s = new StringBuilder();
        int n = rnd.nextInt(80);
        for (int k = 0; k < n; k++) {
          s.append(TOKENS.get(rnd.nextInt(TOKENS.size()))).append(' ');
        }
        runOnce(s.toString());
      }
    });
  }

  @Test
  void mutatedSamplesNeverCrashOrHang() throws Exception {
    String cnn = java.nio.file.Files.readString(java.nio.file.Path.of("../samples/models/cnn.mdl"));
    Random rnd = new Random(13);
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (int i = 0; i < 1500; i++) {
        StringBuilder s = new StringBuilder(cnn);
        for (int k = 0; k < 1 + rnd.nextInt(3); k++) {
          int at = rnd.nextInt(s.length());
          switch (rnd.nextInt(3)) {
            case 0 -> s.deleteCharAt(at);
            case 1 -> s.insert(at, TOKENS.get(rnd.nextInt(TOKENS.size())));
            default -> s.replace(at, Math.min(s.length(), at + 3), TOKENS.get(rnd.nextInt(TOKENS.size())));
          }
        }
        runOnce(s.toString());
      }
    });
  }
}
