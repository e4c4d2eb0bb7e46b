package dev.modelc.api;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import javax.lang.model.SourceVersion;

/**
 * What a compilation produces.
 *
 * @param packageName the Java package of the generated classes, dotted; empty for the unnamed package
 * @param emit the stages whose text to keep ({@link Result#stages()})
 * @param generate whether to generate classes; false checks the models (and prints the stages asked for) only
 * @param verify run the IR verifier after every optimization pass
 * @param passes with {@link Stage#IR} or {@link Stage#GRAD}: the graph after every pass, headed by what it changed
 * @param anomaly whether instances of the generated classes start with anomaly detection on
 *     ({@code Model.setDetectAnomaly}); every class has the checks, this sets their initial state
 * @param javaClasses classes defined outside the models, such as a project's Java sources, by name
 *     ({@code demo.App}) with the file that defines each: a model whose class is one of them is an error at the
 *     model's name, since both would be written to one class file
 * @param modelClasses classes that models compiled apart from this call give (by another call, such as the files of
 *     a build that compiles one file at a time, or are up to date), by name with the {@code .mdl} file of each: a
 *     model of this call whose class is one of them is an error at the model's name, as two models of one call are
 */
public record Options(String packageName, Set<Stage> emit, boolean generate, boolean verify, boolean passes,
                      boolean anomaly, Map<String, Path> javaClasses, Map<String, Path> modelClasses) {
  public Options {
    if (!packageName.isEmpty() && !isPackageName(packageName)) {
      throw new IllegalArgumentException("not a Java package name: " + packageName);
    }
    if (isReservedPackage(packageName)) {
      throw new IllegalArgumentException(RESERVED + ": " + packageName);
    }
    emit = emit.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(emit));
    javaClasses = Map.copyOf(javaClasses);
    modelClasses = Map.copyOf(modelClasses);
  }

  /** Classes in the unnamed package, no stages kept. */
  public static Options defaults() {
    return new Options("", Set.of(), true, false, false, false, Map.of(), Map.of());
  }

  public Options withPackage(String name) {
    return new Options(name, emit, generate, verify, passes, anomaly, javaClasses, modelClasses);
  }

  public Options withEmit(Set<Stage> stages) {
    return new Options(packageName, stages, generate, verify, passes, anomaly, javaClasses, modelClasses);
  }

  /** Checks only: no classes (stages that need the class, schedule and bytecode, still generate it). */
  public Options checkOnly() {
    return new Options(packageName, emit, false, verify, passes, anomaly, javaClasses, modelClasses);
  }

  public Options withVerify(boolean on) {
    return new Options(packageName, emit, generate, on, passes, anomaly, javaClasses, modelClasses);
  }

  public Options withPasses(boolean on) {
    return new Options(packageName, emit, generate, verify, on, anomaly, javaClasses, modelClasses);
  }

  /** Instances start with anomaly detection on (NaN and infinity checks after every step). */
  public Options withAnomaly(boolean on) {
    return new Options(packageName, emit, generate, verify, passes, on, javaClasses, modelClasses);
  }

  /** The classes defined outside the models ({@code demo.App} to its {@code .java} file) that no model may give. */
  public Options withJavaClasses(Map<String, Path> classes) {
    return new Options(packageName, emit, generate, verify, passes, anomaly, classes, modelClasses);
  }

  /**
   * The classes that models compiled apart give ({@code demo.Net} to its {@code .mdl} file), which no model of this
   * call may give too.
   */
  public Options withModelClasses(Map<String, Path> classes) {
    return new Options(packageName, emit, generate, verify, passes, anomaly, javaClasses, classes);
  }

  /**
   * Whether {@code name} is a dotted Java package name ({@code demo.models}): ASCII identifiers, none of them a
   * keyword, {@code true}, {@code false}, {@code null} or {@code _} (a package {@code app.static} could not be named
   * from Java).
   */
  public static boolean isPackageName(String name) {
    return name.matches("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*") && SourceVersion.isName(name);
  }

  /** Why a package under {@code java} cannot hold a model's class ({@link #isReservedPackage}). */
  public static final String RESERVED = "the JVM loads no class of an application into java or a package under it";

  /** Whether {@code name} is {@code java} or a package under it, where the JVM refuses to define our classes. */
  public static boolean isReservedPackage(String name) {
    return name.equals("java") || name.startsWith("java.");
  }
}
