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

  private CompileMojo mojo() {
    CompileMojo m = new CompileMojo();
    m.sourceDirectory = src.toFile();
    m.outputDirectory = classes.toFile();
    m.classesDirectory = classes.toFile();
    m.testClassesDirectory = dir.resolve("target/test-classes").toFile();
    m.stateFile = dir.resolve("target/modelc/compile-state.properties").toFile();
    m.emitDirectory = dir.resolve("target/modelc").toFile();
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
    assertTrue(last().contains("removed 1 class file"), last());
    assertTrue(log.stream().anyMatch(l -> l.contains("demo.LinReg no longer exist")), log.toString());
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
    assertTrue(Files.getLastModifiedTime(classes.resolve("demo/LinReg.class")).toMillis() > 1000L);
    assertTrue(log.stream().anyMatch(l -> l.contains("the public API of demo.LinReg changed")), log.toString());
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
    Files.writeString(src.resolve("demo/linreg.mdl"), LINREG.replace("output pred", "param  unused : f32[2] init zeros()\n  output pred"));
    CompileMojo strict = mojo();
    strict.failOnWarning = true;
    assertThrows(MojoFailureException.class, strict::execute);
    assertTrue(log.stream().anyMatch(l -> l.startsWith("WARN ") && l.contains("warning:")), log.toString());
    mojo().execute();
    assertTrue(Files.isRegularFile(classes.resolve("demo/LinReg.class")));
  }

  @Test
  void packageNameAndEmitAreHonoured() throws Exception {
    CompileMojo m = mojo();
    m.packageName = "app.models";
    m.emit = List.of("grad", "schedule");
    m.excludes = List.of("mlp.mdl");
    m.execute();
    assertTrue(Files.isRegularFile(classes.resolve("app/models/LinReg.class")));
    assertTrue(Files.readString(dir.resolve("target/modelc/LinReg.schedule.txt")).startsWith("schedule LinReg"));
    assertTrue(Files.isRegularFile(dir.resolve("target/modelc/LinReg.grad.txt")));
    assertFalse(Files.exists(classes.resolve("Mlp.class")), "mlp.mdl is excluded");
    assertFalse(Files.exists(classes.resolve("demo")), "every class goes to app.models");
  }

  @Test
  void skipDoesNothing() throws Exception {
    CompileMojo m = mojo();
    m.skip = true;
    m.execute();
    assertFalse(Files.exists(classes));
  }
}
