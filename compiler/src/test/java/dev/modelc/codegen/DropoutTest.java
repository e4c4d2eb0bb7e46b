package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.interp.Interpreter;
import dev.modelc.runtime.api.AnomalyException;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.io.Checkpoint;
import dev.modelc.runtime.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dropout's training and evaluation semantics in a generated class: PyTorch's mask and scale in a training forward
 * pass and the same mask in its gradient, the identity in predict and in evaluation mode, masks reproducible from
 * the seed and resumed exactly from a checkpoint, the same masks as the reference interpreter.
 */
class DropoutTest {
  private static final String SOURCE = """
      model Drop {
        input x : f32[B, 50]
        param w : f32[50] init normal(0, 1)
        let y = dropout(x * w, p = 0.4)
        output y
        minimize sum(y * y) with sgd(lr = 0.01)
      }
      """;

  private final CheckedModel model = Samples.check("drop.mdl", SOURCE);
  private final CompiledClass c = Driver.compile(model, "", "drop.mdl", true);
  private final float[] x = new float[4 * 50];

  DropoutTest() {
    Random rnd = new Random(3);
    for (int i = 0; i < x.length; i++) x[i] = 0.5f + rnd.nextFloat();
  }

  private Model fresh(long seed) {
    Model m = c.newUninitialized();
    m.initialize(seed);
    m.setInput("x", x);
    return m;
  }

  private float[] product(Model m) {
    float[] w = (float[]) m.parameter("w");
    float[] p = new float[x.length];
    for (int i = 0; i < p.length; i++) p[i] = x[i] * w[i % 50];
    return p;
  }

  @Test
  void trainingZeroesAboutPAndScalesTheRestAndTheGradientReadsTheSameMask() {
    Model m = fresh(7);
    m.zeroGrad();
    m.forward();
    m.backward();
    float[] y = (float[]) m.output("y");
    float[] p = product(m);
    float[] grad = new float[50];
    int dropped = 0;
    for (int i = 0; i < y.length; i++) {
      if (y[i] == 0) {
        dropped++;
      } else {
        assertEquals(p[i] * (float) (1 / 0.6), y[i], 0f, "kept element " + i + " scaled by 1/(1-p)");
      }
      // d sum(y^2) / d w = 2 y * mask * scale * x, zero where dropped
      grad[i % 50] += 2 * y[i] * (y[i] == 0 ? 0 : (float) (1 / 0.6)) * x[i];
    }
    assertTrue(dropped > 50 && dropped < 110, "dropped " + dropped + " of 200 at p = 0.4");
    float[] g = (float[]) m.gradient("w");
    for (int j = 0; j < 50; j++) assertEquals(grad[j], g[j], 1e-4f * Math.max(1, Math.abs(grad[j])), "grad w" + j);
    assertEquals(1, m.dropoutDraws());
    assertEquals(7, m.dropoutSeed());
  }

  @Test
  void predictAndEvaluationModeAreTheIdentityAndDrawNothing() {
    Model m = fresh(7);
    float[] out = new float[x.length];
    m.predict(out);
    assertArrayEquals(product(m), out);
    assertEquals(0, m.dropoutDraws());
    m.setTraining(false);
    assertFalse(m.training());
    m.forward();
    assertArrayEquals(product(m), (float[]) m.output("y"));
    assertEquals(0, m.dropoutDraws());
    m.setTraining(true);
    m.forward();
    assertEquals(1, m.dropoutDraws());
    assertFalse(Arrays.equals(product(m), (float[]) m.output("y")));
  }

  @Test
  void aPredictThatFailsLeavesTheBackwardPassTheTrainingPassItGoesThrough() {
    Model expected = fresh(7);
    expected.zeroGrad();
    expected.forward();
    expected.backward();

    Model m = fresh(7);
    m.zeroGrad();
    m.forward();
    m.setTraining(false);               // the mode of later passes, not of the forward pass already run
    m.setDetectAnomaly(true);
    float[] huge = new float[x.length];
    Arrays.fill(huge, Float.MAX_VALUE); // finite, but x * w overflows where |w| > 1
    m.setInput("x", huge);
    assertThrows(AnomalyException.class, () -> m.predict(new float[x.length]));
    m.setInput("x", x);
    m.backward();
    assertArrayEquals((float[]) expected.gradient("w"), (float[]) m.gradient("w"), "the forward pass's mask");
  }

  @Test
  void masksComeFromTheSeedAndChangeFromPassToPass() {
    Model a = fresh(11);
    Model b = fresh(11);
    a.forward();
    b.forward();
    float[] first = (float[]) a.output("y");
    assertArrayEquals(first, (float[]) b.output("y"), "same seed, same masks");
    a.forward();
    assertFalse(Arrays.equals(zeros(first), zeros((float[]) a.output("y"))), "a new mask at every pass");
    Model other = fresh(11);
    other.setDropoutSeed(12);
    other.forward();
    assertFalse(Arrays.equals(zeros(first), zeros((float[]) other.output("y"))), "another seed, other masks");
    other.setDropoutSeed(11);
    other.setDropoutDraws(0);
    other.forward();
    assertArrayEquals(first, (float[]) other.output("y"), "seed and draws say which mask");
    assertThrows(IllegalArgumentException.class, () -> other.setDropoutDraws(-1));
  }

  private static boolean[] zeros(float[] y) {
    boolean[] z = new boolean[y.length];
    for (int i = 0; i < y.length; i++) z[i] = y[i] == 0;
    return z;
  }

  @Test
  void theReferenceInterpreterDrawsTheSameMasks() {
    Model m = fresh(5);
    Interpreter ref = new Interpreter(model, 5);
    ref.setInput("x", Tensor.of(x, 4, 50));
    for (int step = 0; step < 3; step++) {
      double loss = m.trainStep();
      assertEquals(ref.trainStep(), loss, 1e-4 * Math.abs(loss));
      assertArrayEquals(ref.value("y").floatData(), (float[]) m.output("y"), 1e-5f);
      assertArrayEquals(ref.param("w").floatData(), (float[]) m.parameter("w"), 1e-5f);
    }
    ref.setTraining(false);
    ref.forward();
    m.setTraining(false);
    m.forward();
    assertArrayEquals(ref.value("y").floatData(), (float[]) m.output("y"), 1e-5f);
  }

  @Test
  void aCheckpointResumesWithTheSameMasks(@TempDir Path dir) throws Exception {
    Model a = fresh(9);
    for (int i = 0; i < 3; i++) a.trainStep();
    Path file = dir.resolve("drop.safetensors");
    Checkpoint.save(file, a, new Checkpoint.Position(null, 0, 3, 0, Map.of()));
    Model b = c.newUninitialized();
    b.setInput("x", x);
    Checkpoint.read(file).restore(b);
    assertEquals(9, b.dropoutSeed());
    assertEquals(3, b.dropoutDraws());
    for (int i = 0; i < 3; i++) assertEquals(a.trainStep(), b.trainStep(), 0.0);
    assertArrayEquals((float[]) a.parameter("w"), (float[]) b.parameter("w"));
  }

  @Test
  void pZeroIsTheIdentityAndPOneZeroesEverything() {
    CompiledClass edges = Driver.compile(Samples.check("edges.mdl", SOURCE.replace("let y = dropout(x * w, p = 0.4)",
        "let z = dropout(x * w, p = 0)\n  let y = z + dropout(z, 1)")), "", "edges.mdl", true);
    Model m = edges.newUninitialized();
    m.initialize(1);
    m.setInput("x", x);
    m.forward();
    m.backward();
    assertArrayEquals(product(m), (float[]) m.output("y"));
    CompiledClass direct = Driver.compile(Samples.check("direct.mdl", """
        model Direct {
          input x : f64[3]
          param w : f64[3] init ones
          let y = dropout(x, 0)
          output y
          minimize sum(dropout(w, p = 1.0) * y) with sgd(lr = 0.1)
        }
        """), "", "direct.mdl", true);
    Model d = direct.newInstance();
    d.setInput("x", new double[] {1, 2, 3});
    assertEquals(0, d.trainStep());
    assertArrayEquals(new double[] {1, 2, 3}, (double[]) d.output("y"));
    assertArrayEquals(new double[3], (double[]) d.gradient("w"), "p = 1 passes no gradient");
  }

  @Test
  void anomalyDetectionKeepsWorkingAndASteadyStepAllocatesNothing() {
    Model m = fresh(2);
    m.setDetectAnomaly(true);
    assertEquals(0, Harness.steadyStepAllocation(m),
        "bytes allocated by 20 steady-state training steps with dropout and detection on");
    float[] bad = x.clone();
    bad[3] = Float.NaN;
    m.setInput("x", bad);
    AnomalyException e = assertThrows(AnomalyException.class, m::trainStep);
    assertTrue(e.getMessage().contains("input x"), e.getMessage());
  }
}
