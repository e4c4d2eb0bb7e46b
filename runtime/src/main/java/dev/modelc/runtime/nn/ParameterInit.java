package dev.modelc.runtime.nn;

import dev.modelc.runtime.random.Rng;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One parameter's initializer written as text, so that the compiler can store it in a generated class and the
 * reference interpreter and the generated class fill parameters through the same code, drawing the same numbers
 * from the same {@link Rng}. Forms:
 *
 * <pre>
 *   zeros | ones | constant value=0.5 | uniform low=-0.1 high=0.1 | normal mean=0 std=1
 *   kaiming_uniform a=2.23606797749979 mode=fan_in nonlinearity=leaky_relu   (also kaiming_normal)
 *   xavier_uniform gain=1 | xavier_normal gain=1 | literal 1.0,2.0,3.0
 * </pre>
 *
 * Numbers are written with {@link Double#toString} so they round-trip exactly. Parameters of a model are
 * initialized in state_dict order from one generator seeded with the model's seed.
 */
public record ParameterInit(String kind, Map<String, String> args, double[] literal) {

  public static ParameterInit parse(String text) {
    String[] parts = text.trim().split("\\s+");
    String kind = parts[0];
    if (kind.equals("literal")) {
      String[] items = parts.length > 1 ? parts[1].split(",") : new String[0];
      double[] values = new double[items.length];
      for (int i = 0; i < items.length; i++) {
        values[i] = Double.parseDouble(items[i]);
      }
      return new ParameterInit(kind, Map.of(), values);
    }
    Map<String, String> args = new LinkedHashMap<>();
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("bad initializer argument '" + parts[i] + "' in: " + text);
      }
      args.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
    }
    return new ParameterInit(kind, args, null);
  }

  /** The text form, parseable by {@link #parse}. */
  public String text() {
    StringBuilder s = new StringBuilder(kind);
    if (literal != null) {
      s.append(' ');
      for (int i = 0; i < literal.length; i++) {
        s.append(i == 0 ? "" : ",").append(literal[i]);
      }
    }
    args.forEach((k, v) -> s.append(' ').append(k).append('=').append(v));
    return s.toString();
  }

  private double number(String name) {
    String v = args.get(name);
    if (v == null) {
      throw new IllegalArgumentException(kind + " needs " + name);
    }
    return Double.parseDouble(v);
  }

  private String word(String name, String fallback) {
    return args.getOrDefault(name, fallback);
  }

  /** Fills an f32 parameter of the given shape. */
  public void fill(float[] out, int[] shape, Rng rng) {
    switch (kind.toLowerCase(Locale.ROOT)) {
      case "zeros" -> Init.zeros(out);
      case "ones" -> Init.ones(out);
      case "constant" -> Init.constant(out, number("value"));
      case "uniform" -> Init.uniform(out, number("low"), number("high"), rng);
      case "normal" -> Init.normal(out, number("mean"), number("std"), rng);
      case "kaiming_uniform" -> Init.kaimingUniform(out, shape, number("a"), word("mode", "fan_in"),
          word("nonlinearity", "leaky_relu"), rng);
      case "kaiming_normal" -> Init.kaimingNormal(out, shape, number("a"), word("mode", "fan_in"),
          word("nonlinearity", "leaky_relu"), rng);
      case "xavier_uniform" -> Init.xavierUniform(out, shape, number("gain"), rng);
      case "xavier_normal" -> Init.xavierNormal(out, shape, number("gain"), rng);
      case "literal" -> {
        checkLength(literal.length, out.length);
        for (int i = 0; i < out.length; i++) {
          out[i] = (float) literal[i];
        }
      }
      default -> throw new IllegalArgumentException("unknown initializer " + kind);
    }
  }

  /** Fills an f64 parameter of the given shape. */
  public void fill(double[] out, int[] shape, Rng rng) {
    switch (kind.toLowerCase(Locale.ROOT)) {
      case "zeros" -> Init.zeros(out);
      case "ones" -> Init.ones(out);
      case "constant" -> Init.constant(out, number("value"));
      case "uniform" -> Init.uniform(out, number("low"), number("high"), rng);
      case "normal" -> Init.normal(out, number("mean"), number("std"), rng);
      case "kaiming_uniform" -> Init.kaimingUniform(out, shape, number("a"), word("mode", "fan_in"),
          word("nonlinearity", "leaky_relu"), rng);
      case "kaiming_normal" -> Init.kaimingNormal(out, shape, number("a"), word("mode", "fan_in"),
          word("nonlinearity", "leaky_relu"), rng);
      case "xavier_uniform" -> Init.xavierUniform(out, shape, number("gain"), rng);
      case "xavier_normal" -> Init.xavierNormal(out, shape, number("gain"), rng);
      case "literal" -> {
        checkLength(literal.length, out.length);
        System.arraycopy(literal, 0, out, 0, out.length);
      }
      default -> throw new IllegalArgumentException("unknown initializer " + kind);
    }
  }

  private static void checkLength(int have, int want) {
    if (have != want) {
      throw new IllegalArgumentException("literal initializer has " + have + " values for " + want + " elements");
    }
  }
}
