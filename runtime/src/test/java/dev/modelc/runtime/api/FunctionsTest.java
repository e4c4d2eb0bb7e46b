package dev.modelc.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The branch-free comparisons, select, sign and leaky_relu of {@link Functions} against their definitions as plain
 * conditionals, bit for bit, on the values where the choice is delicate (NaN, infinities, both zeros, subnormals),
 * in double and, for the exact ones, in float.
 */
class FunctionsTest {
  private static final double[] VALUES = {Double.NaN, Double.NEGATIVE_INFINITY, -3.5, -1, -Double.MIN_VALUE, -0.0, 0.0,
      Double.MIN_VALUE, 0.25, 1, 2, Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.longBitsToDouble(0x7ff0000000000123L)};

  @Test
  void comparisonsAreOneOrPlusZero() {
    for (double a : VALUES) {
      for (double b : VALUES) {
        same(a > b ? 1.0 : 0.0, Functions.greater(a, b), a + " > " + b);
        same(a == b ? 1.0 : 0.0, Functions.equal(a, b), a + " == " + b);
        same((float) a > (float) b ? 1f : 0f, Functions.greater((float) a, (float) b), a + " > " + b + " in float");
        same((float) a == (float) b ? 1f : 0f, Functions.equal((float) a, (float) b), a + " == " + b + " in float");
      }
    }
  }

  @Test
  void selectKeepsTheChosenBits() {
    for (double c : VALUES) {
      for (double a : VALUES) {
        for (double b : VALUES) {
          same(c != 0 ? a : b, Functions.select(c, a, b), "select(" + c + ", " + a + ", " + b + ")");
          float fc = (float) c, fa = (float) a, fb = (float) b;
          same(fc != 0 ? fa : fb, Functions.select(fc, fa, fb), "select(" + c + ", " + a + ", " + b + ") in float");
        }
      }
    }
  }

  @Test
  void signIsPyTorchs() {
    for (double x : VALUES) {
      same(x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0, Functions.sign(x), "sign(" + x + ")");
      same((float) x > 0 ? 1f : (float) x < 0 ? -1f : 0f, Functions.sign((float) x), "sign(" + x + ") in float");
    }
    same(0.0, Functions.sign(-0.0), "sign(-0) is +0");
    same(0.0, Functions.sign(Double.NaN), "sign(NaN) is 0");
  }

  @Test
  void leakyReluIsTheConditional() {
    for (double x : VALUES) {
      for (double slope : new double[] {0.01, 0, -0.5, 1, 3, Double.NaN}) {
        same(x > 0 ? x : x * slope, Functions.leakyRelu(x, slope), "leaky_relu(" + x + ", " + slope + ")");
      }
    }
  }

  private static void same(double expected, double actual, String what) {
    assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual), what);
  }

  private static void same(float expected, float actual, String what) {
    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), what);
  }
}
