package demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The sample app's models learn, and inference gives one row of logits per image. */
class SampleAppTest {
  @Test
  void theLineIsLearned() {
    float[] losses = SampleApp.fitLine(300, 1);
    assertTrue(losses[losses.length - 1] < losses[0] / 20, losses[0] + " -> " + losses[losses.length - 1]);
  }

  @Test
  void theCnnLossFalls() {
    float[] losses = SampleApp.trainCnn(new Net(42L), 30, 8, 7);
    float first = (losses[0] + losses[1] + losses[2]) / 3;
    float last = (losses[27] + losses[28] + losses[29]) / 3;
    assertTrue(last < first * 0.7f, first + " -> " + last);
  }

  @Test
  void predictionsHaveOneRowOfTenLogitsPerImage() {
    Net net = new Net(42L);
    int batch = 5;
    float[] x = new float[batch * 28 * 28];
    SampleApp.images(new Random(3), x, new int[batch]);
    float[] logits = SampleApp.classify(net, x, batch);
    assertEquals(batch * 10, logits.length);
    for (float v : logits) {
      assertTrue(Float.isFinite(v));
    }
    assertEquals(batch, SampleApp.argmax(logits, 10).length);
  }

  @Test
  void aWrongBatchSizeIsRefusedWithTheInputsName() {
    Net net = new Net(42L);
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> net.predict(new float[28 * 28], 2, new float[20]));
    assertTrue(e.getMessage().contains("x"), e.getMessage());
  }
}
