package dev.modelc.maven;

import dev.modelc.api.ClassFiles;
import dev.modelc.api.Stage;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the last successful compile left, kept in a properties file under {@code target/modelc}: the compiler that
 * ran, the configuration, the stages emitted and the folder the classes went to, and for every input (its path under the source directory) the hash
 * of its text, the classes it produced with the hash of each class's public API, and how many warnings it had (so
 * that {@code failOnWarning} can judge an input without compiling it again). The stage files an input left follow
 * from its classes and the stages ({@link StageFiles}). A state file of a build older than the {@code emit} entry
 * does not say which stages it wrote: it is read as having written every stage, so that the next build removes
 * the stage files it no longer writes, and as another setup, so that every model is compiled again.
 *
 * <pre>
 *   compiler=0.1.0-SNAPSHOT 1733112000000 1843203
 *   config=package= anomaly=true             (anomaly only when set)
 *   emit=ast schedule                        (space separated; empty when none)
 *   output=/home/me/app/target/classes       (absolute; a state without it names no folder)
 *   input.demo/linreg.mdl=3f1c...            (SHA-256 of the file)
 *   input.demo/linreg.mdl.classes=demo/LinReg.class 9a0e...   (class file, API hash; space separated pairs)
 *   input.demo/linreg.mdl.warnings=1
 * </pre>
 */
final class CompileState {
  /** One input's record: the hash of its text, its classes (path under the output directory to API hash), warnings. */
  record Input(String hash, Map<String, String> apiByClassFile, int warnings) {
    /** The files of its stages under the emit directory, with {@code stages} emitted. */
    Set<String> stageFiles(String input, Set<Stage> stages) {
      return StageFiles.of(input, apiByClassFile.keySet(), stages);
    }
  }

  final String compiler;
  final String config;
  final Set<Stage> emit;
  /** False for a state file without an {@code emit} entry, whose {@link #emit} is then every stage. */
  final boolean emitKnown;
  /** The absolute output folder the classes were written to; empty in a state file older than this entry. */
  final String output;
  final Map<String, Input> inputs;

  CompileState(String compiler, String config, Set<Stage> emit, String output, Map<String, Input> inputs) {
    this(compiler, config, emit, true, output, inputs);
  }

  private CompileState(String compiler, String config, Set<Stage> emit, boolean emitKnown, String output,
      Map<String, Input> inputs) {
    this.compiler = compiler;
    this.config = config;
    this.emit = Set.copyOf(emit);
    this.emitKnown = emitKnown;
    this.output = output;
    this.inputs = new TreeMap<>(inputs);
  }

  /** The stage files of every input. */
  Set<String> stageFiles() {
    Set<String> files = new TreeSet<>();
    inputs.forEach((input, record) -> files.addAll(record.stageFiles(input, emit)));
    return files;
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
      return of(p);
    } catch (IOException | IllegalArgumentException e) {
      return null; // NumberFormatException (no warning count) and unknown stages too
    }
  }

  private static CompileState of(Properties p) {
    Map<String, Input> inputs = new TreeMap<>();
    for (String key : p.stringPropertyNames()) {
      if (key.startsWith("input.") && !key.endsWith(".classes") && !key.endsWith(".warnings")) {
        Map<String, String> classes = new TreeMap<>();
        List<String> words = words(p.getProperty(key + ".classes", ""));
        for (int i = 0; i + 1 < words.size(); i += 2) {
          classes.put(words.get(i), words.get(i + 1));
        }
        int warnings = Integer.parseInt(p.getProperty(key + ".warnings"));
        inputs.put(key.substring("input.".length()), new Input(p.getProperty(key), classes, warnings));
      }
    }
    String emitted = p.getProperty("emit");
    Set<Stage> emit = emitted == null ? EnumSet.allOf(Stage.class) : new TreeSet<>();
    words(emitted == null ? "" : emitted).forEach(s -> emit.add(Stage.of(s)));
    return new CompileState(p.getProperty("compiler", ""), p.getProperty("config", ""), emit, emitted != null,
        p.getProperty("output", ""), inputs);
  }

  private static List<String> words(String text) {
    return text.isBlank() ? List.of() : List.of(text.trim().split("\\s+"));
  }

  void write(Path file) throws IOException {
    Properties p = new Properties();
    p.setProperty("compiler", compiler);
    p.setProperty("config", config);
    p.setProperty("emit", String.join(" ", new TreeSet<>(emit).stream().map(Stage::label).toList()));
    p.setProperty("output", output);
    for (Map.Entry<String, Input> e : inputs.entrySet()) {
      p.setProperty("input." + e.getKey(), e.getValue().hash());
      List<String> words = new ArrayList<>();
      e.getValue().apiByClassFile().forEach((c, api) -> {
        words.add(c);
        words.add(api);
      });
      p.setProperty("input." + e.getKey() + ".classes", String.join(" ", words));
      p.setProperty("input." + e.getKey() + ".warnings", Integer.toString(e.getValue().warnings()));
    }
    StringWriter w = new StringWriter();
    p.store(w, null);
    // Properties.store writes a date comment and hash order: drop the one, sort the other, so equal states are
    // equal files.
    List<String> lines = new ArrayList<>(w.toString().lines().filter(l -> !l.startsWith("#")).sorted().toList());
    lines.add(0, "# modelc: the inputs and outputs of the last compile; delete it to rebuild every model");
    ClassFiles.writeString(file, String.join("\n", lines) + "\n");
  }
}
