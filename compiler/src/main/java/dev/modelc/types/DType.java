package dev.modelc.types;

import java.util.Locale;

/** Element types of the model language: two float widths for values and a 32-bit integer for class labels. */
public enum DType {
  F32,
  F64,
  I32;

  public boolean isFloat() {
    return this != I32;
  }

  /** The spelling in .mdl source: {@code f32}, {@code f64}, {@code i32}. */
  public String spelling() {
    return name().toLowerCase(Locale.ROOT);
  }
}
