package dev.modelc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes and output of the command line, as a user meets them. */
class MainTest {
  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void summaryOfTheSamples() {
    Run r = run("summary", "../samples/models/cnn.mdl", "../samples/models/vjp.mdl");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("Total params: 114,970"), r.out());
    assertTrue(r.out().contains("f32[B, 6, 12, 12]"), r.out());
    assertTrue(r.out().contains("Model Vjp"), r.out());
  }

  @Test
  void aUserErrorExitsOneWithLocatedDiagnostics() throws Exception {
    Path bad = dir.resolve("bad.mdl");
    Files.writeString(bad, "model M {\n  input x : f32[2]\n  let y = x @ w\n  output y\n}\n");
    Run r = run("summary", bad.toString());
    assertEquals(Main.USER_ERROR, r.code());
    assertTrue(r.err().contains("bad.mdl:3:15: error: undefined name 'w'"), r.err());
    assertTrue(r.err().contains("              ^"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }

  @Test
  void jsonDiagnosticsAreOneObjectPerLine() throws Exception {
    Path bad = dir.resolve("bad.mdl");
    Files.writeString(bad, "model M {\n  input x : f32[2]\n  let y = x @ w\n  let z = q\n  output y, z\n}\n");
    Run r = run("summary", "--diagnostics=json", bad.toString());
    assertEquals(Main.USER_ERROR, r.code());
    String[] lines = r.err().strip().split("\n");
    assertEquals(2, lines.length, r.err());
    for (String line : lines) {
      assertTrue(line.matches("\\{\"file\":\".*\",\"line\":\\d+,\"column\":\\d+,\"endLine\":\\d+,\"endColumn\":\\d+,"
          + "\"severity\":\"(error|warning)\",\"message\":\".*\"\\}"), line);
    }
  }

  @Test
  void usageErrorsExitTwo() {
    assertEquals(Main.USAGE, run("frobnicate").code());
    assertEquals(Main.USAGE, run("summary").code());
    assertEquals(Main.USAGE, run("summary", "--nope", "x.mdl").code());
    assertEquals(Main.USAGE, run("summary", "--diagnostics=xml", "x.mdl").code());
    assertEquals(Main.USAGE, run().code());
  }

  @Test
  void versionAndHelp() {
    Run v = run("--version");
    assertEquals(0, v.code());
    assertTrue(v.out().startsWith("modelc "), v.out());
    Run h = run("--help");
    assertEquals(0, h.code());
    assertTrue(h.out().contains("summary") && h.out().contains("compile") && h.out().contains("graph"), h.out());
  }

  @Test
  void emitAst() {
    Run r = run("compile", "../samples/models/linreg.mdl", "--emit", "ast");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("model LinReg   @2:1"), r.out());
  }
}
