package dev.modelc.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.runtime.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * samples/models/bow.mdl, an Embedding layer in a bag-of-words classifier, learns data made here: a sentence of
 * class c draws each of its 4 tokens from c's four words (ids 4c .. 4c+3) with probability 0.8, else any word.
 */
class BagOfWordsTest {
  private static final int N = 96;

  @Test
  void theEmbeddingModelTrains() throws Exception {
    CheckedModel model = Samples.load("bow", false);
    assertEquals(List.of("emb.weight", "fc.weight", "fc.bias"),
        model.params().stream().map(CheckedModel.Param::name).toList());
    Random rnd = new Random(3);
    int[] tokens = new int[N * 4];
    int[] labels = new int[N];
    for (int i = 0; i < N; i++) {
      labels[i] = rnd.nextInt(3);
      for (int j = 0; j < 4; j++) {
        tokens[i * 4 + j] = rnd.nextDouble() < 0.8 ? 4 * labels[i] + rnd.nextInt(4) : rnd.nextInt(12);
      }
    }
    Interpreter it = new Interpreter(model, 7);
    it.setIndices("tokens", tokens, new int[] {N, 4});
    it.setLabels("t", labels);
    double first = it.trainStep();
    double last = first;
    for (int step = 0; step < 60; step++) {
      last = it.trainStep();
    }
    assertTrue(last < first / 4, "loss " + first + " -> " + last);
    it.forward();
    Tensor logits = it.value("logits");
    int correct = 0;
    double[] z = logits.doubles();
    for (int i = 0; i < N; i++) {
      int best = 0;
      for (int c = 1; c < 3; c++) if (z[i * 3 + c] > z[i * 3 + best]) best = c;
      correct += best == labels[i] ? 1 : 0;
    }
    assertTrue(correct >= 0.9 * N, correct + " of " + N + " right");
  }

  @Test
  void anIndexOutOfRangeNamesThePlaceInTheSource() throws Exception {
    Interpreter it = new Interpreter(Samples.load("bow", false), 7);
    it.setIndices("tokens", new int[] {0, 1, 12, 3}, new int[] {1, 4});
    it.setLabels("t", new int[] {0});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, it::forward);
    assertTrue(e.getMessage().matches(".*bow\\.mdl:6:\\d+: embedding: index 12 at position 2 is out of range \\[0, 12\\)"),
        e.getMessage());
  }
}
