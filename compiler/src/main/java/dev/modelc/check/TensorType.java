package dev.modelc.check;

/** The static type of a value: its element type and shape, printed as in .mdl source ({@code f32[B, 10]}). */
public record TensorType(DType dtype, Shape shape) {
  @Override
  public String toString() {
    return dtype.spelling() + shape;
  }
}
