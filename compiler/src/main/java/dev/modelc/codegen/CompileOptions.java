package dev.modelc.codegen;

import java.util.Map;

/**
 * Where a generated class goes, what its stack traces say, and how it initializes its parameters.
 *
 * @param packageName the Java package of the class, dotted; empty for the unnamed package
 * @param sourceFile the {@code .mdl} file name written as the class's SourceFile
 * @param initializers each parameter's initializer as {@code dev.modelc.runtime.nn.ParameterInit} text, by
 *     state_dict name; with them the class has a {@code (long seed)} constructor
 */
public record CompileOptions(String packageName, String sourceFile, Map<String, String> initializers) {
  public static CompileOptions of(String packageName, String sourceFile) {
    return new CompileOptions(packageName, sourceFile, Map.of());
  }

  public CompileOptions withInitializers(Map<String, String> inits) {
    return new CompileOptions(packageName, sourceFile, Map.copyOf(inits));
  }
}
