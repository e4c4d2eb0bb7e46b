package dev.modelc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** modelc:compile on a temporary project: packages from folders, incremental runs, removals, API changes, errors. */
class CompileMojoTest {
  @TempDir Path dir;
  Path src;
  Path classes;
  final List<String> log = new ArrayList<>();

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

  @BeforeEach
  void project() throws Exception {
    src = dir.resolve("src/main/mdl");
    classes = dir.resolve("target/classes");
    Files.createDirectories(src.resolve("demo"));
    Files.writeString(src.resolve("demo/linreg.mdl"), LINREG);
    Files.copy(Path.of("../samples/models/mlp.mdl"), src.resolve("mlp.mdl"));
  }

  /** modelc:testCompile over {@code testSrc}, into target/test-classes. */
  private TestCompileMojo testMojo(Path testSrc) {
    TestCompileMojo m = new TestCompileMojo();
    m.testSourceDirectory = testSrc.toFile();
    m.testOutputDirectory = dir.resolve("target/test-classes").toFile();
    m.testClassesDirectory = m.testOutputDirectory;
    m.stateFile = dir.resolve("target/modelc/test-compile-state.properties").toFile();
    m.emitDirectory = dir.resolve("target/modelc").toFile();
    return m;
  }

  private CompileMojo mojo() {
    CompileMojo m = new CompileMojo();
    m.sourceDirectory = src.toFile();
    m.outputDirectory = classes.toFile();
    m.classesDirectory = classes.toFile();
    m.testClassesDirectory = dir.resolve("target/test-classes").toFile();
    m.stateFile = dir.resolve("target/modelc/compile-state.properties").toFile();
    m.emitDirectory = dir.resolve("target/modelc").toFile();
    m.compileSourceRoots = List.of(dir.resolve("src/main/java").toString());
    m.setLog(new SystemStreamLog() {
      @Override public void info(CharSequence s) { log.add("INFO " + s); }
      @Override public void warn(CharSequence s) { log.add("WARN " + s); }
      @Override public void error(CharSequence s) { log.add("ERROR " + s); }
    });
    return m;
  }

  private String last() {
    return log.get(log.size() - 1);
  }

  @Test
  void compilesIntoTheFoldersPackagesThenIsUpToDate() throws Exception {
    mojo().execute();
    assertTrue(Files.isRegularFile(classes.resolve("demo/LinReg.class")));
    assertTrue(Files.isRegularFile(classes.resolve("Mlp.class")), log.toString());
    assertTrue(last().startsWith("INFO modelc: compiled 2 models from 2 files"), last());
    long stamp = Files.getLastModifiedTime(classes.resolve("demo/LinReg.class")).toMillis();
    mojo().execute();
    assertTrue(last().startsWith("INFO modelc: 2 models up to date"), last());
    assertEquals(stamp, Files.getLastModifiedTime(classes.resolve("demo/LinReg.class")).toMillis());
  }

  @Test
  void aChangedFileIsRecompiledAloneAndADeletedOneLosesItsClass() throws Exception {
    mojo().execute();
    Files.writeString(src.resolve("demo/linreg.mdl"), LINREG.replace("lr = 0.01", "lr = 0.1"));
    mojo().execute();
    assertTrue(last().contains("compiled 1 model from 1 file") && last().contains("1 file up to date"), last());
    Files.delete(src.resolve("demo/linreg.mdl"));
    mojo().execute();
    assertFalse(Files.exists(classes.resolve("demo/LinReg.class")));
    assertTrue(last().contains("removed 1 class file of deleted models"), last());
    assertTrue(log.contains("INFO modelc: demo.LinReg no longer exists"), "no Java class to mark stale: " + log);
  }

  @Test
  void anExcludedFileLosesItsClassesAsExcludedNotDeleted() throws Exception {
    mojo().execute();
    CompileMojo m = mojo();
    m.excludes = List.of("demo/**");
    m.execute();
    assertFalse(Files.exists(classes.resolve("demo/LinReg.class")));
    assertTrue(last().contains("removed 1 class file of models no longer compiled (left out by includes or excludes)"),
        last());
    assertFalse(last().contains("deleted"), last());
  }

  @Test
  void aDeletedModelLeavesNoEmptyPackageFolder() throws Exception {
    Files.createDirectories(src.resolve("demo/sub"));
    Files.writeString(src.resolve("demo/sub/extra.mdl"), LINREG.replace("LinReg", "Extra"));
    CompileMojo m = mojo();
    m.emit = List.of("schedule");
    m.execute();
    assertTrue(Files.isRegularFile(classes.resolve("demo/sub/Extra.class")));
    assertTrue(Files.isRegularFile(dir.resolve("target/modelc/demo/sub/Extra.schedule.txt")));
    Files.delete(src.resolve("demo/sub/extra.mdl"));
    m = mojo();
    m.emit = List.of("schedule");
    m.execute();
    assertFalse(Files.exists(classes.resolve("demo/sub")), "the package folder of the deleted model is gone");
    assertFalse(Files.exists(dir.resolve("target/modelc/demo/sub")), "and its stage folder");
    assertTrue(Files.isRegularFile(classes.resolve("demo/LinReg.class")), "a folder with classes stays");
    assertTrue(Files.isDirectory(classes), "the output folder stays");
  }

  @Test
  void aNewPackageNameMovesTheClassesAndSaysSo() throws Exception {
    mojo().execute();
    CompileMojo m = mojo();
    m.packageName = "com.acme";
    m.execute();
    assertTrue(Files.isRegularFile(classes.resolve("com/acme/LinReg.class")));
    assertTrue(Files.isRegularFile(classes.resolve("com/acme/Mlp.class")));
    assertFalse(Files.exists(classes.resolve("demo")), "the old package's folder is gone with its class");
    assertFalse(Files.exists(classes.resolve("Mlp.class")));
    assertTrue(last().contains("removed 2 class files of models renamed or moved to another package"), last());
    assertFalse(last().contains("deleted"), "no model file was deleted: " + last());
  }

  @Test
  void aModelRenamedInsideItsFileIsReportedAsRenamed() throws Exception {
    mojo().execute();
    Files.writeString(src.resolve("demo/linreg.mdl"), LINREG.replace("LinReg", "Line"));
    mojo().execute();
    assertFalse(Files.exists(classes.resolve("demo/LinReg.class")));
    assertTrue(Files.isRegularFile(classes.resolve("demo/Line.class")));
    assertTrue(last().contains("removed 1 class file of models renamed or moved to another package"), last());
  }

  @Test
  void aChangedApiMarksTheJavaClassesStale() throws Exception {
    mojo().execute();
    Path app = classes.resolve("demo/App.class");
    Files.write(app, new byte[] {1});
    Files.writeString(src.resolve("demo/linreg.mdl"), LINREG.replace("lr = 0.01", "lr = 0.1"));
    mojo().execute();
    assertTrue(Files.getLastModifiedTime(app).toMillis() > 1000L, "same API: javac output left alone");
    Files.writeString(src.resolve("demo/linreg.mdl"), LINREG.replace(" w ", " weight ").replace("@ w ", "@ weight "));
    mojo().execute();
    assertEquals(1000L, Files.getLastModifiedTime(app).toMillis());
    assertTrue(log.contains("INFO modelc: the public API of demo.LinReg changed; 1 Java class file marked stale, so"
        + " javac recompiles the code that may use them"), log.toString());
    assertTrue(Files.getLastModifiedTime(classes.resolve("demo/LinReg.class")).toMillis() > 1000L);
  }

  @Test
  void anErrorFailsWithItsPlaceInTheLogAndWritesNothing() throws Exception {
    Files.writeString(src.resolve("demo/bad.mdl"), "model Bad {\n  input x : f32[2]\n  let y = x @ w\n  output y\n}\n");
    MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo().execute());
    assertTrue(e.getMessage().contains("1 error") && e.getMessage().contains("bad.mdl:3:15"), e.getMessage());
    assertTrue(log.stream().anyMatch(l -> l.startsWith("ERROR ") && l.contains("bad.mdl:3:15: error: undefined name 'w'")),
        log.toString());
    assertTrue(log.contains("ERROR     let y = x @ w"), log.toString());
    assertFalse(Files.exists(classes.resolve("demo/LinReg.class")));
  }

  @Test
  void warningsAreLoggedAndFailOnlyWhenAsked() throws Exception {
    Files.writeString(src.resolve("demo/linreg.mdl"),
        LINREG.replace("output pred", "param  unused : f32[2] init zeros()\n  output pred"));
    CompileMojo strict = mojo();
    strict.failOnWarning = true;
    assertThrows(MojoFailureException.class, strict::execute);
    assertTrue(log.stream().anyMatch(l -> l.startsWith("WARN ") && l.contains("warning:")), log.toString());
    mojo().execute();
    assertTrue(Files.isRegularFile(classes.resolve("demo/LinReg.class")));
  }

  @Test
  void failOnWarningFailsAlsoWhenTheModelsAreUpToDate() throws Exception {
    Files.writeString(src.resolve("demo/linreg.mdl"),
        LINREG.replace("output pred", "param  unused : f32[2] init zeros()\n  output pred"));
    mojo().execute();
    log.clear();
    CompileMojo strict = mojo();
    strict.failOnWarning = true;
    MojoFailureException e = assertThrows(MojoFailureException.class, strict::execute);
    assertTrue(e.getMessage().contains("1 warning (failOnWarning is set)") && e.getMessage().contains("linreg.mdl:"),
        e.getMessage());
    assertTrue(log.stream().anyMatch(l -> l.startsWith("WARN ") && l.contains("warning:")), log.toString());
  }

  @Test
  void flippingFailOnWarningRecompilesNothingThatHadNoWarnings() throws Exception {
    Files.writeString(src.resolve("demo/linreg.mdl"),
        LINREG.replace("output pred", "param  unused : f32[2] init zeros()\n  output pred"));
    mojo().execute();
    CompileMojo strict = mojo();
    strict.failOnWarning = true;
    strict.excludes = List.of("demo/**");
    strict.execute();
    assertTrue(last().endsWith("(left out by includes or excludes), 1 file up to date"),
        "mlp.mdl has no warnings: up to date, with failOnWarning set or not: " + last());
    mojo().execute();
    assertTrue(last().contains("compiled 1 model from 1 file") && last().contains("1 file up to date"), last());
    strict = mojo();
    strict.failOnWarning = true;
    assertThrows(MojoFailureException.class, strict::execute);
    mojo().execute();
    assertTrue(last().startsWith("INFO modelc: 2 models up to date"), last());
  }

  @Test
  void aModelThatIsAlsoAJavaClassFailsBeforeWritingAnything() throws Exception {
    Path java = dir.resolve("src/main/java/demo/LinReg.java");
    Files.createDirectories(java.getParent());
    Files.writeString(java, "package demo;\npublic class LinReg {}\n");
    MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo().execute());
    String at = src.resolve("demo/linreg.mdl") + ":1:7: error: duplicate class: demo.LinReg (model LinReg and " + java
        + " both define it); rename the model or the Java class";
    assertEquals("modelc: 1 error in the models; the first: " + at, e.getMessage());
    assertTrue(log.contains("ERROR " + at) && log.contains("ERROR   model LinReg {")
        && log.contains("ERROR         ^~~~~~"), log.toString());
    assertFalse(Files.exists(classes), "nothing written");
  }

  /** A non-public class in a file of another name is a class of the Java sources too, reported at the model. */
  @Test
  void aModelThatIsAClassDeclaredInAJavaFileOfAnotherNameFails() throws Exception {
    Path java = dir.resolve("src/main/java/demo/Helpers.java");
    Files.createDirectories(java.getParent());
    Files.writeString(java, "package demo;\n// class Mlp is not declared here\npublic class Helpers {}\n\nclass LinReg {}\n");
    MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo().execute());
    String at = src.resolve("demo/linreg.mdl") + ":1:7: error: duplicate class: demo.LinReg (model LinReg and " + java
        + " both define it); rename the model or the Java class";
    assertEquals("modelc: 1 error in the models; the first: " + at, e.getMessage());
    assertTrue(log.contains("ERROR " + at), log.toString());
    assertFalse(Files.exists(classes), "nothing written");
  }

  @Test
  void aJavaClassClashIsReportedWithTheOtherErrorsOfTheBuild() throws Exception {
    Path java = dir.resolve("src/main/java/demo/LinReg.java");
    Files.createDirectories(java.getParent());
    Files.writeString(java, "package demo;\npublic class LinReg {}\n");
    Files.writeString(src.resolve("demo/bad.mdl"), "model Bad {\n  input x : f32[2]\n  let y = x @ w\n  output y\n}\n");
    MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo().execute());
    assertTrue(e.getMessage().startsWith("modelc: 2 errors in the models; the first: "), e.getMessage());
    assertTrue(log.stream().anyMatch(l -> l.contains("bad.mdl:3:15: error: undefined name 'w'")), log.toString());
    assertTrue(log.stream().anyMatch(l -> l.contains("linreg.mdl:1:7: error: duplicate class: demo.LinReg")),
        log.toString());
  }

  /** Two files giving one class: an error at the second model's name, with the build's other errors. */
  @Test
  void twoModelFilesWithOneClassFailWithAnErrorAtTheSecondModel() throws Exception {
    Files.writeString(src.resolve("demo/z.mdl"), "// the same model again\n" + LINREG);
    Files.writeString(src.resolve("demo/bad.mdl"), "model Bad {\n  input x : f32[2]\n  let y = x @ w\n  output y\n}\n");
    MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo().execute());
    String at = src.resolve("demo/z.mdl") + ":2:7: error: model LinReg would overwrite class demo.LinReg, written for"
        + " a model of " + src.resolve("demo/linreg.mdl") + "; rename one of them or put them in different packages";
    assertTrue(e.getMessage().startsWith("modelc: 2 errors in the models; the first: "), e.getMessage());
    assertTrue(log.contains("ERROR " + at) && log.contains("ERROR   model LinReg {")
        && log.contains("ERROR         ^~~~~~"), log.toString());
    assertTrue(log.stream().anyMatch(l -> l.contains("bad.mdl:3:15: error: undefined name 'w'")), log.toString());
    assertFalse(Files.exists(classes), "nothing written");
  }

  /** A new file giving the class of an up-to-date one is located the same way; the up-to-date file is named. */
  @Test
  void aNewFileGivingTheClassOfAnUpToDateOneIsAnErrorAtItsModel() throws Exception {
    mojo().execute();
    Files.writeString(src.resolve("demo/z.mdl"), LINREG);
    MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo().execute());
    assertEquals("modelc: 1 error in the models; the first: " + src.resolve("demo/z.mdl") + ":1:7: error: model "
        + "LinReg would overwrite class demo.LinReg, written for a model of " + src.resolve("demo/linreg.mdl")
        + "; rename one of them or put them in different packages", e.getMessage());
    Files.writeString(src.resolve("demo/z.mdl"), LINREG.replace("LinReg", "LinReg2"));
    mojo().execute();
    assertTrue(Files.isRegularFile(classes.resolve("demo/LinReg2.class")));
  }

  /** A file with no model warns at 1:1 as the command line does, and fails a build with failOnWarning. */
  @Test
  void aFileWithNoModelWarnsAndFailsOnlyWithFailOnWarning() throws Exception {
    Files.writeString(src.resolve("demo/notes.mdl"), "// nothing here yet\n");
    CompileMojo strict = mojo();
    strict.failOnWarning = true;
    MojoFailureException e = assertThrows(MojoFailureException.class, strict::execute);
    assertEquals("modelc: 1 warning (failOnWarning is set) in the models; the first: " + src.resolve("demo/notes.mdl")
        + ":1:1: warning: this file holds no model (it is empty or only comments)", e.getMessage());
    log.clear();
    mojo().execute();
    assertTrue(log.contains("WARN " + src.resolve("demo/notes.mdl") + ":1:1: warning: this file holds no model (it is"
        + " empty or only comments)"), log.toString());
    assertThrows(MojoFailureException.class, strict::execute, "still failing while it is up to date");
  }

  @Test
  void aJavaClassAddedLaterFailsTheNextBuildThoughTheModelIsUpToDate() throws Exception {
    mojo().execute();
    Path java = dir.resolve("src/main/java/demo/LinReg.java");
    Files.createDirectories(java.getParent());
    Files.writeString(java, "package demo;\npublic class LinReg {}\n");
    MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo().execute());
    assertTrue(e.getMessage().contains("linreg.mdl:1:7: error: duplicate class: demo.LinReg"), e.getMessage());
  }

  @Test
  void aTestModelMayNotShareItsClassWithAMainOrTestJavaClass() throws Exception {
    Path testSrc = dir.resolve("src/test/mdl");
    Files.createDirectories(testSrc.resolve("demo"));
    Files.writeString(testSrc.resolve("demo/linreg.mdl"), LINREG);
    Path java = dir.resolve("src/main/java/demo/LinReg.java");
    Files.createDirectories(java.getParent());
    Files.writeString(java, "package demo;\npublic class LinReg {}\n");
    TestCompileMojo m = testMojo(testSrc);
    m.compileSourceRoots = List.of(dir.resolve("src/main/java").toString());
    m.testCompileSourceRoots = List.of(dir.resolve("src/test/java").toString());
    MojoFailureException e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("test/mdl/demo/linreg.mdl:1:7: error: duplicate class: demo.LinReg")
        && e.getMessage().contains(java.toString()), e.getMessage());
    Path testJava = dir.resolve("src/test/java/demo/LinReg.java");
    Files.createDirectories(testJava.getParent());
    Files.move(java, testJava);
    e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("src/test/java/demo/LinReg.java both define it"), e.getMessage());
    assertFalse(Files.exists(m.testOutputDirectory.toPath()));
  }

  @Test
  void foldersThatAreJavaKeywordsOrLiteralsAreNotPackages() throws Exception {
    for (String folder : List.of("class", "demo/null", "true", "_", "my-models")) {
      Path f = src.resolve(folder + "/kw.mdl");
      Files.createDirectories(f.getParent());
      Files.writeString(f, LINREG.replace("LinReg", "Kw"));
      MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo().execute());
      String part = folder.substring(folder.lastIndexOf('/') + 1);
      String why = part.equals("my-models") ? "is not a Java identifier"
          : part.equals("null") || part.equals("true") ? "is a Java literal" : "is a Java keyword";
      assertTrue(e.getMessage().contains(f + ": the folder '" + folder + "' is not a Java package name: '" + part
          + "' " + why), e.getMessage());
      Files.delete(f);
    }
    assertFalse(Files.exists(classes), "nothing written");
    CompileMojo m = mojo();
    m.packageName = "app.static";
    MojoFailureException e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("packageName 'app.static' is not a Java package name: 'static' is a Java"
        + " keyword"), e.getMessage());
    m.packageName = "java.models";
    e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("the JVM loads no class of an application into java or a package under it"),
        e.getMessage());
  }

  @Test
  void packageNameAndEmitAreHonoured() throws Exception {
    CompileMojo m = mojo();
    m.packageName = "app.models";
    m.emit = List.of("grad", "schedule");
    m.excludes = List.of("mlp.mdl");
    m.execute();
    assertTrue(Files.isRegularFile(classes.resolve("app/models/LinReg.class")));
    assertTrue(Files.readString(dir.resolve("target/modelc/app/models/LinReg.schedule.txt"))
        .startsWith("schedule LinReg"));
    assertTrue(Files.isRegularFile(dir.resolve("target/modelc/app/models/LinReg.grad.txt")));
    assertFalse(Files.exists(classes.resolve("Mlp.class")), "mlp.mdl is excluded");
    assertFalse(Files.exists(classes.resolve("demo")), "every class goes to app.models");
  }

  @Test
  void stagesOfModelsOfOneNameInTwoPackagesGoToTwoFilesAndGoWithTheirModel() throws Exception {
    Files.createDirectories(src.resolve("demo/sub"));
    Files.writeString(src.resolve("demo/sub/linreg.mdl"), LINREG.replace("lr = 0.01", "lr = 0.5"));
    Path emitted = dir.resolve("target/modelc");
    CompileMojo m = mojo();
    m.emit = List.of("schedule,ast");
    m.execute();
    assertTrue(Files.isRegularFile(emitted.resolve("demo/LinReg.schedule.txt")));
    assertTrue(Files.isRegularFile(emitted.resolve("demo/sub/LinReg.schedule.txt")));
    assertTrue(Files.isRegularFile(emitted.resolve("demo/sub/linreg.ast.txt")));
    assertTrue(Files.isRegularFile(emitted.resolve("Mlp.schedule.txt")));
    assertTrue(Files.readString(emitted.resolve("demo/sub/linreg.ast.txt")).contains("0.5"));
    assertFalse(Files.readString(emitted.resolve("demo/linreg.ast.txt")).contains("0.5"));
    Files.delete(src.resolve("demo/sub/linreg.mdl"));
    m = mojo();
    m.emit = List.of("schedule,ast");
    m.execute();
    assertFalse(Files.exists(emitted.resolve("demo/sub/LinReg.schedule.txt")), "the deleted model's stages go");
    assertFalse(Files.exists(emitted.resolve("demo/sub/linreg.ast.txt")));
    assertTrue(Files.isRegularFile(emitted.resolve("demo/LinReg.schedule.txt")));
  }

  @Test
  void stagesNoLongerEmittedAreRemoved() throws Exception {
    Path emitted = dir.resolve("target/modelc");
    CompileMojo m = mojo();
    m.emit = List.of("schedule,ast");
    m.execute();
    assertTrue(Files.isRegularFile(emitted.resolve("demo/LinReg.schedule.txt")));
    m = mojo();
    m.emit = List.of("grad");
    m.execute();
    assertTrue(Files.isRegularFile(emitted.resolve("demo/LinReg.grad.txt")));
    assertFalse(Files.exists(emitted.resolve("demo/LinReg.schedule.txt")), "schedule is no longer emitted");
    assertFalse(Files.exists(emitted.resolve("demo/linreg.ast.txt")));
    mojo().execute();
    assertFalse(Files.exists(emitted.resolve("demo/LinReg.grad.txt")), "a build without emit removes the stages");
    assertFalse(Files.exists(emitted.resolve("Mlp.grad.txt")));
    assertTrue(Files.isRegularFile(emitted.resolve("compile-state.properties")), "the state stays");
  }

  /**
   * A state file written before it recorded the stages emitted (no emit entry): the stage files such a build may
   * have left are removed by the next build, which compiles every model again and writes the stages it is asked for.
   */
  @Test
  void aStateFileWithoutEmitIsAnUnknownSetupWhoseStagesAreRemoved() throws Exception {
    Path emitted = dir.resolve("target/modelc");
    CompileMojo m = mojo();
    m.emit = List.of("schedule,ast");
    m.execute();
    Path state = emitted.resolve("compile-state.properties");
    Files.writeString(state, Files.readString(state).replaceAll("(?m)^emit=.*\n", ""));
    m = mojo();
    m.emit = List.of("grad");
    m.execute();
    assertTrue(last().contains("compiled 2 models from 2 files"), last());
    assertTrue(Files.isRegularFile(emitted.resolve("demo/LinReg.grad.txt")));
    assertTrue(Files.isRegularFile(emitted.resolve("Mlp.grad.txt")));
    assertFalse(Files.exists(emitted.resolve("demo/LinReg.schedule.txt")), "the old build's schedule goes");
    assertFalse(Files.exists(emitted.resolve("Mlp.schedule.txt")));
    assertFalse(Files.exists(emitted.resolve("demo/linreg.ast.txt")));
    assertTrue(Files.readString(state).contains("emit=grad"));
    mojo().execute();
    assertFalse(Files.exists(emitted.resolve("demo/LinReg.grad.txt")), "the state records emit again");
  }

  @Test
  void twoExecutionsOfTheGoalKeepTheirOwnState() throws Exception {
    Path extra = dir.resolve("src/extra/mdl");
    Files.createDirectories(extra.resolve("extra"));
    Files.writeString(extra.resolve("extra/other.mdl"), LINREG.replace("LinReg", "Other"));
    for (int build = 0; build < 2; build++) {
      mojo().execute();
      CompileMojo second = mojo();
      second.executionId = "extra";
      second.sourceDirectory = extra.toFile();
      second.execute();
      assertTrue(Files.isRegularFile(classes.resolve("demo/LinReg.class")), log.toString());
      assertTrue(Files.isRegularFile(classes.resolve("extra/Other.class")), log.toString());
    }
    assertTrue(last().startsWith("INFO modelc: 1 model up to date"), last());
    assertTrue(log.stream().noneMatch(l -> l.contains("no longer exist")), log.toString());
    assertTrue(Files.isRegularFile(dir.resolve("target/modelc/compile-state-extra.properties")));
  }

  @Test
  void anotherOutputDirectoryRecompilesAndEmptiesTheOldOne() throws Exception {
    mojo().execute();
    CompileMojo m = mojo();
    Path gen = dir.resolve("target/gen");
    m.outputDirectory = gen.toFile();
    m.execute();
    assertTrue(Files.isRegularFile(gen.resolve("demo/LinReg.class")));
    assertFalse(Files.exists(classes.resolve("demo/LinReg.class")), "javac and the jar would see a stale class");
    assertFalse(Files.exists(classes.resolve("Mlp.class")));
    assertTrue(last().contains("compiled 2 models") && last().contains("removed 2 class files from the previous"
        + " output directory " + classes.toAbsolutePath().normalize()), last());
    Files.writeString(src.resolve("demo/linreg.mdl"), LINREG.replace("lr = 0.01", "lr = 0.5"));
    mojo().execute();
    assertTrue(last().startsWith("INFO modelc: compiled 2 models"), "back in the first folder, all again: " + last());
    assertFalse(Files.exists(gen.resolve("demo/LinReg.class")));
  }

  @Test
  void aMissingSourceDirectoryWarnsAndAFileIsAnError() throws Exception {
    mojo().execute();
    CompileMojo m = mojo();
    m.sourceDirectory = dir.resolve("src/main/mld").toFile();
    m.execute();
    assertTrue(log.contains("WARN modelc: the source directory " + dir.resolve("src/main/mld")
        + " does not exist; the classes of the 2 model files compiled from it before are removed"), log.toString());
    CompileMojo f = mojo();
    f.sourceDirectory = src.resolve("mlp.mdl").toFile();
    MojoFailureException e = assertThrows(MojoFailureException.class, f::execute);
    assertEquals("modelc: the source directory " + src.resolve("mlp.mdl") + " is not a directory", e.getMessage());
  }

  /** The runtime the tests run with: a class folder or a jar, as the reactor gives it. */
  private static String runtimeOnTheTestClassPath() throws Exception {
    return Path.of(dev.modelc.runtime.api.CompiledModel.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI()).toString();
  }

  /** A jar holding the runtime's marker class and, when {@code version} is not null, its pom.properties. */
  private Path runtimeJar(String name, String version) throws Exception {
    Path jar = dir.resolve(name);
    try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new java.util.zip.ZipEntry(RuntimeCheck.MARKER));
      out.write(new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE});
      out.closeEntry();
      if (version != null) {
        out.putNextEntry(new java.util.zip.ZipEntry(RuntimeCheck.POM_PROPERTIES));
        out.write(("groupId=dev.modelc\nartifactId=modelc-runtime\nversion=" + version + "\n").getBytes());
        out.closeEntry();
      }
    }
    return jar;
  }

  private List<String> warnings() {
    return log.stream().filter(l -> l.startsWith("WARN ")).toList();
  }

  @Test
  void aClassPathWithoutTheRuntimeWarnsWithTheDependencyToAdd() throws Exception {
    String version = RuntimeCheck.expectedVersion(null);
    assertFalse(version == null || version.isBlank() || version.equals("unknown"), version);
    Path notAJar = Files.writeString(dir.resolve("notes.jar"), "not a zip");
    CompileMojo m = mojo();
    m.classpathElements = List.of(classes.toString(), notAJar.toString(), dir.resolve("missing.jar").toString());
    m.execute();
    assertTrue(Files.isRegularFile(classes.resolve("demo/LinReg.class")), "the models are compiled all the same");
    List<String> w = warnings();
    assertEquals(6, w.size(), log.toString());
    assertEquals("WARN modelc: the generated classes need the modelc runtime, dev.modelc:modelc-runtime, which is not on"
        + " the compile class path (no element of it holds dev/modelc/runtime/api/CompiledModel.class): javac fails on"
        + " Java code that uses them, and loading them fails with NoClassDefFoundError. Add this dependency to the"
        + " <dependencies> of the project's pom.xml:", w.get(0));
    assertEquals(List.of("WARN     <dependency>", "WARN       <groupId>dev.modelc</groupId>",
        "WARN       <artifactId>modelc-runtime</artifactId>", "WARN       <version>" + version + "</version>",
        "WARN     </dependency>"), w.subList(1, 6));
    log.clear();
    m.execute();
    assertTrue(last().startsWith("INFO modelc: 2 models up to date"), last());
    assertEquals(6, warnings().size(), "up to date models still need the runtime: " + log);
  }

  @Test
  void theRuntimeFolderOrJarOfTheRightVersionGivesNoWarning() throws Exception {
    CompileMojo m = mojo();
    m.classpathElements = List.of(classes.toString(), runtimeOnTheTestClassPath());
    m.execute();
    Files.delete(classes.resolve("demo/LinReg.class"));
    m = mojo();
    m.classpathElements = List.of(runtimeJar("runtime.jar", RuntimeCheck.expectedVersion(null)).toString());
    m.execute();
    m = mojo();
    m.classpathElements = List.of(runtimeJar("shaded.jar", null).toString()); // a jar that names no version
    m.failOnWarning = true;
    m.execute();
    assertEquals(List.of(), warnings());
  }

  @Test
  void aRuntimeJarOfAnotherVersionWarns() throws Exception {
    String version = RuntimeCheck.expectedVersion(null);
    Path old = runtimeJar("modelc-runtime-0.0.1.jar", "0.0.1");
    CompileMojo m = mojo();
    m.classpathElements = List.of(old.toString(), runtimeOnTheTestClassPath());
    m.execute();
    assertEquals(List.of("WARN modelc: the generated classes are made for modelc-runtime " + version + ", but the"
        + " compile class path has modelc-runtime 0.0.1 (" + old + "); they may fail with NoSuchMethodError or"
        + " AbstractMethodError. Give the dev.modelc:modelc-runtime dependency the plugin's version, <version>"
        + version + "</version> (one property for both keeps them together)"), warnings());
  }

  /** A dependency as Maven's collection gives it to the goals: coordinates, and no file. */
  private static org.apache.maven.artifact.Artifact collected(String groupId, String artifactId, String version) {
    return new org.apache.maven.artifact.DefaultArtifact(groupId, artifactId, version, "compile", "jar", null,
        new JarHandler());
  }

  /** The handler of a jar dependency, as maven-core's gives it. */
  private static final class JarHandler implements org.apache.maven.artifact.handler.ArtifactHandler {
    @Override public String getExtension() { return "jar"; }
    @Override public String getDirectory() { return "jars"; }
    @Override public String getClassifier() { return null; }
    @Override public String getPackaging() { return "jar"; }
    @Override public boolean isIncludesDependencies() { return false; }
    @Override public String getLanguage() { return "java"; }
    @Override public boolean isAddedToClasspath() { return true; }
  }

  @Test
  void theRuntimeIsFoundByItsCoordinatesBeforeItsFileIsResolved() throws Exception {
    String version = RuntimeCheck.expectedVersion(null);
    CompileMojo m = mojo();
    m.classpathElements = List.of(classes.toString()); // a sibling module's jar, not built yet, is not on it
    m.artifacts = java.util.Set.of(collected("dev.modelc.it", "lib", "1.0"),
        collected("dev.modelc", "modelc-runtime", version));
    m.failOnWarning = true;
    m.execute();
    assertEquals(List.of(), warnings());
    assertTrue(Files.isRegularFile(classes.resolve("demo/LinReg.class")));

    Files.delete(classes.resolve("demo/LinReg.class"));
    m = mojo();
    m.classpathElements = List.of(classes.toString(), runtimeOnTheTestClassPath());
    m.artifacts = java.util.Set.of(collected("dev.modelc", "modelc-runtime", "0.0.1"));
    m.execute();
    assertEquals(List.of("WARN modelc: the generated classes are made for modelc-runtime " + version + ", but the"
        + " compile class path has modelc-runtime 0.0.1 (dev.modelc:modelc-runtime:0.0.1); they may fail with"
        + " NoSuchMethodError or AbstractMethodError. Give the dev.modelc:modelc-runtime dependency the plugin's"
        + " version, <version>" + version + "</version> (one property for both keeps them together)"), warnings());

    log.clear();
    Files.delete(classes.resolve("demo/LinReg.class"));
    m = mojo();
    m.classpathElements = null;
    m.artifacts = java.util.Set.of(collected("dev.modelc.it", "lib", "1.0"));
    m.execute();
    assertEquals(6, warnings().size(), log.toString());
    assertTrue(warnings().get(0).contains("modelc-runtime, which is not on the compile class path"), log.toString());
  }

  @Test
  void failOnWarningFailsOnTheClassPathBeforeWritingAnything() throws Exception {
    CompileMojo m = mojo();
    m.classpathElements = List.of(classes.toString());
    m.failOnWarning = true;
    MojoFailureException e = assertThrows(MojoFailureException.class, m::execute);
    assertEquals("modelc: the compile class path has no modelc runtime; add the dependency dev.modelc:modelc-runtime:"
        + RuntimeCheck.expectedVersion(null) + " (failOnWarning is set)", e.getMessage());
    assertFalse(Files.exists(classes.resolve("demo/LinReg.class")));
    m = mojo();
    m.classpathElements = List.of(runtimeJar("old.jar", "0.0.1").toString());
    m.failOnWarning = true;
    e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("has modelc-runtime 0.0.1, the generated classes are made for"), e.getMessage());
  }

  @Test
  void noClassPathWarningWithoutModelsOrWithModelErrors() throws Exception {
    Files.writeString(src.resolve("demo/bad.mdl"), "model Bad {\n  input x : f32[2]\n  let y = x @ w\n  output y\n}\n");
    CompileMojo m = mojo();
    m.classpathElements = List.of();
    assertThrows(MojoFailureException.class, m::execute);
    assertTrue(log.stream().noneMatch(l -> l.contains("class path")), log.toString());
    Files.delete(src.resolve("demo/bad.mdl"));
    Files.delete(src.resolve("demo/linreg.mdl"));
    Files.writeString(src.resolve("mlp.mdl"), "// no model yet\n");
    m.execute();
    assertTrue(log.stream().noneMatch(l -> l.contains("class path")), "a file with no model gives no class: " + log);
    Files.delete(src.resolve("mlp.mdl"));
    m.execute();
    assertTrue(log.stream().noneMatch(l -> l.contains("class path")), log.toString());
  }

  @Test
  void testCompileChecksTheTestClassPath() throws Exception {
    Path testSrc = dir.resolve("src/test/mdl");
    Files.createDirectories(testSrc.resolve("fixtures"));
    Files.writeString(testSrc.resolve("fixtures/line.mdl"), LINREG.replace("LinReg", "Line"));
    TestCompileMojo m = testMojo(testSrc);
    m.classpathElements = List.of(m.testOutputDirectory.toString(), classes.toString());
    m.setLog(mojo().getLog());
    m.execute();
    assertTrue(warnings().get(0).contains("modelc-runtime, which is not on the test class path"), log.toString());
    log.clear();
    m.classpathElements = List.of(m.testOutputDirectory.toString(), runtimeOnTheTestClassPath());
    m.execute();
    assertEquals(List.of(), warnings());
  }

  @Test
  void skipDoesNothing() throws Exception {
    CompileMojo m = mojo();
    m.skip = true;
    m.execute();
    assertFalse(Files.exists(classes));
  }
}
