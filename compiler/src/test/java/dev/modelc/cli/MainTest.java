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
import org.junit.jupiter.api.io.TempDir;

/** Exit codes and output of the command line, as a user meets them. */
class MainTest {
  @TempDir Path dir;

  @Test
  void summaryOfTheSamples() {
    Run r = run("summary", "../samples/models/cnn.mdl", "../samples/models/vjp.mdl");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("Total params: 114,970"), r.out());
    assertTrue(r.out().contains("f32[B, 6, 12, 12]"), r.out());
    assertTrue(r.out().contains("Model Vjp"), r.out());
  }

  @Test
  void checkListsItsOwnOptionsFirstWithNamedValues() {
    Run r = run("check", "--help");
    assertEquals(0, r.code(), r.err());
    String help = r.out();
    int steps = help.indexOf("  --steps=N  ");
    assertTrue(steps > 0 && help.contains("  --seed=S  ") && help.contains("  --batch=B  "), help);
    assertTrue(steps < help.indexOf("  --seed=S  ") && help.indexOf("  --batch=B  ") < help.indexOf("  --diagnostics=FORMAT  "),
        help);
  }

  @Test
  void theCommandsThatRunAModelListTheirOwnOptionsFirstAndTheThreadsOnce() {
    for (String command : List.of("train", "eval", "predict")) {
      Run r = run(command, "--help");
      assertEquals(0, r.code(), r.err());
      String help = r.out();
      int threads = help.indexOf("  --threads=N  ");
      assertTrue(threads > help.indexOf("  --data=PATH  "), help);
      assertEquals(threads, help.lastIndexOf("  --threads=N  "), help);
      assertTrue(help.contains("Threads for the model's kernels, 1 to 256"), help);
      assertTrue(threads < help.indexOf("  --diagnostics=FORMAT  "), "the options every command has come last:\n"
          + help);
      assertTrue(help.indexOf("  --stacktrace  ") < help.indexOf("  -h, --help  "), help);
    }
  }

  @Test
  void aThreadCountThatIsNotOneTo256IsAUsageErrorBeforeAnythingIsRead() {
    for (String command : List.of("train", "eval", "predict")) {
      for (String threads : List.of("0", "-1", "x", "1.5", "257")) {
        List<String> args = new java.util.ArrayList<>(List.of(command, dir.resolve("absent.mdl").toString(),
            "--data", "absent", "--threads", threads));
        if (!command.equals("train")) {
          args.addAll(List.of("--weights", "absent"));
        }
        Run r = run(args.toArray(new String[0]));
        assertEquals(Main.USAGE, r.code(), command + " --threads " + threads + ": " + r.err());
        assertEquals("modelc: --threads must be a whole number between 1 and 256, got " + threads + "\n"
            + "Run 'modelc " + command + " --help' for usage.\n", r.err());
      }
    }
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
