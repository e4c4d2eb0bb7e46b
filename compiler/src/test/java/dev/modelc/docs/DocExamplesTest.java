package dev.modelc.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The command-line examples in the docs are real: in {@code README.md} and {@code docs/*.md}, every fenced block whose
 * first line is {@code $ ./modelc ...} is run, command by command (a line starting with {@code $ } begins the next
 * one; a trailing backslash continues a command), in a scratch folder that links {@code samples/}, with the command
 * line's main class on this test's class path in a JVM of its own, started as the {@code modelc} launcher starts it.
 * Each command's output, standard output and standard error as a terminal shows them, must be the lines below it:
 * {@code …} in a line stands for any text (timings, sizes), a line of {@code ...} alone for any number of lines, and a
 * last line {@code [exit N]} for a non-zero exit code.
 *
 * <p>For {@code train}, {@code eval} and {@code predict} the numbers in a line (losses, accuracies, counts) may differ
 * from the docs' and runs of spaces are one space: training runs on the Vector API kernels, whose sums are ordered by
 * the CPU's vector width, so the digits the docs show are those of the machine they were made on. The wording and
 * layout are still checked. Periodic progress lines ({@code epoch 1/3 step 40/94 ...}), which appear only when an
 * epoch runs longer than ten seconds, are left out.
 */
class DocExamplesTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern FENCE = Pattern.compile("^```.*$");

  record Command(String line, List<String> expected, int exit) {}

  record Example(Path doc, int line, List<Command> commands) {}

  @TestFactory
  Stream<DynamicTest> everyCommandInTheDocsPrintsWhatTheDocsShow() throws IOException {
    List<Example> examples = new ArrayList<>();
    List<Path> docs = new ArrayList<>();
    docs.add(ROOT.resolve("README.md"));
    try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    for (Path doc : docs) {
      examples.addAll(examples(doc));
    }
    assertFalse(examples.isEmpty(), "no checked examples found in the docs");
    Path scratch = Files.createTempDirectory("modelc-doc-examples");
    Files.createSymbolicLink(scratch.resolve("samples"), ROOT.resolve("samples"));
    return examples.stream().map(e -> DynamicTest.dynamicTest(
        ROOT.relativize(e.doc()) + ":" + e.line(), () -> {
          for (Command c : e.commands()) {
            check(e, c, scratch);
          }
        }));
  }

  static List<Example> examples(Path doc) throws IOException {
    List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!FENCE.matcher(lines.get(i)).matches()) {
        continue;
      }
      int end = i + 1;
      while (end < lines.size() && !lines.get(end).startsWith("```")) {
        end++;
      }
      if (end < lines.size() && i + 1 < end && lines.get(i + 1).startsWith("$ ./modelc ")) {
        out.add(new Example(doc, i + 2, commands(lines.subList(i + 1, end))));
      }
      i = end;
    }
    return out;
  }

  private static List<Command> commands(List<String> block) {
    List<Command> out = new ArrayList<>();
    int i = 0;
    while (i < block.size()) {
      StringBuilder line = new StringBuilder();
      String part = block.get(i).substring(2);
      while (part.endsWith("\\") && i + 1 < block.size()) {
        line.append(part, 0, part.length() - 1).append(' ');
        part = block.get(++i).strip();
      }
      line.append(part);
      i++;
      List<String> expected = new ArrayList<>();
      while (i < block.size() && !block.get(i).startsWith("$ ")) {
        expected.add(block.get(i++));
      }
      int exit = 0;
      if (!expected.isEmpty() && expected.get(expected.size() - 1).matches("\\[exit \\d+]")) {
        String last = expected.remove(expected.size() - 1);
        exit = Integer.parseInt(last.substring(6, last.length() - 1));
      }
      out.add(new Command(line.toString().strip(), expected, exit));
    }
    return out;
  }

  private static void check(Example e, Command c, Path scratch) throws Exception {
    List<String> args = words(c.line().substring("./modelc ".length()));
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    if (!args.isEmpty() && args.get(0).equals("train")) {
      command.addAll(List.of("--add-modules", "jdk.incubator.vector"));    // as the launcher starts train
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.modelc.cli.Main"));
    command.addAll(args);
    Process p = new ProcessBuilder(command).directory(scratch.toFile()).redirectErrorStream(true).start();
    byte[] bytes = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "timed out: " + c.line());
    // Progress lines appear when an epoch runs longer than ten seconds: on a loaded machine, not in the docs.
    List<String> actual = new String(bytes, StandardCharsets.UTF_8).lines()
        .filter(l -> !l.matches("epoch \\d+/\\d+ step \\d+/\\d+ .*")).toList();
    String where = ROOT.relativize(e.doc()) + ":" + e.line() + ": " + c.line();
    String shown = "the docs show\n" + String.join("\n", c.expected()) + "\nbut the command printed\n"
        + String.join("\n", actual);
    assertEquals(c.exit(), p.exitValue(), where + ": exit code; " + shown);
    boolean loose = !args.isEmpty() && List.of("train", "eval", "predict").contains(args.get(0));
    assertTrue(matches(c.expected(), 0, actual, 0, loose), where + ": " + shown);
  }

  /** Lines against lines, {@code ...} matching any number of lines. */
  static boolean matches(List<String> expected, int i, List<String> actual, int j, boolean loose) {
    if (i == expected.size()) {
      return j == actual.size();
    }
    if (expected.get(i).strip().equals("...")) {
      for (int k = j; k <= actual.size(); k++) {
        if (matches(expected, i + 1, actual, k, loose)) {
          return true;
        }
      }
      return false;
    }
    return j < actual.size() && matches(expected.get(i), actual.get(j), loose)
        && matches(expected, i + 1, actual, j + 1, loose);
  }

  /** Splits a command line at spaces, keeping 'single-quoted' words whole; globs are expanded as a shell would. */
  static List<String> words(String line) throws IOException {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("'([^']*)'|(\\S+)").matcher(line);
    while (m.find()) {
      if (m.group(1) != null) {
        out.add(m.group(1));
      } else if (m.group(2).contains("*")) {
        out.addAll(glob(m.group(2)));
      } else {
        out.add(m.group(2));
      }
    }
    return out;
  }

  private static List<String> glob(String pattern) throws IOException {
    Path dir = ROOT.resolve(pattern).getParent();
    var matcher = dir.getFileSystem().getPathMatcher("glob:" + ROOT.resolve(pattern));
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(matcher::matches).sorted().map(p -> ROOT.relativize(p).toString().replace(File.separatorChar,
          '/')).toList();
    }
  }

  /** {@code …} in the expected line matches any text; everything else literally (numbers loosely if asked). */
  static boolean matches(String expected, String actual, boolean loose) {
    if (loose) {
      expected = numbersAndSpaces(expected);
      actual = numbersAndSpaces(actual);
    }
    StringBuilder regex = new StringBuilder();
    for (String part : expected.split("…", -1)) {
      if (regex.length() > 0) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(part));
    }
    return actual.matches(regex.toString());
  }

  private static String numbersAndSpaces(String line) {
    return line.replaceAll("-?[0-9][0-9,]*(\\.[0-9]+)?(e-?[0-9]+)?", "#").replaceAll(" +", " ").strip();
  }
}
