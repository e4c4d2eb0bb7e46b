package dev.modelc.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.modelc.runtime.kernels.Conv2dShape;
import dev.modelc.runtime.numeric.Broadcasting;
import dev.modelc.runtime.numeric.MatmulKernels;
import dev.modelc.runtime.numeric.Shapes;
import dev.modelc.runtime.numeric.SlidingWindow;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ShapeMath} works on the checker's symbolic sizes, the reference runtime on concrete ints; on constant shapes
 * the two must answer the same: broadcast shapes and clashes, matmul result shapes, window output sizes and wrapped
 * dims, over random small shapes. A few symbolic cases show the monomials flowing through.
 */
class ShapeMathTest {

  static int[] randomShape(Random r, int maxRank) {
    int[] s = new int[r.nextInt(maxRank + 1)];
    for (int i = 0; i < s.length; i++) {
      s[i] = 1 + r.nextInt(3);
    }
    return s;
  }

  static Shape symbolic(int[] s) {
    long[] l = new long[s.length];
    for (int i = 0; i < s.length; i++) {
      l[i] = s[i];
    }
    return Shape.of(l);
  }

  /** The runtime's answer, or null where it throws. */
  static Shape runtime(java.util.function.Supplier<int[]> f) {
    try {
      return symbolic(f.get());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Test
  void broadcastAndMatmulAgreeWithTheRuntime() {
    Random r = new Random(12);
    for (int trial = 0; trial < 5000; trial++) {
      int[] a = randomShape(r, 4);
      int[] b = randomShape(r, 4);
      Shape want = runtime(() -> Broadcasting.shape(a, b));
      assertEquals(want, ShapeMath.broadcast(symbolic(a), symbolic(b)), "broadcast");
      assertEquals(want == null, ShapeMath.broadcastClash(symbolic(a), symbolic(b)) >= 0, "clash");
      assertEquals(runtime(() -> MatmulKernels.resultShape(a, b)), ShapeMath.matmul(symbolic(a), symbolic(b)),
          "matmul");
      if (a.length > 0 && b.length > 0) {
        assertEquals(symbolic(MatmulKernels.promotedLeft(a)), ShapeMath.matmulLeft(symbolic(a)));
        assertEquals(symbolic(MatmulKernels.promotedRight(b)), ShapeMath.matmulRight(symbolic(b)));
      }
    }
  }

  @Test
  void windowsAndAxesAgreeWithTheRuntime() {
    for (int size = 1; size <= 12; size++) {
      for (int k = 1; k <= size + 2; k++) {
        for (int s = 1; s <= 3; s++) {
          for (int p = 0; 2 * p <= k; p++) {
            if (size + 2 * p < k) {
              continue;
            }
            long out = ShapeMath.windowOut(size, k, s, p);
            assertEquals(SlidingWindow.square(k, s, p).outH(size), out);
            assertEquals(Conv2dShape.of(1, 1, size, size, 1, k, s, p).outHeight(), out);
          }
        }
      }
    }
    for (int rank = 0; rank <= 4; rank++) {
      for (int d = -6; d <= 6; d++) {
        int dim = d;
        int rk = rank;
        Integer want;
        try {
          want = Shapes.wrapDim(dim, rk);
        } catch (IllegalArgumentException e) {
          assertEquals(e.getMessage(), ShapeMath.axisOutOfRange(dim, rk));
          want = -1;
        }
        assertEquals(want, ShapeMath.axis(dim, rk), "dim " + d + " rank " + rank);
      }
    }
  }

  @Test
  void symbolicSizesFlowThrough() {
    Dim b = Dim.symbol("B");
    Shape x = Shape.of(b, Dim.of(1), Dim.of(5));
    assertEquals(Shape.of(b, Dim.of(4), Dim.of(5)), ShapeMath.broadcast(x, Shape.of(4, 1)));
    assertEquals(0, ShapeMath.broadcastClash(x, Shape.of(Dim.symbol("N"), Dim.of(1), Dim.of(1))));
    assertNull(ShapeMath.broadcast(x, Shape.of(Dim.symbol("N"), Dim.of(1), Dim.of(1))));
    assertEquals(Shape.of(b, Dim.of(1), Dim.of(7)), ShapeMath.matmul(x, Shape.of(5, 7)));
    assertEquals(Shape.of(b, Dim.of(1)), ShapeMath.matmul(x, Shape.of(5)));
    assertEquals(2, ShapeMath.axis(-1, 3));
    assertEquals(0, ShapeMath.axis(-1, 0));
  }
}
