package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.modelc.Samples;
import dev.modelc.driver.Driver;
import dev.modelc.runtime.api.CompiledModel;
import dev.modelc.runtime.api.Model;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code setThreads(n, ThreadSplit.BATCH)}: each thread runs the whole forward and backward pass on its own rows,
 * and the gradients are added once in a fixed order. Against one thread the losses and parameters agree to
 * rounding (the gradients are summed in chunks), the outputs are the rows of the whole batch, the results do not
 * depend on timing, and a model whose rows mix is refused with the reason.
 */
class BatchSplitTrainingTest {

  private static CompiledClass cnn() throws IOException {
    return Driver.compile(Samples.load("cnn", false), "split", "cnn.mdl", true);
  }

  private static void bind(Model m, int batch, long seed) {
    ThreadsTest.bind(m, batch, seed);
  }

  private static float[] parameters(Model m) {
    float[] p = new float[m.flatParameterSize()];
    m.readParameters(p);
    return p;
  }

  private static Model cnn(CompiledClass c, int threads, Model.ThreadSplit split) {
    Model m = c.newInstance();
    m.setThreads(threads, split);
    return m;
  }

  @Test
  void theCnnTrainsAsOnOneThreadToRounding() throws IOException {
    CompiledClass c = cnn();
    for (int batch : new int[] {64, 7, 3, 1}) {  // even, odd (4 + 3 rows), one row a thread, fewer rows than threads
      Model one = cnn(c, 1, Model.ThreadSplit.KERNELS);
      Model two = cnn(c, 2, Model.ThreadSplit.BATCH);
      Model three = cnn(c, 3, Model.ThreadSplit.BATCH);
      assertEquals(Model.ThreadSplit.BATCH, two.threadSplit());
      assertEquals(3, three.threads());
      for (int step = 0; step < 4; step++) {
        for (Model m : new Model[] {one, two, three}) bind(m, batch, 10 + step);
        double l1 = one.trainStep();
        double l2 = two.trainStep();
        double l3 = three.trainStep();
        assertEquals(l1, l2, 1e-5 * Math.abs(l1), "batch " + batch + " step " + step);
        assertEquals(l1, l3, 1e-5 * Math.abs(l1), "batch " + batch + " step " + step);
        assertEquals(l2, two.loss());
      }
      float[] p1 = parameters(one);
      for (Model m : new Model[] {two, three}) {
        float[] p = parameters(m);
        for (int i = 0; i < p1.length; i++) {
          assertEquals(p1[i], p[i], 1e-5f, "parameter " + i + " at batch " + batch);
        }
        assertEquals(one.stepCount(), m.stepCount());
        assertEquals(one.optimizerState().size(), m.optimizerState().size());
      }
      // the outputs of a split step are the whole batch's rows, as a forward pass at these parameters computes
      float[] logits = (float[]) two.output("logits");
      assertEquals(batch * 10, logits.length);
      Model check = c.newInstance();
      check.writeParameters(parameters(two));
      bind(check, batch, 13);
      check.forward();
      float[] expected = (float[]) check.output("logits");
      bind(two, batch, 13);
      two.trainStep();
      float[] afterStep = (float[]) two.output("logits");
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], afterStep[i], 1e-5f, "logit " + i);
      }
      assertThrows(IllegalStateException.class, two::backward, "the step's graph is freed, as after one thread's");
      double loss = two.loss();
      two.setThreads(1);                               // the last step's loss and outputs stay readable
      assertEquals(loss, two.loss());
      assertArrayEquals(afterStep, (float[]) two.output("logits"));
      for (Model m : new Model[] {one, two, three}) m.close();
    }
  }

  @Test
  void theTransformerWithItsRowsReshapedTrainsAsOnOneThread() throws IOException {
    CompiledClass c = Driver.compile(Samples.load("transformer", false), "split", "transformer.mdl", true);
    Model one = c.newInstance();
    Model two = c.newInstance();
    two.setThreads(2, Model.ThreadSplit.BATCH);
    Random r = new Random(9);
    int batch = 13;
    int[] tokens = new int[batch * 8];
    int[] t = new int[batch];
    for (int i = 0; i < tokens.length; i++) tokens[i] = r.nextInt(6);
    for (int i = 0; i < batch; i++) t[i] = r.nextInt(4);
    for (Model m : new Model[] {one, two}) {
      m.setInput("tokens", tokens);
      m.setInput("t", t);
    }
    for (int step = 0; step < 4; step++) {
      double l1 = one.trainStep();
      assertEquals(l1, two.trainStep(), 1e-5 * Math.abs(l1), "step " + step);
    }
    float[] p1 = parameters(one);
    float[] p2 = parameters(two);
    for (int i = 0; i < p1.length; i++) assertEquals(p1[i], p2[i], 1e-5f, "parameter " + i);
    two.close();
  }

  @Test
  void eachThreadUpdatingItsShareGivesTheBitsOfOneWholeUpdate() throws IOException {
    // A split step updates each thread's share of the parameters right after its share of the reduction; with
    // anomaly detection on it runs the whole update after the reduction instead. Adam (the CNN), SGD with momentum
    // (the MLP, whose first step sets the momentum) and AdamW (the transformer) give the same bits either way.
    for (String name : new String[] {"cnn", "mlp", "transformer"}) {
      CompiledClass c = Driver.compile(Samples.load(name, false), "split", name + ".mdl", true);
      float[][] results = new float[2][];
      for (int run = 0; run < 2; run++) {
        try (Model m = c.newInstance()) {
          m.setThreads(2, Model.ThreadSplit.BATCH);
          m.setDetectAnomaly(run == 1);
          for (int step = 0; step < 4; step++) {
            if (name.equals("transformer")) {
              Random r = new Random(step);
              int[] tokens = new int[9 * 8];
              int[] t = new int[9];
              for (int i = 0; i < tokens.length; i++) tokens[i] = r.nextInt(6);
              for (int i = 0; i < t.length; i++) t[i] = r.nextInt(4);
              m.setInput("tokens", tokens);
              m.setInput("t", t);
            } else {
              bind(m, 9, step);
            }
            m.trainStep();
          }
          results[run] = parameters(m);
        }
      }
      assertArrayEquals(results[1], results[0], name);
    }
  }

  @Test
  void resultsDoNotDependOnTiming() throws IOException {
    CompiledClass c = cnn();
    float[][] runs = new float[3][];
    for (int run = 0; run < runs.length; run++) {
      try (Model m = cnn(c, 2, Model.ThreadSplit.BATCH)) {
        for (int step = 0; step < 5; step++) {
          bind(m, 64, step);
          m.trainStep();
          if (run == 1) Thread.yield();
        }
        runs[run] = parameters(m);
      }
    }
    assertArrayEquals(runs[0], runs[1]);
    assertArrayEquals(runs[0], runs[2]);
  }

  /** An instance of the model in {@code text} ({@code m.mdl}), its batch split over two threads. */
  private static Model splitInTwo(String text) {
    Model two = Driver.compile(Samples.check("m.mdl", text), "split", "m.mdl", true).newInstance();
    two.setThreads(2, Model.ThreadSplit.BATCH);
    return two;
  }

  @Test
  void aReplicaThatThrowsLeavesTheStepUncountedAndTheParametersAsTheyWere() {
    String text = "model M {\n  input x : f32[B, 3]\n  input y : f32[B, 2]\n  param w : f32[3, 2] init normal(0, 0.5)\n"
        + "  let pred = tanh(sqrt(x) @ w)\n  output pred\n  minimize mean((pred - y) ** 2) with adam(lr = 0.01)\n}\n";
    try (Model two = splitInTwo(text)) {
      two.setDetectAnomaly(true);
      Random r = new Random(6);
      float[] x = new float[8 * 3];
      float[] y = new float[8 * 2];
      for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
      for (int i = 0; i < y.length; i++) y[i] = r.nextFloat() - 0.5f;
      two.setInput("y", y);
      two.setInput("x", x);
      two.trainStep();
      float[] before = parameters(two);
      float[] bad = x.clone();
      bad[7 * 3 + 1] = -1f;                        // sqrt(-1) in the last row, the second thread's
      two.setInput("x", bad);
      assertThrows(dev.modelc.runtime.api.AnomalyException.class, two::trainStep);
      assertEquals(1, two.stepCount());
      assertArrayEquals(before, parameters(two));
      two.setInput("x", x);
      two.trainStep();
      assertEquals(2, two.stepCount());
    }
  }

  @Test
  void aLabelOutOfRangeInAnotherThreadsRowsSaysWhereItsPositionsStart() {
    String text = "model M {\n  input x : f32[B, 3]\n  input t : i32[B]\n  param w : f32[3, 4] init normal(0, 0.5)\n"
        + "  minimize cross_entropy(x @ w, t) with sgd(lr = 0.1)\n}\n";
    try (Model two = splitInTwo(text)) {
      two.setInput("x", new float[8 * 3]);
      int[] t = {0, 1, 2, 3, 0, 1, 9, 3};           // row 6: the second thread's third row
      two.setInput("t", t);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, two::trainStep);
      assertEquals("m.mdl:5:12: cross_entropy: label 9 at position 2 is out of range [0, 4) (counted from row 4 of"
          + " the batch: this part of it, rows 4 to 7, ran on its own thread)", e.getMessage());
    }
  }

  @Test
  void aSumOverTheRowsWeighsEachChunkWhole() {
    String text = "model M {\n  input x : f32[B, 3]\n  input y : f32[B, 2]\n  param w : f32[3, 2] init normal(0, 0.5)\n"
        + "  let pred = tanh(x @ w)\n  output pred\n  minimize sum((pred - y) ** 2) with sgd(lr = 0.01)\n}\n";
    CompiledClass c = Driver.compile(Samples.check("m.mdl", text), "split", "m.mdl", true);
    Model one = c.newInstance();
    Model two = c.newInstance();
    two.setThreads(2, Model.ThreadSplit.BATCH);
    Random r = new Random(5);
    float[] x = new float[9 * 3];
    float[] y = new float[9 * 2];
    for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() - 0.5f;
    for (int i = 0; i < y.length; i++) y[i] = r.nextFloat() - 0.5f;
    for (Model m : new Model[] {one, two}) {
      m.setInput("x", x);
      m.setInput("y", y);
    }
    for (int step = 0; step < 3; step++) {
      double l1 = one.trainStep();
      assertEquals(l1, two.trainStep(), 1e-5 * l1);
    }
    float[] p1 = parameters(one);
    float[] p2 = parameters(two);
    for (int i = 0; i < p1.length; i++) assertEquals(p1[i], p2[i], 1e-6f);
    two.close();
  }

  @Test
  void aModelWhoseRowsMixIsRefusedWithTheReason() throws IOException {
    CompiledClass c = Driver.compile(Samples.load("resnet", false), "split", "resnet.mdl", true);
    assertEquals("batch_norm's statistics at 16:9 are taken over the whole batch",
        ((CompiledModel) c.newInstance()).batchSplit().refusal());
    try (Model m = c.newInstance()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> m.setThreads(2, Model.ThreadSplit.BATCH));
      assertTrue(e.getMessage().contains("cannot split its batch over threads: batch_norm's statistics at 16:9"),
          e.getMessage());
      assertEquals(1, m.threads());
      assertEquals(Model.ThreadSplit.KERNELS, m.threadSplit());
      m.setThreads(1, Model.ThreadSplit.BATCH);   // one thread is one thread
      assertEquals(1, m.threads());
    }
  }

  @Test
  void switchingSplitsStopsTheOldThreads() throws IOException {
    CompiledClass c = cnn();
    try (Model m = cnn(c, 2, Model.ThreadSplit.BATCH)) {
      Thread worker = ((CompiledModel) m).team().workerThreads()[0];
      m.setThreads(2);
      assertEquals(Model.ThreadSplit.KERNELS, m.threadSplit());
      worker.join(10_000);
      assertTrue(!worker.isAlive(), "the batch split's worker stopped");
      m.setThreads(1);
      assertNull(((CompiledModel) m).team());
    } catch (InterruptedException e) {
      fail(e);
    }
  }

  @Test
  void aSteadyStateSplitStepAllocatesNothingOnTheCallingThread() throws IOException {
    CompiledClass c = cnn();
    try (Model m = cnn(c, 2, Model.ThreadSplit.BATCH)) {
      bind(m, 64, 3);
      var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long[] ids = {Thread.currentThread().getId(), ((CompiledModel) m).team().workerThreads()[0].getId()};
      long deadline = System.nanoTime() + 30_000_000_000L;
      long bytes;
      do {
        long before = bean.getThreadAllocatedBytes(ids[0]) + bean.getThreadAllocatedBytes(ids[1]);
        for (int i = 0; i < 10; i++) m.trainStep();
        bytes = bean.getThreadAllocatedBytes(ids[0]) + bean.getThreadAllocatedBytes(ids[1]) - before;
      } while (bytes != 0 && System.nanoTime() < deadline);
      assertEquals(0, bytes, "10 split steps allocated on the caller and the worker after warm-up");
    }
  }
}
