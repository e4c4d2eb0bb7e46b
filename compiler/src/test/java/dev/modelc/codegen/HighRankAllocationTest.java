package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.fail;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.runtime.api.Model;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Steady-state training steps and predicts of the rank-5 and rank-6 models of {@link HighRankTest} allocate nothing,
 * on one thread and on two: the any-rank kernels read their shapes from the class's int tables (static ones, and the
 * instance's, whose symbolic entries each call sets). Like every {@code *AllocationTest}, it runs in a JVM of its own
 * (compiler/pom.xml).
 */
class HighRankAllocationTest {

  @Test
  void steadyStepsAndPredictsAllocateNothing() {
    List<String> sources = List.of(HighRankTest.PERMUTE, HighRankTest.SLICE, HighRankTest.REDUCTIONS,
        HighRankTest.BROADCAST, HighRankTest.RANK6);
    for (String source : sources) {
      for (String text : List.of(source, source.replaceAll("\\bB\\b", "4"))) {
        CheckedModel cm = Samples.check("highrank.mdl", text);
        try (Model m = Driver.compile(cm, "highrank", "highrank.mdl", false).newInstance()) {
          Random rnd = new Random(3);
          for (CheckedModel.Input in : cm.inputs()) {
            float[] x = new float[(int) in.type().shape().elementCount().evaluate(Map.of("B", 4L))];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            m.setInput(in.name(), x);
          }
          for (int threads : new int[] {1, 2}) {
            m.setThreads(threads);
            long bytes = steadyAllocation(m);
            if (bytes != 0) {
              fail(cm.name() + (text == source ? " [B]" : " [4]") + " on " + threads + " thread(s): 10 steps and "
                  + "predicts still allocated " + bytes + " bytes after warm-up");
            }
          }
        }
      }
    }
  }

  /** The bytes 10 training steps and predicts allocate once warm: windows until one allocates nothing, up to 10 s. */
  private static long steadyAllocation(Model m) {
    var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    for (int i = 0; i < 30; i++) {
      m.trainStep();
      m.predict();
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    long allocated;
    do {
      long before = bean.getThreadAllocatedBytes(id);
      for (int i = 0; i < 10; i++) {
        m.trainStep();
        m.predict();
      }
      allocated = bean.getThreadAllocatedBytes(id) - before;
    } while (allocated != 0 && System.nanoTime() < deadline);
    return allocated;
  }
}
