package dev.modelc.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.modelc.runtime.random.Rng;
import org.junit.jupiter.api.Test;

class ParameterInitTest {
  @Test
  void textRoundTripsExactly() {
    ParameterInit p = ParameterInit.parse("uniform low=-0.20412414523193154 high=0.20412414523193154");
    assertEquals(p, ParameterInit.parse(p.text()));
    double[] a = new double[5];
    double[] b = new double[5];
    p.fill(a, new int[] {5}, new Rng(3));
    Init.uniform(b, -0.20412414523193154, 0.20412414523193154, new Rng(3));
    assertArrayEquals(b, a);
  }

  @Test
  void literalFillsInOrderAndChecksLength() {
    ParameterInit p = ParameterInit.parse("literal 1.0,2.0,3.0");
    float[] out = new float[3];
    p.fill(out, new int[] {3}, new Rng(0));
    assertArrayEquals(new float[] {1, 2, 3}, out);
    assertThrows(IllegalArgumentException.class, () -> p.fill(new float[2], new int[] {2}, new Rng(0)));
  }

  @Test
  void kaimingMatchesInit() {
    ParameterInit p = ParameterInit.parse("kaiming_normal a=0.0 mode=fan_out nonlinearity=relu");
    float[] a = new float[12];
    float[] b = new float[12];
    p.fill(a, new int[] {3, 4}, new Rng(9));
    Init.kaimingNormal(b, new int[] {3, 4}, 0, "fan_out", "relu", new Rng(9));
    assertArrayEquals(b, a);
  }
}
