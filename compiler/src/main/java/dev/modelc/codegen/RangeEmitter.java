package dev.modelc.codegen;

import dev.modelc.runtime.kernels.RangeBody;
import dev.modelc.sched.Schedule;
import dev.modelc.sched.SplitLoops;
import dev.modelc.sched.Step;
import java.util.List;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * The loops a model on several threads splits ({@link SplitLoops}) as methods of ranges, and the {@link RangeBody}
 * the model class implements for {@code Parallel.forRange}:
 * <ol>
 *   <li>{@code private void r<k>(int from, int to)} for each such loop, the loop of step k over {@code [from, to)}
 *       ({@link LoopEmitter#emitRange});
 *   <li>{@code public void range(int loop, int from, int to)}: a switch on the loop's number, the step index k, calling
 *       {@code r<k>}; an unknown number throws {@link IllegalArgumentException}. With more than
 *       {@value #CASES_PER_METHOD} loops the cases are spread over {@code range$0}, {@code range$1}, ... and
 *       {@code range} picks one by comparing the number with each part's last, so that no method nears HotSpot's
 *       8,000-byte compilation limit.
 * </ol>
 */
final class RangeEmitter {
  static final int CASES_PER_METHOD = 256;
  private static final String RANGE = "(III)V";

  private RangeEmitter() {}

  /** The steps whose loops split, in step order (empty: the class does not implement {@link RangeBody}). */
  static List<Step> splitSteps(Schedule schedule) {
    return schedule.steps().stream().filter(s -> SplitLoops.splits(schedule, s)).toList();
  }

  /** Emits {@code r<k>} for each split step and the {@code range} dispatch. */
  static void emit(ClassWriter cw, Access access, Schedule schedule, List<Step> split) {
    for (Step s : split) {
      Emitter e = new Emitter(cw, Opcodes.ACC_PRIVATE, "r" + s.index(), "(II)V");
      e.line(s.node().origin);
      LoopEmitter.emitRange(e, access, schedule, s);
      e.returnVoid();
      e.end();
    }
    if (split.size() <= CASES_PER_METHOD) {
      dispatch(cw, access, Opcodes.ACC_PUBLIC, "range", split);
      return;
    }
    Emitter main = new Emitter(cw, Opcodes.ACC_PUBLIC, "range", RANGE);
    for (int p = 0; p * CASES_PER_METHOD < split.size(); p++) {
      List<Step> part = split.subList(p * CASES_PER_METHOD, Math.min(split.size(), (p + 1) * CASES_PER_METHOD));
      dispatch(cw, access, Opcodes.ACC_PRIVATE, "range$" + p, part);
      // if (loop <= last) { range$p(loop, from, to); return; }
      Label next = new Label();
      main.load(Type.INT_TYPE, 1);
      main.push(part.get(part.size() - 1).index());
      main.mv.visitJumpInsn(Opcodes.IF_ICMPGT, next);
      call(main, access, "range$" + p, RANGE, true);
      main.returnVoid();
      main.mv.visitLabel(next);
    }
    unknownLoop(main);
    main.end();
  }

  /** {@code switch (loop) { case k: r<k>(from, to); return; ... default: throw }}. */
  private static void dispatch(ClassWriter cw, Access access, int flags, String name, List<Step> cases) {
    Emitter e = new Emitter(cw, flags, name, RANGE);
    int[] keys = cases.stream().mapToInt(Step::index).toArray();
    Label[] labels = new Label[keys.length];
    for (int i = 0; i < labels.length; i++) labels[i] = new Label();
    Label unknown = new Label();
    e.load(Type.INT_TYPE, 1);
    e.mv.visitLookupSwitchInsn(unknown, keys, labels);
    for (int i = 0; i < keys.length; i++) {
      e.mv.visitLabel(labels[i]);
      call(e, access, "r" + keys[i], "(II)V", false);
      e.returnVoid();
    }
    e.mv.visitLabel(unknown);
    unknownLoop(e);
    e.end();
  }

  /** {@code this.name(from, to)} or, with {@code withLoop}, {@code this.name(loop, from, to)}. */
  private static void call(Emitter e, Access access, String name, String descriptor, boolean withLoop) {
    e.loadThis();
    if (withLoop) e.load(Type.INT_TYPE, 1);
    e.load(Type.INT_TYPE, 2);                      // range(int loop, int from, int to): from and to
    e.load(Type.INT_TYPE, 3);
    e.invokeVirtual(access.owner, name, descriptor);
  }

  /** {@code throw new IllegalArgumentException("no split loop " + loop)}. */
  private static void unknownLoop(Emitter e) {
    String iae = Type.getInternalName(IllegalArgumentException.class);
    e.newObject(iae);
    e.dup(Emitter.OBJECT);
    e.load(Type.INT_TYPE, 1);
    e.invokeStatic(String.class, "valueOf", "(I)Ljava/lang/String;");
    e.push("this model has no split loop ");
    e.mv.visitInsn(Opcodes.SWAP);
    e.invokeVirtual("java/lang/String", "concat", "(Ljava/lang/String;)Ljava/lang/String;");
    e.invokeSpecial(iae, "<init>", "(Ljava/lang/String;)V");
    e.mv.visitInsn(Opcodes.ATHROW);
  }
}
