package dev.modelc.api;

/** A stage of the pipeline that can be printed ({@code modelc compile --emit STAGE}, the plugin's {@code emit}). */
public enum Stage {
  /** The syntax tree of the file, each node with its line:column. */
  AST,
  /** The optimized forward graph. */
  IR,
  /** The optimized forward and adjoint graph. */
  GRAD,
  /** The loop nests, kernels and buffers of the generated class. */
  SCHEDULE,
  /** The generated class, disassembled. */
  BYTECODE;

  /** The stage's name as written on the command line and in file names: {@code ast}, {@code ir}, ... */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The stage named {@code label} (any case); throws {@code IllegalArgumentException} naming the valid ones. */
  public static Stage of(String label) {
    for (Stage s : values()) {
      if (s.label().equalsIgnoreCase(label.trim())) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown stage '" + label + "'; expected one of ast, ir, grad, schedule, bytecode");
  }
}
