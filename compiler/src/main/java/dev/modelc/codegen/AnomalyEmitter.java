package dev.modelc.codegen;

import dev.modelc.ir.Dims;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.ir.Origin;
import dev.modelc.ir.Phase;
import dev.modelc.sched.Schedule;
import dev.modelc.sched.Step;
import dev.modelc.types.DType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Anomaly detection in a generated class (PyTorch's {@code detect_anomaly}; see
 * {@code dev.modelc.runtime.api.CompiledModel#setDetectAnomaly}). The checks are always emitted and cost one read of
 * the boolean field {@code anomaly} per step when detection is off:
 * <ol>
 *   <li>every step that writes floating-point values ends with {@code if (anomaly) checkStep(k)}, and every update
 *       with {@code if (anomaly) checkUpdate(p)}; the runtime scans what was written;
 *   <li>a kernel step with an in-place elementwise chain also calls {@code checkKernel(k)} between the kernel and
 *       the chain, which checks the kernel's output and keeps a copy of it;
 *   <li>a step with a fused chain gets {@code int d<k>(int i)}, which recomputes the chain at one element and says
 *       which of its ops made the first non-finite value; {@code diagnose(step, i)} dispatches to them. They run
 *       only when a check has failed, to name the op;
 *   <li>{@code anomalyTableText()} returns the table the runtime reads when detection is first switched on: per
 *       step its pass, target, element count and ops with their {@code .mdl} positions
 *       ({@code dev.modelc.runtime.api.AnomalyTable}). It is built from chunks, so that no string constant
 *       exceeds the class file's 64 KiB limit.
 * </ol>
 */
final class AnomalyEmitter {
  /** Cases of one dispatch method (about 14 bytes each), so that it stays under HotSpot's 8,000-byte limit. */
  private static final int CASES_PER_METHOD = 400;
  /** Forward ops that only move or fill values; a gradient is named after the op of its position that computes. */
  private static final Set<Op> PLUMBING = EnumSet.of(Op.CONSTANT, Op.SIZE, Op.TRAINING, Op.BROADCAST_TO, Op.RESHAPE, Op.PERMUTE,
      Op.SLICE, Op.SLICE_BACKWARD, Op.INPUT, Op.PARAM, Op.STOP_GRADIENT, Op.GATHER);

  private final Schedule schedule;
  private final String owner;
  private final Map<Origin, Node> forwardAt = new HashMap<>();

  AnomalyEmitter(Schedule schedule, String owner) {
    this.schedule = schedule;
    this.owner = owner;
    for (Node n : schedule.graph().nodes()) {
      if (n.stage == Phase.FORWARD && n.origin.known() && !PLUMBING.contains(n.op)) forwardAt.put(n.origin, n);
    }
  }

  /** Whether step s is checked: it writes floating-point values. */
  static boolean checked(Step s) {
    return s.node().dtype() != DType.I32;
  }

  /** Whether step s has a fused chain that {@code d<k>} can evaluate. */
  static boolean diagnosable(Step s) {
    return checked(s) && (s.kind() == Step.Kind.LOOP || s.kind() == Step.Kind.REDUCE || s.hasEpilogueLoop());
  }

  /** {@code if (anomaly) checkStep(k)}, at the end of step k. */
  void afterStep(Emitter e, Step s) {
    if (!checked(s)) return;
    e.ifField(owner, "anomaly", () -> call(e, "checkStep", s.index()));
  }

  /** {@code if (anomaly) checkKernel(k)}, between an epilogue step's kernel and its chain. */
  static void afterKernel(Emitter e, String owner, Step s) {
    if (!checked(s)) return;
    e.ifField(owner, "anomaly", () -> {
      e.loadThis();
      e.push(s.index());
      e.invokeVirtual(owner, "checkKernel", "(I)V");
    });
  }

  /** {@code if (anomaly) checkUpdate(p)}, at the end of update p. */
  void afterUpdate(Emitter e, int p) {
    e.ifField(owner, "anomaly", () -> call(e, "checkUpdate", p));
  }

  private void call(Emitter e, String method, int arg) {
    e.loadThis();
    e.push(arg);
    e.invokeVirtual(owner, method, "(I)V");
  }

  /** The methods {@code d<k>}, {@code diagnose} and {@code anomalyTableText}. */
  void emitMethods(ClassVisitor cw, Access access, String sourceFile) {
    List<Step> chains = schedule.steps().stream().filter(AnomalyEmitter::diagnosable).toList();
    for (Step s : chains) {
      Emitter d = new Emitter(cw, Opcodes.ACC_PRIVATE, "d" + s.index(), "(I)I");
      d.line(s.node().origin);
      LoopEmitter.emitDiagnosis(d, access, schedule, s);
      d.end();
    }
    if (chains.size() <= CASES_PER_METHOD) {
      dispatch(cw, Opcodes.ACC_PROTECTED | Opcodes.ACC_FINAL, "diagnose", chains);
    } else { // diagnose: if (step <= last step of part p) return diagnose$p(step, i); ...
      Emitter e = new Emitter(cw, Opcodes.ACC_PROTECTED | Opcodes.ACC_FINAL, "diagnose", "(II)I");
      for (int p = 0; p * CASES_PER_METHOD < chains.size(); p++) {
        List<Step> part = chains.subList(p * CASES_PER_METHOD,
            Math.min(chains.size(), (p + 1) * CASES_PER_METHOD));
        dispatch(cw, Opcodes.ACC_PRIVATE, "diagnose$" + p, part);
        Label next = new Label();
        e.load(Type.INT_TYPE, 1);
        e.push(part.get(part.size() - 1).index());
        e.mv.visitJumpInsn(Opcodes.IF_ICMPGT, next);
        e.loadThis();
        e.load(Type.INT_TYPE, 1);
        e.load(Type.INT_TYPE, 2);
        e.invokeVirtual(owner, "diagnose$" + p, "(II)I");
        e.returnValue(Type.INT_TYPE);
        e.mv.visitLabel(next);
      }
      e.push(-1);
      e.returnValue(Type.INT_TYPE);
      e.end();
    }
    Emitter t = new Emitter(cw, Opcodes.ACC_PROTECTED | Opcodes.ACC_FINAL, "anomalyTableText", "()Ljava/lang/String;");
    t.push(table(sourceFile));                            // chunked under the constant-pool limit by Emitter.push
    t.returnValue(Emitter.OBJECT);
    t.end();
  }

  /** {@code int name(int step, int i)}: a switch over the steps, calling their {@code d<k>(i)}; -1 for others. */
  private void dispatch(ClassVisitor cw, int access, String name, List<Step> chains) {
    Emitter e = new Emitter(cw, access, name, "(II)I");
    Label none = new Label();
    if (!chains.isEmpty()) {
      int[] keys = chains.stream().mapToInt(Step::index).toArray();
      Label[] labels = new Label[keys.length];
      for (int k = 0; k < keys.length; k++) labels[k] = new Label();
      e.load(Type.INT_TYPE, 1);
      e.mv.visitLookupSwitchInsn(none, keys, labels);
      for (int k = 0; k < keys.length; k++) {
        e.mv.visitLabel(labels[k]);
        e.loadThis();
        e.load(Type.INT_TYPE, 2);
        e.invokeVirtual(owner, "d" + keys[k], "(I)I");
        e.returnValue(Type.INT_TYPE);
      }
    }
    e.mv.visitLabel(none);
    e.push(-1);
    e.returnValue(Type.INT_TYPE);
    e.end();
  }

  /** The table's text (see {@code dev.modelc.runtime.api.AnomalyTable}). */
  String table(String sourceFile) {
    StringBuilder sb = new StringBuilder();
    if (sourceFile != null) sb.append("source ").append(sourceFile).append('\n');
    Set<Integer> backward = new HashSet<>(schedule.backward());
    for (Step s : schedule.steps()) {
      if (!checked(s)) continue;
      String kind = switch (s.kind()) {
        case LOOP -> "loop";
        case REDUCE -> "reduce";
        case ACCUMULATE -> "accumulate";
        case COPY -> "copy";
        case KERNEL -> s.hasEpilogueLoop() ? "epilogue" : "kernel";
      };
      List<String> ops = new ArrayList<>();
      if (diagnosable(s)) for (Node f : s.fused()) ops.add(op(f, ""));
      Node whole = s.kind() == Step.Kind.KERNEL ? s.computed() : s.node();
      String extra = s.bias() != null ? " + bias" : s.kind() == Step.Kind.ACCUMULATE
          ? " into the gradient of " + ClassEmitter.name(schedule.params().get(s.target().index())) : "";
      ops.add(op(whole, extra));
      sb.append("check ").append(s.index()).append(' ').append(backward.contains(s.index()) ? "backward" : "forward")
          .append(' ').append(kind).append(' ').append(s.target()).append(' ').append(Dims.count(s.node().shape()))
          .append(' ').append(s.kind() == Step.Kind.REDUCE ? Dims.count(s.node().in(0).shape()).toString() : "-")
          .append(' ').append(String.join(" ;; ", ops)).append('\n');
    }
    return sb.toString();
  }

  /** {@code 4:14 log %5}, or for an adjoint node {@code 3:14 div %12 (gradient of sqrt)}. */
  private String op(Node n, String extra) {
    String text = n.op.mnemonic() + " " + n.ref() + extra;
    if (n.stage == Phase.ADJOINT) {
      Node of = forwardAt.get(n.origin);
      if (of != null) text += " (gradient of " + of.op.mnemonic() + ")";
    }
    return n.origin + " " + text;
  }
}
