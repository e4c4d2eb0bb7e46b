/**
 * The types of the model language and their shape arithmetic, in one place for every stage that needs them: the
 * element types ({@link dev.modelc.types.DType}), symbolic sizes ({@link dev.modelc.types.Dim}, monomials such as
 * {@code B} or {@code 6*B}), shapes and tensor types, and {@link dev.modelc.types.ShapeMath} (broadcasting, matmul
 * promotion, window sizes, negative-dim wrapping). The checker, the lowering and the IR's shape rules all use it.
 */
package dev.modelc.types;
