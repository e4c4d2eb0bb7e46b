package demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AppTest {
  @Test
  void theLossFalls() {
    float[] losses = App.train(50);
    assertTrue(losses[49] < losses[0] / 10, losses[0] + " -> " + losses[49]);
  }

  @Test
  void aTestModelIsCompiledIntoTheTestClasses() {
    fixtures.Line line = new fixtures.Line(1L);
    assertTrue(line.w().length == 1 && line.b().length == 1);
  }
}
