package dev.modelc.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.modelc.diag.Diagnostic;
import dev.modelc.diag.Diagnostics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every file under {@code golden/errors} and {@code golden/warnings}: small .mdl files with one mistake each,
 * whose expected diagnostics are written as comments on the offending line:
 *
 * <pre>
 *   let y = x @ w   // error@11: inner dimensions
 * </pre>
 *
 * {@code error@COL: text} expects an error at this line and column whose message contains {@code text};
 * {@code error@LINE:COL: text} names the line explicitly (for an error at the end of the file);
 * {@code warning@...} is the same for warnings. Errors must match exactly (no missing, no extra ones); warnings are
 * checked exactly in files that expect any, and ignored elsewhere.
 */
class GoldenDiagnosticsTest {
  private static final Pattern EXPECT =
      Pattern.compile("(error|warning)@(?:(\\d+):)?(\\d+): (.*?)(?=\\s+//\\s*(?:error|warning)@|$)");

  record Expected(String severity, int line, int column, String text) {
    @Override
    public String toString() {
      return severity + " at " + line + ":" + column + " containing \"" + text + "\"";
    }
  }

  @TestFactory
  Stream<DynamicTest> goldenFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    for (String dir : List.of("errors", "warnings")) {
      try (Stream<Path> s = Files.list(Path.of("src/test/resources/golden", dir))) {
        s.filter(p -> p.toString().endsWith(".mdl")).sorted().forEach(files::add);
      }
    }
    assertFalse(files.size() < 50, "the golden suite has " + files.size() + " files");
    return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
  }

  private static void check(Path file) throws IOException {
    String raw = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    List<Expected> expected = new ArrayList<>();
    String[] lines = raw.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int comment = lines[i].indexOf("// ");
      if (comment < 0) {
        continue;
      }
      Matcher m = EXPECT.matcher(lines[i].substring(comment + 3));
      while (m.find()) {
        int line = m.group(2) == null ? i + 1 : Integer.parseInt(m.group(2));
        expected.add(new Expected(m.group(1), line, Integer.parseInt(m.group(3)), m.group(4).strip()));
      }
    }
    assertFalse(expected.isEmpty(), file + " states no expected diagnostic");
    boolean checkWarnings = expected.stream().anyMatch(e -> e.severity().equals("warning"));

    Diagnostics diagnostics = new Diagnostics();
    Frontend.load(file, diagnostics);
    List<String> unmatched = new ArrayList<>();
    List<Expected> missing = new ArrayList<>(expected);
    for (Diagnostic d : diagnostics.sorted()) {
      String severity = d.severity().label();
      if (severity.equals("warning") && !checkWarnings) {
        continue;
      }
      Expected hit = null;
      for (Expected e : missing) {
        if (e.severity().equals(severity) && e.line() == d.span().line() && e.column() == d.span().column()
            && d.message().contains(e.text())) {
          hit = e;
          break;
        }
      }
      if (hit == null) {
        unmatched.add(severity + " at " + d.span().line() + ":" + d.span().column() + ": " + d.message());
      } else {
        missing.remove(hit);
      }
    }
    assertEquals("", (missing.isEmpty() ? "" : "missing: " + missing + "\n")
        + (unmatched.isEmpty() ? "" : "unexpected: " + unmatched), file.getFileName().toString());
  }
}
