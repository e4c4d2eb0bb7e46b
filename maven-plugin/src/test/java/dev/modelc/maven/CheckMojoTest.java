package dev.modelc.maven;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckMojoTest {
  @TempDir Path dir;

  private CheckMojo mojo(Path src) {
    CheckMojo m = new CheckMojo();
    m.sourceDirectory = src.toFile();
    return m;
  }

  @Test
  void checksTheSamples() {
    assertDoesNotThrow(() -> mojo(Path.of("../samples/models")).execute());
  }

  @Test
  void failsTheBuildOnAnError() throws Exception {
    Files.writeString(dir.resolve("bad.mdl"), "model M {\n  input x : f32[2]\n  let y = x @ w\n  output y\n}\n");
    MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo(dir).execute());
    assertTrue(e.getMessage().equals("modelc: 1 error in " + dir + "; the first: " + dir.resolve("bad.mdl")
        + ":3:15: error: undefined name 'w'"), e.getMessage());
  }

  @Test
  void aFolderThatIsNotAPackageFailsAsInCompileUnlessPackageNameIsSet() throws Exception {
    Path file = dir.resolve("my-models/lin.mdl");
    Files.createDirectories(file.getParent());
    Files.copy(Path.of("../samples/models/linreg.mdl"), file);
    MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo(dir).execute());
    assertTrue(e.getMessage().equals("modelc: " + file + ": the folder 'my-models' is not a Java package name:"
        + " 'my-models' is not a Java identifier (use folders whose names are Java identifiers and not keywords, or"
        + " set packageName)"), e.getMessage());
    CheckMojo m = mojo(dir);
    m.packageName = "demo";
    assertDoesNotThrow(m::execute);
  }

  /** check fails where compile would: two files giving one class, or a model giving a Java source's class. */
  @Test
  void twoModelsWithOneClassOrAModelThatIsAJavaClassFailAsInCompile() throws Exception {
    Path a = dir.resolve("mdl/demo/a.mdl");
    Path b = dir.resolve("mdl/demo/b.mdl");
    Files.createDirectories(a.getParent());
    Files.copy(Path.of("../samples/models/linreg.mdl"), a);
    Files.copy(Path.of("../samples/models/linreg.mdl"), b);
    MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo(dir.resolve("mdl")).execute());
    assertEquals("modelc: 1 error in " + dir.resolve("mdl") + "; the first: " + b + ":2:7: error: model LinReg would"
        + " overwrite class demo.LinReg, written for the model at " + a + ":2:7 in this run; rename one of them or put"
        + " them in different packages", e.getMessage());

    Files.move(b, Files.createDirectories(dir.resolve("mdl/other")).resolve("b.mdl"));
    assertDoesNotThrow(() -> mojo(dir.resolve("mdl")).execute(), "another package, another class");

    Path java = dir.resolve("java/demo/LinReg.java");
    Files.createDirectories(java.getParent());
    Files.writeString(java, "package demo;\npublic class LinReg {}\n");
    CheckMojo m = mojo(dir.resolve("mdl"));
    m.compileSourceRoots = List.of(dir.resolve("java").toString());
    e = assertThrows(MojoFailureException.class, m::execute);
    assertEquals("modelc: 1 error in " + dir.resolve("mdl") + "; the first: " + a + ":2:7: error: duplicate class: "
        + "demo.LinReg (model LinReg and " + java + " both define it); rename the model or the Java class",
        e.getMessage());
  }

  /** check, like compile, sees a non-public class declared in a Java file of another name. */
  @Test
  void aModelThatIsAClassDeclaredInAJavaFileOfAnotherNameFailsAsInCompile() throws Exception {
    Path model = dir.resolve("mdl/demo/a.mdl");
    Files.createDirectories(model.getParent());
    Files.copy(Path.of("../samples/models/linreg.mdl"), model);
    Path java = dir.resolve("java/demo/Helpers.java");
    Files.createDirectories(java.getParent());
    Files.writeString(java, "package demo;\n/* class Mlp {} */\nclass Util {}\nclass LinReg {}\n");
    CheckMojo m = mojo(dir.resolve("mdl"));
    m.compileSourceRoots = List.of(dir.resolve("java").toString());
    MojoFailureException e = assertThrows(MojoFailureException.class, m::execute);
    assertEquals("modelc: 1 error in " + dir.resolve("mdl") + "; the first: " + model + ":2:7: error: duplicate "
        + "class: demo.LinReg (model LinReg and " + java + " both define it); rename the model or the Java class",
        e.getMessage());
  }

  @Test
  void aMissingSourceDirectoryIsNotAnError() {
    assertDoesNotThrow(() -> mojo(dir.resolve("none")).execute());
  }
}
