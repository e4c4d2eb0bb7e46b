package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelc.ir.Graph;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.lower.Sugar;
import dev.modelc.runtime.api.Model;
import dev.modelc.sched.Form;
import dev.modelc.sched.Runs;
import dev.modelc.sched.Schedule;
import dev.modelc.sched.Scheduler;
import dev.modelc.types.DType;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Broadcasts of three and four runs read inside an elementwise loop (the loop nests their last run inside the
 * others and reads the operand at a base computed once per inner run), against the IR evaluator: the output, the
 * loss and every gradient, in f32 and f64.
 */
class BroadcastNestTest {

  /** x {@code [B, 4, 5, 6]} with B = 3 times an operand of the given shape ('B' for the batch), plus x. */
  @ParameterizedTest
  @CsvSource({
      "'4,1,1', 3",     // a channel's value: repeated B, copied 4, repeated 30
      "'4,1,6', 4",     // repeated B, copied 4, repeated 5, copied 6
      "'B,1,5,6', 3",   // copied B, repeated 4, copied 30
      "'B,1,5,1', 4",   // copied B, repeated 4, copied 5, repeated 6
      "'1,5,1', 3",     // repeated B*4, copied 5, repeated 6
      "'6', 2"})        // a row: repeated B*4*5, copied 6 (the nest as before)
  void threeAndFourRunBroadcastsMatchTheEvaluator(String operand, int runs) {
    for (DType dtype : new DType[] {DType.F32, DType.F64}) {
      Harness h = new Harness("Nest", dtype, 3);
      Sugar s = new Sugar(h.ir);
      Node x = h.input("x", Harness.shape("B", 4, 5, 6), new int[] {3, 4, 5, 6}, -1, 1);
      String[] dims = operand.split(",");
      Node p;
      if (dims[0].equals("B")) {
        Object[] shape = Arrays.stream(dims).map(d -> d.equals("B") ? (Object) "B" : (Object) Integer.parseInt(d))
            .toArray();
        int[] actual = Arrays.stream(dims).mapToInt(d -> d.equals("B") ? 3 : Integer.parseInt(d)).toArray();
        p = h.input("p", Harness.shape(shape), actual, -2, 2);
      } else {
        p = h.param("p", -2, 2, Arrays.stream(dims).mapToInt(Integer::parseInt).toArray());
      }
      Node w = h.param("w", -1, 1, 6);
      Node y = s.add(s.mul(x, p), s.mul(x, w));
      h.ir.result("y", Graph.Kind.OUTPUT, y);
      Graph g = h.train(s.mean(s.mul(y, y), null, false));

      Schedule sched = Scheduler.schedule(g);
      Node wide = g.nodes().stream()
          .filter(n -> n.op == Op.BROADCAST_TO && Runs.ofBroadcast(n).count() == runs).findFirst().orElseThrow();
      if (runs > 2) {
        assertEquals(Form.INLINE, sched.form(wide), operand + ": " + sched.print());
      }

      CompiledClass c = Harness.compile(g, OptimizerSettings.sgd(0.1));
      Model m = h.instance(c);
      h.assertPassMatches(operand + " " + dtype, m, h.reference(g), h.tolerance(), "y");
    }
  }
}
