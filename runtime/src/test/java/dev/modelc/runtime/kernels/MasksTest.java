package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Masks#mulGreater} and {@link Masks#zeroWhereEqual} in each implementation equal, bit for bit, the loops the
 * compiler emits for {@code a * greater(x, c)} (a compare in double of the widened values, 1 or 0, one multiply) and
 * {@code select(equal(x, c), 0, a)}, including NaN, the infinities and signed zeros in both operands, lengths that
 * leave a tail after the last whole vector, and out aliasing a. {@link Masks#scaleUnlessGreater} equals PyTorch's
 * {@code leaky_relu_backward} and, with {@code a = x}, {@code leaky_relu} in the arrays' precision: {@code x > c ? a :
 * a * s}.
 */
class MasksTest {
  private static final float[] SPECIAL = {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 0f, -0f,
      Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE};
  private static final double[] F64_THRESHOLDS = {0.0, -0.0, 0.5, -1.0, Double.NaN, Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY, Double.MIN_VALUE, -Double.MAX_VALUE};

  private static List<JavaMasks> implementations() {
    List<JavaMasks> list = new ArrayList<>();
    list.add(Kernels.plainJava().masks());
    Kernels.vectorApi().ifPresent(g -> list.add(g.masks()));
    return list;
  }

  private static float value(Random r) {
    int kind = r.nextInt(12);
    return kind == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : kind < 4 ? r.nextInt(3) - 1 : (float) r.nextGaussian();
  }

  /** The emitted loop's element: {@code a * (float) Functions.greater((double) x, (double) c)}. */
  private static float emitted(float a, float x, float c) {
    return a * (float) ((double) x > (double) c ? 1.0 : 0.0);
  }

  @Test
  void f32MatchesTheEmittedLoopBitForBit() {
    Random r = new Random(3);
    for (JavaMasks m : implementations()) {
      for (int n : new int[] {0, 1, 7, 16, 17, 63, 64, 65, 1000, 4099}) {
        for (float c : new float[] {0f, -0f, 0.5f, -1f, Float.NaN, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MAX_VALUE}) {
          float[] a = new float[n + 3];
          float[] x = new float[n + 3];
          for (int i = 0; i < a.length; i++) {
            a[i] = value(r);
            x[i] = value(r);
          }
          float[] out = new float[n + 3];
          out[n] = 42f;
          m.mulGreater(a, x, c, out, 0, n);
          float[] inPlace = a.clone();
          m.mulGreater(inPlace, x, c, inPlace, 0, n);
          for (int i = 0; i < n; i++) {
            int want = Float.floatToIntBits(emitted(a[i], x[i], c));
            String where = m.getClass().getSimpleName() + " n=" + n + " c=" + c + " i=" + i;
            assertEquals(want, Float.floatToIntBits(out[i]), where);
            assertEquals(want, Float.floatToIntBits(inPlace[i]), where + " in place");
          }
          assertEquals(42f, out[n], "writes nothing past n");
        }
      }
    }
  }

  /** The emitted loop's element: {@code (float) Functions.select(Functions.equal(x, c), 0, a)}, in double. */
  private static float emittedSelect(float a, float x, float c) {
    return (float) ((double) x == (double) c ? 0.0 : (double) a);
  }

  @Test
  void zeroWhereEqualF32MatchesTheEmittedLoopBitForBit() {
    Random r = new Random(6);
    for (JavaMasks m : implementations()) {
      for (int n : new int[] {0, 1, 7, 15, 16, 17, 63, 64, 65, 1000, 4099}) {
        for (float c : new float[] {0f, -0f, 0.5f, -1f, Float.NaN, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY}) {
          float[] a = new float[n + 3];
          float[] x = new float[n + 3];
          for (int i = 0; i < a.length; i++) {
            a[i] = value(r);
            x[i] = value(r);
          }
          float[] out = new float[n + 3];
          out[n] = 42f;
          m.zeroWhereEqual(a, x, c, out, 0, n);
          float[] inPlace = a.clone();
          m.zeroWhereEqual(inPlace, x, c, inPlace, 0, n);
          for (int i = 0; i < n; i++) {
            int want = Float.floatToRawIntBits(emittedSelect(a[i], x[i], c));
            String where = m.getClass().getSimpleName() + " n=" + n + " c=" + c + " i=" + i;
            assertEquals(want, Float.floatToRawIntBits(out[i]), where);
            assertEquals(want, Float.floatToRawIntBits(inPlace[i]), where + " in place");
          }
          assertEquals(42f, out[n], "writes nothing past n");
        }
      }
    }
  }

  @Test
  void zeroWhereEqualF64MatchesTheEmittedLoopBitForBit() {
    Random r = new Random(7);
    for (JavaMasks m : implementations()) {
      for (int n : new int[] {0, 1, 7, 8, 9, 100, 1001}) {
        double[] a = new double[n];
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
          a[i] = value(r);
          x[i] = value(r);
        }
        for (double c : F64_THRESHOLDS) {
          double[] out = new double[n];
          m.zeroWhereEqual(a, x, c, out, 0, n);
          for (int i = 0; i < n; i++) {
            assertEquals(Double.doubleToRawLongBits(x[i] == c ? 0.0 : a[i]), Double.doubleToRawLongBits(out[i]),
                m.getClass().getSimpleName() + " n=" + n + " c=" + c + " i=" + i);
          }
        }
      }
    }
  }

  /**
   * relu's backward as PyTorch's threshold_backward: 0, not NaN, where the result is +0 or -0 and the gradient NaN
   * or infinite; the gradient itself where the result is NaN or positive.
   */
  @Test
  void zeroWhereEqualGivesZeroForANaNGradientAtZeroAndPassesANaNResult() {
    float nan = Float.NaN;
    float inf = Float.POSITIVE_INFINITY;
    float[] result = {0f, -0f, 0f, nan, 2f, 0f, 3f, nan, 0f, 1f, -0f, 0f, 5f, 0f, nan, 0f, 0f, 4f};
    float[] grad = {nan, inf, -inf, 5f, nan, -0f, -0f, nan, 1f, inf, nan, nan, -2f, inf, -inf, 7f, nan, 1f};
    for (JavaMasks m : implementations()) {
      float[] out = new float[result.length];
      m.zeroWhereEqual(grad, result, 0f, out, 0, result.length);
      for (int i = 0; i < result.length; i++) {
        float want = result[i] == 0 ? 0f : grad[i];
        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(out[i]),
            m.getClass().getSimpleName() + " i=" + i);
      }
      assertEquals(0, Float.floatToRawIntBits(out[0]), "+0 where the result is 0 and the gradient NaN");
      assertEquals(Float.floatToRawIntBits(5f), Float.floatToRawIntBits(out[3]), "a NaN result passes the gradient");
    }
  }

  @Test
  void f64MatchesTheEmittedLoopBitForBit() {
    Random r = new Random(4);
    for (JavaMasks m : implementations()) {
      for (int n : new int[] {0, 1, 7, 8, 9, 100, 1001}) {
        double[] a = new double[n];
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
          a[i] = value(r);
          x[i] = value(r);
        }
        for (double c : F64_THRESHOLDS) {
          double[] out = new double[n];
          m.mulGreater(a, x, c, out, 0, n);
          for (int i = 0; i < n; i++) {
            assertEquals(Double.doubleToLongBits(a[i] * (x[i] > c ? 1.0 : 0.0)), Double.doubleToLongBits(out[i]),
                m.getClass().getSimpleName() + " n=" + n + " c=" + c + " i=" + i);
          }
        }
      }
    }
  }

  private static final float[] F32_SLOPES = {0.01f, 0.2f, 1f, 0f, -0.5f, 3f, Float.MIN_VALUE};

  @Test
  void scaleUnlessGreaterF32IsTheSelectOfPyTorchsKernels() {
    Random r = new Random(8);
    for (JavaMasks m : implementations()) {
      for (int n : new int[] {0, 1, 7, 15, 16, 17, 63, 64, 65, 127, 128, 129, 1000, 4099}) {
        for (float c : new float[] {0f, -0f, 0.5f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
          float s = F32_SLOPES[r.nextInt(F32_SLOPES.length)];
          float[] a = new float[n + 3];
          float[] x = new float[n + 3];
          for (int i = 0; i < a.length; i++) {
            a[i] = value(r);
            x[i] = value(r);
          }
          float[] out = new float[n + 3];
          out[n] = 42f;
          m.scaleUnlessGreater(a, x, c, s, out, 0, n);
          float[] inPlace = a.clone();
          m.scaleUnlessGreater(inPlace, x, c, s, inPlace, 0, n);
          float[] itself = x.clone();   // leaky_relu: a = x, written over x
          m.scaleUnlessGreater(itself, itself, c, s, itself, 0, n);
          for (int i = 0; i < n; i++) {
            String where = m.getClass().getSimpleName() + " n=" + n + " c=" + c + " s=" + s + " i=" + i;
            int want = Float.floatToRawIntBits(x[i] > c ? a[i] : a[i] * s);
            assertEquals(want, Float.floatToRawIntBits(out[i]), where);
            assertEquals(want, Float.floatToRawIntBits(inPlace[i]), where + " in place");
            assertEquals(Float.floatToRawIntBits(x[i] > c ? x[i] : x[i] * s), Float.floatToRawIntBits(itself[i]),
                where + " a = x");
          }
          assertEquals(42f, out[n], "writes nothing past n");
        }
      }
    }
  }

  @Test
  void scaleUnlessGreaterF64IsTheSelectInDouble() {
    Random r = new Random(9);
    for (JavaMasks m : implementations()) {
      for (int n : new int[] {0, 1, 7, 8, 9, 63, 64, 65, 100, 1001}) {
        double[] a = new double[n];
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
          a[i] = value(r);
          x[i] = value(r);
        }
        for (double c : F64_THRESHOLDS) {
          double s = 0.01;
          double[] out = new double[n];
          m.scaleUnlessGreater(a, x, c, s, out, 0, n);
          for (int i = 0; i < n; i++) {
            assertEquals(Double.doubleToRawLongBits(x[i] > c ? a[i] : a[i] * s), Double.doubleToRawLongBits(out[i]),
                m.getClass().getSimpleName() + " n=" + n + " c=" + c + " i=" + i);
          }
        }
      }
    }
  }

  @Test
  void theSplitScaleUnlessGreaterGivesTheSerialBits() {
    Random r = new Random(10);
    int n = 100_003;
    float[] a = new float[n];
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = value(r);
      x[i] = value(r);
    }
    float[] serial = new float[n];
    Masks.scaleUnlessGreater(a, x, 0f, 0.01f, serial, n);
    Workspace ws = new Workspace();
    try (Team team = new Team(2, "masks-test")) {
      ws.setTeam(team);
      float[] split = new float[n];
      Parallel.scaleUnlessGreater(ws, a, x, 0f, 0.01f, split, n);
      for (int i = 0; i < n; i++) {
        assertEquals(Float.floatToRawIntBits(serial[i]), Float.floatToRawIntBits(split[i]), "i=" + i);
      }
    }
  }

  @Test
  void aRangeLeavesTheOtherElementsAlone() {
    Random r = new Random(5);
    for (JavaMasks m : implementations()) {
      int n = 300;
      float[] a = new float[n];
      float[] x = new float[n];
      for (int i = 0; i < n; i++) {
        a[i] = value(r);
        x[i] = value(r);
      }
      float[] out = new float[n];
      java.util.Arrays.fill(out, 7f);
      m.mulGreater(a, x, 0f, out, 13, 250);
      float[] selected = new float[n];
      java.util.Arrays.fill(selected, 7f);
      m.zeroWhereEqual(a, x, 0f, selected, 13, 250);
      for (int i = 0; i < n; i++) {
        float want = i >= 13 && i < 250 ? emitted(a[i], x[i], 0f) : 7f;
        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(out[i]), m.getClass().getSimpleName() + " i=" + i);
        want = i >= 13 && i < 250 ? emittedSelect(a[i], x[i], 0f) : 7f;
        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(selected[i]),
            m.getClass().getSimpleName() + " zeroWhereEqual i=" + i);
      }
    }
  }

  @Test
  void theVectorFormIsTestedWhereTheModuleIsPresent() {
    assertTrue(implementations().size() >= 1);
    Kernels.vectorApi().ifPresent(g -> assertEquals("VectorMasks", g.masks().getClass().getSimpleName()));
  }

  @Test
  void lengthsBeyondTheArraysAreRefused() {
    float[] a = new float[4];
    assertThrows(IllegalArgumentException.class, () -> Masks.mulGreater(a, new float[3], 0f, a, 4));
    assertThrows(IllegalArgumentException.class, () -> Masks.mulGreater(a, a, 0f, a, -1));
    assertThrows(IllegalArgumentException.class, () -> Masks.zeroWhereEqual(a, new float[3], 0f, a, 4));
    double[] d = new double[4];
    assertThrows(IllegalArgumentException.class, () -> Masks.zeroWhereEqual(new double[2], d, 0, d, 3));
    assertThrows(IllegalArgumentException.class, () -> Masks.scaleUnlessGreater(a, new float[3], 0f, 0.01f, a, 4));
    assertThrows(IllegalArgumentException.class, () -> Masks.scaleUnlessGreater(d, d, 0, 0.01, new double[2], 3));
  }
}
