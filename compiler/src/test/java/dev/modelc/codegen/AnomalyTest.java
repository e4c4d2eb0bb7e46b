package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.runtime.api.AnomalyException;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.api.TensorSpec;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Anomaly detection ({@code Model.setDetectAnomaly}, {@code modelc compile --anomaly}): the first NaN or infinity an
 * input, a step or an update makes throws {@link AnomalyException} naming the {@code .mdl} position and op; with
 * detection off nothing is checked and the results are the same to the bit.
 */
class AnomalyTest {
  /** {@code log} of a negative number, inside the sum of {@code mean}: the forward pass makes NaN. */
  static final String LOG_IN_SUM = """
      model LogSum {
        input x : f32[N, 2]
        param w : f32[2, 1] init uniform(0, 1)
        let h = x @ w
        let y = log(h)
        let loss = mean(y)
        minimize loss with sgd(lr = 0.1)
      }
      """;

  /** {@code sqrt} right after a product (an epilogue run in place over the product), then scaled. */
  static final String SQRT_AFTER_MATMUL = """
      model SqrtEpilogue {
        input x : f32[N, 2]
        param w : f32[2, 3] init uniform(0, 1)
        let y = sqrt(x @ w) * 2
        let loss = sum(y)
        output y
        minimize loss with sgd(lr = 0.1)
      }
      """;

  /** {@code sqrt} at 0: the forward value is 0, the gradient 0.5 / sqrt(0) is infinite. */
  static final String SQRT_AT_ZERO = """
      model Root {
        input x : f32[3]
        param w : f32[3] init uniform(0, 1)
        let s = sqrt(w * x)
        let loss = sum(s)
        minimize loss with sgd(lr = 0.1)
      }
      """;

  /** {@code log} in a loop that reads a row vector broadcast over the rows (a loop nest). */
  static final String LOG_OF_CENTERED = """
      model Centered {
        input x : f32[N, 3]
        param m : f32[3] init uniform(0, 1)
        let c = x - m
        let y = log(c) * 3
        let loss = sum(y * y)
        minimize loss with sgd(lr = 0.1)
      }
      """;

  private static CompiledClass compile(String file, String text, boolean anomaly) {
    CompiledClass c = Driver.compile(Samples.check(file, text), "t", file, true, anomaly);
    Harness.verify(c);
    return c;
  }

  @Test
  void forwardNanNamesTheLogInsideASum() {
    Model m = compile("logsum.mdl", LOG_IN_SUM, true).newInstance();
    assertTrue(m.detectAnomaly(), "compiled with --anomaly: on from the start");
    m.setParameter("w", new float[] {1, 1});
    m.setInput("x", new float[] {1, 2, 3, 4, -5, -6, 7, 8});
    AnomalyException e = assertThrows(AnomalyException.class, m::trainStep);
    assertEquals("logsum.mdl:5:11: forward: log %3 produced NaN at element 2 (step s1)", e.getMessage());
    assertEquals(AnomalyException.Pass.FORWARD, e.pass());
    assertEquals("logsum.mdl", e.source());
    assertEquals(5, e.line());
    assertEquals(11, e.column());
    assertEquals("log %3", e.op());
    assertTrue(Double.isNaN(e.value()));
    assertEquals(2, e.index());
  }

  @Test
  void forwardNanNamesTheOpOfAnEpilogue() {
    CompiledClass c = compile("epilogue.mdl", SQRT_AFTER_MATMUL, false);
    assertTrue(c.schedule().print().contains("in place (split): sqrt"), c.schedule().print());
    Model m = c.newInstance();
    assertFalse(m.detectAnomaly());
    m.setDetectAnomaly(true);
    m.setParameter("w", new float[] {1, 1, 1, 1, 1, 1});
    m.setInput("x", new float[] {1, 2, -3, -4});
    AnomalyException e = assertThrows(AnomalyException.class, m::forward);
    assertTrue(e.getMessage().startsWith("epilogue.mdl:4:11: forward: sqrt %"), e.getMessage());
    assertEquals(3, e.index());
    assertTrue(Double.isNaN(e.value()));
  }

  @Test
  void forwardNanInALoopNestOverABroadcast() {
    Model m = compile("centered.mdl", LOG_OF_CENTERED, true).newInstance();
    m.setParameter("m", new float[] {0, 0, 1});
    m.setInput("x", new float[] {1, 2, 3, 4, 5, 0.5f});
    AnomalyException e = assertThrows(AnomalyException.class, m::forward);
    assertTrue(e.getMessage().startsWith("centered.mdl:5:11: forward: log %"), e.getMessage());
    assertEquals(5, e.index(), "row 1, column 2: log(0.5 - 1)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"f32", "f64"})
  void backwardOnlyInfinityIsNamedAsBackward(String dtype) {
    Model m = compile("root.mdl", SQRT_AT_ZERO.replace("f32", dtype), true).newInstance();
    boolean f64 = dtype.equals("f64");
    m.setParameter("w", f64 ? new double[] {1, 1, 1} : new float[] {1, 1, 1});
    m.setInput("x", f64 ? new double[] {4, 0, 9} : new float[] {4, 0, 9});
    m.forward();
    assertEquals(5.0, m.loss(), 0.0, "the forward pass is finite");
    AnomalyException e = assertThrows(AnomalyException.class, m::backward);
    assertEquals(AnomalyException.Pass.BACKWARD, e.pass());
    assertTrue(e.getMessage().startsWith("root.mdl:4:11: backward: "), e.getMessage());
    assertTrue(e.op().contains("(gradient of sqrt)"), e.getMessage());
    assertEquals(1, e.index());
    assertTrue(Double.isInfinite(e.value()) || Double.isNaN(e.value()), e.getMessage());
  }

  @Test
  void nanInAnInputOrParameterIsNamed() throws Exception {
    Model m = compile("linreg.mdl", java.nio.file.Files.readString(java.nio.file.Path.of(
        "../samples/models/linreg.mdl")), false).newInstance();
    m.setDetectAnomaly(true);
    float[] x = new float[20];
    x[17] = Float.NaN;
    m.setInput("x", x);
    m.setInput("y", new float[20]);
    AnomalyException e = assertThrows(AnomalyException.class, m::trainStep);
    assertEquals("input x holds NaN at element 17 (index [17, 0])", e.getMessage());
    assertEquals("x", e.name());
    assertEquals(AnomalyException.Pass.INPUT, e.pass());
    float[] y = new float[20];
    y[3] = Float.NEGATIVE_INFINITY;
    x[17] = 0;
    m.setInput("y", y);
    assertEquals("input y holds -Infinity at element 3 (index [3, 0])",
        assertThrows(AnomalyException.class, m::forward).getMessage());
    m.setInput("y", new float[20]);
    m.setParameter("b", new float[] {Float.NaN});
    AnomalyException p = assertThrows(AnomalyException.class, m::forward);
    assertEquals("parameter b holds NaN at element 0", p.getMessage());
    assertEquals(AnomalyException.Pass.PARAMETER, p.pass());
  }

  @Test
  void anUpdateThatOverflowsNamesTheParameter() {
    Model m = compile("linreg.mdl", LOG_IN_SUM.replace("LogSum", "Lin").replace("log(h)", "h * h"), true)
        .newInstance();
    m.setParameter("w", new float[] {1, 1});
    m.setInput("x", new float[] {1, 2, 3, 4});
    m.setLearningRate(1e38);
    AnomalyException e = assertThrows(AnomalyException.class, m::trainStep);
    assertEquals(AnomalyException.Pass.UPDATE, e.pass());
    assertEquals("w", e.name());
    assertTrue(e.getMessage().startsWith("optimizer update of w (sgd) produced -Infinity at element 0"),
        e.getMessage());
  }

  @Test
  void offChecksNothing() {
    Model m = compile("logsum.mdl", LOG_IN_SUM, true).newInstance();
    m.setDetectAnomaly(false);
    m.setParameter("w", new float[] {1, 1});
    float[] x = {1, 2, 3, 4, -5, -6, 7, 8};
    x[0] = Float.NaN;
    m.setInput("x", x);
    assertTrue(Double.isNaN(m.trainStep()), "NaN goes through silently, as in PyTorch without detect_anomaly");
  }

  /** On or off, and compiled with or without --anomaly, a run on finite data is the same to the bit. */
  @Test
  void checksChangeNoValue() throws Exception {
    CheckedModel cnn = Samples.load("cnn", false);
    Model off = Driver.compile(cnn, "t", "cnn.mdl", false, false).newInstance();
    CompiledClass checked = Driver.compile(cnn, "t", "cnn.mdl", false, true);
    Harness.verify(checked);
    Model on = checked.newInstance();
    assertTrue(on.detectAnomaly());
    Random rnd = new Random(4);
    float[] x = new float[4 * 28 * 28];
    for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat();
    int[] t = {1, 7, 3, 0};
    for (Model m : new Model[] {off, on}) {
      m.setInput("x", x);
      m.setInput("t", t);
    }
    for (int step = 0; step < 3; step++) {
      assertEquals(off.trainStep(), on.trainStep(), 0.0);
      for (TensorSpec p : off.parameters()) {
        assertArrayEquals((float[]) off.parameter(p.name()), (float[]) on.parameter(p.name()), p.name());
      }
    }
  }

  @Test
  void steadyStateTrainStepWithDetectionOnAllocatesNothing() throws Exception {
    Model m = Driver.compile(Samples.load("cnn", false), "t", "cnn.mdl", false, true).newInstance();
    Random rnd = new Random(4);
    float[] x = new float[8 * 28 * 28];
    for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat();
    m.setInput("x", x);
    m.setInput("t", new int[] {1, 7, 3, 0, 2, 2, 9, 4});
    assertEquals(0, Harness.steadyStepAllocation(m),
        "bytes allocated by 20 steady-state training steps with detection on");
  }
}
