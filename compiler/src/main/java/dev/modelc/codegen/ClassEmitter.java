package dev.modelc.codegen;

import dev.modelc.ir.Attr;
import dev.modelc.ir.BatchSplit;
import dev.modelc.ir.Graph;
import dev.modelc.ir.Node;
import dev.modelc.runtime.api.CompiledModel;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.api.Optimizers;
import dev.modelc.runtime.kernels.RangeBody;
import dev.modelc.runtime.kernels.Workspace;
import dev.modelc.sched.Schedule;
import dev.modelc.sched.Step;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.lang.model.SourceVersion;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Writes one model class: a public final subclass of {@link CompiledModel} with
 * <ol>
 *   <li>a constructor passing the model's description (its {@code ModelSpec} text) to the base class and allocating
 *       the instance's shape tables; the tables of constant shapes are static ({@link IntTables}: the int arrays
 *       of the any-rank kernels, fields {@code ints$0}, {@code ints$1}, ...);
 *   <li>one private method per step of the schedule ({@code s0}, {@code s1}, ...), each starting with the line of
 *       the {@code .mdl} expression it computes; a max pooling that records its argmax for the backward pass has a
 *       second one without it for inference ({@code s4$predict});
 *   <li>{@code runForward}, {@code runPredict}, {@code runBackward}: the passes as calls to their steps, split into
 *       parts of at most {@value #CALLS_PER_METHOD} calls so that no method grows past HotSpot's 8,000-byte limit;
 *   <li>{@code u0}, {@code u1}, ...: the optimizer's update of each parameter the objective reaches, reading the
 *       hyperparameters from the instance's fields; {@code runStep} calls them all,
 *       {@code runTrainBackward} (the backward pass of {@code trainStep}) calls each right after the step that
 *       finishes its gradient (see the schedule's train order);
 *   <li>for the elementwise loops a model on several threads splits ({@code sched.SplitLoops}), {@code r0},
 *       {@code r3}, ...: step k's loop over a range of its indices, and {@code range(loop, from, to)} calling them,
 *       the {@code RangeBody} the class then implements for {@code Parallel.forRange} ({@link RangeEmitter});
 *   <li>anomaly detection ({@link AnomalyEmitter}): each step and update ends with {@code if (anomaly) check...};
 *       {@code d0}, {@code d1}, ... name the op of a fused chain that made a non-finite value;
 *   <li>the typed API: {@code trainStep}, {@code forward}, {@code predict} taking the inputs and the symbolic sizes
 *       ({@code predict} then one array per output, in declaration order), each left out when its arguments
 *       would take more than the JVM's 255 slots, and a getter per parameter and gradient named after its
 *       {@code state_dict} name.
 * </ol>
 */
public final class ClassEmitter {
  static final int CALLS_PER_METHOD = 1000;
  /** The seed of the no-argument constructor. */
  static final long DEFAULT_SEED = 0;
  private static final String BASE = Type.getInternalName(CompiledModel.class);

  private final Schedule schedule;
  private final OptimizerSettings optimizer;
  private final CompileOptions options;
  private final String internalName;
  private final ClassWriter cw;
  private final Access access;
  private final AnomalyEmitter anomaly;

  /** The pipeline's emission step: the scheduled graph becomes one model class. */
  public static CompiledClass emit(Schedule schedule, OptimizerSettings optimizer, CompileOptions options) {
    ClassEmitter emitter = new ClassEmitter(schedule, optimizer, options);
    byte[] bytes = emitter.emit();
    return new CompiledClass(emitter.internalName.replace('/', '.'), bytes, schedule);
  }

  private ClassEmitter(Schedule schedule, OptimizerSettings optimizer, CompileOptions options) {
    this.schedule = schedule;
    this.optimizer = optimizer;
    this.options = options;
    String pkg = options.packageName() == null ? "" : options.packageName();
    this.internalName = (pkg.isEmpty() ? "" : pkg.replace('.', '/') + "/") + schedule.graph().name();
    this.cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
      @Override
      protected String getCommonSuperClass(String a, String b) {
        return "java/lang/Object";
      }
    };
    this.access = new Access(internalName, schedule.sizes(), options.sourceFile());
    this.anomaly = new AnomalyEmitter(schedule, internalName);
  }

  private byte[] emit() {
    List<Step> split = RangeEmitter.splitSteps(schedule);
    String[] interfaces = split.isEmpty() ? null : new String[] {Type.getInternalName(RangeBody.class)};
    cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, internalName, null, BASE,
        interfaces);
    cw.visitSource(options.sourceFile(), null);
    int convSlot = 0;
    int[] slots = new int[schedule.steps().size()];
    for (Step s : schedule.steps()) {
      slots[s.index()] = convSlot;
      convSlot += step("s" + s.index(), s, convSlot);
    }
    // trainStep's form of the steps that alone write a gradient: written, not added (see Schedule)
    java.util.Set<Integer> overwriting = schedule.overwritingInTraining();
    java.util.Map<String, String> trainForms = new java.util.HashMap<>();
    for (int i : overwriting) {
      Step s = schedule.steps().get(i);
      step("s" + i + "$train", new Step(i, s.kind(), s.node(), s.fused(), false, s.target(), s.kernel(), s.bias()),
          slots[i]);
      trainForms.put("s" + i, "s" + i + "$train");
    }
    if (!split.isEmpty()) RangeEmitter.emit(cw, access, schedule, split);
    List<String> predict = new ArrayList<>();
    for (int i : schedule.predict()) {
      Step s = schedule.steps().get(i);
      if (!KernelEmitter.hasPredictForm(schedule, s)) {
        predict.add("s" + i);
        continue;
      }
      // inference pools without recording the argmax that only the training step's gradient reads, and multiplies
      // by the transposes of weights the model keeps while they do not change
      Emitter e = new Emitter(cw, Opcodes.ACC_PRIVATE, "s" + i + "$predict", "()V");
      e.line(s.node().origin);
      KernelEmitter.emitForPredict(e, access, schedule, s);
      anomaly.afterStep(e, s);
      e.returnVoid();
      e.end();
      predict.add("s" + i + "$predict");
    }
    pass("runForward", names(schedule.forward()));
    pass("runPredict", predict);
    pass("runBackward", names(schedule.backward()));
    List<String> updates = new ArrayList<>();
    boolean[] withGradient = schedule.withGradient();
    for (int p = 0; p < schedule.params().size(); p++) {
      if (!withGradient[p]) continue; // PyTorch skips a parameter whose .grad is None
      update(p);
      updates.add("u" + p);
    }
    pass("runStep", updates);
    paramsUpdatedByStep(withGradient);
    pass("runTrainBackward", schedule.trainBackward().stream().map(n -> trainForms.getOrDefault(n, n)).toList());
    // a batch-split replica's backward: trainStep's writing forms, no updates
    pass("runWritingBackward", names(schedule.backward()).stream().map(n -> trainForms.getOrDefault(n, n)).toList());
    gradsWrittenByTrainStep(overwriting);
    anomaly.emitMethods(cw, access, options.sourceFile());
    typedApi();
    // after every step: the constructor allocates the shape tables the steps asked for
    constructor();
    access.tables.declare(cw);
    cw.visitEnd();
    return cw.toByteArray();
  }

  /** Emits one step as a method of its own; returns how many convolution geometry slots it used. */
  private int step(String name, Step s, int convSlot) {
    Emitter e = new Emitter(cw, Opcodes.ACC_PRIVATE, name, "()V");
    e.line(s.node().origin);
    int used = 0;
    if (s.kind() == Step.Kind.LOOP) LoopEmitter.emit(e, access, schedule, s);
    else if (s.kind() == Step.Kind.REDUCE) LoopEmitter.emitSum(e, access, schedule, s);
    else used = KernelEmitter.emit(e, access, schedule, s, convSlot);
    anomaly.afterStep(e, s);
    e.returnVoid();
    e.end();
    return used;
  }

  /**
   * {@code protected String gradsWrittenByTrainStep()}: one character per gradient, '1' where {@code trainStep}'s
   * backward writes the whole gradient (its only writer runs in its {@code $train} form), so that
   * {@code trainStep} zeroes only the others first.
   */
  private void gradsWrittenByTrainStep(java.util.Set<Integer> overwriting) {
    char[] flags = new char[schedule.params().size()];
    java.util.Arrays.fill(flags, '0');
    for (int i : overwriting) flags[schedule.steps().get(i).target().index()] = '1';
    Emitter e = new Emitter(cw, Opcodes.ACC_PROTECTED, "gradsWrittenByTrainStep", "()Ljava/lang/String;");
    e.push(new String(flags)); // one char per param: more than one constant holds past 65535 params
    e.mv.visitInsn(Opcodes.ARETURN);
    e.end();
  }

  /**
   * {@code protected String paramsUpdatedByStep()}: one character per parameter, '1' where {@code runStep} updates
   * it (it has a gradient), so that a batch-split step can update each thread's share of it in the runtime.
   */
  private void paramsUpdatedByStep(boolean[] withGradient) {
    char[] flags = new char[schedule.params().size()];
    for (int p = 0; p < flags.length; p++) flags[p] = withGradient[p] ? '1' : '0';
    Emitter e = new Emitter(cw, Opcodes.ACC_PROTECTED, "paramsUpdatedByStep", "()Ljava/lang/String;");
    e.push(new String(flags));
    e.mv.visitInsn(Opcodes.ARETURN);
    e.end();
  }

  /**
   * The constructors: {@code private Net(boolean unused)} leaves every parameter at zero; {@code public Net(long seed)}
   * initializes them from {@code seed}; {@code public Net()} initializes them from seed 0 (PyTorch's default
   * initialization, reproducibly); {@code public static Net uninitialized()} is the zero form, for loading weights.
   * A class compiled without initializers (from a bare graph) has only {@code Net()} (zeros) and
   * {@code uninitialized()}.
   */
  private void constructor() {
    Emitter blank = new Emitter(cw, Opcodes.ACC_PRIVATE, "<init>", "(Z)V");
    blank.loadThis();
    blank.push(description());
    blank.invokeSpecial(BASE, "<init>", "(Ljava/lang/String;)V");
    access.tables.allocate(blank);
    if (options.anomaly()) {
      blank.loadThis();
      blank.push(true);
      blank.invokeVirtual(internalName, "setDetectAnomaly", "(Z)V");
    }
    blank.returnVoid();
    blank.end();
    boolean seeded = !options.initializers().isEmpty();
    Emitter e = new Emitter(cw, Opcodes.ACC_PUBLIC, "<init>", "()V");
    e.loadThis();
    if (seeded) {
      e.push(DEFAULT_SEED);
      e.invokeSpecial(internalName, "<init>", "(J)V");
    } else {
      e.push(false);
      e.invokeSpecial(internalName, "<init>", "(Z)V");
    }
    e.returnVoid();
    e.end();
    if (seeded) {
      // public Net(long seed) { this(false); initialize(seed); }
      Emitter s = new Emitter(cw, Opcodes.ACC_PUBLIC, "<init>", "(J)V");
      s.loadThis();
      s.push(false);
      s.invokeSpecial(internalName, "<init>", "(Z)V");
      s.loadThis();
      s.load(Type.LONG_TYPE, 1);
      s.invokeVirtual(internalName, "initialize", "(J)V");
      s.returnVoid();
      s.end();
    }
    Type self = Type.getObjectType(internalName);
    Emitter u = new Emitter(cw, Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "uninitialized",
        Type.getMethodDescriptor(self));
    u.newObject(internalName);
    u.dup(self);
    u.push(false);
    u.invokeSpecial(internalName, "<init>", "(Z)V");
    u.returnValue(self);
    u.end();
  }

  /** The ModelSpec text (see {@code dev.modelc.runtime.api.ModelSpec}). */
  String description() {
    Graph g = schedule.graph();
    StringBuilder sb = new StringBuilder("model ").append(g.name()).append('\n');
    for (String s : schedule.sizes()) sb.append("size ").append(s).append('\n');
    for (Node n : schedule.inputs()) {
      sb.append("input ").append(tensor(name(n), n)).append(schedule.predictInputs().contains(n) ? " predict" : "")
          .append('\n');
    }
    for (Node n : schedule.params()) sb.append("param ").append(tensor(name(n), n)).append('\n');
    for (Node n : schedule.params()) {
      String init = options.initializers().get(name(n));
      if (init != null) {
        sb.append("init ").append(name(n)).append(' ').append(init).append('\n');
      }
    }
    for (Graph.Result r : g.results(Graph.Kind.OUTPUT)) {
      sb.append("output ").append(tensor(r.name(), r.node())).append(' ').append(schedule.location(r.node()))
          .append('\n');
    }
    for (Graph.Result r : g.results(Graph.Kind.OBJECTIVE)) {
      sb.append("objective ").append(tensor(r.name(), r.node())).append(' ').append(schedule.location(r.node()))
          .append('\n');
    }
    for (Schedule.Buffer b : schedule.buffers()) {
      sb.append("buffer ").append(b.dtype().spelling()).append(' ').append(b.length()).append('\n');
    }
    sb.append("state ").append(optimizer.statePerParam()).append('\n');
    sb.append(BatchSplit.of(g).describe()).append('\n');
    if (!g.results(Graph.Kind.OBJECTIVE).isEmpty()) {
      sb.append("optimizer ").append(optimizer.kind().name().toLowerCase(java.util.Locale.ROOT));
      if (optimizer.kind() == OptimizerSettings.Kind.SGD) {
        sb.append(" lr=").append(optimizer.lr()).append(" momentum=").append(optimizer.momentum())
            .append(" dampening=").append(optimizer.dampening()).append(" weight_decay=")
            .append(optimizer.weightDecay()).append(" nesterov=").append(optimizer.nesterov() ? 1 : 0);
      } else {
        sb.append(" lr=").append(optimizer.lr()).append(" beta1=").append(optimizer.beta1()).append(" beta2=")
            .append(optimizer.beta2()).append(" eps=").append(optimizer.eps()).append(" weight_decay=")
            .append(optimizer.weightDecay());
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static String tensor(String name, Node n) {
    String shape = n.shape().dims().isEmpty() ? "-"
        : n.shape().dims().stream().map(Dim::toString).collect(Collectors.joining(","));
    return name + " " + n.dtype().spelling() + " " + shape;
  }

  static String name(Node source) {
    return ((Attr.Name) source.attr).name();
  }

  private static List<String> names(List<Integer> steps) {
    return steps.stream().map(i -> "s" + i).toList();
  }

  /** A protected method calling the named private methods in order, split into parts of bounded size. */
  private void pass(String name, List<String> calls) {
    int parts = Math.max(1, (calls.size() + CALLS_PER_METHOD - 1) / CALLS_PER_METHOD);
    Emitter main = new Emitter(cw, Opcodes.ACC_PROTECTED | Opcodes.ACC_FINAL, name, "()V");
    for (int p = 0; p < parts; p++) {
      List<String> chunk = calls.subList(p * CALLS_PER_METHOD, Math.min(calls.size(), (p + 1) * CALLS_PER_METHOD));
      Emitter part = parts == 1 ? main : new Emitter(cw, Opcodes.ACC_PRIVATE, name + "$" + p, "()V");
      for (String call : chunk) {
        part.loadThis();
        part.invokeVirtual(internalName, call, "()V");
      }
      if (parts > 1) {
        part.returnVoid();
        part.end();
        main.loadThis();
        main.invokeVirtual(internalName, name + "$" + p, "()V");
      }
    }
    main.returnVoid();
    main.end();
  }

  /** {@code u<p>}: the optimizer's update of parameter p, one call into {@link Optimizers} with the workspace. */
  private void update(int p) {
    Emitter e = new Emitter(cw, Opcodes.ACC_PRIVATE, "u" + p, "()V");
    List<Node> params = schedule.params();
    {
      DType dt = params.get(p).dtype();
      Type t = Emitter.element(dt);
      String arr = Emitter.array(dt).getDescriptor();
      String d = "D";                                // hyperparameters travel as doubles, as PyTorch holds them
      String ws = Type.getDescriptor(Workspace.class);
      e.loadThis();
      e.getField(internalName, "workspace", Type.getType(Workspace.class));
      loadState(e, "params", -1, p, dt);
      loadState(e, "grads", -1, p, dt);
      if (optimizer.kind() == OptimizerSettings.Kind.SGD) {
        if (optimizer.statePerParam() > 0) loadState(e, "state", 0, p, dt);
        else e.pushNull();
        access.dim(e, dev.modelc.ir.Dims.count(params.get(p).shape()));
        stepCount(e);
        hyperparameter(e, "lr");
        hyperparameter(e, "momentum");
        hyperparameter(e, "dampening");
        e.loadThis();
        e.getField(internalName, "nesterov", Type.BOOLEAN_TYPE);
        hyperparameter(e, "weightDecay");
        e.invokeStatic(Optimizers.class, "sgd", "(" + ws + arr + arr + arr + "II" + d + d + d + "Z" + d + ")V");
      } else {
        loadState(e, "state", 0, p, dt);
        loadState(e, "state", 1, p, dt);
        access.dim(e, dev.modelc.ir.Dims.count(params.get(p).shape()));
        hyperparameter(e, "adamStepSize");            // the step's bias corrections, computed once per step
        hyperparameter(e, "adamBias2Sqrt");
        hyperparameter(e, "lr");
        hyperparameter(e, "beta1");
        hyperparameter(e, "beta2");
        hyperparameter(e, "eps");
        hyperparameter(e, "weightDecay");
        e.push(optimizer.kind() == OptimizerSettings.Kind.ADAMW);
        e.invokeStatic(Optimizers.class, "adam",
            "(" + ws + arr + arr + arr + arr + "I" + d + d + d + d + d + d + d + "Z)V");
      }
    }
    anomaly.afterUpdate(e, p);
    e.returnVoid();
    e.end();
  }

  /** Pushes a hyperparameter field of the instance, a double. */
  private void hyperparameter(Emitter e, String field) {
    e.loadThis();
    e.getField(internalName, field, Type.DOUBLE_TYPE);
  }

  private void stepCount(Emitter e) {
    e.loadThis();
    e.getField(internalName, "stepCount", Type.INT_TYPE);
  }

  /** Pushes params[p], grads[p] (k < 0) or state[k][p], cast to the dtype's array. */
  private void loadState(Emitter e, String field, int k, int p, DType dt) {
    e.loadThis();
    if (k >= 0) {
      e.getField(internalName, field, Type.getType(Object[][].class));
      e.push(k);
      e.arrayLoad(Emitter.OBJECT);
    } else {
      e.getField(internalName, field, Type.getType(Object[].class));
    }
    e.push(p);
    e.arrayLoad(Emitter.OBJECT);
    e.checkCast(Emitter.array(dt));
  }

  private void typedApi() {
    List<Node> inputs = schedule.inputs();
    Graph g = schedule.graph();
    boolean hasObjective = !g.results(Graph.Kind.OBJECTIVE).isEmpty();
    Type lossType = hasObjective ? Emitter.element(g.results(Graph.Kind.OBJECTIVE).get(0).node().dtype())
        : Type.VOID_TYPE;
    if (hasObjective) bindingMethod("trainStep", inputs, lossType, "trainStep");
    bindingMethod("forward", inputs, lossType, "forward");
    if (!g.results(Graph.Kind.OUTPUT).isEmpty()) {
      predictMethod(schedule.predictInputs(), g.results(Graph.Kind.OUTPUT).stream()
          .map(r -> Emitter.array(r.node().dtype())).toList());
    }
    List<String> getters = getterNames(schedule.params());
    for (int p = 0; p < schedule.params().size(); p++) {
      DType dtype = schedule.params().get(p).dtype();
      getter(getters.get(p), "params", p, dtype);
      getter(getters.get(p) + "Grad", "grads", p, dtype);
    }
  }

  /**
   * The name of each parameter's getter (its gradient's getter adds {@code Grad}): its {@code state_dict} name made
   * a Java identifier, behind {@code param_} prefixes while it clashes with a keyword, a method of {@link Model}, the
   * typed API or an earlier getter.
   */
  static List<String> getterNames(List<Node> params) {
    Set<String> taken = new HashSet<>();
    for (Method m : Model.class.getMethods()) taken.add(m.getName());
    taken.addAll(List.of("trainStep", "forward", "predict", "uninitialized"));
    List<String> names = new ArrayList<>();
    for (Node param : params) {
      String id = javaName(name(param));
      while (taken.contains(id) || taken.contains(id + "Grad") || SourceVersion.isKeyword(id)) id = "param_" + id;
      taken.add(id);
      taken.add(id + "Grad");
      names.add(id);
    }
    return names;
  }

  static String javaName(String stateDictName) {
    String s = stateDictName.replaceAll("[^A-Za-z0-9_]", "_");
    return Character.isJavaIdentifierStart(s.charAt(0)) ? s : "_" + s;
  }

  private Type[] bindArgs(List<Node> inputs, List<Type> extra) {
    List<Type> args = new ArrayList<>();
    for (Node n : inputs) args.add(Emitter.array(n.dtype()));
    for (int i = 0; i < schedule.sizes().size(); i++) args.add(Type.INT_TYPE);
    args.addAll(extra);
    return args.toArray(new Type[0]);
  }

  /** Binds inputs (by their index among all inputs) and sizes from the arguments. */
  private void bind(Emitter e, List<Node> inputs, Type[] args) {
    for (int i = 0; i < inputs.size(); i++) {
      e.loadThis();
      e.push(schedule.inputs().indexOf(inputs.get(i)));
      e.load(args[i], Emitter.argSlot(false, args, i));
      e.invokeVirtual(internalName, "bindInput", "(ILjava/lang/Object;)V");
    }
    for (int s = 0; s < schedule.sizes().size(); s++) {
      int a = inputs.size() + s;
      e.loadThis();
      e.push(s);
      e.load(Type.INT_TYPE, Emitter.argSlot(false, args, a));
      e.invokeVirtual(internalName, "bindSize", "(II)V");
    }
  }

  /**
   * The most argument slots an instance method's descriptor may take, {@code this} included (JVMS 4.3.3); a typed
   * method that would need more is left out, and the generic API does its work.
   */
  static final int MAX_ARGUMENT_SLOTS = 255;

  private static boolean fitsTheJvm(Type[] args) {
    int slots = 1; // this
    for (Type t : args) slots += t.getSize();
    return slots <= MAX_ARGUMENT_SLOTS;
  }

  /** {@code R name(inputs..., sizes...)}: binds, runs the generic method, returns the loss as the model's dtype. */
  private void bindingMethod(String name, List<Node> inputs, Type ret, String generic) {
    Type[] args = bindArgs(inputs, List.of());
    if (args.length == 0) return; // the generic method of the same name is the typed one
    if (!fitsTheJvm(args)) return;
    Emitter e = new Emitter(cw, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL, name, Type.getMethodDescriptor(ret, args));
    bind(e, inputs, args);
    e.loadThis();
    if (generic.equals("trainStep")) {
      e.invokeVirtual(internalName, "trainStep", "()D");
    } else {
      e.invokeVirtual(internalName, "forward", "()V");
      if (ret.getSort() != Type.VOID) {
        e.loadThis();
        e.invokeVirtual(internalName, "loss", "()D");
      }
    }
    if (ret.getSort() == Type.VOID) {
      e.returnVoid();
    } else {
      e.cast(Type.DOUBLE_TYPE, ret);
      e.returnValue(ret);
    }
    e.end();
  }

  /**
   * {@code void predict(inputs..., sizes..., outputs...)}: binds, runs inference, checks every output array, then
   * copies each output into its array (one per output, in declaration order).
   */
  private void predictMethod(List<Node> inputs, List<Type> outArrays) {
    Type[] args = bindArgs(inputs, outArrays);
    if (!fitsTheJvm(args)) return;
    Emitter e = new Emitter(cw, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL, "predict",
        Type.getMethodDescriptor(Type.VOID_TYPE, args));
    bind(e, inputs, args);
    e.loadThis();
    e.invokeVirtual(internalName, "predict", "()V");
    int first = args.length - outArrays.size();
    for (String call : List.of("checkOutput", "copyOutput")) {
      for (int i = 0; i < outArrays.size(); i++) {
        e.loadThis();
        e.push(i);
        e.load(outArrays.get(i), Emitter.argSlot(false, args, first + i));
        e.invokeVirtual(internalName, call, "(ILjava/lang/Object;)V");
      }
    }
    e.returnVoid();
    e.end();
  }

  private void getter(String name, String field, int p, DType dt) {
    Type at = Emitter.array(dt);
    Emitter e = new Emitter(cw, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL, name, Type.getMethodDescriptor(at));
    // handing a parameter out turns off predict's kept weight transposes (CompiledModel.sharedParameter); handing a
    // gradient out gives the instance gradients, which the caller may write, for step() (CompiledModel.sharedGradient)
    e.loadThis();
    e.push(p);
    e.invokeVirtual(internalName, field.equals("params") ? "sharedParameter" : "sharedGradient",
        "(I)Ljava/lang/Object;");
    e.checkCast(at);
    e.returnValue(at);
    e.end();
  }
}
