package dev.modelc.sched;

import dev.modelc.ir.Dims;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.types.Dim;

/**
 * Loops of the schedule that run as one call into the runtime's whole-tensor logistic kernels
 * ({@code dev.modelc.runtime.kernels.Logistic}) instead of an emitted loop: there the Vector API can compute exp
 * and log1p in vector lanes, which an emitted loop, one scalar call per element, never gets from C2.
 *
 * <ol>
 *   <li>A REDUCE step summing every element of {@code bce_with_logits(z, y)}, with z and y whole arrays of the
 *       loss's own size (no broadcast, no inlined operand): {@code sumBceWithLogits(z, y, n)}.
 *   <li>A LOOP step computing {@code sigmoid(x)} alone into its target (not adding to it), x a whole array of the
 *       same size: {@code sigmoid(x, out, n)}.
 *   <li>The same for {@code exp(x)} and {@code erf(x)}: {@code exp(x, out, n)}, {@code erf(x, out, n)}. In f32
 *       models {@link FusionPlan} makes every exp and erf such a step (as a scalar call per element in a loop, gelu's
 *       erf cost several times the products around it).
 *   <li>A kernel's epilogue that is one of these three alone, in place over the kernel's output (a softmax's exp
 *       after its log_softmax): {@code exp(out, out, n)} right after the kernel. Emitted as a loop inside a model's
 *       step method, the call per element was compiled inside the train step's large compile unit, where it ran
 *       three times slower than the runtime's loop.
 * </ol>
 * The steps keep their kind and chain, so {@code --emit schedule} prints them as before with the call named, and
 * anomaly detection checks and diagnoses them as before (its per-element diagnosis recomputes the chain).
 */
public final class LogisticCalls {

  /** The runtime call a step becomes, if any. */
  public enum Call {
    NONE(null),
    SUM_BCE_WITH_LOGITS("sumBceWithLogits"),
    SIGMOID("sigmoid"),
    EXP("exp"),
    ERF("erf");

    /** The method of {@code Logistic}. */
    public final String method;

    Call(String method) {
      this.method = method;
    }
  }

  private LogisticCalls() {}

  public static Call of(Schedule schedule, Step s) {
    Node n = s.node();
    if (!n.dtype().isFloat() || s.fused().size() != 1) return Call.NONE;
    Node f = s.fused().get(0);
    if (s.kind() == Step.Kind.REDUCE && n.op == Op.REDUCE_SUM && f.op == Op.BCE_WITH_LOGITS
        && Dims.count(n.shape()).equals(Dim.of(1)) && schedule.wholeArray(f.in(0), f) && schedule.wholeArray(f.in(1), f)) {
      return Call.SUM_BCE_WITH_LOGITS;
    }
    boolean function = n.op == Op.SIGMOID || n.op == Op.EXP || n.op == Op.ERF;
    if (!function || f != n || s.accumulate()) return Call.NONE;
    boolean loop = s.kind() == Step.Kind.LOOP && schedule.wholeArray(n.in(0), n);
    if (loop || inPlace(schedule, s)) {
      return n.op == Op.SIGMOID ? Call.SIGMOID : n.op == Op.EXP ? Call.EXP : Call.ERF;
    }
    return Call.NONE;
  }

  /** Whether s is a kernel step whose epilogue's one op reads the kernel's output (or output + bias) in place. */
  public static boolean inPlace(Schedule schedule, Step s) {
    return s.hasEpilogueLoop() && s.fused().size() == 1 && schedule.inTarget(s, s.node().in(0));
  }
}
