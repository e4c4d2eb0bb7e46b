package dev.modelc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The JVM flags the {@code modelc} launcher adds to {@code train} on one CPU, taken from the script itself: a JVM
 * started with them loads the directive (C2 compiles the runtime's kernels and the Vector API in the foreground),
 * says so on standard error and leaves standard output to the program.
 */
class OneCpuJitTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void theLaunchersFlagsLoadTheDirectiveAndKeepStandardOutputClean() throws Exception {
    List<String> flags = launcherFlags();
    assertTrue(flags.stream().anyMatch(f -> f.startsWith("-XX:CompilerDirectivesFile=")), flags.toString());

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(flags);
    command.add("-XX:+CompilerDirectivesPrint");
    command.add("-version");
    Path out = Files.createTempFile("modelc-jit", ".out");
    Path err = Files.createTempFile("modelc-jit", ".err");
    try {
      Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      assertEquals(0, p.waitFor(), () -> read(err));
      String stdout = read(out);
      String stderr = read(err);
      assertFalse(stdout.contains("directives"), stdout);
      assertTrue(stderr.contains("1 compiler directives added"), stderr);
      // the directive as the VM holds it: the two packages, C2 in the foreground, C1 left to the default
      Matcher m = Pattern.compile("matching: ([^\\n]*)\\n c1 directives:\\n.*?\\n(.*?)\\n\\n c2 directives:\\n.*?\\n"
          + "(.*?)\\n", Pattern.DOTALL).matcher(stderr);
      assertTrue(m.find(), stderr);
      assertTrue(m.group(1).contains("dev/modelc/runtime/*.*") && m.group(1).contains("jdk/incubator/vector/*.*"),
          m.group(1));
      assertTrue(m.group(2).contains("Enable:false"), m.group(2));
      assertTrue(m.group(3).contains("Enable:true") && m.group(3).contains("BackgroundCompilation:false"), m.group(3));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** The words of the launcher's {@code jit=(...)} array, with {@code $root} the repository's root. */
  private static List<String> launcherFlags() throws IOException {
    String script = Files.readString(ROOT.resolve("modelc"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("\\n\\s*jit=\\((-XX[^)]*)\\)").matcher(script);
    assertTrue(m.find(), "the launcher sets no jit=(...) flags");
    List<String> flags = new ArrayList<>();
    for (String word : m.group(1).trim().split("\\s+")) {
      flags.add(word.replace("\"$root\"", ROOT.toString()).replace("$root", ROOT.toString()).replace("\"", ""));
    }
    return flags;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
