package dev.modelc.maven;

import dev.modelc.api.Options;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.lang.model.SourceVersion;

/**
 * The {@code .mdl} files of a source directory, chosen by Ant-style include and exclude patterns ({@code **}/{@code
 * *.mdl}; a leading {@code **}/ also matches files at the top), as paths relative to the directory with '/'
 * separators, sorted; the Java package a file's folder stands for; and the classes of the project's Java sources,
 * from the type declarations of their files.
 */
final class Sources {
  private Sources() {}

  static List<String> scan(Path root, List<String> includes, List<String> excludes) throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<PathMatcher> in = matchers(includes);
    List<PathMatcher> out = matchers(excludes);
    List<String> found = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        Path rel = root.relativize(p);
        if (matches(in, rel) && !matches(out, rel)) {
          found.add(rel.toString().replace('\\', '/'));
        }
      }
    }
    found.sort(null);
    return found;
  }

  /**
   * The classes of Java source roots, each with the file that declares it: every top-level type a {@code .java} file
   * declares ({@link JavaTypes}), in the package its {@code package} statement names, and the class its file name
   * stands for in that package (a public class must be named after its file), so {@code demo/Helpers.java} holding
   * {@code package demo; class Net {}} gives {@code demo.Helpers} and {@code demo.Net}. A class declared twice keeps
   * the first file, roots in order and files sorted within a root. Roots that do not exist are skipped.
   */
  static Map<String, Path> javaClasses(List<String> roots) throws IOException {
    Map<String, Path> classes = new TreeMap<>();
    for (String root : roots) {
      for (Path file : javaFiles(Path.of(root))) {
        declaredClasses(file).forEach(c -> classes.putIfAbsent(c, file));
      }
    }
    return classes;
  }

  /** The {@code .java} files under a source root, sorted; none when the root is not a folder. */
  private static List<Path> javaFiles(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p)).sorted().toList();
    }
  }

  /**
   * The qualified names of the top-level types of a Java file and of the class its file name stands for (not for
   * {@code package-info.java} or {@code module-info.java}, which name no class). The text is read as UTF-8, bytes
   * that are not UTF-8 replaced, so a file in another encoding still shows its ASCII declarations.
   */
  static List<String> declaredClasses(Path file) throws IOException {
    JavaTypes.Unit unit = JavaTypes.scan(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
    String prefix = unit.packageName().isEmpty() ? "" : unit.packageName() + ".";
    List<String> names = new ArrayList<>();
    unit.types().forEach(t -> names.add(prefix + t));
    String fileName = file.getFileName().toString();
    String stem = fileName.substring(0, fileName.length() - ".java".length());
    if (SourceVersion.isIdentifier(stem) && !names.contains(prefix + stem)) {
      names.add(prefix + stem);
    }
    return names;
  }

  /** The package of a file from its folder ({@code demo/models/net.mdl} gives {@code demo.models}), valid or not. */
  static String packageOf(String relative) {
    int slash = relative.lastIndexOf('/');
    return slash < 0 ? "" : relative.substring(0, slash).replace('/', '.');
  }

  /**
   * Why {@code pkg} cannot be a Java package name ({@code 'my-models' is not a Java identifier}, {@code 'class' is a
   * Java keyword}), or null when it can. The empty name is the unnamed package. Names are ASCII, as
   * {@link Options#isPackageName} wants, and no part is a keyword, {@code true}, {@code false}, {@code null} or
   * {@code _}, which Java code could not name.
   */
  static String packageProblem(String pkg) {
    if (pkg.isEmpty()) {
      return null;
    }
    if (Options.isReservedPackage(pkg)) {
      return Options.RESERVED;
    }
    for (String part : pkg.split("\\.", -1)) {
      if (SourceVersion.isKeyword(part)) {
        boolean literal = part.equals("true") || part.equals("false") || part.equals("null");
        return "'" + part + "' is " + (literal ? "a Java literal" : "a Java keyword");
      }
      if (!Options.isPackageName(part)) {
        return "'" + part + "' is not a Java identifier";
      }
    }
    return null;
  }

  private static List<PathMatcher> matchers(List<String> patterns) {
    List<PathMatcher> matchers = new ArrayList<>();
    for (String p : patterns) {
      String glob = p.replace('\\', '/');
      matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
      if (glob.startsWith("**/")) {
        matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + glob.substring(3)));
      }
    }
    return matchers;
  }

  private static boolean matches(List<PathMatcher> matchers, Path rel) {
    for (PathMatcher m : matchers) {
      if (m.matches(rel)) {
        return true;
      }
    }
    return false;
  }
}
