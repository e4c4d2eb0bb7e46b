package dev.modelc.runtime.tensor;

/** The floating-point storage types of a {@link Tensor}: {@code f32} is backed by {@code float[]}, {@code f64} by {@code double[]}. */
public enum DType {
    F32("f32"),
    F64("f64");

    private final String spelling;

    DType(String spelling) {
        this.spelling = spelling;
    }

    /** The name as the model language spells it ({@code f32}, {@code f64}). */
    @Override
    public String toString() {
        return spelling;
    }
}
