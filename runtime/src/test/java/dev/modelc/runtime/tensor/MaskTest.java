package dev.modelc.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** Masks (comparison results) combined with torch's logical and, or, not, and turned into numbers. */
class MaskTest {
  @Test
  void logicalOperatorsFollowTorchsTruthTablesAndBroadcast() {
    Tensor x = Tensor.of(new double[] {-1, 0, 0.5, 2, Double.NaN, 3}, 2, 3);
    Tensor lo = Tensor.of(0.0, 0.0, 0.0);
    Tensor a = x.gt(lo);                                  // [[F, F, T], [T, F, T]]
    Tensor b = x.lt(Tensor.of(1.0, 1.0, 2.5));            // [[T, T, T], [F, F, F]]
    assertArrayEquals(new double[] {0, 0, 1, 0, 0, 0}, a.logicalAnd(b).doubles());
    assertArrayEquals(new double[] {1, 1, 1, 1, 0, 1}, a.logicalOr(b).doubles());
    assertArrayEquals(new double[] {1, 1, 0, 0, 1, 0}, a.logicalNot().doubles()); // NaN > 0 is false, so ~ is true
    Tensor row = Tensor.of(1.0, 0.0, 1.0).gt(Tensor.of(0.5)); // [T, F, T], broadcast over the rows
    assertArrayEquals(new double[] {0, 0, 1, 1, 0, 1}, a.logicalAnd(row).doubles());
    assertArrayEquals(new int[] {2, 3}, a.logicalAnd(row).shape());
  }

  @Test
  void aMaskAsNumbersIsAConstant() {
    Tensor x = Tensor.of(new float[] {-1, 2, 3}, 3).requiresGrad(true);
    Tensor m = x.gt(Tensor.of(0f)).maskToFloat();
    assertEquals(DType.F32, m.dtype());
    assertArrayEquals(new double[] {0, 1, 1}, m.doubles());
    assertFalse(m.requiresGrad());
    m.mul(x).sum().backward();
    assertArrayEquals(new double[] {0, 1, 1}, x.grad().doubles(), "d/dx sum(float(x > 0) * x) is the mask");
  }
}
