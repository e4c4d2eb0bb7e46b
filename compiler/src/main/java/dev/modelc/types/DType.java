package dev.modelc.types;

import java.util.Locale;

/** Element types of the model language: two float widths for values and a 32-bit integer for class labels. */
public enum DType {
  F32,
  F64,
  I32,
  /** A mask: what a comparison gives and only {@code where} takes; the checker's type, lowered to 0/1 floats. */
  BOOL;

  public boolean isFloat() {
    return this == F32 || this == F64;
  }

  /** The spelling in .mdl source: {@code f32}, {@code f64}, {@code i32}. */
  public String spelling() {
    return name().toLowerCase(Locale.ROOT);
  }
}
