package dev.modelc.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelc.diag.Diagnostic;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.SourceFile;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The "in layer ... here" notes of errors found while a layer instance is made (its params and nested instances),
 * not only while its body is checked: they go with the real error, innermost instance first, and a name whose
 * declaration failed gives no follow-on error that would take them.
 */
class LayerNotesTest {
  private static List<String> errors(String... lines) {
    Diagnostics diagnostics = new Diagnostics();
    Frontend.load(new SourceFile("t.mdl", String.join("\n", lines) + "\n"), diagnostics);
    return diagnostics.sorted().stream()
        .filter(d -> d.severity() == Diagnostic.Severity.ERROR)
        .map(d -> d.span().line() + ":" + d.span().column() + " " + d.message() + d.notes().stream()
            .map(n -> " [" + n.span().line() + ":" + n.span().column() + " " + n.message() + "]")
            .collect(Collectors.joining()))
        .toList();
  }

  @Test
  void aCycleOfThreeLayersNotesEachInstanceOnTheWayIn() {
    assertEquals(List.of("10:7 layer 'A' contains itself (A -> B -> C -> A)"
            + " [6:3 in layer c = C(n) here] [2:3 in layer b = B(n) here] [15:3 in layer net = A(3) here]"),
        errors(
            "layer A(n) {",
            "  b = B(n)",
            "  (x) = b(x)",
            "}",
            "layer B(n) {",
            "  c = C(n)",
            "  (x) = c(x)",
            "}",
            "layer C(n) {",
            "  a = A(n)",
            "  (x) = a(x)",
            "}",
            "model M {",
            "  input x : f32[N, 3]",
            "  net = A(3)",
            "  let y = net(x)",
            "  output y",
            "}"));
  }

  @Test
  void aParamTooLargeForItsSizesNamesTheInstance() {
    assertEquals(List.of("2:13 f32[99999999999] has 99,999,999,999 elements; a JVM array holds at most 2,147,483,639"
            + " [7:3 in layer a = A(99999999999) here]"),
        errors(
            "layer A(n) {",
            "  param w : f32[n] init ones",
            "  (x) = x * w",
            "}",
            "model M {",
            "  input x : f32[3]",
            "  a = A(99999999999)",
            "  let y = a(x)",
            "  output y",
            "}"));
  }
}
