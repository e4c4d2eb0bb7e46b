package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.runtime.api.CompiledModel;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.api.TensorSpec;
import dev.modelc.runtime.kernels.RangeBody;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Generated models on several threads ({@code Model.setThreads}): the sample models train and predict bit for bit as
 * on one thread, except the CNN's convolution weight gradient (summed in two parts, so within rounding); results on
 * two threads are the same run to run; the long elementwise loops run in ranges on the workers, and loops of every
 * shape (masks, dropout, broadcast nests, f32 and f64) give the same bits on 1, 2 and 3 threads; the worker threads
 * stop when the model is closed or garbage collected. ({@link ThreadsAllocationTest} checks that a step allocates
 * nothing, in a JVM of its own.)
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
  static void bind(Model m, int batch, long seed) {
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

  /** The ranges of generated loops the model's worker threads have run so far. */
  static long workerRanges(Model m) {
    return ((CompiledModel) m).team().loopRangesOnWorkers();
  }

  @Test
  void theLargeElementwiseLoopsRunOnTheWorkers() throws IOException {
    for (CompiledClass c : List.of(sample("cnn"), wideMlp())) {
      String schedule = c.schedule().print();
      assertTrue(schedule.contains("in place (split): relu"), schedule);
      try (Model m = model(c, 2)) {
        bind(m, 64, 0);
        m.trainStep();
        long forward = workerRanges(m);
        assertTrue(forward > 0, c.className() + ": no loop range ran on the worker");
        m.trainStep();
        assertEquals(2 * forward, workerRanges(m), c.className() + ": the same ranges every step");
        m.predict();
        assertTrue(workerRanges(m) > 2 * forward, c.className() + ": predict splits its relu epilogues too");
      }
    }
    // too little work to pay for a hand-off (at most 2 x 128 elements, with a call each): on the caller alone
    try (Model m = model(sample("mlp"), 2)) {
      bind(m, 2, 0);
      m.trainStep();
      assertEquals(0, workerRanges(m));
    }
  }

  /**
   * Elementwise loops of every shape the loop emitter writes, all long enough to split: flat loops, nests reading a
   * row vector (w, b over B x 300) and a column (s over B x 300), masks (relu's gradient, a comparison turned into
   * numbers), dropout's masks, gradients added into a parameter's gradient; in f32 and f64, on 1, 2 and 3 threads.
   */
  @Test
  void masksDropoutAndBroadcastNestsTrainBitForBit() {
    for (String dtype : List.of("f32", "f64")) {
      CompiledClass c = compile(Samples.check("masked.mdl", """
          model Masked {
            input x : %1$s[B, 300]
            input s : %1$s[B, 1]
            input y : %1$s[B, 300]
            param w : %1$s[300] init normal(0, 1)
            param b : %1$s[300] init uniform(-0.5, 0.5)
            let h = dropout(relu(x * w + b), p = 0.3) * s
            let m = float(h > 0.25) * 0.5 + 0.5
            let out = tanh(h * m) + sigmoid(x) * s
            output out
            minimize mean((out - y) ** 2) with adam(lr = 0.01)
          }
          """.formatted(dtype)));
      assertTrue(c.schedule().print().contains("(split)"), c.schedule().print());
      int batch = 96;
      Random r = new Random(5);
      Object[] in = new Object[3];
      int[] lengths = {batch * 300, batch, batch * 300};
      for (int k = 0; k < 3; k++) {
        double[] v = new double[lengths[k]];
        for (int i = 0; i < v.length; i++) v[i] = r.nextDouble() * 2 - 0.5;
        in[k] = dtype.equals("f32") ? floats(v) : v;
      }
      List<Model> models = List.of(model(c, 1), model(c, 2), model(c, 3));
      try {
        for (Model m : models) {
          m.setInput("x", in[0]);
          m.setInput("s", in[1]);
          m.setInput("y", in[2]);
        }
        for (int step = 0; step < 4; step++) {
          double loss = models.get(0).trainStep();
          assertEquals(loss, models.get(1).trainStep(), dtype + " step " + step);
          assertEquals(loss, models.get(2).trainStep(), dtype + " step " + step);
        }
        for (String p : List.of("w", "b")) {
          for (Model m : models.subList(1, 3)) {
            assertEquals(Arrays.toString(doubles(models.get(0).parameter(p))), Arrays.toString(doubles(m.parameter(p))),
                dtype + " " + p);
            assertEquals(Arrays.toString(doubles(models.get(0).gradient(p))), Arrays.toString(doubles(m.gradient(p))),
                dtype + " gradient of " + p);
          }
        }
        models.get(0).predict();
        for (Model m : models.subList(1, 3)) {
          m.predict();
          assertEquals(Arrays.toString(doubles(models.get(0).output("out"))), Arrays.toString(doubles(m.output("out"))),
              dtype + " predict");
          assertTrue(workerRanges(m) > 0, dtype + ": the loops ran on the workers");
        }
      } finally {
        models.forEach(Model::close);
      }
    }
  }

  private static float[] floats(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
    return f;
  }

  private static double[] doubles(Object a) {
    if (a instanceof double[] d) return d;
    float[] f = (float[]) a;
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }

  @Test
  void theRangeMethodNamesAnUnknownLoop() throws IOException {
    CompiledClass c = sample("cnn");
    try (Model m = c.newInstance()) {
      assertTrue(m instanceof RangeBody, "a class with split loops implements RangeBody");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ((RangeBody) m).range(1, 0, 1));
      assertEquals("this model has no split loop 1", e.getMessage());
    }
    CompiledClass small = compile(Samples.check("tiny.mdl", """
        model Tiny {
          input x : f32[4, 3]
          param w : f32[3] init normal(0, 1)
          minimize sum(relu(x * w)) with sgd(lr = 0.1)
        }
        """));
    assertFalse(small.schedule().print().contains("(split)"), small.schedule().print());
    try (Model m = small.newInstance()) {
      assertFalse(m instanceof RangeBody, "no loop long enough to split: no range method");
    }
  }

  @Test
  void workerThreadsStopOnCloseAndWhenTheModelIsCollected() throws Exception {
    CompiledClass c = sample("mlp");
    Model m = c.newInstance();
    assertEquals(1, m.threads());
    assertEquals("threads must be in [1, 256], got 0", assertThrows(IllegalArgumentException.class,
        () -> m.setThreads(0)).getMessage());
    assertEquals("threads must be in [1, 256], got 257", assertThrows(IllegalArgumentException.class,
        () -> m.setThreads(257)).getMessage());
    m.setThreads(3);
    assertEquals(3, m.threads());
    List<Thread> workers = workers(m);
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
    List<Thread> again = workers(m);
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
    List<Thread> ws = workers(m);
    assertEquals(1, ws.size());
    return ws.get(0);
  }

  /** The model's worker threads. */
  private static List<Thread> workers(Model m) {
    return List.of(((CompiledModel) m).team().workerThreads());
  }
}
