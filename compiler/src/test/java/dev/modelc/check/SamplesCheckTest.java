package dev.modelc.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.ast.AstPrinter;
import dev.modelc.ast.Parser;
import dev.modelc.diag.DiagnosticPrinter;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.SourceFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker's results on the bundled samples, and the rendering of diagnostics. */
class SamplesCheckTest {
  static CheckedModel model(String sample) {
    Diagnostics d = new Diagnostics();
    CheckedProgram p = Frontend.load(Path.of("../samples/models", sample + ".mdl"), d);
    assertFalse(d.hasErrors(), DiagnosticPrinter.text(d));
    assertTrue(d.all().isEmpty(), "the samples have no warnings: " + DiagnosticPrinter.text(d));
    return p.models().get(0);
  }

  @Test
  void theSeedsCnn() {
    CheckedModel m = model("cnn");
    assertEquals(114_970, m.parameterCount());
    assertEquals("f32[B, 6, 12, 12]", m.value("h").type().toString());
    assertEquals("f32[B, 10]", m.value("logits").type().toString());
    assertEquals(List.of("conv.weight", "conv.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
        "fc3.weight", "fc3.bias"), m.params().stream().map(CheckedModel.Param::name).toList());
    assertEquals(OptimizerSpec.Kind.ADAM, m.objective().optimizer().kind());
    assertEquals(0.999, m.objective().optimizer().beta2());
    assertEquals(Initializer.Kind.KAIMING_UNIFORM, m.params().get(0).init().kind());
    assertEquals(Math.sqrt(5), m.params().get(0).init().number("a"), 1e-15);
    assertEquals(1 / Math.sqrt(25), m.params().get(1).init().number("high"), 1e-15);
  }

  @Test
  void nestedLayersGetDottedNamesAndBlockLets() {
    CheckedModel m = model("mlp");
    assertEquals("net.fc1.weight", m.params().get(0).name());
    assertEquals("f32[128, 784]", m.params().get(0).type().toString());
    assertEquals("f32[B, 64]", m.value("net.a2").type().toString());
    assertEquals(0.9, m.objective().optimizer().momentum());
  }

  @Test
  void gradientsAsValuesTakeTheShapeOfWrt() {
    CheckedModel m = model("vjp");
    assertEquals(Builtin.GRAD, ((TExpr.Call) m.value("a_grad").expr()).op());
    assertEquals("f32[2]", m.value("s_grad_F").type().toString());
    assertEquals(List.of("F", "a_grad", "b_grad", "F_grad", "s_grad_F"), m.outputs());
  }

  @Test
  void anEmptyDimListReducesEveryDimAsTorchSum() {
    Diagnostics d = new Diagnostics();
    CheckedProgram p = Frontend.load(new SourceFile("r.mdl", "model R { input x : f32[B, 2, 5]  let s = sum(x, dim = [])"
        + "  let m = mean(x, dim = [], keepdim = true)  let a = amax(x, [])  output s, m, a }"), d);
    assertFalse(d.hasErrors(), DiagnosticPrinter.text(d));
    assertEquals("f32[]", p.models().get(0).value("s").type().toString());
    assertEquals("f32[1, 1, 1]", p.models().get(0).value("m").type().toString());
    assertEquals("f32[]", p.models().get(0).value("a").type().toString());
  }

  @Test
  void symbolicSizesFlowThroughFlatten() {
    Diagnostics d = new Diagnostics();
    CheckedProgram p = Frontend.load(new SourceFile("f.mdl",
        "model F { input x : f32[B, 2, 5]  let y = flatten(x)  let z = reshape(x, [-1, 5])  output y, z }"), d);
    assertFalse(d.hasErrors(), DiagnosticPrinter.text(d));
    assertEquals("f32[10*B]", p.models().get(0).value("y").type().toString());
    assertEquals("f32[2*B, 5]", p.models().get(0).value("z").type().toString());
  }

  @Test
  void textAndJsonRendering() {
    Diagnostics d = new Diagnostics();
    Frontend.load(new SourceFile("bad.mdl", "model M {\n  input x : f32[2]\n  let y = x @ w \"\\q\"\n}\n"), d);
    String text = DiagnosticPrinter.text(d);
    assertTrue(text.startsWith("bad.mdl:3:"), text);
    assertTrue(text.contains("\n  ") && text.contains("^"), text);
    String json = DiagnosticPrinter.json(d);
    assertTrue(json.startsWith("{\"file\":\"bad.mdl\",\"line\":3,"), json);
    assertEquals("\"a\\\"b\\\\c\\n\\u0001\"", DiagnosticPrinter.quote("a\"b\\c\n\u0001"));
  }

  @Test
  void maskOperatorsBindAsInPython() {
    Diagnostics d = new Diagnostics();
    String ast = AstPrinter.print(Parser.parse(new SourceFile("t.mdl",
        "model T {\n  input x : f32[2]\n  let m = (x > 0) | ~(x < 1) & (x == x)\n  let n = ~~(x > 0)\n}\n"), d));
    assertTrue(d.all().isEmpty(), DiagnosticPrinter.text(d));
    assertEquals(String.join("\n",
        "model T   @1:1",
        "  input x : f32[2]   @2:3",
        "  let m   @3:3",
        "    binary |   @3:11",
        "      binary >   @3:12",
        "        name x   @3:12",
        "        int 0   @3:16",
        "      binary &   @3:21",
        "        unary ~   @3:21",
        "          binary <   @3:23",
        "            name x   @3:23",
        "            int 1   @3:27",
        "        binary ==   @3:33",
        "          name x   @3:33",
        "          name x   @3:38",
        "  let n   @4:3",
        "    unary ~   @4:11",
        "      unary ~   @4:12",
        "        binary >   @4:14",
        "          name x   @4:14",
        "          int 0   @4:18",
        ""), ast);
  }

  @Test
  void aLongRunOfTildesIsTooDeepNotAStackOverflow() {
    Diagnostics d = new Diagnostics();
    Frontend.load(new SourceFile("t.mdl", "model T {\n  input x : f32[2]\n  let m = " + "~".repeat(100_000)
        + "(x > 0)\n}\n"), d);
    assertTrue(DiagnosticPrinter.text(d).contains("expression nested too deeply"), DiagnosticPrinter.text(d));
  }

  @Test
  void astPrinterShowsEveryNodeWithItsPlace() {
    Diagnostics d = new Diagnostics();
    String ast = AstPrinter.print(Parser.parse(new SourceFile("t.mdl",
        "model T {\n  input x : f32[B, 2]\n  let y = -x ** 2 + x @ x^T\n  output y\n}\n"), d));
    assertEquals(String.join("\n",
        "model T   @1:1",
        "  input x : f32[B, 2]   @2:3",
        "  let y   @3:3",
        "    binary +   @3:11",
        "      unary -   @3:11",
        "        binary **   @3:12",
        "          name x   @3:12",
        "          int 2   @3:17",
        "      binary @   @3:21",
        "        name x   @3:21",
        "        transpose ^T   @3:25",
        "          name x   @3:25",
        "  output y   @4:3",
        ""), ast);
  }
}
