package dev.modelc.maven;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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

  @Test
  void aMissingSourceDirectoryIsNotAnError() {
    assertDoesNotThrow(() -> mojo(dir.resolve("none")).execute());
  }
}
