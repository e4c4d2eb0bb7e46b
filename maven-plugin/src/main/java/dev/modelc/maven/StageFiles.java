package dev.modelc.maven;

import dev.modelc.api.Stage;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where {@code emit} writes the stages of a model file, relative to the emit directory: a model's stage beside its
 * class's path ({@code demo/LinReg.class} gives {@code demo/LinReg.schedule.txt}), the file's {@code ast} beside the
 * file ({@code demo/linreg.mdl} gives {@code demo/linreg.ast.txt}). The names follow from the class files and the
 * stages alone, so the compile state keeps no list of them.
 */
final class StageFiles {
  private StageFiles() {}

  /** The stage files of an input that produced {@code classFiles}, with {@code stages} emitted. */
  static Set<String> of(String input, Collection<String> classFiles, Set<Stage> stages) {
    Set<String> files = new TreeSet<>();
    for (Stage stage : stages) {
      if (stage == Stage.AST) {
        files.add(ofFile(input));
      } else {
        classFiles.forEach(c -> files.add(ofModel(c, stage)));
      }
    }
    return files;
  }

  /** {@code demo/linreg.mdl} to {@code demo/linreg.ast.txt}. */
  static String ofFile(String input) {
    return input.replaceFirst("\\.mdl$", "") + "." + Stage.AST.label() + ".txt";
  }

  /** {@code demo/LinReg.class} and {@code SCHEDULE} to {@code demo/LinReg.schedule.txt}. */
  static String ofModel(String classFile, Stage stage) {
    return classFile.substring(0, classFile.length() - ".class".length()) + "." + stage.label() + ".txt";
  }
}
