package dev.modelc;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.modelc.check.CheckedModel;
import dev.modelc.check.CheckedProgram;
import dev.modelc.check.Frontend;
import dev.modelc.diag.DiagnosticPrinter;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.SourceFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper: the bundled sample models (optionally as their f64 twins) and models written inline. */
public final class Samples {
  private Samples() {}

  /** {@code samples/models/NAME.mdl}, checked; with {@code f64} every f32 becomes f64. */
  public static CheckedModel load(String name, boolean f64) throws IOException {
    String text = Files.readString(Path.of("../samples/models", name + ".mdl"));
    return check(name + ".mdl", f64 ? text.replaceAll("\\bf32\\b", "f64") : text);
  }

  /** The first model of {@code text}, which must check without errors. */
  public static CheckedModel check(String file, String text) {
    Diagnostics d = new Diagnostics();
    CheckedProgram p = Frontend.load(new SourceFile(file, text), d);
    assertFalse(d.hasErrors(), DiagnosticPrinter.text(d));
    return p.models().get(0);
  }
}
