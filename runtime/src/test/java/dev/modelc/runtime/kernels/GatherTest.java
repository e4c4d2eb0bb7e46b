package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GatherTest {
  // x [2, 3, 2]: x[o, k, i] = 100 o + 10 k + i
  private static final double[] X = {0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121};

  @Test
  void selectReadsRowsAndScatterAddAccumulatesDuplicates() {
    int[] index = {2, 0, 2};
    double[] out = new double[2 * 3 * 2];
    Gather.gather(X, index, out, 2, 3, 2, 3, true, -1, false, "index_select at m.mdl:1:1");
    assertArrayEquals(new double[] {20, 21, 0, 1, 20, 21, 120, 121, 100, 101, 120, 121}, out);
    double[] g = {1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2};
    double[] back = new double[12];
    Gather.scatterAdd(g, index, back, 2, 3, 2, 3, true, -1, false, "index_select");
    assertArrayEquals(new double[] {1, 1, 0, 0, 2, 2, 2, 2, 0, 0, 4, 4}, back);
    float[] backF = new float[12];
    Gather.scatterAdd(new float[] {1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2}, index, backF, 2, 3, 2, 3, true, 2, false, "e");
    assertArrayEquals(new float[] {1, 1, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0}, backF); // row 2 is padding: skipped
  }

  @Test
  void gatherTakesOneIndexPerElementAndZeroesPaddingWhenAsked() {
    int[] index = {2, 0, 1, 1}; // [2, 1, 2] along axis 1
    double[] out = new double[4];
    Gather.gather(X, index, out, 2, 3, 2, 1, false, -1, false, "gather");
    assertArrayEquals(new double[] {20, 1, 110, 111}, out);
    Gather.gather(X, index, out, 2, 3, 2, 1, false, 1, true, "gather");
    assertArrayEquals(new double[] {20, 1, 0, 0}, out);
  }

  @Test
  void anIndexOutOfRangeNamesTheOpAndThePosition() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Gather.gather(X, new int[] {0, 3}, new double[8], 2, 3, 2, 2, true, -1, false, "embedding at m.mdl:4:7"));
    assertEquals("embedding at m.mdl:4:7: index 3 at position 1 is out of range [0, 3)", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Gather.scatterAdd(new float[4], new int[] {0, -1, 0, 0}, new float[12], 2, 3, 2, 1, false, -1, false, "g"));
  }
}
