package dev.modelc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The classes of the project's Java sources, from the declarations in their files. */
class SourcesTest {
  @TempDir Path dir;

  private Path write(String relative, String text) throws Exception {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  @Test
  void aFileGivesItsDeclaredTypesAndItsOwnName() throws Exception {
    Path helpers = write("java/demo/Helpers.java", "package demo;\n\nfinal class Util {}\n\nclass Net {\n  class Inner {}\n}\n");
    Path app = write("java/demo/App.java", "package demo;\n// class Commented {}\npublic class App {}\n");
    assertEquals(Map.of("demo.Util", helpers, "demo.Net", helpers, "demo.Helpers", helpers, "demo.App", app),
        Sources.javaClasses(List.of(dir.resolve("java").toString(), dir.resolve("missing").toString())));
  }

  @Test
  void thePackageIsTheDeclaredOneAndInfoFilesNameNoClass() throws Exception {
    write("java/demo/package-info.java", "/** Docs. */\npackage demo;\n");
    write("java/module-info.java", "module demo { }\n");
    Path moved = write("java/demo/Moved.java", "package elsewhere;\nclass Moved {}\n");
    Path plain = write("java/demo/Plain.java", "class Plain {}\n");
    assertEquals(Map.of("elsewhere.Moved", moved, "Plain", plain),
        Sources.javaClasses(List.of(dir.resolve("java").toString())));
  }

  @Test
  void theFirstRootKeepsAClassDeclaredTwice() throws Exception {
    Path main = write("main/demo/A.java", "package demo;\nclass Net {}\n");
    write("test/demo/B.java", "package demo;\nclass Net {}\n");
    assertEquals(main, Sources.javaClasses(List.of(dir.resolve("main").toString(), dir.resolve("test").toString()))
        .get("demo.Net"));
  }
}
