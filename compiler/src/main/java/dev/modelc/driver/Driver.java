package dev.modelc.driver;

import dev.modelc.ad.Differentiation;
import dev.modelc.ast.Program;
import dev.modelc.check.CheckedModel;
import dev.modelc.check.CheckedProgram;
import dev.modelc.check.Frontend;
import dev.modelc.check.OptimizerSpec;
import dev.modelc.codegen.ClassEmitter;
import dev.modelc.codegen.ClassLimits;
import dev.modelc.codegen.CompileOptions;
import dev.modelc.codegen.CompiledClass;
import dev.modelc.codegen.OptimizerSettings;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.SourceFile;
import dev.modelc.ir.Graph;
import dev.modelc.ir.IrException;
import dev.modelc.ir.Origin;
import dev.modelc.lower.Lowering;
import dev.modelc.opt.PassOptions;
import dev.modelc.opt.Pipeline;
import dev.modelc.sched.Schedule;
import dev.modelc.sched.Scheduler;
import dev.modelc.sched.Step;
import dev.modelc.util.BigStack;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compiler's pipeline, read top to bottom in {@link #run(SourceFile, Diagnostics, Steps)} and
 * {@link #build}: read, parse, stop on error, check, stop on error; then for each model and each {@link Goal} its
 * caller asks for: lower (the forward graph, and the objective when training), differentiate (the parameters'
 * gradients), optimize (the flat list of passes), schedule, emit.
 *
 * <p>Everything that compiles goes through here: the compile API ({@code dev.modelc.api.Modelc}, which
 * {@code modelc compile}, its {@code --emit} stage views and the Maven plugin call), the command line's
 * {@code summary}, {@code check} and {@code graph}, and the per-model entry points below ({@link #compile},
 * {@link #training}, {@link #inference}) used by the cross-check, the benchmarks and tests. Each caller says through
 * {@link Steps} what it wants of a file and sees each stage's result. Errors go to the one sink; a file with errors
 * stops before its models while the other files go on.
 */
public final class Driver {
  private Driver() {}

  /** Where a compiled class goes: its package, its source file's name, and whether anomaly detection starts on. */
  public record Target(String packageName, String sourceFile, boolean anomaly) {}

  /**
   * How far to take one model: its optimized graph, forward only or with the objective and gradients
   * ({@code training}), and its class when {@code target} is not null (always a training graph).
   *
   * @param verify runs the IR verifier after lowering and after every pass
   */
  public record Goal(boolean training, boolean verify, Target target) {
    /** The optimized graph only ({@code --emit ir|grad}, {@code modelc graph}). */
    public static Goal graph(boolean training, boolean verify) {
      return new Goal(training, verify, null);
    }

    /** The optimized training graph and the class. */
    public static Goal compile(Target target, boolean verify) {
      return new Goal(true, verify, target);
    }

    PassOptions options() {
      return (training ? PassOptions.training() : PassOptions.inference()).withVerify(verify);
    }
  }

  /** What a caller does at each step of a file; each default does nothing (and a model gets no goal). */
  public interface Steps {
    /** The syntax tree of a file that parsed ({@code --emit ast}). */
    default void parsed(SourceFile source, Program program) {}

    /** A file that checked without errors, before its models. */
    default void checked(SourceFile source, CheckedProgram program) {}

    /** What to build of each model of a file that checked, in order; none stops after checking. */
    default List<Goal> goals(SourceFile source, CheckedModel model) {
      return List.of();
    }

    /** The lowered (and differentiated) graph, then the graph after each pass; the last is the optimized graph. */
    default void optimized(SourceFile source, CheckedModel model, Goal goal, List<Pipeline.Stage> stages) {}

    /** The model's class, and the time from lowering to the class. */
    default void emitted(SourceFile source, CheckedModel model, CompiledClass compiled, long nanos) {}

    /** A model the back end refused (an error located in the source); its remaining goals are skipped. */
    default void failed(SourceFile source, CheckedModel model, IrException e) {
      throw e;
    }
  }

  /**
   * Where a model the back end refused is wrong: the model's name when the error is there (its class is too large),
   * else the origin's line and column, one character wide.
   */
  public static dev.modelc.diag.Span place(SourceFile source, CheckedModel model, IrException e) {
    if (e.origin.line() == model.nameSpan().line() && e.origin.column() == model.nameSpan().column()) {
      return model.nameSpan();
    }
    int at = source.offset(e.origin.line(), e.origin.column());
    return source.span(at, at + 1);
  }

  /**
   * The name a compiled class carries as its source file (and its run-time messages name): the {@code .mdl} path's
   * last element.
   */
  public static String sourceName(String path) {
    return Path.of(path).getFileName().toString();
  }

  /** Reads the file (UTF-8) and runs the pipeline over it; an unreadable file is a diagnostic. */
  public static void run(Path file, Diagnostics diagnostics, Steps steps) {
    SourceFile source = Frontend.read(file, diagnostics);
    if (source != null) {
      run(source, diagnostics, steps);
    }
  }

  /** The pipeline over one source. */
  public static void run(SourceFile source, Diagnostics diagnostics, Steps steps) {
    int errorsBefore = diagnostics.errorCount();
    Program program = Frontend.parse(source, diagnostics);
    if (program == null || diagnostics.errorCount() > errorsBefore) {
      return;
    }
    steps.parsed(source, program);
    CheckedProgram checked = Frontend.check(source, program, diagnostics);
    if (checked == null || diagnostics.errorCount() > errorsBefore) {
      return;
    }
    steps.checked(source, checked);
    for (CheckedModel model : checked.models()) {
      for (Goal goal : steps.goals(source, model)) {
        try {
          BigStack.call(() -> build(source, model, goal, steps));
        } catch (IrException e) {
          steps.failed(source, model, e);
          break;
        }
      }
    }
  }

  /** One model toward one goal: lower, differentiate, optimize, then schedule and emit when it wants a class. */
  private static Void build(SourceFile source, CheckedModel model, Goal goal, Steps steps) {
    long start = System.nanoTime();
    Graph graph = Lowering.lower(model, goal.training());
    if (goal.training()) {
      graph = Differentiation.addGradients(graph);
    }
    if (goal.target() != null) {
      checkFits(model, ClassLimits.ofGraph(graph));
    }
    List<Pipeline.Stage> stages = Pipeline.standard(goal.options()).stages(graph);
    steps.optimized(source, model, goal, stages);
    if (goal.target() != null) {
      Schedule schedule = Scheduler.schedule(stages.get(stages.size() - 1).graph());
      checkFits(model, ClassLimits.ofSchedule(schedule));
      CompiledClass compiled = emit(model, schedule, goal.target());
      steps.emitted(source, model, compiled, System.nanoTime() - start);
    }
    return null;
  }

  private static CompiledClass emit(CheckedModel model, Schedule schedule, Target target) {
    CompileOptions options = CompileOptions.of(target.packageName(), target.sourceFile())
        .withInitializers(initializers(model)).withAnomaly(target.anomaly());
    try {
      return ClassEmitter.emit(schedule, optimizer(model), options);
    } catch (org.objectweb.asm.ClassTooLargeException e) {
      throw tooLarge(model, "its constant pool would hold " + count(e.getConstantPoolCount() - 1L)
          + " constants, more than the " + count(ClassLimits.MAX_CONSTANTS) + " a class file holds", named(model));
    } catch (org.objectweb.asm.MethodTooLargeException e) {
      // a step's method is reported at the expression the step computes
      Step step = stepOf(schedule, e.getMethodName());
      boolean atStep = step != null && step.node().origin.known();
      throw tooLarge(model, "method " + e.getMethodName() + (atStep ? ", the step computing this," : "")
          + " would hold " + count(e.getCodeSize()) + " bytes of code, more than the 65,535 one method may hold",
          atStep ? step.node().origin : named(model));
    } catch (ArithmeticException e) {
      // Math.toIntExact of an array's length or offset
      throw tooLarge(model, "a tensor holds more than " + count(Integer.MAX_VALUE) + " elements, the most a Java "
          + "array holds", named(model));
    }
  }

  /** Stops a model whose class would pass the class-file format's limits ({@code detail}; null when it fits). */
  private static void checkFits(CheckedModel model, String detail) {
    if (detail != null) throw tooLarge(model, detail, named(model));
  }

  /**
   * The JVM's limits (65,534 constants per class, 64 KB of code per method, int-indexed arrays), reported like
   * javac's "code too large": at the model's name, or at the expression of the step whose method is too long.
   */
  private static IrException tooLarge(CheckedModel model, String detail, Origin where) {
    return new IrException("model " + model.name() + " is too large for one JVM class: " + detail
        + " (split it into smaller models, or use fewer layer instances or smaller sizes)", where);
  }

  private static Origin named(CheckedModel model) {
    return new Origin(model.nameSpan().line(), model.nameSpan().column());
  }

  /** The step a method {@code s<i>} or {@code s<i>$...} computes, or null for any other method. */
  private static Step stepOf(Schedule schedule, String method) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("s(\\d+)(\\$.*)?").matcher(method);
    if (!m.matches()) return null;
    int i = Integer.parseInt(m.group(1));
    return i < schedule.steps().size() ? schedule.steps().get(i) : null;
  }

  private static String count(long n) {
    return String.format(java.util.Locale.ROOT, "%,d", n);
  }

  // ---- one checked model through the same steps ----

  /** The optimized forward graph, no adjoint ({@code --emit ir}). */
  public static Graph inference(CheckedModel model, boolean verify) {
    return last(stages(model, false, verify));
  }

  /** The optimized forward and adjoint graph ({@code --emit grad}); without an objective, like inference. */
  public static Graph training(CheckedModel model, boolean verify) {
    return last(stages(model, true, verify));
  }

  /** The lowered graph, then the graph after each pass with what it changed ({@code --emit ... --passes}). */
  public static List<Pipeline.Stage> stages(CheckedModel model, boolean training, boolean verify) {
    Object[] out = new Object[1];
    one(model, Goal.graph(training, verify), new Steps() {
      @Override
      public void optimized(SourceFile source, CheckedModel m, Goal goal, List<Pipeline.Stage> stages) {
        out[0] = stages;
      }
    });
    @SuppressWarnings("unchecked")
    List<Pipeline.Stage> stages = (List<Pipeline.Stage>) out[0];
    return stages;
  }

  /** The whole pipeline: the model's class, with a seed constructor, in {@code packageName}. */
  public static CompiledClass compile(CheckedModel model, String packageName, String sourceFile, boolean verify) {
    return compile(model, packageName, sourceFile, verify, false);
  }

  /** The whole pipeline; with {@code anomaly}, new instances start with anomaly detection on. */
  public static CompiledClass compile(CheckedModel model, String packageName, String sourceFile, boolean verify,
                                      boolean anomaly) {
    CompiledClass[] out = new CompiledClass[1];
    one(model, Goal.compile(new Target(packageName, sourceFile, anomaly), verify), new Steps() {
      @Override
      public void emitted(SourceFile source, CheckedModel m, CompiledClass compiled, long nanos) {
        out[0] = compiled;
      }
    });
    return out[0];
  }

  private static void one(CheckedModel model, Goal goal, Steps steps) {
    BigStack.call(() -> build(null, model, goal, steps));
  }

  private static Graph last(List<Pipeline.Stage> stages) {
    return stages.get(stages.size() - 1).graph();
  }

  static Map<String, String> initializers(CheckedModel model) {
    Map<String, String> inits = new LinkedHashMap<>();
    for (CheckedModel.Param p : model.params()) {
      inits.put(p.name(), p.init().runtimeText());
    }
    return inits;
  }

  /** The backend's optimizer settings; an inference-only model gets plain SGD with lr 0, which step() leaves. */
  static OptimizerSettings optimizer(CheckedModel model) {
    if (model.objective() == null) {
      return OptimizerSettings.sgd(0);
    }
    OptimizerSpec o = model.objective().optimizer();
    return switch (o.kind()) {
      case SGD -> OptimizerSettings.sgd(o.lr(), o.momentum(), o.dampening(), o.nesterov(), o.weightDecay());
      case ADAM -> OptimizerSettings.adam(o.lr(), o.beta1(), o.beta2(), o.eps(), o.weightDecay());
      case ADAMW -> OptimizerSettings.adamW(o.lr(), o.beta1(), o.beta2(), o.eps(), o.weightDecay());
    };
  }
}
