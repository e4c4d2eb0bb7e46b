package dev.modelc.types;

/**
 * The static type of a value: its element type and shape, printed as in .mdl source ({@code f32[B, 10]}). A number
 * not yet given a dtype ({@code 2}, {@code sqrt(4)}) has a null dtype and prints as "a number".
 */
public record TensorType(DType dtype, Shape shape) {
  @Override
  public String toString() {
    return dtype == null ? "a number" : dtype.spelling() + shape;
  }
}
