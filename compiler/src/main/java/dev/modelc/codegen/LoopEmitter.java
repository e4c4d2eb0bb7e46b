package dev.modelc.codegen;

import dev.modelc.ir.Attr;
import dev.modelc.ir.Dims;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.runtime.api.Functions;
import dev.modelc.runtime.kernels.FloatMath;
import dev.modelc.runtime.kernels.Logistic;
import dev.modelc.runtime.kernels.Parallel;
import dev.modelc.runtime.kernels.RangeBody;
import dev.modelc.runtime.kernels.Team;
import dev.modelc.runtime.kernels.Workspace;
import dev.modelc.sched.Form;
import dev.modelc.sched.LogisticCalls;
import dev.modelc.sched.MaskCalls;
import dev.modelc.sched.Runs;
import dev.modelc.sched.Schedule;
import dev.modelc.sched.SplitLoops;
import dev.modelc.sched.Step;
import dev.modelc.types.Dim;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Emits one fused elementwise loop: {@code for (int i = 0; i < n; i++) out[i] (+)= expr}, where expr computes the
 * step's node with every INLINE node of its chain substituted. Each array is loaded into a local before the loop
 * and indexed by i alone, scalars (one-element broadcasts, sizes) are loaded before the loop, constants are
 * literals: the loop shape C2 vectorizes (int counted loop, stride 1, zero offsets, no calls for the common ops).
 *
 * <p>A loop reading a broadcast that is not a single element (a row vector over a matrix, a column over a matrix)
 * is a nest, {@code for (o < outer) for (j < inner)} with {@code i = o * inner + j}, the inner loop over the
 * broadcast's last run, and reads the broadcast's operand at {@code j} (repeated outer run) or {@code o} (repeated
 * inner run). A broadcast of three or four runs (a channel's value over {@code [b, c, h, w]}) is read at a base the
 * outer loop computes from {@code o} once per inner run ({@code o % c} for the channel), plus {@code j} when its last
 * run is copied.
 *
 * <p>After a kernel with an epilogue the loop reads the kernel's output (an EPILOGUE operand) from the step's own
 * target, element i before writing element i.
 *
 * <p>f32 arithmetic is done in float for the ops Java has; functions Java has only in double (exp, log, tanh, ...)
 * widen, call and round, which is exactly what the reference evaluator does after each op.
 */
final class LoopEmitter {
  private final Emitter e;
  private final Access access;
  private final Schedule schedule;
  private final Step step;
  private final Type t;
  private final Set<Node> fused;
  private final Map<Node, Integer> arrays = new IdentityHashMap<>();
  private final Map<Node, Integer> scalars = new IdentityHashMap<>();
  /** Inline broadcasts: the slot of the operand's array, read at the outer or the inner counter. */
  private final Map<Node, Integer> broadcasts = new java.util.LinkedHashMap<>();
  /** Inline broadcasts of three or four runs: the slot of their base, computed from the outer counter. */
  private final Map<Node, Integer> bases = new IdentityHashMap<>();
  /** Diagnosis only: the local holding each chain node's value once computed. */
  private final Map<Node, Integer> computed = new IdentityHashMap<>();
  /** Diagnosis of an epilogue: the kernel's output is read from the copy anomaly detection kept. */
  private boolean kernelFromScratch;
  private int index;
  private int outer;
  private int inner;

  private LoopEmitter(Emitter e, Access access, Schedule schedule, Step step) {
    this.e = e;
    this.access = access;
    this.schedule = schedule;
    this.step = step;
    this.t = Emitter.element(step.node().dtype());
    this.fused = new HashSet<>(step.fused());
  }

  static void emit(Emitter e, Access access, Schedule schedule, Step step) {
    LogisticCalls.Call call = LogisticCalls.of(schedule, step);
    MaskCalls.Call mask = MaskCalls.of(schedule, step);
    if (call != LogisticCalls.Call.NONE) {
      logisticCall(e, access, schedule, step, call);
    } else if (mask != null) {
      maskCall(e, access, schedule, step, mask);
    } else {
      new LoopEmitter(e, access, schedule, step).emit();
    }
  }

  /**
   * A step {@link MaskCalls} hands to the runtime: {@code Parallel.zeroWhereEqual(workspace, a, x, c, out, n)} (or
   * {@code mulGreater}, or {@code scaleUnlessGreater} with {@code s} after {@code c}), which is the {@code Masks}
   * call on one thread and splits it into element ranges on several.
   */
  private static void maskCall(Emitter e, Access access, Schedule schedule, Step step, MaskCalls.Call call) {
    Node n = step.node();
    Type t = Emitter.element(n.dtype());
    String arr = Emitter.array(n.dtype()).getDescriptor();
    boolean inPlace = schedule.inTarget(step, call.a());
    boolean scaled = call.kernel() == MaskCalls.Kernel.SCALE_UNLESS_GREATER;
    e.loadThis();
    e.getField(access.owner, "workspace", Type.getType(Workspace.class));
    access.array(e, inPlace ? step.target() : schedule.location(call.a()), n.dtype());
    access.array(e, inPlace && call.x() == call.a() ? step.target() : schedule.location(call.x()), n.dtype());
    e.push(call.c(), t);
    if (scaled) e.push(call.s(), t);   // rounded to the loop's precision, as the emitted product's constant
    access.array(e, step.target(), n.dtype());
    access.dim(e, Dims.count(n.shape()));
    e.invokeStatic(Parallel.class, call.kernel().method, "(" + Type.getDescriptor(Workspace.class) + arr + arr
        + t.getDescriptor() + (scaled ? t.getDescriptor() : "") + arr + "I)V");
  }

  /**
   * A step {@link LogisticCalls} hands to the runtime: {@code Logistic.sigmoid(x, out, n)}, or
   * {@code out[0] (+)= (t) Logistic.sumBceWithLogits(z, y, n)}.
   */
  private static void logisticCall(Emitter e, Access access, Schedule schedule, Step step,
                                   LogisticCalls.Call call) {
    Node n = step.node();
    Node f = step.fused().get(0);
    Type t = Emitter.element(n.dtype());
    String arr = Emitter.array(n.dtype()).getDescriptor();
    if (call != LogisticCalls.Call.SUM_BCE_WITH_LOGITS) {   // sigmoid, exp, erf: (x, out, n), x in place after a kernel
      boolean inPlace = LogisticCalls.inPlace(schedule, step);
      access.array(e, inPlace ? step.target() : schedule.location(f.in(0)), n.dtype());
      access.array(e, step.target(), n.dtype());
      access.dim(e, Dims.count(n.shape()));
      e.invokeStatic(Logistic.class, call.method, "(" + arr + arr + "I)V");
      return;
    }
    access.array(e, step.target(), n.dtype());
    e.push(0);
    if (step.accumulate()) {
      e.mv.visitInsn(Opcodes.DUP2);
      e.arrayLoad(t);
    }
    access.array(e, schedule.location(f.in(0)), n.dtype());
    access.array(e, schedule.location(f.in(1)), n.dtype());
    access.dim(e, Dims.count(f.shape()));
    e.invokeStatic(Logistic.class, "sumBceWithLogits", "(" + arr + arr + "I)D");
    e.cast(Type.DOUBLE_TYPE, t);
    if (step.accumulate()) e.math(Opcodes.IADD, t);
    e.arrayStore(t);
  }

  /**
   * The step's loop. A loop {@link SplitLoops} may split becomes {@code if (workspace.team() != null)
   * Parallel.forRange(workspace, this, k, rows, perRow, cost); else <the loop>}: on one thread the loop runs inline
   * exactly as it would unsplit, on several its body runs in {@code r<k>(from, to)}
   * ({@link #emitRange}) through the class's {@code range} method ({@link RangeEmitter}).
   */
  private void emit() {
    if (!SplitLoops.splits(schedule, step)) {
      inline();
      return;
    }
    Type ws = Type.getType(Workspace.class);
    Label serial = new Label();
    Label done = new Label();
    e.loadThis();
    e.getField(access.owner, "workspace", ws);
    e.invokeVirtual(ws.getInternalName(), "team", "()" + Type.getDescriptor(Team.class));
    e.mv.visitJumpInsn(Opcodes.IFNULL, serial);
    e.loadThis();
    e.getField(access.owner, "workspace", ws);
    e.loadThis();
    e.push(step.index());
    List<Dim> rows = SplitLoops.rows(schedule, step);
    access.dim(e, rows.get(0));
    access.dim(e, rows.get(1));
    e.push(SplitLoops.cost(step));
    e.invokeStatic(Parallel.class, "forRange",
        "(" + ws.getDescriptor() + Type.getDescriptor(RangeBody.class) + "IIII)V");
    e.mv.visitJumpInsn(Opcodes.GOTO, done);
    e.mv.visitLabel(serial);
    inline();
    e.mv.visitLabel(done);
  }

  /** The loop over all elements: {@code for (i < n)}, or the nest {@code for (o < outer) for (j < inner)}. */
  private void inline() {
    int out = prologue();
    java.util.function.IntConsumer body = body(out);
    if (broadcasts.isEmpty()) {
      int n = e.newLocal(Type.INT_TYPE);
      access.dim(e, Dims.count(step.node().shape()));
      e.store(Type.INT_TYPE, n);
      e.countedLoop(n, body);
      return;
    }
    // for (o < outer) for (j < inner) { i = o * inner + j; ... }: broadcasts read their operand at o or j
    List<Dim> split = Runs.loopSplit(broadcasts.keySet().iterator().next());
    int i = e.newLocal(Type.INT_TYPE);
    e.push(0);
    e.store(Type.INT_TYPE, i);
    int outerLimit = e.newLocal(Type.INT_TYPE);
    access.dim(e, split.get(0));
    e.store(Type.INT_TYPE, outerLimit);
    int innerLimit = e.newLocal(Type.INT_TYPE);
    access.dim(e, split.get(1));
    e.store(Type.INT_TYPE, innerLimit);
    e.countedLoop(outerLimit, o -> {
      computeBases(o);
      e.countedLoop(innerLimit, j -> nestBody(body, i, o, j));
    });
  }

  /**
   * Emits the body of {@code void r<k>(int from, int to)} for a loop {@link SplitLoops} splits: the step's loop over
   * the indices {@code [from, to)}, elements of a flat loop or outer indices of a nest (then from
   * {@code i = from * inner}), with the same body as the inline loop.
   */
  static void emitRange(Emitter e, Access access, Schedule schedule, Step step) {
    new LoopEmitter(e, access, schedule, step).range();
  }

  private void range() {
    int from = 1;
    int to = 2;
    int out = prologue();
    java.util.function.IntConsumer body = body(out);
    if (broadcasts.isEmpty()) {
      e.rangeLoop(from, to, body);
      return;
    }
    int innerLimit = e.newLocal(Type.INT_TYPE);
    access.dim(e, SplitLoops.rows(schedule, step).get(1));
    e.store(Type.INT_TYPE, innerLimit);
    int i = e.newLocal(Type.INT_TYPE);
    e.load(Type.INT_TYPE, from);
    e.load(Type.INT_TYPE, innerLimit);
    e.math(Opcodes.IMUL, Type.INT_TYPE);
    e.store(Type.INT_TYPE, i);
    e.rangeLoop(from, to, o -> {
      computeBases(o);
      e.countedLoop(innerLimit, j -> nestBody(body, i, o, j));
    });
  }

  /**
   * Stores, for each inline broadcast of three or four runs, the position in its operand of outer index o: the sum
   * over the copied runs before the last of the run's counter (o divided by the runs after it, modulo its length)
   * times the copied elements after it.
   */
  private void computeBases(int o) {
    for (Node x : bases.keySet()) {
      Runs r = Runs.ofBroadcast(x);
      int n = r.count();
      e.push(0);
      for (int k = 0; k < n - 1; k++) {
        if (r.flagged(k)) continue;
        Dim after = r.product(k + 1, n - 1);
        Dim stride = Dim.of(1);
        for (int m = k + 1; m < n; m++) {
          if (!r.flagged(m)) stride = stride.times(r.dim(m));
        }
        e.load(Type.INT_TYPE, o);
        if (!after.equals(Dim.of(1))) {
          access.dim(e, after);
          e.math(Opcodes.IDIV, Type.INT_TYPE);
        }
        if (k > 0) {
          access.dim(e, r.dim(k));
          e.math(Opcodes.IREM, Type.INT_TYPE);
        }
        if (!stride.equals(Dim.of(1))) {
          access.dim(e, stride);
          e.math(Opcodes.IMUL, Type.INT_TYPE);
        }
        e.math(Opcodes.IADD, Type.INT_TYPE);
      }
      e.store(Type.INT_TYPE, bases.get(x));
    }
  }

  /** Loads the target and the operands' arrays and scalars into locals; returns the target's slot. */
  private int prologue() {
    Type arrayType = Emitter.array(step.node().dtype());
    access.array(e, step.target(), step.node().dtype());
    int out = e.newLocal(arrayType);
    e.store(arrayType, out);
    for (Node f : step.fused()) {
      for (Node x : f.inputs) prepareOperand(x);
    }
    return out;
  }

  /** {@code out[i] (+)= expr} with i in the given slot. */
  private java.util.function.IntConsumer body(int out) {
    Type arrayType = Emitter.array(step.node().dtype());
    return i -> {
      index = i;
      e.load(arrayType, out);
      e.load(Type.INT_TYPE, i);
      if (step.accumulate()) {
        e.mv.visitInsn(Opcodes.DUP2);
        e.arrayLoad(t);
      }
      expr(step.node());
      if (step.accumulate()) e.math(Opcodes.IADD, t);
      e.arrayStore(t);
    };
  }

  /** One element of a nest: the body at element i, read broadcasts at o or j, then {@code i++}. */
  private void nestBody(java.util.function.IntConsumer body, int i, int o, int j) {
    outer = o;
    inner = j;
    body.accept(i);
    e.mv.visitIincInsn(i, 1);
  }

  /** Emits a REDUCE step: the sum of its operand's chain, computed element by element inside the loop nest. */
  static void emitSum(Emitter e, Access access, Schedule schedule, Step step) {
    LogisticCalls.Call call = LogisticCalls.of(schedule, step);
    if (call != LogisticCalls.Call.NONE) {
      logisticCall(e, access, schedule, step, call);
    } else {
      new LoopEmitter(e, access, schedule, step).sum();
    }
  }

  /**
   * {@code for kept a, b: acc = 0; for reduced i, j: acc += chain[base + i*sra + j*srb]; out[o++] (+)= acc}: the
   * loop order and the double accumulator of the runtime's reduction loop, so the result is the same to the bit.
   */
  private void sum() {
    Node reduce = step.node();
    Runs r = Runs.ofReduction(reduce, ((Attr.Axes) reduce.attr).axes());
    if (!r.fitsFour()) throw new IllegalStateException("sum " + reduce + " of more than four runs fused (FusionPlan)");
    Type arrayType = Emitter.array(reduce.dtype());
    access.array(e, step.target(), reduce.dtype());
    int out = e.newLocal(arrayType);
    e.store(arrayType, out);
    for (Node f : step.fused()) {
      for (Node x : f.inputs) prepareOperand(x);
    }
    int kept0 = r.firstFlag() ? 1 : 0;
    int kept1 = kept0 + 2;
    int red0 = r.firstFlag() ? 0 : 1;
    int red1 = red0 + 2;
    int o = e.newLocal(Type.INT_TYPE);
    e.push(0);
    e.store(Type.INT_TYPE, o);
    int acc = e.newLocal(Type.DOUBLE_TYPE);
    index = e.newLocal(Type.INT_TYPE);
    // inline broadcasts: their split falls on a boundary k of the runs (FusionPlan), so the runs before k give
    // the outer position and the runs from k the inner one
    int k = broadcasts.isEmpty() ? -1 : Runs.splitRun(r, Runs.loopSplit(broadcasts.keySet().iterator().next()));
    if (!broadcasts.isEmpty()) {
      if (k < 0) throw new IllegalStateException("a broadcast in sum " + reduce + " does not split at its runs");
      if (!bases.isEmpty()) throw new IllegalStateException("a broadcast of more than two runs in sum " + reduce);
      outer = e.newLocal(Type.INT_TYPE);
      inner = e.newLocal(Type.INT_TYPE);
    }
    loop(r.dim(kept0), a -> loop(r.dim(kept1), b -> {
      e.push(0, Type.DOUBLE_TYPE);
      e.store(Type.DOUBLE_TYPE, acc);
      loop(r.dim(red0), i -> loop(r.dim(red1), j -> {
        int[][] terms = {{a, kept0}, {b, kept1}, {i, red0}, {j, red1}};
        linear(terms, r, 0, 4, index);
        if (k >= 0) {
          linear(terms, r, 0, k, outer);
          linear(terms, r, k, 4, inner);
        }
        expr(reduce.in(0));
        e.cast(t, Type.DOUBLE_TYPE);
        e.load(Type.DOUBLE_TYPE, acc);
        e.math(Opcodes.IADD, Type.DOUBLE_TYPE);
        e.store(Type.DOUBLE_TYPE, acc);
      }));
      e.load(arrayType, out);
      e.load(Type.INT_TYPE, o);
      if (step.accumulate()) {
        e.mv.visitInsn(Opcodes.DUP2);
        e.arrayLoad(t);
      }
      e.load(Type.DOUBLE_TYPE, acc);
      e.cast(Type.DOUBLE_TYPE, t);
      if (step.accumulate()) e.math(Opcodes.IADD, t);
      e.arrayStore(t);
      e.mv.visitIincInsn(o, 1);
    }));
  }

  /**
   * {@code slot = sum of counter * (product of the runs after its own, up to run to)} over the terms
   * ({@code {counter slot, run}}, a counter of -1 being a run of one) whose run is in {@code [from, to)}: the
   * row-major position within runs {@code [from, to)} taken as a shape of their own.
   */
  private void linear(int[][] terms, Runs r, int from, int to, int slot) {
    e.push(0);
    for (int[] term : terms) {
      if (term[0] < 0 || term[1] < from || term[1] >= to) continue;
      Dim coefficient = r.product(term[1] + 1, to);
      e.load(Type.INT_TYPE, term[0]);
      if (!coefficient.equals(Dim.of(1))) {
        access.dim(e, coefficient);
        e.math(Opcodes.IMUL, Type.INT_TYPE);
      }
      e.math(Opcodes.IADD, Type.INT_TYPE);
    }
    e.store(Type.INT_TYPE, slot);
  }

  /**
   * Emits the body of {@code int d<k>(int i)} for anomaly detection: computes each node of the step's chain at
   * element i (of the loop's output; of the summed operand for a REDUCE step), in order, and returns the position
   * of the first that is not finite after storing its value in {@code anomalyValue}; -1 when every one is finite.
   * An epilogue's kernel output is read from {@code anomalyScratch}, the copy taken before the chain overwrote it.
   */
  static void emitDiagnosis(Emitter e, Access access, Schedule schedule, Step step) {
    new LoopEmitter(e, access, schedule, step).diagnosis();
  }

  private void diagnosis() {
    kernelFromScratch = step.kind() == Step.Kind.KERNEL;
    for (Node f : step.fused()) {
      for (Node x : f.inputs) prepareOperand(x);
    }
    index = 1;
    if (!broadcasts.isEmpty()) {
      List<Dim> split = Runs.loopSplit(broadcasts.keySet().iterator().next());
      int innerLength = e.newLocal(Type.INT_TYPE);
      access.dim(e, split.get(1));
      e.store(Type.INT_TYPE, innerLength);
      outer = e.newLocal(Type.INT_TYPE);
      inner = e.newLocal(Type.INT_TYPE);
      for (int[] part : new int[][] {{outer, Opcodes.IDIV}, {inner, Opcodes.IREM}}) {
        e.load(Type.INT_TYPE, index);
        e.load(Type.INT_TYPE, innerLength);
        e.math(part[1], Type.INT_TYPE);
        e.store(Type.INT_TYPE, part[0]);
      }
      computeBases(outer);
    }
    String finite = t.getSort() == Type.FLOAT ? "(F)Z" : "(D)Z";
    Class<?> box = t.getSort() == Type.FLOAT ? Float.class : Double.class;
    for (int p = 0; p < step.fused().size(); p++) {
      Node f = step.fused().get(p);
      if (!f.dtype().isFloat()) continue; // an int (batch_norm's counter) is always finite; computed where used
      expr(f);
      int slot = e.newLocal(t);
      e.store(t, slot);
      computed.put(f, slot);
      e.load(t, slot);
      e.invokeStatic(box, "isFinite", finite);
      Label next = new Label();
      e.mv.visitJumpInsn(Opcodes.IFNE, next);
      e.loadThis();
      e.load(t, slot);
      e.cast(t, Type.DOUBLE_TYPE);
      e.putField(access.owner, "anomalyValue", Type.DOUBLE_TYPE);
      e.push(p);
      e.returnValue(Type.INT_TYPE);
      e.mv.visitLabel(next);
    }
    e.push(-1);
    e.returnValue(Type.INT_TYPE);
  }

  /** A counted loop over a run, passing its counter's slot; a run of constant length 1 is no loop (slot -1). */
  private void loop(Dim length, java.util.function.IntConsumer body) {
    if (length.equals(Dim.of(1))) {
      body.accept(-1);
      return;
    }
    int limit = e.newLocal(Type.INT_TYPE);
    access.dim(e, length);
    e.store(Type.INT_TYPE, limit);
    e.countedLoop(limit, body);
  }

  /** Loads arrays and scalars an operand needs into locals before the loop. */
  private void prepareOperand(Node x) {
    if (fused.contains(x) || arrays.containsKey(x) || scalars.containsKey(x) || broadcasts.containsKey(x)) return;
    Form form = schedule.form(x);
    if (form == Form.INLINE && x.op == Op.CONSTANT) return;
    if (form == Form.EPILOGUE) { // the kernel's output, already in the step's target: the loop runs in place
      Type at = Emitter.array(x.dtype());
      if (kernelFromScratch) {
        e.loadThis();
        e.getField(access.owner, "anomalyScratch", Emitter.OBJECT);
        e.checkCast(at);
      } else {
        access.array(e, step.target(), x.dtype());
      }
      int slot = e.newLocal(at);
      e.store(at, slot);
      arrays.put(x, slot);
      return;
    }
    Type xt = Emitter.element(x.dtype());
    if (form == Form.INLINE && x.op == Op.SIZE) {
      access.dim(e, ((Attr.Size) x.attr).dim());
      e.cast(Type.INT_TYPE, xt);
      int slot = e.newLocal(xt);
      e.store(xt, slot);
      scalars.put(x, slot);
    } else if (form == Form.INLINE && x.op == Op.TRAINING) {
      access.training(e);
      e.cast(Type.DOUBLE_TYPE, xt);
      int slot = e.newLocal(xt);
      e.store(xt, slot);
      scalars.put(x, slot);
    } else if (form == Form.INLINE && x.op == Op.BROADCAST_TO && !isScalar(x)) {
      Node source = x.in(0);
      Type at = Emitter.array(source.dtype());
      access.array(e, schedule.location(source), source.dtype());
      int slot = e.newLocal(at);
      e.store(at, slot);
      broadcasts.put(x, slot);
      if (Runs.ofBroadcast(x).count() > 2) bases.put(x, e.newLocal(Type.INT_TYPE));
    } else if (form == Form.INLINE) {
      Node source = x.in(0);
      access.array(e, schedule.location(source), source.dtype());
      e.push(0);
      e.arrayLoad(xt);
      int slot = e.newLocal(xt);
      e.store(xt, slot);
      scalars.put(x, slot);
    } else {
      Type at = Emitter.array(x.dtype());
      access.array(e, schedule.location(x), x.dtype());
      int slot = e.newLocal(at);
      e.store(at, slot);
      arrays.put(x, slot);
    }
  }

  private static boolean isScalar(Node broadcast) {
    Dim c = Dims.count(broadcast.in(0).shape());
    return c.isConstant() && c.coefficient() == 1;
  }

  private void operand(Node x, boolean wide) {
    Type xt = Emitter.element(x.dtype());
    if (fused.contains(x)) {
      if (computed.containsKey(x)) e.load(xt, computed.get(x));
      else expr(x);
    } else if (x.op == Op.CONSTANT && schedule.form(x) == Form.INLINE) {
      e.push(x.constantValue(), xt);
    } else if (scalars.containsKey(x)) {
      e.load(xt, scalars.get(x));
    } else if (broadcasts.containsKey(x)) {
      e.load(Emitter.array(x.dtype()), broadcasts.get(x));
      Runs r = Runs.ofBroadcast(x);
      if (bases.containsKey(x)) {
        e.load(Type.INT_TYPE, bases.get(x));
        if (!r.flagged(r.count() - 1)) {
          e.load(Type.INT_TYPE, inner);
          e.math(Opcodes.IADD, Type.INT_TYPE);
        }
      } else {
        e.load(Type.INT_TYPE, r.firstFlag() ? inner : outer);
      }
      e.arrayLoad(xt);
    } else {
      e.load(Emitter.array(x.dtype()), arrays.get(x));
      e.load(Type.INT_TYPE, index);
      e.arrayLoad(xt);
    }
    if (wide) e.cast(xt, Type.DOUBLE_TYPE);
  }

  /** Leaves the value of fused node n (of type t) on the stack. */
  private void expr(Node n) {
    Runnable code = switch (n.op) {
      case NEG -> () -> arith(n, Opcodes.INEG);
      case ADD -> () -> arith(n, Opcodes.IADD);
      case MUL -> () -> arith(n, Opcodes.IMUL);
      case DIV -> () -> arith(n, Opcodes.IDIV);
      case STOP_GRADIENT -> () -> operand(n.in(0), false);
      case TO_FLOAT -> () -> { // an int operand, widened (exact) and rounded to t
        operand(n.in(0), true);
        e.cast(Type.DOUBLE_TYPE, t);
      };
      case POW -> () -> {
        if (n.in(1).isConstant(2)) {
          operand(n.in(0), false);
          e.dup(t);
          e.math(Opcodes.IMUL, t);
        } else if (n.in(1).op == Op.CONSTANT) {
          call(n, Functions.class, "powScalar", "(DD)D");   // a number exponent: PyTorch's scalar pow
        } else {
          call(n, Math.class, "pow", "(DD)D");
        }
      };
      case EXP -> () -> floatOrDouble(n, "expf", f32(Math.class), "exp");
      case LOG -> () -> call(n, f32(Math.class), "log", "(D)D");
      case SQRT -> () -> call(n, Math.class, "sqrt", "(D)D");
      case SIN -> () -> call(n, Math.class, "sin", "(D)D");
      case COS -> () -> call(n, Math.class, "cos", "(D)D");
      case TANH -> () -> call(n, f32(Math.class), "tanh", "(D)D");
      case SIGMOID -> () -> call(n, f32(Functions.class), "sigmoid", "(D)D");
      case ERF -> () -> floatOrDouble(n, "erf", Functions.class, "erf");
      case GREATER -> () -> exact(n, "greater");
      case EQUAL -> () -> exact(n, "equal");
      case SELECT -> () -> {
        if (invariant(n.in(0))) branch(n);
        else exact(n, "select");
      };
      case BCE -> () -> {   // an input outside [0, 1] fails as in PyTorch, at the call's place in the source
        for (Node x : n.inputs) operand(x, true);
        e.push(access.site(n, "bce"));
        e.invokeStatic(Functions.class, "bce", "(DDLjava/lang/String;)D");
        e.cast(Type.DOUBLE_TYPE, t);
      };
      case BCE_WITH_LOGITS -> () -> call(n, f32(Functions.class), "bceWithLogits", "(DD)D");
      case ABS -> () -> native1(n, "abs");
      case SIGN -> () -> exact(n, "sign");
      case MAXIMUM -> () -> native2(n, "max");
      case MINIMUM -> () -> native2(n, "min");
      case RELU -> () -> {
        operand(n.in(0), false);
        e.push(0, t);
        e.invokeStatic(Math.class, "max", "(" + t.getDescriptor() + t.getDescriptor() + ")" + t.getDescriptor());
      };
      case LEAKY_RELU -> () -> {   // in the node's own precision, the slope rounded to it (PyTorch's kernels)
        Type nt = Emitter.element(n.dtype());
        operand(n.in(0), false);
        e.push(((Attr.Value) n.attr).value(), nt);
        e.invokeStatic(Functions.class, "leakyRelu", "(" + nt.getDescriptor() + nt.getDescriptor() + ")"
            + nt.getDescriptor());
        e.cast(nt, t);
      };
      case SOFTPLUS -> () -> {
        Attr.Softplus p = (Attr.Softplus) n.attr;
        operand(n.in(0), true);
        e.push(p.beta(), Type.DOUBLE_TYPE);
        e.push(p.threshold(), Type.DOUBLE_TYPE);
        e.invokeStatic(Functions.class, "softplus", "(DDD)D");
        e.cast(Type.DOUBLE_TYPE, t);
      };
      case INPUT, PARAM, CONSTANT, SIZE, TRAINING, BROADCAST_TO, RESHAPE, PERMUTE, SLICE, SLICE_BACKWARD, REDUCE_SUM, REDUCE_MAX, REDUCE_AMAX,
          REDUCE_MAX_ALL, LOGSUMEXP, LOG_SOFTMAX, MATMUL, CONV2D, CONV2D_BACKWARD_INPUT, CONV2D_BACKWARD_WEIGHT, MAXPOOL2D,
          MAXPOOL2D_BACKWARD, MAXPOOL2D_GATHER, AVGPOOL2D, AVGPOOL2D_BACKWARD, FIRST_MAX, ONE_HOT, GATHER, SCATTER_ADD,
          DROPOUT ->
          throw new IllegalStateException(n.op.mnemonic() + " is not an elementwise op: it is read as an operand");
    };
    code.run();
  }

  /** The operands, then the opcode of the node's own type (an i32 add inside a float loop adds ints). */
  private void arith(Node n, int intOpcode) {
    for (Node x : n.inputs) operand(x, false);
    e.math(intOpcode, Emitter.element(n.dtype()));
  }

  /**
   * The owner of exp, log, tanh, sigmoid and bce_with_logits: in f32 loops {@link FloatMath}, whose results
   * rounded to float are within 1 ulp of the double routines' and cost less; in f64 loops {@code owner} itself.
   */
  private Class<?> f32(Class<?> owner) {
    return t == Type.FLOAT_TYPE ? FloatMath.class : owner;
  }

  /** A double function: widen the operands, call, round back. */
  private void call(Node n, Class<?> owner, String name, String descriptor) {
    for (Node x : n.inputs) operand(x, true);
    e.invokeStatic(owner, name, descriptor);
    e.cast(Type.DOUBLE_TYPE, t);
  }

  /**
   * An f32 node by FloatMath's float function ({@code (F)F}, the bits of Logistic's array loop of it), an f64 one by
   * {@code owner.name(D)D}.
   */
  private void floatOrDouble(Node n, String floatName, Class<?> owner, String name) {
    if (Emitter.element(n.dtype()) == Type.FLOAT_TYPE) {
      operand(n.in(0), false);
      e.invokeStatic(FloatMath.class, floatName, "(F)F");
      e.cast(Type.FLOAT_TYPE, t);
    } else {
      call(n, owner, name, "(D)D");
    }
  }

  /** Whether x has one value for the whole loop: a scalar loaded before it or an inlined constant. */
  private boolean invariant(Node x) {
    return !fused.contains(x) && (scalars.containsKey(x) || x.op == Op.CONSTANT && schedule.form(x) == Form.INLINE);
  }

  /**
   * A select whose condition is the same for every element (batch_norm's TRAINING: the batch's statistics in a
   * training pass, the running ones in predict) as a branch that computes only the chosen operand's chain: C2
   * unswitches the loop on it, where the bitwise select ({@code Functions.select}) computed both chains for every
   * element. The same value either way: the bits of the chosen operand (a NaN condition chooses the first, as
   * {@code c != 0} does).
   */
  private void branch(Node n) {
    Type nt = Emitter.element(n.dtype());
    Type ct = Emitter.element(n.in(0).dtype());
    operand(n.in(0), false);
    if (ct.getSort() == Type.FLOAT) {
      e.push(0, ct);
      e.mv.visitInsn(Opcodes.FCMPL);
    } else if (ct.getSort() == Type.DOUBLE) {
      e.push(0, ct);
      e.mv.visitInsn(Opcodes.DCMPL);
    }
    Label second = new Label();
    Label done = new Label();
    e.mv.visitJumpInsn(Opcodes.IFEQ, second);
    operand(n.in(1), false);
    e.mv.visitJumpInsn(Opcodes.GOTO, done);
    e.mv.visitLabel(second);
    operand(n.in(2), false);
    e.mv.visitLabel(done);
    e.cast(nt, t);
  }

  /**
   * An exact {@link Functions} method (a comparison, select, sign) in the node's own width: no widening, since the
   * float and double versions give the same values.
   */
  private void exact(Node n, String name) {
    Type nt = Emitter.element(n.dtype());
    for (Node x : n.inputs) operand(x, false);
    e.invokeStatic(Functions.class, name, "(" + nt.getDescriptor().repeat(n.inputs.size()) + ")" + nt.getDescriptor());
    e.cast(nt, t);
  }

  /** A Math function that has a float overload. */
  private void native1(Node n, String name) {
    operand(n.in(0), false);
    e.invokeStatic(Math.class, name, "(" + t.getDescriptor() + ")" + t.getDescriptor());
  }

  private void native2(Node n, String name) {
    operand(n.in(0), false);
    operand(n.in(1), false);
    e.invokeStatic(Math.class, name, "(" + t.getDescriptor() + t.getDescriptor() + ")" + t.getDescriptor());
  }
}
