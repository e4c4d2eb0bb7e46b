package dev.modelc.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compile API: classes and diagnostics as objects, stages, writing, and the API hash. */
class ModelcTest {
  @TempDir Path dir;

  static final String LINREG = """
      model LinReg {
        input  x : f32[N, 1]
        input  y : f32[N, 1]
        param  w : f32[1, 1] init uniform(0, 1)
        param  b : f32[1]    init uniform(0, 1)
        let pred = x @ w + b
        let loss = mean((pred - y) ** 2)
        output pred
        minimize loss with sgd(lr = 0.01)
      }
      """;

  @Test
  void compilesTheSamplesIntoAPackage() {
    Result r = Modelc.compile(List.of(Path.of("../samples/models/linreg.mdl"), Path.of("../samples/models/cnn.mdl")),
        Options.defaults().withPackage("demo")).orThrow();
    assertEquals(List.of("demo.LinReg", "demo.Net"), r.classes().stream().map(GeneratedClass::className).toList());
    assertEquals(Set.of("demo/LinReg.class", "demo/Net.class"), r.classFiles().keySet());
    assertEquals("../samples/models/cnn.mdl", r.classes().get(1).source());
    assertEquals(0, r.errorCount());
  }

  @Test
  void anErrorIsAMessageWithItsPlaceAndNoClassesAreGiven() {
    Result r = Modelc.compileSource("bad.mdl", LINREG + "model M {\n  input x : f32[2]\n  let y = x @ w\n  output y\n}\n",
        Options.defaults());
    assertFalse(r.ok());
    assertTrue(r.classes().isEmpty());
    Message m = r.messages().get(0);
    assertEquals(Message.Severity.ERROR, m.severity());
    assertEquals("bad.mdl", m.file());
    assertEquals(13, m.line());
    assertEquals(15, m.column());
    assertTrue(m.text().startsWith("bad.mdl:13:15: error: ") && m.text().contains("^"), m.text());
    assertEquals(m.text(), r.text());
    CompilationFailedException e = assertThrows(CompilationFailedException.class, r::orThrow);
    assertTrue(e.getMessage().contains("bad.mdl:13:15"), e.getMessage());
  }

  /**
   * 20,000 errors on one line of 390,000 characters: each message has its place and a window of the line around its
   * caret. Every message's text is rendered, and each once copied the whole line: 48 s for `modelc compile`.
   */
  @Test
  void manyErrorsOnOneLongLineAreEachPlacedAndCut() {
    StringBuilder src = new StringBuilder("model M { input x : f32[B, 3]");
    for (int i = 0; i < 20_000; i++) {
      src.append(" let a").append(i).append(" = zz").append(i);
    }
    Result r = Modelc.compileSource("one.mdl", src.append(" output a0 }\n").toString(), Options.defaults());
    assertEquals(20_000, r.errorCount());
    Message m = r.messages().get(12_345);
    int column = src.indexOf("zz12345 ") + 1;
    assertEquals("one.mdl:1:" + column + ": error: undefined name 'zz12345'", m.toString());
    String[] lines = m.text().split("\n");
    assertEquals(3, lines.length, m.text());
    assertTrue(lines[1].startsWith("  ...") && lines[1].endsWith("...") && lines[1].length() == 128, lines[1]);
    assertEquals("zz12345 ", lines[1].substring(lines[2].indexOf('^'), lines[2].indexOf('^') + 8));
    assertEquals("^~~~~~~", lines[2].strip());
  }

  @Test
  void stagesAreKeptByModel() {
    Result r = Modelc.compileSource("linreg.mdl", LINREG,
        Options.defaults().checkOnly().withEmit(Set.of(Stage.AST, Stage.GRAD, Stage.SCHEDULE))).orThrow();
    assertTrue(r.classes().isEmpty());
    assertEquals(List.of("linreg/AST", "LinReg/GRAD", "LinReg/SCHEDULE"),
        r.stages().stream().map(s -> s.name() + "/" + s.stage()).toList());
    assertTrue(r.stages().get(2).text().startsWith("schedule LinReg"), r.stages().get(2).text());
  }

  @Test
  void twoModelsWithOneClassNameAreAnError() {
    Result r = Modelc.compile(List.of(Path.of("../samples/models/linreg.mdl"), Path.of("../samples/models/linreg.mdl")),
        Options.defaults());
    assertFalse(r.ok());
    // both places are the model's name, as for a clash with a Java class
    assertTrue(r.text().contains("linreg.mdl:2:7: error: model LinReg would overwrite class LinReg, written for the "
        + "model at ../samples/models/linreg.mdl:2:7"), r.text());
  }

  @Test
  void aModelWhoseClassIsAJavaClassIsAnErrorAtItsName() {
    Path java = Path.of("src/main/java/demo/LinReg.java");
    Options options = Options.defaults().withPackage("demo").withJavaClasses(Map.of("demo.LinReg", java));
    Result r = Modelc.compileSource("linreg.mdl", "// a model\n" + LINREG, options);
    assertTrue(r.classes().isEmpty());
    Message m = r.messages().get(0);
    assertEquals(List.of(2, 7, 13), List.of(m.line(), m.column(), m.endColumn()));
    assertEquals("linreg.mdl:2:7: error: duplicate class: demo.LinReg (model LinReg and " + java
        + " both define it); rename the model or the Java class", m.toString());
    assertTrue(m.text().contains("\n  model LinReg {\n        ^~~~~~"), m.text());
    assertTrue(Modelc.compileSource("linreg.mdl", LINREG, options.withPackage("other")).ok(), "another package");
    // a check passes only what a compile would: it reports the clash too; printing a stage makes no class
    assertEquals(m.toString(), Modelc.compileSource("linreg.mdl", "// a model\n" + LINREG, options.checkOnly())
        .messages().get(0).toString());
    assertTrue(Modelc.compileSource("linreg.mdl", LINREG, options.checkOnly().withEmit(Set.of(Stage.IR))).ok(),
        "printing the IR makes no class, so no clash");
  }

  /** A build that compiles one file at a time tells each call the classes of the others, as it does Java's. */
  @Test
  void aModelWhoseClassAModelCompiledApartGivesIsAnErrorAtItsName() {
    Path other = Path.of("src/main/mdl/demo/a.mdl");
    Options options = Options.defaults().withPackage("demo").withModelClasses(Map.of("demo.LinReg", other));
    for (Options o : List.of(options, options.checkOnly())) {
      Result r = Modelc.compileSource("linreg.mdl", "// a model\n" + LINREG, o);
      assertTrue(r.classes().isEmpty());
      Message m = r.messages().get(0);
      assertEquals("linreg.mdl:2:7: error: model LinReg would overwrite class demo.LinReg, written for a model of "
          + other + "; rename one of them or put them in different packages", m.toString());
      assertTrue(m.text().contains("\n  model LinReg {\n        ^~~~~~"), m.text());
    }
    assertTrue(Modelc.compileSource("linreg.mdl", LINREG, options.withPackage("other")).ok(), "another package");
  }

  /** Two files of one package checked together: the second model giving a class is an error, as in a compile. */
  @Test
  void aCheckOnlyCompileFindsTwoModelsWithOneClass() {
    Path linreg = Path.of("../samples/models/linreg.mdl");
    Result r = Modelc.compile(List.of(linreg, linreg), Options.defaults().checkOnly());
    assertEquals(1, r.errorCount(), r.text());
    assertTrue(r.text().contains("linreg.mdl:2:7: error: model LinReg would overwrite class LinReg"), r.text());
  }

  @Test
  void writesClassesAndJarsWithoutLeavingTemporaryFiles() throws Exception {
    Result r = Modelc.compileSource("linreg.mdl", LINREG, Options.defaults().withPackage("a.b")).orThrow();
    List<Path> written = ClassFiles.write(dir.resolve("classes"), r.classes());
    assertEquals(List.of(dir.resolve("classes/a/b/LinReg.class")), written);
    assertArrayEquals(r.classes().get(0).bytecode(), Files.readAllBytes(written.get(0)));
    ClassFiles.write(dir.resolve("classes"), r.classes());
    try (var files = Files.list(dir.resolve("classes/a/b"))) {
      assertEquals(1, files.count());
    }
    ClassFiles.writeJar(dir.resolve("out/models.jar"), r.classes());
    try (JarFile jar = new JarFile(dir.resolve("out/models.jar").toFile())) {
      assertTrue(jar.getEntry("a/b/LinReg.class") != null);
    }
    try (var files = Files.list(dir.resolve("out"))) {
      assertEquals(1, files.count());
    }
    if (Files.getFileAttributeView(dir, java.nio.file.attribute.PosixFileAttributeView.class) != null) {
      // an ordinary new file's permissions (0666 less the umask), as javac's classes get: not owner-only
      var plain = Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain")));
      assertEquals(plain, Files.getPosixFilePermissions(written.get(0)));
      assertEquals(plain, Files.getPosixFilePermissions(dir.resolve("out/models.jar")));
    }
  }

  @Test
  void theApiHashSeesRenamedParametersButNotTheOptimizer() {
    String same = Modelc.compileSource("a.mdl", LINREG, Options.defaults()).orThrow().classes().get(0).apiHash();
    assertEquals(same, Modelc.compileSource("b.mdl", LINREG.replace("lr = 0.01", "lr = 0.1"), Options.defaults())
        .orThrow().classes().get(0).apiHash());
    String renamed = Modelc.compileSource("a.mdl", LINREG.replace(" w ", " weight ").replace("@ w ", "@ weight "),
        Options.defaults()).orThrow().classes().get(0).apiHash();
    assertNotEquals(same, renamed);
    assertEquals(32, same.length());
  }

  @Test
  void getterNamesNeverClashAndJavaCanCallThem() throws Exception {
    String source = """
        model Names {
          input  x : f32[N, 1]
          param  w : f32[1, 1] init zeros()
          param  wGrad : f32[1] init zeros()
          param  new : f32[1] init zeros()
          let loss = mean(x @ w + wGrad + new)
          minimize loss with sgd(lr = 0.1)
        }
        """;
    GeneratedClass c = Modelc.compileSource("names.mdl", source, Options.defaults()).orThrow().classes().get(0);
    // defining the class is what failed: "Duplicate method name wGrad" (w's gradient and the param wGrad)
    Class<?> type = new ClassLoader(getClass().getClassLoader()) {
      Class<?> define() {
        return defineClass(c.className(), c.bytecode(), 0, c.bytecode().length);
      }
    }.define();
    for (String getter : List.of("w", "wGrad", "param_wGrad", "param_wGradGrad", "param_new", "param_newGrad")) {
      assertEquals(float[].class, type.getMethod(getter).getReturnType(), getter);
    }
  }

  @Test
  void aModelNamedAfterAJavaKeywordIsAnError() {
    Result r = Modelc.compileSource("kw.mdl", LINREG.replace("model LinReg", "model class"), Options.defaults());
    assertFalse(r.ok());
    assertTrue(r.text().contains("kw.mdl:1:7: error: model 'class' would compile to a class Java code cannot name "
        + "('class' is a Java keyword); rename the model"), r.text());
  }

  @Test
  void aByteOrderMarkIsSkippedAndInvisibleCharactersAreShownByCodePoint() throws Exception {
    Path file = dir.resolve("bom.mdl");
    Files.write(file, ("\uFEFF" + LINREG).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertTrue(Modelc.compile(file, Options.defaults()).ok());
    Result r = Modelc.compileSource("zw.mdl", LINREG.replace("let pred", "let\u200B pred"), Options.defaults());
    assertTrue(r.text().contains("zw.mdl:6:6: error: unexpected character U+200B"), r.text());
  }

  @Test
  void badOptionsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> Options.defaults().withPackage("1bad"));
    assertThrows(IllegalArgumentException.class, () -> Options.defaults().withPackage("app.static"));
    assertFalse(Options.isPackageName("null"));
    assertTrue(Options.isPackageName("demo.models"));
    assertThrows(IllegalArgumentException.class, () -> Stage.of("assembly"));
    assertEquals(Stage.BYTECODE, Stage.of("bytecode"));
  }

  @Test
  void knowsItsVersion() {
    assertFalse(Modelc.version().isBlank());
    assertFalse(Modelc.version().contains("${"));
  }
}
