package dev.modelc.maven;

import dev.modelc.api.Modelc;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Whether a project's class path holds the runtime the generated classes need ({@code dev.modelc:modelc-runtime},
 * whose {@code dev.modelc.runtime.api.CompiledModel} they extend), and in the version they are made for. Without it
 * javac fails on Java code that uses a model ({@code package dev.modelc.runtime.api does not exist}), or, when no Java
 * code names one, the app fails at run time with {@code NoClassDefFoundError}; {@code compile} and
 * {@code testCompile} say so before either happens, with the dependency to add.
 *
 * <p>The goals collect the project's dependencies and do not resolve them (resolving would fail a multi-module build's
 * {@code generate-sources}, which IDEs run on import, while a sibling module it depends on is not built yet), so the
 * runtime is found by its coordinates first; the class path, as far as it is known then, is searched only when no
 * dependency has them (a runtime repackaged under other coordinates, or a class folder).
 */
final class RuntimeCheck {
  static final String GROUP_ID = "dev.modelc";
  static final String ARTIFACT_ID = "modelc-runtime";
  /** The class every generated class extends: where it is, the runtime is. */
  static final String MARKER = "dev/modelc/runtime/api/CompiledModel.class";
  /** The version of a runtime jar built by Maven (a class folder has none). */
  static final String POM_PROPERTIES = "META-INF/maven/" + GROUP_ID + "/" + ARTIFACT_ID + "/pom.properties";

  private RuntimeCheck() {}

  /** The class path element that holds the runtime, and the version its jar names (null when it names none). */
  record Found(String element, String version) {}

  /**
   * The first element of the class path (a folder or a jar) that holds {@link #MARKER}, as javac and the JVM take the
   * first; null when none does. Elements that do not exist or cannot be read are skipped.
   */
  static Found find(List<String> classpath) {
    for (String element : classpath) {
      if (element == null || element.isEmpty()) {
        continue;
      }
      Path p = Path.of(element);
      if (Files.isDirectory(p)) {
        if (Files.isRegularFile(p.resolve(MARKER))) {
          Path props = p.resolve(POM_PROPERTIES);
          return new Found(element, Files.isRegularFile(props) ? version(() -> Files.newInputStream(props)) : null);
        }
      } else if (Files.isRegularFile(p)) {
        try (ZipFile zip = new ZipFile(p.toFile())) {
          if (zip.getEntry(MARKER) != null) {
            ZipEntry props = zip.getEntry(POM_PROPERTIES);
            return new Found(element, props == null ? null : version(() -> zip.getInputStream(props)));
          }
        } catch (IOException e) {
          // not a zip (or unreadable): javac would not find the runtime there either
        }
      }
    }
    return null;
  }

  /** A stream to open, which may fail. */
  private interface Opener {
    InputStream open() throws IOException;
  }

  /** The version a pom.properties names, or null when it names none or cannot be read (only presence is checked). */
  private static String version(Opener opener) {
    try (InputStream in = opener.open()) {
      return version(in);
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The runtime version the generated classes are made for: that of the runtime jar on the plugin's own class path
   * (the one the compiler was built and runs with), else the plugin's version, else the compiler's.
   */
  static String expectedVersion(String pluginVersion) {
    try (InputStream in = RuntimeCheck.class.getClassLoader().getResourceAsStream(POM_PROPERTIES)) {
      String v = in == null ? null : version(in);
      if (v != null) {
        return v;
      }
    } catch (IOException e) {
      // fall back
    }
    if (pluginVersion != null && !pluginVersion.isBlank()) {
      return pluginVersion.trim();
    }
    return Modelc.version();
  }

  private static String version(InputStream in) throws IOException {
    Properties p = new Properties();
    p.load(in);
    String v = p.getProperty("version");
    return v == null || v.isBlank() ? null : v.trim();
  }

  /**
   * What is wrong with a class path: the runtime is missing, or its jar names another version than {@code expected}.
   * {@code lines} are the warning, line by line (the first says what and why, the others give the fix);
   * {@code summary} says it in one line, for a failure.
   */
  record Problem(List<String> lines, String summary) {}

  /** A dependency as Maven collected it: its file is null until resolved. */
  record Dependency(String groupId, String artifactId, String version, String file) {}

  /**
   * The dependency {@code dev.modelc:modelc-runtime} among {@code dependencies}, as found where its file is, or at its
   * coordinates when it has no file yet; null when there is none.
   */
  static Found find(List<Dependency> dependencies, List<String> classpath) {
    for (Dependency d : dependencies) {
      if (GROUP_ID.equals(d.groupId()) && ARTIFACT_ID.equals(d.artifactId())) {
        String where = d.file() != null ? d.file() : GROUP_ID + ":" + ARTIFACT_ID + ":" + d.version();
        return new Found(where, d.version());
      }
    }
    return find(classpath);
  }

  /**
   * The problem of the goal's dependencies and class path, or null when they have the runtime. {@code which}:
   * compile, test.
   */
  static Problem problem(List<Dependency> dependencies, List<String> classpath, String which, String expected) {
    Found found = find(dependencies, classpath);
    if (found == null) {
      List<String> lines = new ArrayList<>();
      lines.add("modelc: the generated classes need the modelc runtime, " + GROUP_ID + ":" + ARTIFACT_ID + ", which is"
          + " not on the " + which + " class path (no element of it holds " + MARKER + "): javac fails on Java code"
          + " that uses them, and loading them fails with NoClassDefFoundError. Add this dependency to the"
          + " <dependencies> of the project's pom.xml:");
      lines.add("    <dependency>");
      lines.add("      <groupId>" + GROUP_ID + "</groupId>");
      lines.add("      <artifactId>" + ARTIFACT_ID + "</artifactId>");
      lines.add("      <version>" + expected + "</version>");
      lines.add("    </dependency>");
      return new Problem(lines, "the " + which + " class path has no modelc runtime; add the dependency "
          + GROUP_ID + ":" + ARTIFACT_ID + ":" + expected);
    }
    if (found.version() != null && !found.version().equals(expected)) {
      String line = "modelc: the generated classes are made for " + ARTIFACT_ID + " " + expected + ", but the "
          + which + " class path has " + ARTIFACT_ID + " " + found.version() + " (" + found.element() + "); they may"
          + " fail with NoSuchMethodError or AbstractMethodError. Give the " + GROUP_ID + ":" + ARTIFACT_ID
          + " dependency the plugin's version, <version>" + expected + "</version> (one property for both keeps"
          + " them together)";
      return new Problem(List.of(line), "the " + which + " class path has " + ARTIFACT_ID + " " + found.version()
          + ", the generated classes are made for " + expected);
    }
    return null;
  }
}
