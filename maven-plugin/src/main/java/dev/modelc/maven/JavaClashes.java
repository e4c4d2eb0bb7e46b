package dev.modelc.maven;

import dev.modelc.ast.ModelDef;
import dev.modelc.ast.Parser;
import dev.modelc.ast.Program;
import dev.modelc.diag.Diagnostic;
import dev.modelc.diag.DiagnosticPrinter;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.SourceFile;
import dev.modelc.diag.Span;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Models whose class is also a Java source class of the project. Both would be written to the same class file
 * (modelc's before javac runs, javac's after), so which one the build ends with would depend on its history, and
 * removing the model later would remove javac's class. The plugin fails the build instead, before writing anything.
 *
 * <ol>
 *   <li>For every generated class file ({@code demo/App.class}), look for {@code demo/App.java} in each Java source
 *       root of the project.
 *   <li>For each one found, parse the model's file again to find its {@code model App} declaration, and render a
 *       finding at that name, javac-style: {@code app.mdl:1:7: error: duplicate class: demo.App ...}, with the line
 *       and a caret.
 * </ol>
 */
final class JavaClashes {
  private JavaClashes() {}

  /**
   * The rendered findings, one per clash (empty when there is none).
   *
   * @param root the model source directory
   * @param producers the class files under the output directory, each with the input (under {@code root}) it comes from
   * @param javaRoots the Java source roots to look in
   */
  static List<String> find(Path root, Map<String, String> producers, List<String> javaRoots) throws IOException {
    List<String> found = new ArrayList<>();
    for (Map.Entry<String, String> e : producers.entrySet()) {
      String classFile = e.getKey();
      String javaFile = classFile.substring(0, classFile.length() - ".class".length()) + ".java";
      for (String javaRoot : javaRoots == null ? List.<String>of() : javaRoots) {
        Path java = Path.of(javaRoot).resolve(javaFile);
        if (Files.isRegularFile(java)) {
          found.add(finding(root.resolve(e.getValue()), classFile, java));
        }
      }
    }
    return found;
  }

  private static String finding(Path model, String classFile, Path java) throws IOException {
    String className = classFile.substring(0, classFile.length() - ".class".length()).replace('/', '.');
    String modelName = className.substring(className.lastIndexOf('.') + 1);
    SourceFile source = new SourceFile(model.toString(), Files.readString(model, StandardCharsets.UTF_8));
    Span at = declaration(source, modelName);
    String message = "duplicate class: " + className + " (model " + modelName + " and " + java
        + " both define it); rename the model or the Java class";
    return DiagnosticPrinter.text(new Diagnostic(Diagnostic.Severity.ERROR, at, message), source);
  }

  /** The name in {@code model <name>}; the file's start if it no longer parses. */
  private static Span declaration(SourceFile source, String modelName) {
    Program program = Parser.parse(source, new Diagnostics());
    if (program != null) {
      for (ModelDef m : program.models()) {
        if (m.name().equals(modelName)) {
          return m.nameSpan();
        }
      }
    }
    return Span.none(source.name());
  }
}
