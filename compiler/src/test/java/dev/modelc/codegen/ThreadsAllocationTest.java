package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.modelc.Samples;
import dev.modelc.driver.Driver;
import dev.modelc.runtime.api.CompiledModel;
import dev.modelc.runtime.api.Model;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A steady-state training step and predict of the seeds' CNN on two threads allocate nothing, on the calling thread
 * or the worker: split kernels and split elementwise loops ({@code Parallel.forRange} through the class's
 * {@code range} method) included. Like every {@code *AllocationTest}, it runs in a JVM of its own (compiler/pom.xml).
 */
class ThreadsAllocationTest {

  @Test
  void aSteadyStateStepAllocatesNothingOnAnyThread() throws Exception {
    CompiledClass c = Driver.compile(Samples.load("cnn", false), "threads", "cnn.mdl", true);
    try (Model m = c.newInstance()) {
      m.setThreads(2);
      Random r = new Random(3);
      float[] x = new float[64 * 784];
      for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
      int[] t = new int[64];
      for (int i = 0; i < t.length; i++) t[i] = r.nextInt(10);
      m.setInput("x", x);
      m.setInput("t", t);
      var team = ((CompiledModel) m).team();
      var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long[] ids = {Thread.currentThread().getId(), team.workerThreads()[0].getId()};
      long deadline = System.nanoTime() + 30_000_000_000L;
      long caller;
      long worker;
      Object[] logits = {new float[640]};             // one varargs array for all calls
      do {
        long before = bean.getThreadAllocatedBytes(ids[0]);
        long beforeWorker = bean.getThreadAllocatedBytes(ids[1]);
        for (int i = 0; i < 10; i++) {
          m.trainStep();
          m.predict(logits);
        }
        caller = bean.getThreadAllocatedBytes(ids[0]) - before;
        worker = bean.getThreadAllocatedBytes(ids[1]) - beforeWorker;
      } while (caller + worker != 0 && System.nanoTime() < deadline);
      if (caller + worker != 0) {
        fail("10 steps and predicts on two threads still allocated " + caller + " bytes on the calling thread and "
            + worker + " on the worker after warm-up");
      }
      assertTrue(team.loopRangesOnWorkers() > 0, "the step's elementwise loops ran split");
    }
  }
}
