package dev.modelc.codegen;

/**
 * Where a generated class goes and what its stack traces say.
 *
 * @param packageName the Java package of the class, dotted; empty for the unnamed package
 * @param sourceFile the {@code .mdl} file name written as the class's SourceFile
 */
public record CompileOptions(String packageName, String sourceFile) {
  public static CompileOptions of(String packageName, String sourceFile) {
    return new CompileOptions(packageName, sourceFile);
  }
}
