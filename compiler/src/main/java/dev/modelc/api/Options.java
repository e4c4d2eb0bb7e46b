package dev.modelc.api;

import java.util.EnumSet;
import java.util.Set;

/**
 * What a compilation produces.
 *
 * @param packageName the Java package of the generated classes, dotted; empty for the unnamed package
 * @param emit the stages whose text to keep ({@link Result#stages()})
 * @param generate whether to generate classes; false checks the models (and prints the stages asked for) only
 * @param verify run the IR verifier after every optimization pass
 * @param passes with {@link Stage#IR} or {@link Stage#GRAD}: the graph after every pass, headed by what it changed
 */
public record Options(String packageName, Set<Stage> emit, boolean generate, boolean verify, boolean passes) {
  public Options {
    if (!packageName.isEmpty() && !isPackageName(packageName)) {
      throw new IllegalArgumentException("not a Java package name: " + packageName);
    }
    emit = emit.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(emit));
  }

  /** Classes in the unnamed package, no stages kept. */
  public static Options defaults() {
    return new Options("", Set.of(), true, false, false);
  }

  public Options withPackage(String name) {
    return new Options(name, emit, generate, verify, passes);
  }

  public Options withEmit(Set<Stage> stages) {
    return new Options(packageName, stages, generate, verify, passes);
  }

  /** Checks only: no classes (stages that need the class, schedule and bytecode, still generate it). */
  public Options checkOnly() {
    return new Options(packageName, emit, false, verify, passes);
  }

  public Options withVerify(boolean on) {
    return new Options(packageName, emit, generate, on, passes);
  }

  public Options withPasses(boolean on) {
    return new Options(packageName, emit, generate, verify, on);
  }

  /** Whether {@code name} is a dotted Java package name ({@code demo.models}). */
  public static boolean isPackageName(String name) {
    return name.matches("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*");
  }
}
