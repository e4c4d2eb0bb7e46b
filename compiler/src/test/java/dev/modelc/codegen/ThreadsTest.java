package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.api.TensorSpec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Generated models on several threads ({@code Model.setThreads}): the sample models train and predict bit for bit as
 * on one thread, except the CNN's convolution weight gradient (summed in two parts, so within rounding); results on
 * two threads are the same run to run; a steady-state step allocates nothing on any of the threads; the worker
 * threads stop when the model is closed or garbage collected.
 */
class ThreadsTest {

  private static CompiledClass compile(CheckedModel m) {
    return Driver.compile(m, "threads", m.name() + ".mdl", true);
  }

  private static CompiledClass sample(String name) throws IOException {
    return compile(Samples.load(name, false));
  }

  private static CompiledClass wideMlp() throws IOException {
    return compile(Samples.check("widemlp.mdl", Files.readString(Path.of("../bench/models/widemlp.mdl"))));
  }

  /** Random images and labels for a classifier with inputs x [B, features] (or [B, 1, 28, 28]) and t [B]. */
  private static void bind(Model m, int batch, long seed) {
    Random r = new Random(seed);
    float[] x = new float[batch * 784];
    for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
    int[] t = new int[batch];
    for (int i = 0; i < batch; i++) t[i] = r.nextInt(10);
    m.setInput("x", x);
    m.setInput("t", t);
  }

  private static Model model(CompiledClass c, int threads) {
    Model m = c.newInstance();
    m.setThreads(threads);
    return m;
  }

  private static float[] parameters(Model m) {
    float[] p = new float[m.flatParameterSize()];
    m.readParameters(p);
    return p;
  }

  private static float[] predict(Model m, int batch) {
    float[] logits = new float[batch * 10];
    m.predict(logits);
    return logits;
  }

  @Test
  void perceptronsTrainAndPredictBitForBitOnTwoAndThreeThreads() throws IOException {
    for (CompiledClass c : List.of(sample("mlp"), wideMlp())) {
      int batch = 64;
      List<Model> models = List.of(model(c, 1), model(c, 2), model(c, 3));
      try {
        for (int step = 0; step < 3; step++) {
          List<Double> losses = new ArrayList<>();
          for (Model m : models) {
            bind(m, batch, step);
            losses.add(m.trainStep());
          }
          assertEquals(losses.get(0), losses.get(1), c.className() + " step " + step);
          assertEquals(losses.get(0), losses.get(2), c.className() + " step " + step);
        }
        assertArrayEquals(parameters(models.get(0)), parameters(models.get(1)), c.className());
        assertArrayEquals(parameters(models.get(0)), parameters(models.get(2)), c.className());
        for (Model m : models) bind(m, batch, 99);
        float[] logits = predict(models.get(0), batch);
        assertArrayEquals(logits, predict(models.get(1), batch), c.className() + " predict");
        assertArrayEquals(logits, predict(models.get(2), batch), c.className() + " predict");
      } finally {
        models.forEach(Model::close);
      }
    }
  }

  @Test
  void theCnnMatchesOneThreadButForTheConvolutionWeightGradient() throws IOException {
    CompiledClass c = sample("cnn");
    int batch = 64;
    Model one = model(c, 1), two = model(c, 2), again = model(c, 2);
    try {
      for (Model m : List.of(one, two, again)) bind(m, batch, 1);
      double loss = one.trainStep();
      assertEquals(loss, two.trainStep(), "the forward pass is bit-identical");
      assertEquals(loss, again.trainStep());
      for (TensorSpec p : one.parameters()) {
        float[] g1 = (float[]) one.gradient(p.name()), g2 = (float[]) two.gradient(p.name());
        assertArrayEquals(g2, (float[]) again.gradient(p.name()), "run to run on two threads: " + p.name());
        if (p.name().equals("conv.weight")) {
          float scale = 0;
          for (float g : g1) scale = Math.max(scale, Math.abs(g));
          for (int i = 0; i < g1.length; i++) assertEquals(g1[i], g2[i], 1e-5 * scale, p.name());
        } else {
          assertArrayEquals(g1, g2, "bit-identical gradient of " + p.name());
        }
      }
      for (int step = 2; step < 6; step++) {
        bind(two, batch, step);
        bind(again, batch, step);
        assertEquals(two.trainStep(), again.trainStep(), "step " + step + " run to run");
      }
      assertArrayEquals(parameters(two), parameters(again), "parameters run to run on two threads");
      // predict has no weight gradient: bit-identical to one thread with the same parameters
      one.writeParameters(parameters(two));
      bind(one, batch, 7);
      bind(two, batch, 7);
      assertArrayEquals(predict(one, batch), predict(two, batch), "predict");
    } finally {
      one.close();
      two.close();
      again.close();
    }
  }

  @Test
  void aSteadyStateStepAllocatesNothingOnAnyThread() throws IOException {
    Model m = model(sample("cnn"), 2);
    try {
      bind(m, 64, 3);
      Thread worker = workers("modelc-Net").get(0);
      var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long[] ids = {Thread.currentThread().getId(), worker.getId()};
      long deadline = System.nanoTime() + 30_000_000_000L;
      long caller;
      long workerBytes;
      Object[] logits = {new float[640]};             // one varargs array for all calls
      do {
        long before = bean.getThreadAllocatedBytes(ids[0]);
        long beforeWorker = bean.getThreadAllocatedBytes(ids[1]);
        for (int i = 0; i < 10; i++) {
          m.trainStep();
          m.predict(logits);
        }
        caller = bean.getThreadAllocatedBytes(ids[0]) - before;
        workerBytes = bean.getThreadAllocatedBytes(ids[1]) - beforeWorker;
      } while (caller + workerBytes != 0 && System.nanoTime() < deadline);
      if (caller + workerBytes != 0) {
        fail("10 steps and predicts on two threads still allocated " + caller + " bytes on the calling thread and "
            + workerBytes + " on the worker after warm-up");
      }
    } finally {
      m.close();
    }
  }

  @Test
  void workerThreadsStopOnCloseAndWhenTheModelIsCollected() throws Exception {
    CompiledClass c = sample("mlp");
    Model m = c.newInstance();
    assertEquals(1, m.threads());
    assertEquals("threads must be at least 1, got 0", assertThrows(IllegalArgumentException.class,
        () -> m.setThreads(0)).getMessage());
    m.setThreads(3);
    assertEquals(3, m.threads());
    List<Thread> workers = workers("modelc-Mlp");
    assertEquals(2, workers.size());
    workers.forEach(t -> assertTrue(t.isDaemon(), t.getName()));
    bind(m, 64, 0);
    m.trainStep();
    m.close();
    for (Thread t : workers) {
      t.join(10_000);
      assertFalse(t.isAlive(), t.getName() + " runs after close");
    }
    assertEquals(1, m.threads());
    bind(m, 64, 0);
    assertTrue(Double.isFinite(m.trainStep()), "the model still trains on one thread after close");
    m.setThreads(2);
    List<Thread> again = workers("modelc-Mlp");
    m.setThreads(1);
    for (Thread t : again) {
      t.join(10_000);
      assertFalse(t.isAlive(), "setThreads(1) stops " + t.getName());
    }

    Thread collected = startAndDrop(c);
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (collected.isAlive() && System.nanoTime() < deadline) {
      System.gc();
      collected.join(100);
    }
    assertFalse(collected.isAlive(), "the worker of an unreachable model still runs");
  }

  /** Starts a model on two threads, trains a step and drops it; returns its worker thread. */
  private static Thread startAndDrop(CompiledClass c) {
    Model m = model(c, 2);
    bind(m, 64, 0);
    m.trainStep();
    List<Thread> ws = workers("modelc-Mlp");
    assertEquals(1, ws.size());
    return ws.get(0);
  }

  /** The live threads whose names start with {@code prefix-}. */
  private static List<Thread> workers(String prefix) {
    List<Thread> out = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(prefix + "-") && t.isAlive()) out.add(t);
    }
    return out;
  }
}
