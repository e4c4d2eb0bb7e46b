package dev.modelc.maven;

import dev.modelc.api.ClassFiles;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What the last successful compile left, kept in a properties file under {@code target/modelc}: the compiler that
 * ran, the configuration, and for every input (its path under the source directory) the hash of its text, the
 * classes it produced with the hash of each class's public API, the stage files written for it, and how many
 * warnings it had (so that {@code failOnWarning} can judge an input without compiling it again).
 *
 * <pre>
 *   compiler=0.1.0-SNAPSHOT 1733112000000 1843203
 *   config=package= emit=[SCHEDULE] anomaly=true      (anomaly only when set)
 *   input.demo/linreg.mdl=3f1c...            (SHA-256 of the file)
 *   input.demo/linreg.mdl.classes=demo/LinReg.class 9a0e...   (class file, API hash; space separated pairs)
 *   input.demo/linreg.mdl.emitted=demo/LinReg.schedule.txt    (under the emit directory; space separated)
 *   input.demo/linreg.mdl.warnings=1
 * </pre>
 */
final class CompileState {
  /**
   * One input's record: the hash of its text, its classes (class file path under the output directory, with its API
   * hash), its stage files (path under the emit directory) and its number of warnings.
   */
  record Input(String hash, Map<String, String> apiByClassFile, List<String> emitted, int warnings) {
    Input {
      emitted = List.copyOf(emitted);
    }
  }

  final String compiler;
  final String config;
  final Map<String, Input> inputs;

  CompileState(String compiler, String config, Map<String, Input> inputs) {
    this.compiler = compiler;
    this.config = config;
    this.inputs = new TreeMap<>(inputs);
  }

  /**
   * The state in {@code file}, or null when there is none or it cannot be read, or an input has no warning count
   * (then everything is rebuilt).
   */
  static CompileState read(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
    try {
      return of(p);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static CompileState of(Properties p) {
    Map<String, Input> inputs = new TreeMap<>();
    for (String key : p.stringPropertyNames()) {
      if (key.startsWith("input.") && !key.endsWith(".classes") && !key.endsWith(".emitted")
          && !key.endsWith(".warnings")) {
        String name = key.substring("input.".length());
        Map<String, String> classes = new TreeMap<>();
        List<String> words = Arrays.asList(p.getProperty(key + ".classes", "").trim().split("\\s+"));
        for (int i = 0; i + 1 < words.size(); i += 2) {
          classes.put(words.get(i), words.get(i + 1));
        }
        String emitted = p.getProperty(key + ".emitted", "").trim();
        inputs.put(name, new Input(p.getProperty(key), classes,
            emitted.isEmpty() ? List.of() : Arrays.asList(emitted.split("\\s+")),
            Integer.parseInt(p.getProperty(key + ".warnings"))));
      }
    }
    return new CompileState(p.getProperty("compiler", ""), p.getProperty("config", ""), inputs);
  }

  void write(Path file) throws IOException {
    Properties p = new Properties();
    p.setProperty("compiler", compiler);
    p.setProperty("config", config);
    for (Map.Entry<String, Input> e : inputs.entrySet()) {
      p.setProperty("input." + e.getKey(), e.getValue().hash());
      List<String> words = new ArrayList<>();
      e.getValue().apiByClassFile().forEach((c, api) -> {
        words.add(c);
        words.add(api);
      });
      p.setProperty("input." + e.getKey() + ".classes", String.join(" ", words));
      p.setProperty("input." + e.getKey() + ".warnings", Integer.toString(e.getValue().warnings()));
      if (!e.getValue().emitted().isEmpty()) {
        p.setProperty("input." + e.getKey() + ".emitted", String.join(" ", e.getValue().emitted()));
      }
    }
    StringWriter w = new StringWriter();
    p.store(w, null);
    // Properties.store writes a date comment and hash order: drop the one, sort the other, so equal states are equal files.
    List<String> lines = new ArrayList<>(w.toString().lines().filter(l -> !l.startsWith("#")).sorted().toList());
    lines.add(0, "# modelc: the inputs and outputs of the last compile; delete it to rebuild every model");
    ClassFiles.writeString(file, String.join("\n", lines) + "\n");
  }
}
