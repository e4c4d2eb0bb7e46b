package dev.modelc.driver;

import dev.modelc.check.CheckedModel;
import dev.modelc.check.Optimizer;
import dev.modelc.codegen.CompileOptions;
import dev.modelc.codegen.CompiledClass;
import dev.modelc.codegen.ModelCompiler;
import dev.modelc.codegen.OptimizerSettings;
import dev.modelc.ir.Graph;
import dev.modelc.ir.IrException;
import dev.modelc.lower.Lowering;
import dev.modelc.opt.Options;
import dev.modelc.opt.Pipeline;
import dev.modelc.util.BigStack;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The compiler's pipeline after the front end, in one place: lower the checked model, differentiate (training),
 * optimize with the flat list of passes, schedule and emit the class. Parsing and checking come before it
 * ({@code dev.modelc.check.Frontend}); each stage can be looked at through the methods below ({@code --emit}).
 */
public final class ModelBuild {
  private ModelBuild() {}

  /** The optimized forward graph, no adjoint ({@code --emit ir}). */
  public static Graph inference(CheckedModel model, boolean verify) {
    return BigStack.call(() ->
        Pipeline.standard(Options.inference().withVerify(verify)).run(Lowering.lower(model, false)));
  }

  /** The optimized forward and adjoint graph ({@code --emit grad}); without an objective, like inference. */
  public static Graph training(CheckedModel model, boolean verify) {
    return BigStack.call(() ->
        Pipeline.standard(Options.training().withVerify(verify)).run(Lowering.lower(model, true)));
  }

  /**
   * Every stage of the optimization pipeline for the training (or, with {@code training} false, inference) graph:
   * the lowered graph first, then the graph after each pass with what the pass changed ({@code --emit ... --stages}).
   */
  public static java.util.List<Pipeline.Stage> stages(CheckedModel model, boolean training) {
    Options options = (training ? Options.training() : Options.inference()).withVerify(true);
    return BigStack.call(() -> Pipeline.standard(options).stages(Lowering.lower(model, training)));
  }

  /** The whole pipeline: the model's class, with a seed constructor, in {@code packageName}. */
  public static CompiledClass compile(CheckedModel model, String packageName, String sourceFile, boolean verify) {
    Graph graph = training(model, verify);
    CompileOptions options = CompileOptions.of(packageName, sourceFile).withInitializers(initializers(model));
    try {
      return BigStack.call(() -> ModelCompiler.compile(graph, optimizer(model), options));
    } catch (org.objectweb.asm.MethodTooLargeException | org.objectweb.asm.ClassTooLargeException
        | ArithmeticException e) {
      // The JVM's limits (64 KB of code per method, 65535 constants per class, int-indexed arrays), reported at
      // the model like javac's "code too large".
      throw new IrException("model " + model.name() + " is too large for one JVM class: " + e.getMessage()
          + " (split it into smaller models or reduce its sizes)",
          new dev.modelc.ir.Origin(model.span().line(), model.span().column()));
    }
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
    Optimizer o = model.objective().optimizer();
    return switch (o.kind()) {
      case SGD -> OptimizerSettings.sgd(o.lr(), o.momentum(), o.dampening(), o.nesterov(), o.weightDecay());
      case ADAM -> OptimizerSettings.adam(o.lr(), o.beta1(), o.beta2(), o.eps(), o.weightDecay());
      case ADAMW -> OptimizerSettings.adamW(o.lr(), o.beta1(), o.beta2(), o.eps(), o.weightDecay());
    };
  }
}
