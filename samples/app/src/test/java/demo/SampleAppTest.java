package demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The sample app's models learn, and inference gives one row of logits per image. */
class SampleAppTest {
  /** The bundled Fashion-MNIST subset (samples/data/fashion-mnist), from this module's folder. */
  private static final Path DATA = Path.of("..", "data", "fashion-mnist");

  @Test
  void theLineIsLearned() {
    float[] losses = SampleApp.fitLine(300, 1);
    assertTrue(losses[losses.length - 1] < losses[0] / 20, losses[0] + " -> " + losses[losses.length - 1]);
  }

  @Test
  void theCnnLearnsFashionMnist() throws Exception {
    assumeTrue(Files.isDirectory(DATA), "no Fashion-MNIST subset at " + DATA.toAbsolutePath().normalize()
        + " (a copy of the sample app outside the modelc tree): skipped");
    Net net = new Net(42L);
    double[] curve = SampleApp.trainCnn(net, DATA, 1920, 32, 7);
    assertTrue(curve[9] < curve[0] * 0.7, curve[0] + " -> " + curve[9]);
    double accuracy = SampleApp.heldOutAccuracy(net, DATA);
    assertTrue(accuracy > 0.5, "held-out accuracy " + accuracy + " after 60 steps (chance is 0.1)");
  }

  @Test
  void predictionsHaveOneRowOfTenLogitsPerImage() {
    Net net = new Net(42L);
    int batch = 5;
    float[] logits = SampleApp.classify(net, new float[batch * 28 * 28], batch);
    assertEquals(batch * 10, logits.length);
    for (float v : logits) {
      assertTrue(Float.isFinite(v));
    }
  }

  @Test
  void aWrongBatchSizeIsRefusedWithTheInputsName() {
    Net net = new Net(42L);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> net.predict(new float[28 * 28], 2, new float[20]));
    assertTrue(e.getMessage().contains("x"), e.getMessage());
  }
}
