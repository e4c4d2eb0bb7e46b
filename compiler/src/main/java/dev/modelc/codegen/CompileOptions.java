package dev.modelc.codegen;

import java.util.Map;

/**
 * Where a generated class goes, what its stack traces say, and how it initializes its parameters.
 *
 * @param packageName the Java package of the class, dotted; empty for the unnamed package
 * @param sourceFile the {@code .mdl} file name written as the class's SourceFile
 * @param initializers each parameter's initializer as {@code dev.modelc.runtime.nn.ParameterInit} text, by
 *     state_dict name; with them the class has a {@code (long seed)} constructor
 * @param anomaly whether new instances start with anomaly detection on ({@code setDetectAnomaly(true)}); the
 *     checks are in every class, this only sets their initial state
 */
public record CompileOptions(String packageName, String sourceFile, Map<String, String> initializers,
                             boolean anomaly) {
  public static CompileOptions of(String packageName, String sourceFile) {
    return new CompileOptions(packageName, sourceFile, Map.of(), false);
  }

  public CompileOptions withInitializers(Map<String, String> inits) {
    return new CompileOptions(packageName, sourceFile, Map.copyOf(inits), anomaly);
  }

  public CompileOptions withAnomaly(boolean on) {
    return new CompileOptions(packageName, sourceFile, initializers, on);
  }
}
