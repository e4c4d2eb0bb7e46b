package dev.modelc.check;

import dev.modelc.ast.Ident;
import dev.modelc.ast.LayerDef;
import dev.modelc.ast.Member;
import dev.modelc.ast.ModelDef;
import dev.modelc.ast.Program;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.Span;
import dev.modelc.types.DType;
import dev.modelc.types.TensorType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.SourceVersion;

/**
 * The checker: from a parsed {@link Program} to {@link CheckedModel}s, reporting every error it finds.
 *
 * <ol>
 *   <li>Collect layer definitions; reject duplicates and members a layer may not hold.
 *   <li>For each model, walk its members in order, so that a name used before its declaration is an error:
 *       inputs introduce symbolic sizes; params get resolved initializers; instances expand their layer's
 *       params under dotted names; lets are checked by {@link ExprChecker} (layer calls inlined); outputs and the
 *       objective are resolved, the objective with its optimizer.
 *   <li>Warn about params and inputs nobody reads and lets that are neither read nor output.
 * </ol>
 */
public final class Checker {
  private final Diagnostics diagnostics;

  private Checker(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
  }

  public static CheckedProgram check(Program program, Diagnostics diagnostics) {
    return dev.modelc.util.BigStack.call(() -> new Checker(diagnostics).program(program));
  }

  private CheckedProgram program(Program program) {
    Map<String, LayerDef> layers = new LinkedHashMap<>();
    for (LayerDef layer : program.layers()) {
      LayerDef earlier = layers.putIfAbsent(layer.name(), layer);
      if (earlier != null) {
        diagnostics.error(layer.nameSpan(), "layer '" + layer.name() + "' is already defined on line "
            + earlier.nameSpan().line());
      }
      validateLayer(layer);
    }
    Set<String> modelNames = new HashSet<>();
    List<CheckedModel> models = new ArrayList<>();
    for (ModelDef model : program.models()) {
      if (!modelNames.add(model.name())) {
        diagnostics.error(model.nameSpan(), "model '" + model.name() + "' is already defined");
      }
      if (layers.containsKey(model.name())) {
        diagnostics.error(model.nameSpan(), "'" + model.name() + "' is the name of a layer too");
      }
      if (SourceVersion.isKeyword(model.name())) {
        diagnostics.error(model.nameSpan(), "model '" + model.name() + "' would compile to a class Java code cannot "
            + "name ('" + model.name() + "' is a Java keyword); rename the model");
      }
      CheckedModel checked = model(model, layers);
      if (checked != null) {
        models.add(checked);
      }
    }
    if (program.models().isEmpty() && !program.layers().isEmpty()) {
      diagnostics.warning(program.layers().get(0).nameSpan(), "this file defines layers but no model");
    } else if (program.models().isEmpty()) {
      diagnostics.warning(Span.none(program.file().name()), "this file holds no model (it is empty or only comments)");
    }
    return new CheckedProgram(program.file().name(), models);
  }

  private void validateLayer(LayerDef layer) {
    Set<String> seen = new HashSet<>();
    for (Ident s : layer.sizeParams()) {
      if (!seen.add(s.name())) {
        diagnostics.error(s.span(), "size parameter '" + s.name() + "' appears twice");
      }
    }
    for (Member m : layer.members()) {
      String what = m instanceof Member.Input ? "input" : m instanceof Member.Let ? "let"
          : m instanceof Member.Output ? "output" : m instanceof Member.Minimize ? "minimize" : null;
      if (what != null) {
        diagnostics.error(m.span(), "'" + what + "' is not allowed in a layer; a layer holds params, instances of "
            + "other layers and its call" + (what.equals("let") ? " (write lets inside the call's { ... } block)" : ""));
      }
    }
  }

  private CheckedModel model(ModelDef def, Map<String, LayerDef> layers) {
    int errorsBefore = diagnostics.errorCount();
    ModelContext ctx = new ModelContext(diagnostics, layers);
    ExprChecker exprs = new ExprChecker(diagnostics, ctx);
    OptimizerChecker optimizers = new OptimizerChecker(diagnostics);
    ConstEval constants = new ConstEval(diagnostics);
    Scope scope = new Scope(null);
    for (Member m : def.members()) {
      Ident name = declaredName(m);
      if (name != null) {
        ctx.declaredLater.putIfAbsent(name.name(), name.span());
      }
    }
    List<String> sizes = new ArrayList<>();
    List<CheckedModel.Input> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    Map<String, Span> declared = new LinkedHashMap<>();
    CheckedModel.Objective objective = null;
    Span objectiveAt = null;
    for (Member m : def.members()) {
      Ident name = declaredName(m);
      if (name != null) {
        ctx.declaredLater.remove(name.name());
      }
      if (m instanceof Member.Input in) {
        Set<String> before = new HashSet<>(scope.local().keySet());
        TensorType type = Types.resolve(in.type(), scope, Types.Mode.INPUT, diagnostics, constants);
        for (String s : scope.local().keySet()) {
          if (!before.contains(s)) {
            sizes.add(s);
          }
        }
        if (type == null) {
          poison(scope, in.name());
        } else {
          inputs.add(new CheckedModel.Input(in.name().name(), type, in.span()));
          bind(scope, in.name(), new TExpr.Ref(in.name().name(), TExpr.RefKind.INPUT, type, in.name().span()));
          declared.put(in.name().name(), in.name().span());
        }
      } else if (m instanceof Member.Param p) {
        TExpr.Ref ref = ctx.param(p.name().name(), p, scope);
        if (ref != null) {
          bind(scope, p.name(), ref);
          declared.put(p.name().name(), p.name().span());
        } else {
          poison(scope, p.name());
        }
      } else if (m instanceof Member.Instance i) {
        LayerInstance inst = ctx.instantiate(i.name().name(), i.name(), i.layer(), scope);
        if (inst != null) {
          ctx.duplicate(scope.bind(i.name().name(), new Scope.Instance(inst), i.name().span()), i.name());
        } else {
          poison(scope, i.name());
        }
      } else if (m instanceof Member.Let let) {
        TExpr value = exprs.checkTensor(let.value(), scope, DType.F32);
        if (value != null && Types.matchesAnnotation(let, value, scope, diagnostics, constants)) {
          String n = let.name().name();
          if (scope.lookup(n) == null) {
            ctx.addValue(n, value, let.span());
            declared.put(n, let.name().span());
          }
          bind(scope, let.name(), new TExpr.Ref(n, TExpr.RefKind.VALUE, value.type(), let.name().span()));
        } else {
          poison(scope, let.name());
        }
      } else if (m instanceof Member.Output out) {
        for (Ident o : out.names()) {
          Scope.Binding b = scope.lookup(o.name());
          if (b instanceof Scope.Tensor t && t.expr() instanceof TExpr.Ref ref && ref.type().dtype() == DType.BOOL) {
            diagnostics.error(o.span(), "'" + o.name() + "' is a mask (" + ref.type() + "), which is not an output "
                + "value; output its 0/1 numbers instead: let " + o.name() + "_f = float(" + o.name() + ")");
          } else if (b instanceof Scope.Tensor t && t.expr() instanceof TExpr.Ref ref
              && ref.type().dtype() == DType.I32) {
            diagnostics.error(o.span(), ref.kind() == TExpr.RefKind.PARAM
                ? "'" + o.name() + "' is a counter (an i32 buffer), whose only use is batch_norm's "
                    + "num_batches_tracked; it is not an output value (it is saved with the weights)"
                : "'" + o.name() + "' is an i32 value (" + ref.type() + "); i32 values are class labels and indices, "
                    + "which can only be the target of cross_entropy or nll or the index of index_select, gather, "
                    + "one_hot or embedding, not an output");
          } else if (b instanceof Scope.Tensor t && t.expr() instanceof TExpr.Ref) {
            if (outputs.contains(o.name())) {
              diagnostics.error(o.span(), "'" + o.name() + "' is already an output");
            } else {
              outputs.add(o.name());
            }
          } else if (b instanceof Scope.Poisoned) {
            continue;
          } else if (b == null) {
            ctx.reportUndefined(o.name(), o.span());
          } else {
            diagnostics.error(o.span(), "'" + o.name() + "' is not a tensor value; outputs name inputs, params "
                + "or lets");
          }
        }
      } else if (m instanceof Member.Minimize min) {
        if (objectiveAt != null) {
          diagnostics.error(min.span(), "a model has one objective; another 'minimize' is on line "
              + objectiveAt.line());
          continue;
        }
        objectiveAt = min.span();
        TExpr loss = exprs.checkTensor(min.objective(), scope, DType.F32);
        OptimizerSpec opt = optimizers.check(min.optimizer());
        if (loss != null && loss.type().dtype() == DType.BOOL) {
          diagnostics.error(min.objective().span(), "the objective is a mask (" + loss.type() + "); it must be a "
              + "float scalar");
          loss = null;
        }
        if (loss != null && !loss.type().shape().isScalar()) {
          diagnostics.error(min.objective().span(), "grad can be implicitly created only for scalar outputs: the "
              + "objective is " + loss.type() + "; reduce it first, e.g. mean(...) or sum(...)");
          loss = null;
        }
        if (loss != null && opt != null) {
          objective = new CheckedModel.Objective(loss, opt, min.span());
          if (ctx.params.isEmpty()) {
            diagnostics.warning(min.span(), "the model has no params: the optimizer has nothing to update");
          }
        }
      }
    }
    if (diagnostics.errorCount() == errorsBefore) {
      // After an error, what it cut off (a failed layer body, a let that did not check) would be reported as
      // unused too; those warnings only add noise.
      warnUnused(ctx, inputs, outputs, objective);
    }
    return new CheckedModel(def.name(), def.span(), def.nameSpan(), sizes, inputs, ctx.params, ctx.values, outputs,
        objective);
  }

  private static void poison(Scope scope, Ident name) {
    scope.bind(name.name(), new Scope.Poisoned(), name.span());
  }

  private void bind(Scope scope, Ident name, TExpr.Ref ref) {
    Span earlier = scope.bind(name.name(), new Scope.Tensor(ref), name.span());
    if (earlier != null) {
      diagnostics.error(name.span(), "'" + name.name() + "' is already defined on line " + earlier.line());
    }
  }

  private void warnUnused(ModelContext ctx, List<CheckedModel.Input> inputs, List<String> outputs,
      CheckedModel.Objective objective) {
    for (CheckedModel.Input in : inputs) {
      if (!ctx.read.contains(in.name()) && !outputs.contains(in.name())) {
        diagnostics.warning(in.span(), "input '" + in.name() + "' is never used");
      }
    }
    for (CheckedModel.Param p : ctx.params) {
      if (!ctx.read.contains(p.name()) && !outputs.contains(p.name())) {
        diagnostics.warning(p.span(), (p.buffer() ? "buffer '" : "param '") + p.name() + "' is never used");
      }
    }
    for (CheckedModel.Value v : ctx.values) {
      if (!ctx.read.contains(v.name()) && !outputs.contains(v.name())) {
        diagnostics.warning(v.span(), "'" + v.name() + "' is computed but never used and is not an output");
      }
    }
  }

  private static Ident declaredName(Member m) {
    if (m instanceof Member.Input i) {
      return i.name();
    } else if (m instanceof Member.Param p) {
      return p.name();
    } else if (m instanceof Member.Let l) {
      return l.name();
    } else if (m instanceof Member.Instance i) {
      return i.name();
    }
    return null;
  }
}
