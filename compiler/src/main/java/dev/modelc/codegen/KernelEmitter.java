package dev.modelc.codegen;

import dev.modelc.ir.Attr;
import dev.modelc.ir.Dims;
import dev.modelc.ir.IrException;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.runtime.kernels.Buffers;
import dev.modelc.runtime.kernels.Conv2dShape;
import dev.modelc.runtime.kernels.Dropout;
import dev.modelc.runtime.kernels.Epilogue;
import dev.modelc.runtime.kernels.Gather;
import dev.modelc.runtime.kernels.LogSoftmax;
import dev.modelc.runtime.kernels.MatMul;
import dev.modelc.runtime.kernels.Movement;
import dev.modelc.runtime.kernels.OneHot;
import dev.modelc.runtime.kernels.Parallel;
import dev.modelc.runtime.kernels.Pooling;
import dev.modelc.runtime.kernels.Reductions;
import dev.modelc.runtime.kernels.Workspace;
import dev.modelc.sched.Form;
import dev.modelc.sched.Location;
import dev.modelc.sched.PermuteRuns;
import dev.modelc.sched.Runs;
import dev.modelc.sched.Schedule;
import dev.modelc.sched.Step;
import dev.modelc.sched.StridedWalk;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.Type;

/**
 * Emits a KERNEL or ACCUMULATE step: one call into the runtime jar with the operands' arrays and sizes. Matrix
 * products and convolutions go to {@code dev.modelc.runtime.kernels} (a transposing VIEW becomes the kernel's
 * transposition flag); reductions, broadcasts, permutes, slices, log-softmax, one-hot and pooling go to the loops of
 * {@code dev.modelc.runtime.kernels} ({@link Reductions}, {@link Movement}, {@link LogSoftmax}, {@link OneHot},
 * {@link Pooling}) with their shapes merged into at most four alternating runs here, at compile time; a reduction,
 * broadcast, permute or slice whose shape needs more goes to the any-rank loop of {@link Movement} or
 * {@link Reductions}, its runs or walk ({@link StridedWalk}) in an int table of the class ({@link IntTables}).
 * Products, convolutions, max pooling and four-run reductions are called through {@link Parallel} with the
 * instance's workspace, which runs them on the model's threads when it has more than one.
 */
final class KernelEmitter {
  private final Emitter e;
  private final Access access;
  private final Schedule schedule;
  private final Step step;
  private final Node n;
  private final Type t;
  private final String arr;
  private int convSlot;
  /**
   * Whether this is predict's variant of the step: a max pooling then records no argmax, and a product by a
   * parameter's transpose reads the model's kept transpose ({@link #hasPredictForm}).
   */
  private final boolean predict;

  private KernelEmitter(Emitter e, Access access, Schedule schedule, Step step, int convSlot, boolean predict) {
    this.e = e;
    this.access = access;
    this.schedule = schedule;
    this.step = step;
    this.n = step.computed();
    this.t = Emitter.element(n.dtype());
    this.arr = Emitter.array(n.dtype()).getDescriptor();
    this.convSlot = convSlot;
    this.predict = predict;
  }

  /** Emits the step; returns how many convolution geometry slots it used. */
  static int emit(Emitter e, Access access, Schedule schedule, Step step, int convSlot) {
    return emit(e, access, schedule, step, convSlot, false);
  }

  /**
   * Whether predict runs a variant of the step: a max pooling that records its argmax (inference records none), or
   * a product {@code x W^T} by a parameter W (inference reads the transpose the model keeps while its parameters do
   * not change, {@code CompiledModel.productWithWeight}).
   */
  static boolean hasPredictForm(Schedule schedule, Step step) {
    return schedule.writesArgmax(step) || weight(schedule, step) >= 0;
  }

  /** Emits predict's variant of a step with {@link #hasPredictForm}. */
  static void emitForPredict(Emitter e, Access access, Schedule schedule, Step step) {
    if (!hasPredictForm(schedule, step)) throw new IllegalArgumentException("s" + step.index() + " has no predict form");
    emit(e, access, schedule, step, 0, true);
  }

  /** The parameter whose transpose is a non-batched product step's B, or -1. */
  private static int weight(Schedule schedule, Step step) {
    if (step.kind() != Step.Kind.KERNEL || step.computed().op != Op.MATMUL || step.computed().rank() != 2) return -1;
    Node b = step.computed().in(1);
    if (schedule.form(b) != Form.VIEW) return -1;
    Location at = schedule.location(b.in(0));
    return at.kind() == Location.Kind.PARAM && b.in(0).rank() == 2 ? at.index() : -1;
  }

  private static int emit(Emitter e, Access access, Schedule schedule, Step step, int convSlot, boolean predict) {
    KernelEmitter k = new KernelEmitter(e, access, schedule, step, convSlot, predict);
    k.emit();
    if (step.bias() != null && step.computed().op == Op.MATMUL) k.biasPerColumn();
    if (step.hasEpilogueLoop()) {
      AnomalyEmitter.afterKernel(e, access.owner, step);
      LoopEmitter.emit(e, access, schedule, step);
    }
    return k.convSlot - convSlot;
  }

  private void emit() {
    if (step.kind() == Step.Kind.COPY) {
      in(n);
      e.push(0);
      out();
      e.push(0);
      access.dim(e, Dims.count(n.shape()));
      e.invokeStatic(System.class, "arraycopy", "(Ljava/lang/Object;ILjava/lang/Object;II)V");
      return;
    }
    if (step.kind() == Step.Kind.ACCUMULATE) {
      in(n);
      out();
      access.dim(e, Dims.count(n.shape()));
      e.invokeStatic(Buffers.class, "accumulate", "(" + arr + arr + "I)V");
      return;
    }
    Runnable kernel = switch (n.op) {
      case CONSTANT, SIZE, TRAINING -> this::fill;
      case BROADCAST_TO -> this::broadcast;
      case PERMUTE -> this::permute;
      case SLICE, SLICE_BACKWARD -> this::slice;
      case REDUCE_SUM, REDUCE_MAX, REDUCE_AMAX, REDUCE_MAX_ALL, LOGSUMEXP -> this::reduce;
      case LOG_SOFTMAX, FIRST_MAX -> this::logSoftmax;
      case ONE_HOT -> this::oneHot;
      case GATHER, SCATTER_ADD -> this::gather;
      case DROPOUT -> this::dropout;
      case MATMUL -> this::matmul;
      case CONV2D, CONV2D_BACKWARD_INPUT, CONV2D_BACKWARD_WEIGHT -> this::conv;
      case MAXPOOL2D, AVGPOOL2D, MAXPOOL2D_BACKWARD, MAXPOOL2D_GATHER, AVGPOOL2D_BACKWARD -> this::pool;
      case INPUT, PARAM -> throw notAKernel("is bound by name, not computed");
      case RESHAPE -> throw notAKernel("shares its operand's storage (an alias), so no step computes it");
      case NEG, EXP, LOG, SQRT, ABS, SIN, COS, TANH, SIGMOID, ERF, RELU, LEAKY_RELU, SOFTPLUS, SIGN, STOP_GRADIENT, TO_FLOAT,
          ADD, MUL, DIV, POW, MAXIMUM, MINIMUM, GREATER, EQUAL, SELECT, BCE, BCE_WITH_LOGITS ->
          throw notAKernel("is elementwise: a loop step computes it (LoopEmitter)");
    };
    kernel.run();
  }

  /** An op no kernel step computes, reaching one anyway: a scheduler bug, located at the op's source. */
  private IrException notAKernel(String why) {
    return new IrException(n.op.mnemonic() + " is not supported by the code generator as a kernel: it " + why,
        n.origin);
  }

  /** The epilogue's bias over the columns of the product just written: {@code out[r, j] += bias[j]}. */
  private void biasPerColumn() {
    List<Dim> dims = Dims.dims(n.shape());
    e.loadThis();
    e.getField(access.owner, "workspace", Type.getType(Workspace.class));
    out();
    e.push(0);
    access.dim(e, dims.get(0));
    access.dim(e, dims.get(1));
    in(step.bias());
    e.invokeStatic(Epilogue.class, "addBiasPerColumn",
        "(" + Type.getDescriptor(Workspace.class) + arr + "II" + "I" + arr + ")V");
  }

  private void in(Node x) {
    Node stored = schedule.form(x) == Form.VIEW ? x.in(0) : x;
    access.array(e, schedule.location(stored), stored.dtype());
  }

  private void out() {
    access.array(e, step.target(), n.dtype());
  }

  private void fill() {
    out();
    access.dim(e, Dims.count(n.shape()));
    if (n.op == Op.SIZE) {
      access.dim(e, ((Attr.Size) n.attr).dim());
      e.cast(Type.INT_TYPE, Type.DOUBLE_TYPE);
    } else if (n.op == Op.TRAINING) {
      access.training(e);
    } else {
      e.push(n.constantValue(), Type.DOUBLE_TYPE);
    }
    e.invokeStatic(Buffers.class, "fill", "(" + arr + "ID)V");
  }

  private void pushRuns(Runs r) {
    for (Dim d : r.dims()) access.dim(e, d);
    e.push(r.firstFlag());
  }

  private void broadcast() {
    Runs r = Runs.ofBroadcast(n);
    if (!r.fitsFour()) {
      strided("strided", StridedWalk.ofBroadcast(r));
      return;
    }
    in(n.in(0));
    out();
    pushRuns(r);
    e.push(step.accumulate());
    e.invokeStatic(Movement.class, "broadcast", "(" + arr + arr + "IIIIZZ)V");
  }

  /**
   * A broadcast, permute or slice that does not fit the rank-4 loops: {@code Movement.strided} (or
   * {@code placeStrided}, a slice's transpose) with the walk in an int table, {@code {offset, sizes..., strides...}}.
   */
  private void strided(String kernel, StridedWalk w) {
    List<IntTables.Entry> table = new ArrayList<>();
    table.add(new IntTables.Entry(w.offset()));
    for (Dim d : w.sizes()) table.add(IntTables.Entry.of(d));
    for (Dim d : w.strides()) table.add(IntTables.Entry.of(d));
    in(n.in(0));
    out();
    access.ints(e, table);
    e.push(step.accumulate());
    e.invokeStatic(Movement.class, kernel, "(" + arr + arr + "[IZ)V");
  }

  private void reduce() {
    Runs r = Runs.ofReduction(n, ((Attr.Axes) n.attr).axes());
    int op = n.op == Op.REDUCE_SUM ? Reductions.SUM : n.op == Op.LOGSUMEXP ? Reductions.LOGSUMEXP : Reductions.MAX;
    if (!r.fitsFour()) {
      // more than four runs: the any-rank loop, with the runs in an int table, on the calling thread
      e.push(op);
      in(n.in(0));
      out();
      access.ints(e, r.dims().stream().map(IntTables.Entry::of).toList());
      e.push(r.firstFlag());
      e.push(step.accumulate());
      e.invokeStatic(Reductions.class, "reduce", "(I" + arr + arr + "[IZZ)V");
      return;
    }
    e.loadThis();
    e.getField(access.owner, "workspace", Type.getType(Workspace.class));
    e.push(op);
    in(n.in(0));
    out();
    pushRuns(r);
    e.push(step.accumulate());
    e.invokeStatic(Parallel.class, "reduce", "(" + Type.getDescriptor(Workspace.class) + "I" + arr + arr
        + "IIIIZZ)V");
  }

  /**
   * A permute: its dims merged into four and the permutation of the merged dims ({@link PermuteRuns}), or, when
   * more than four remain, the any-rank walk over them.
   */
  private void permute() {
    PermuteRuns runs = PermuteRuns.of(n);
    if (!runs.fitsFour()) {
      strided("strided", StridedWalk.ofPermute(runs));
      return;
    }
    in(n.in(0));
    out();
    for (Dim d : runs.dims()) access.dim(e, d);
    for (int x : runs.perm()) e.push(x);
    e.push(step.accumulate());
    e.invokeStatic(Movement.class, "permute", "(" + arr + arr + "IIIIIIIIZ)V");
  }

  /**
   * Dropout: x times the mask of (the instance's seed, its draw, the site), or a copy when the pass does not drop
   * (predict, evaluation mode); the instance's fields say which.
   */
  private void dropout() {
    Attr.Dropout a = (Attr.Dropout) n.attr;
    in(n.in(0));
    out();
    access.dim(e, Dims.count(n.shape()));
    e.push(a.p(), Type.DOUBLE_TYPE);
    e.push(a.site());
    e.loadThis();
    e.getField(access.owner, "dropoutSeed", Type.LONG_TYPE);
    e.loadThis();
    e.getField(access.owner, "dropoutDraws", Type.LONG_TYPE);
    e.loadThis();
    e.getField(access.owner, "trainingPass", Type.BOOLEAN_TYPE);
    e.invokeStatic(Dropout.class, "apply", "(" + arr + arr + "IDIJJZ)V");
  }

  /**
   * Slice and its transpose: the operand's dims, starts, steps and the slice's sizes, padded to rank 4; above rank 4,
   * the any-rank walk.
   */
  private void slice() {
    boolean forward = n.op == Op.SLICE;
    if (n.rank() > 4) {
      strided(forward ? "strided" : "placeStrided", StridedWalk.ofSlice(n));
      return;
    }
    Attr.Slice s = forward ? (Attr.Slice) n.attr : ((Attr.SliceTo) n.attr).slice();
    List<Dim> whole = new ArrayList<>(Dims.dims(forward ? n.in(0).shape() : n.shape()));
    List<Dim> sizes = new ArrayList<>(Dims.dims(s.shape()));
    List<Integer> start = new ArrayList<>(s.start());
    List<Integer> steps = new ArrayList<>(s.step());
    while (whole.size() < 4) {
      whole.add(0, Dim.of(1));
      sizes.add(0, Dim.of(1));
      start.add(0, 0);
      steps.add(0, 1);
    }
    in(n.in(0));
    out();
    for (Dim d : whole.subList(1, 4)) access.dim(e, d);
    for (int x : start) e.push(x);
    for (int x : steps) e.push(x);
    for (Dim d : sizes) access.dim(e, d);
    e.push(step.accumulate());
    e.invokeStatic(Movement.class, forward ? "slice" : "sliceBackward", "(" + arr + arr + "I".repeat(15) + "Z)V");
  }

  private void logSoftmax() {
    int axis = ((Attr.Axes) n.attr).axes().get(0);
    List<Dim> dims = Dims.dims(n.shape());
    in(n.in(0));
    out();
    access.product(e, dims.subList(0, axis));
    access.dim(e, dims.get(axis));
    access.product(e, dims.subList(axis + 1, dims.size()));
    Class<?> owner = n.op == Op.FIRST_MAX ? Reductions.class : LogSoftmax.class;
    e.invokeStatic(owner, n.op == Op.FIRST_MAX ? "firstMax" : "logSoftmax", "(" + arr + arr + "III)V");
  }

  private void oneHot() {
    in(n.in(0));
    out();
    access.dim(e, Dims.count(n.in(0).shape()));
    access.dim(e, Dims.dim(n.shape(), n.rank() - 1));
    e.push(site(((Attr.Classes) n.attr).call()));
    e.invokeStatic(OneHot.class, "oneHot", "([I" + arr + "IILjava/lang/String;)V");
  }

  /** What a label or index out of range is reported after ({@link Access#site}). */
  private String site(String call) {
    return access.site(n, call);
  }

  /**
   * gather, or its transpose scatter_add, over x seen as [outer, size, inner]; an index out of range fails in the
   * kernel with a message naming the .mdl call (index_select, gather or embedding) and its position.
   */
  private void gather() {
    boolean scatter = n.op == Op.SCATTER_ADD;
    Attr.Index a = scatter ? ((Attr.IndexTo) n.attr).index() : (Attr.Index) n.attr;
    List<Dim> x = Dims.dims(scatter ? n.shape() : n.in(0).shape());
    Node index = n.in(1);
    in(n.in(0));
    in(index);
    out();
    access.product(e, x.subList(0, a.axis()));
    access.dim(e, x.get(a.axis()));
    access.product(e, x.subList(a.axis() + 1, x.size()));
    access.dim(e, a.select() ? Dims.count(index.shape()) : Dims.dim(index.shape(), a.axis()));
    e.push(a.select());
    e.push(a.padding());
    e.push(scatter ? step.accumulate() : a.zeroPadding());
    e.push(site(a.call()));
    String ints = "IIIIZIZLjava/lang/String;";
    e.invokeStatic(Gather.class, scatter ? "scatterAdd" : "gather", "(" + arr + "[I" + arr + ints + ")V");
  }

  private void matmul() {
    Node a = n.in(0);
    Node b = n.in(1);
    int r = n.rank();
    List<Dim> dims = Dims.dims(n.shape());
    Dim m = dims.get(r - 2);
    Dim cols = dims.get(r - 1);
    Dim k = Dims.dim(a.shape(), r - 1);
    List<Dim> batch = dims.subList(0, r - 2);
    boolean batched = !batch.isEmpty();
    String ws = Type.getDescriptor(Workspace.class);
    int w = predict ? weight(schedule, step) : -1;
    if (w >= 0) {
      // this.productWithWeight(p, transA, m, n, k, a, c, accumulate)
      e.loadThis();
      e.push(w);
      e.push(schedule.form(a) == Form.VIEW);
      access.dim(e, m);
      access.dim(e, cols);
      access.dim(e, k);
      in(a);
      out();
      e.push(step.accumulate());
      e.invokeVirtual(access.owner, "productWithWeight", "(IZIII" + arr + arr + "Z)V");
      return;
    }
    e.loadThis();
    e.getField(access.owner, "workspace", Type.getType(Workspace.class));
    if (batched) access.product(e, batch);
    e.push(schedule.form(a) == Form.VIEW);
    e.push(schedule.form(b) == Form.VIEW);
    access.dim(e, m);
    access.dim(e, cols);
    access.dim(e, k);
    in(a);
    e.push(0);
    if (batched) access.dim(e, m.times(k));
    in(b);
    e.push(0);
    if (batched) access.dim(e, k.times(cols));
    out();
    e.push(0);
    if (batched) access.dim(e, m.times(cols));
    e.push(step.accumulate());
    if (batched) {
      e.invokeStatic(MatMul.class, "gemmBatched",
          "(" + ws + "IZZIII" + arr + "II" + arr + "II" + arr + "IIZ)V");
    } else {
      e.invokeStatic(Parallel.class, "gemm", "(" + ws + "ZZIII" + arr + "I" + arr + "I" + arr + "IZ)V");
    }
  }

  /** Pushes the cached Conv2dShape for an input shape [N, C, H, W] and weight shape [O, C, kh, kw]. */
  private void convShape(List<Dim> x, List<Dim> w, Attr.Window win) {
    e.loadThis();
    e.push(convSlot++);
    for (Dim d : x) access.dim(e, d);
    access.dim(e, w.get(0));
    access.dim(e, w.get(2));
    access.dim(e, w.get(3));
    e.push(win.strideH());
    e.push(win.strideW());
    e.push(win.padH());
    e.push(win.padW());
    e.invokeVirtual(access.owner, "convShape", "(IIIIIIIIIIII)" + Type.getDescriptor(Conv2dShape.class));
  }

  private void conv() {
    String ws = Type.getDescriptor(Workspace.class);
    String shape = Type.getDescriptor(Conv2dShape.class);
    e.loadThis();
    e.getField(access.owner, "workspace", Type.getType(Workspace.class));
    switch (n.op) {
      case CONV2D -> {
        convShape(Dims.dims(n.in(0).shape()), Dims.dims(n.in(1).shape()), (Attr.Window) n.attr);
        in(n.in(0));
        in(n.in(1));
        if (step.bias() != null) in(step.bias());
        else e.pushNull();
        out();
        e.invokeStatic(Parallel.class, "convForward", "(" + ws + shape + arr + arr + arr + arr + ")V");
      }
      case CONV2D_BACKWARD_INPUT -> {
        Attr.WindowTo to = (Attr.WindowTo) n.attr;
        convShape(Dims.dims(to.shape()), Dims.dims(n.in(1).shape()), to.window());
        in(n.in(0));
        in(n.in(1));
        out();
        e.push(step.accumulate());
        e.invokeStatic(Parallel.class, "convBackwardInput", "(" + ws + shape + arr + arr + arr + "Z)V");
      }
      case CONV2D_BACKWARD_WEIGHT -> {
        Attr.WindowTo to = (Attr.WindowTo) n.attr;
        convShape(Dims.dims(n.in(0).shape()), Dims.dims(to.shape()), to.window());
        in(n.in(0));
        in(n.in(1));
        out();
        e.push(step.accumulate());
        e.invokeStatic(Parallel.class, "convBackwardWeight", "(" + ws + shape + arr + arr + arr + "Z)V");
      }
      default -> throw notAKernel("is not a convolution");
    }
  }

  private void pool() {
    Location argmax = schedule.argmax(n);
    if (argmax != null && n.op != Op.MAXPOOL2D) {
      poolAtArgmax(argmax);
      return;
    }
    if (predict) argmax = null;
    Attr.Window win = n.attr instanceof Attr.WindowTo to ? to.window() : (Attr.Window) n.attr;
    boolean backward = n.op == Op.MAXPOOL2D_BACKWARD || n.op == Op.AVGPOOL2D_BACKWARD;
    List<Dim> x = Dims.dims(backward ? n.shape() : n.in(0).shape());
    List<Dim> y = Dims.dims(backward ? n.in(0).shape() : n.shape());
    if (n.op == Op.MAXPOOL2D) {
      e.loadThis();
      e.getField(access.owner, "workspace", Type.getType(Workspace.class));
    }
    in(n.in(0));
    if (n.op == Op.MAXPOOL2D_BACKWARD || n.op == Op.MAXPOOL2D_GATHER) in(n.in(1));
    out();
    if (argmax != null) access.array(e, argmax, DType.I32);
    else if (n.op == Op.MAXPOOL2D) e.pushNull();
    access.dim(e, x.get(0).times(x.get(1)));
    access.dim(e, x.get(2));
    access.dim(e, x.get(3));
    access.dim(e, y.get(2));
    access.dim(e, y.get(3));
    for (int v : new int[] {win.kernelH(), win.kernelW(), win.strideH(), win.strideW(), win.padH(), win.padW()}) {
      e.push(v);
    }
    String ints = "IIIIIIIIIII";
    switch (n.op) {
      case MAXPOOL2D -> e.invokeStatic(Parallel.class, "maxpool2d",
          "(" + Type.getDescriptor(Workspace.class) + arr + arr + "[I" + ints + ")V");
      case AVGPOOL2D -> e.invokeStatic(Pooling.class, "avgpool2d", "(" + arr + arr + ints + ")V");
      case MAXPOOL2D_GATHER -> e.invokeStatic(Pooling.class, "maxpool2dGather", "(" + arr + arr + arr + ints + ")V");
      case MAXPOOL2D_BACKWARD -> {
        e.push(step.accumulate());
        e.invokeStatic(Pooling.class, "maxpool2dBackward", "(" + arr + arr + arr + ints + "Z)V");
      }
      case AVGPOOL2D_BACKWARD -> {
        e.push(step.accumulate());
        e.invokeStatic(Pooling.class, "avgpool2dBackward", "(" + arr + arr + ints + "Z)V");
      }
      default -> throw notAKernel("is not a pooling op");
    }
  }

  /** A max pooling's backward or gather through the argmax its forward pooling recorded: no search of x. */
  private void poolAtArgmax(Location argmax) {
    boolean backward = n.op == Op.MAXPOOL2D_BACKWARD;
    if (backward) {
      e.loadThis();
      e.getField(access.owner, "workspace", Type.getType(Workspace.class));
    }
    in(n.in(0));
    access.array(e, argmax, DType.I32);
    out();
    if (backward) {
      List<Dim> x = Dims.dims(n.shape());
      access.dim(e, Dims.count(n.shape()));
      access.dim(e, Dims.count(n.in(0).shape()));
      access.dim(e, x.get(0).times(x.get(1)));
      e.push(step.accumulate());
      e.invokeStatic(Parallel.class, "maxpool2dBackward",
          "(" + Type.getDescriptor(Workspace.class) + arr + "[I" + arr + "IIIZ)V");
    } else {
      access.dim(e, Dims.count(n.shape()));
      e.invokeStatic(Pooling.class, "maxpool2dGather", "(" + arr + "[I" + arr + "I)V");
    }
  }
}
