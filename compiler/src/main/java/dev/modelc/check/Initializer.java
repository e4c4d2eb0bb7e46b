package dev.modelc.check;

import java.util.Map;

/**
 * A parameter's resolved initializer: its kind and every argument with defaults filled in (numbers as Double,
 * mode and nonlinearity as String). A literal initializer carries its values row-major in {@code values}.
 */
public record Initializer(Kind kind, Map<String, Object> args, double[] values) {
  public enum Kind {
    ZEROS, ONES, CONSTANT, UNIFORM, NORMAL, KAIMING_UNIFORM, KAIMING_NORMAL, XAVIER_UNIFORM, XAVIER_NORMAL, LITERAL
  }

  public double number(String name) {
    return (Double) args.get(name);
  }

  public String text(String name) {
    return (String) args.get(name);
  }

  /**
   * The initializer as {@code dev.modelc.runtime.nn.ParameterInit} text, which generated classes and the reference
   * interpreter both fill parameters from.
   */
  public String runtimeText() {
    Map<String, String> text = new java.util.LinkedHashMap<>();
    args.forEach((k, v) -> text.put(k, v instanceof Double d ? Double.toString(d) : String.valueOf(v)));
    return new dev.modelc.runtime.nn.ParameterInit(kind.name().toLowerCase(), text, values).text();
  }

  @Override
  public String toString() {
    return kind == Kind.LITERAL ? "literal" : kind.name().toLowerCase() + args;
  }
}
