package dev.modelc.api;

/**
 * The class generated for one model.
 *
 * @param modelName the model's name in its file ({@code LinReg})
 * @param className the binary name of the class ({@code demo.LinReg})
 * @param source the name of the {@code .mdl} file it came from, as given to the compiler
 * @param bytecode the class file
 * @param apiHash a hash of the class's public API ({@link ApiHash}): equal hashes mean Java code compiled against
 *     one class compiles the same against the other
 * @param compileNanos how long the model took from checked model to class bytes
 */
public record GeneratedClass(String modelName, String className, String source, byte[] bytecode, String apiHash,
    long compileNanos) {
  /** The class file's path in a class directory or jar, with '/' separators ({@code demo/LinReg.class}). */
  public String entryName() {
    return className.replace('.', '/') + ".class";
  }
}
