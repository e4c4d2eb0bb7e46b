package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.Samples;
import dev.modelc.driver.Driver;
import dev.modelc.runtime.api.Model;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/** predict fills every declared output: the typed form takes one array per output, and so does the generic one. */
class PredictOutputsTest {
  private static final String SOURCE = """
      model Two {
        input x : f32[B, 3]
        input t : i32[B]
        param w : f32[3, 2] init normal(0, 1)
        let h = x @ w
        let p = softmax(h, 1)
        let s = sum(x, 1)
        output h
        output p
        output s
        minimize cross_entropy(h, t) with sgd(lr = 0.1)
      }
      """;

  private final CompiledClass c = Driver.compile(Samples.check("two.mdl", SOURCE), "", "two.mdl", true);
  private final float[] x = {1, 2, 3, -1, 0.5f, 2};

  private static float[] floats(Object a) {
    return (float[]) a;
  }

  @Test
  void typedPredictTakesOneArrayPerOutputInDeclarationOrder() throws ReflectiveOperationException {
    Model m = c.newInstance();
    Method predict = m.getClass().getMethod("predict", float[].class, int.class, float[].class, float[].class,
        float[].class);
    float[] h = new float[4];
    float[] p = new float[4];
    float[] s = new float[2];
    predict.invoke(m, x, 2, h, p, s);
    m.setInput("x", x);
    m.setInput("t", new int[] {0, 1});
    m.forward();
    assertArrayEquals(floats(m.output("h")), h);
    assertArrayEquals(floats(m.output("p")), p);
    assertArrayEquals(new float[] {6, 1.5f}, s);
    assertEquals(1, p[0] + p[1], 1e-6);
  }

  @Test
  void genericPredictFillsEveryOutput() {
    Model m = c.newInstance();
    m.setInput("x", x);
    float[] h = new float[4];
    float[] p = new float[4];
    float[] s = new float[2];
    m.predict(h, p, s);
    m.predict();
    assertArrayEquals(floats(m.output("h")), h);
    assertArrayEquals(floats(m.output("p")), p);
    assertArrayEquals(floats(m.output("s")), s);
  }

  @Test
  void wrongArraysNameTheOutputAndWriteNothing() throws ReflectiveOperationException {
    Model m = c.newInstance();
    m.setInput("x", x);
    float[] h = new float[4];
    var count = assertThrows(IllegalArgumentException.class, () -> m.predict(h, new float[4]));
    assertTrue(count.getMessage().contains("one array per output [h, p, s], got 2 arrays"), count.getMessage());
    var shape = assertThrows(IllegalArgumentException.class, () -> m.predict(h, new float[4], new float[3]));
    assertEquals("output s: expected float[] (f32[B]), that is 2 elements, but the array has 3 elements of float[]",
        shape.getMessage());
    assertArrayEquals(new float[4], h, "nothing is written before every array is checked");
    var type = assertThrows(IllegalArgumentException.class, () -> m.predict(h, new double[4], new float[2]));
    assertTrue(type.getMessage().startsWith("output p: expected float[]"), type.getMessage());
    Method predict = m.getClass().getMethod("predict", float[].class, int.class, float[].class, float[].class,
        float[].class);
    var typed = assertThrows(InvocationTargetException.class,
        () -> predict.invoke(m, x, 2, h, null, new float[2]));
    assertTrue(typed.getCause().getMessage().startsWith("output p: expected float[] (f32[B, 2]), that is 4 elements, "
        + "but the array has null"), typed.getCause().getMessage());
  }

  @Test
  void aSingleOutputModelKeepsItsTypedPredict() throws ReflectiveOperationException {
    CompiledClass one = Driver.compile(Samples.check("one.mdl", SOURCE.replace("  output p\n", "")
        .replace("  output s\n", "")), "", "one.mdl", true);
    Model m = one.newInstance();
    float[] h = new float[4];
    m.getClass().getMethod("predict", float[].class, int.class, float[].class).invoke(m, x, 2, h);
    assertArrayEquals(floats(m.output("h")), h);
  }
}
