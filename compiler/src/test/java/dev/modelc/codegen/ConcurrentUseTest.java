package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.Samples;
import dev.modelc.driver.Driver;
import dev.modelc.runtime.api.Model;
import java.lang.reflect.Method;
import java.util.ConcurrentModificationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * An instance runs one call at a time (docs/generated-classes.md, Threads): two threads calling one instance at
 * once get a ConcurrentModificationException naming the thread that holds it, instead of each other's values; one
 * instance per thread, or one instance handed from thread to thread, works.
 */
class ConcurrentUseTest {
  private static Model mlp() throws Exception {
    Model m = Driver.compile(Samples.load("mlp", false), "t", "mlp.mdl", true).newInstance();
    m.initialize(3);
    return m;
  }

  @Test
  void twoThreadsOnOneInstanceAreStoppedWithTheHoldersName() throws Exception {
    Model m = mlp();
    Method typedPredict = m.getClass().getMethod("predict", float[].class, int.class, float[].class);
    float[] x = new float[64 * 784];
    java.util.Arrays.fill(x, 0.5f);
    AtomicReference<Throwable> caught = new AtomicReference<>();
    AtomicInteger calls = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    Runnable hammer = () -> {
      float[] out = new float[64 * 10];
      try {
        start.await();
        for (int i = 0; i < 20_000 && caught.get() == null; i++) {
          typedPredict.invoke(m, x, 64, out);
          calls.incrementAndGet();
        }
      } catch (java.lang.reflect.InvocationTargetException e) {
        caught.compareAndSet(null, e.getCause());
      } catch (Exception e) {
        caught.compareAndSet(null, e);
      }
    };
    Thread a = new Thread(hammer, "worker-a");
    Thread b = new Thread(hammer, "worker-b");
    a.start();
    b.start();
    start.countDown();
    a.join();
    b.join();
    Throwable t = caught.get();
    assertTrue(t instanceof ConcurrentModificationException, "after " + calls + " calls: " + t);
    assertTrue(t.getMessage().matches("model Mlp is in use by thread \"worker-[ab]\": an instance runs one call at a "
        + "time; use one instance per thread \\(docs/generated-classes.md, Threads\\)"), t.getMessage());
  }

  @Test
  void handedFromThreadToThreadAndAfterAFailedCallItStillWorks() throws Exception {
    Model m = mlp();
    float[] x = new float[8 * 784];
    int[] t = new int[8];
    // a call that fails (a label out of range) leaves the instance free for another thread
    t[3] = 10;
    m.setInput("x", x);
    m.setInput("t", t);
    assertThrows(IllegalArgumentException.class, m::trainStep);
    t[3] = 0;
    double[] loss = new double[1];
    Thread other = new Thread(() -> {
      m.setInput("x", x);
      m.setInput("t", t);
      loss[0] = m.trainStep();
    });
    other.start();
    other.join();
    assertTrue(Double.isFinite(loss[0]), "loss " + loss[0]);
    m.setInput("t", t);
    assertEquals(1, m.outputs().size());
    m.predict();
  }
}
