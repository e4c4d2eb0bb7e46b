package dev.modelc.check;

import dev.modelc.ast.Expr;
import dev.modelc.ast.Ident;
import dev.modelc.ast.LayerDef;
import dev.modelc.ast.Member;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.Span;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import dev.modelc.types.TensorType;
import dev.modelc.util.ExpansionLimit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state of checking one model: the parameters and values collected so far, which names have been read (for
 * warnings), the names declared further down (for "used before its definition"), and layer expansion: an instance
 * declaration creates the layer's parameters under dotted names; a call of the instance inlines its body.
 */
final class ModelContext {
  final Diagnostics diagnostics;
  final Map<String, LayerDef> layers;
  final List<CheckedModel.Param> params = new ArrayList<>();
  final List<CheckedModel.Value> values = new ArrayList<>();
  final Map<String, TExpr> definitions = new HashMap<>();
  final Set<String> read = new HashSet<>();
  final Map<String, Span> declaredLater = new LinkedHashMap<>();
  private final InitializerChecker inits;
  private final ConstEval constants;
  private final Deque<String> expanding = new ArrayDeque<>();
  /** Expressions checked, layer instances and params made so far: the model's size once its layers are inlined. */
  private int expanded;
  private boolean tooLarge;

  ModelContext(Diagnostics diagnostics, Map<String, LayerDef> layers) {
    this.diagnostics = diagnostics;
    this.layers = layers;
    this.inits = new InitializerChecker(diagnostics);
    this.constants = new ConstEval(diagnostics);
  }

  /**
   * Counts one more node of the expanded model (a checked expression, in a layer's body once per call; a layer
   * instance; a param); false once the model has passed {@link ExpansionLimit#MAX_NODES}, after reporting that
   * once at {@code at}. Checking then stops expanding, so a model that doubles per layer level fails at once.
   */
  boolean expand(Span at) {
    if (tooLarge) {
      return false;
    }
    if (++expanded > ExpansionLimit.MAX_NODES) {
      tooLarge = true;
      diagnostics.error(at, ExpansionLimit.message());
      return false;
    }
    return true;
  }

  void markRead(String name) {
    read.add(name);
  }

  boolean isLayer(String name) {
    return layers.containsKey(name);
  }

  boolean isDeclaredLater(String name) {
    return declaredLater.containsKey(name);
  }

  TExpr definition(String value) {
    return definitions.get(value);
  }

  void reportUndefined(String name, Span at) {
    Span later = declaredLater.get(name);
    if (later != null) {
      diagnostics.error(at, "'" + name + "' is used before its definition on line " + later.line());
    } else {
      diagnostics.error(at, "undefined name '" + name + "'");
    }
  }

  void addValue(String name, TExpr expr, Span span) {
    values.add(new CheckedModel.Value(name, expr, span));
    definitions.put(name, expr);
  }

  /** Checks a parameter declaration and registers it under {@code dottedName}; returns its reference or null. */
  TExpr.Ref param(String dottedName, Member.Param p, Scope scope) {
    TensorType type = Types.resolve(p.type(), scope, Types.Mode.CONSTANT, diagnostics, constants);
    String kind = p.buffer() ? "buffer" : "param";
    if (p.init() == null) {
      diagnostics.error(p.name().span(), kind + " '" + p.name().name() + "' needs an initializer: "
          + kind + " " + p.name().name() + " : ... init " + (p.buffer() ? "zeros" : "uniform(-0.1, 0.1)"));
      return null;
    }
    if (type == null) {
      return null;
    }
    if (type.dtype() == DType.I32 && p.buffer()) { // a counter, batch_norm's num_batches_tracked
      if (type.shape().rank() != 0) {
        diagnostics.error(p.type().span(), "an i32 buffer is a counter (batch_norm's num_batches_tracked) and is a "
            + "scalar: i32 or i32[], got " + type);
        return null;
      }
    } else if (!type.dtype().isFloat()) {
      diagnostics.error(p.type().span(), "a " + kind + " must be f32 or f64" + (p.buffer() ? " (or an i32 counter)"
          : "") + ", got " + type.dtype().spelling());
      return null;
    }
    Initializer init = inits.check(p.init(), type, scope);
    if (init == null) {
      return null;
    }
    if (type.dtype() == DType.I32 && init.kind() != Initializer.Kind.ZEROS) {
      diagnostics.error(p.init().span(), "an i32 counter buffer starts at zero: init zeros");
      return null;
    }
    params.add(new CheckedModel.Param(dottedName, type, init, p.span(), p.buffer()));
    return new TExpr.Ref(dottedName, TExpr.RefKind.PARAM, type, p.name().span());
  }

  /** Expands {@code name = Layer(args)}: sizes, the layer's params (dotted) and nested instances. */
  LayerInstance instantiate(String prefix, Ident name, Expr.Call call, Scope outer) {
    String layerName = call.callee().name();
    LayerDef def = layers.get(layerName);
    if (def == null) {
      if (Builtin.byName(layerName) != null) {
        diagnostics.error(call.callee().span(), "'" + layerName + "' is a builtin function, not a layer; "
            + "use it in a let");
      } else {
        diagnostics.error(call.callee().span(), "unknown layer '" + layerName + "'");
      }
      return null;
    }
    if (expanding.contains(layerName)) {
      // expanding is a stack, innermost first; the cycle reads outermost first, from the layer that recurs
      List<String> cycle = new ArrayList<>();
      expanding.descendingIterator().forEachRemaining(cycle::add);
      cycle = cycle.subList(cycle.indexOf(layerName), cycle.size());
      diagnostics.error(call.span(), "layer '" + layerName + "' contains itself (" + String.join(" -> ", cycle)
          + " -> " + layerName + ")");
      return null;
    }
    if (!expand(call.span())) {
      return null;
    }
    Map<String, Long> sizes = bindSizes(def, call, outer);
    if (sizes == null) {
      return null;
    }
    Scope scope = new Scope(null);
    for (Ident s : def.sizeParams()) {
      scope.bind(s.name(), new Scope.Size(Dim.of(sizes.get(s.name()))), s.span());
    }
    Span declared = name.span().to(call.span());
    LayerInstance instance = new LayerInstance(prefix, def, scope, declared, name.name() + " = " + source(call.span()));
    expanding.push(layerName);
    int start = diagnostics.size();
    try {
      for (Member m : def.members()) {
        if (m instanceof Member.Param p) {
          if (!expand(p.span())) {
            return null;
          }
          TExpr.Ref ref = param(prefix + "." + p.name().name(), p, scope);
          if (ref != null) {
            duplicate(scope.bind(p.name().name(), new Scope.Tensor(ref), p.name().span()), p.name());
          } else {
            scope.bind(p.name().name(), new Scope.Poisoned(), p.name().span()); // uses in the call stay silent
          }
        } else if (m instanceof Member.Instance i) {
          LayerInstance nested = instantiate(prefix + "." + i.name().name(), i.name(), i.layer(), scope);
          if (nested != null) {
            duplicate(scope.bind(i.name().name(), new Scope.Instance(nested), i.name().span()), i.name());
          } else {
            scope.bind(i.name().name(), new Scope.Poisoned(), i.name().span());
          }
        }
      }
    } finally {
      expanding.pop();
      // Errors in the layer's params and nested instances point into the layer; say which instance caused them,
      // as calls do for errors in the body.
      diagnostics.noteErrorsSince(start, declared, "in layer " + instance.declaration + " here");
    }
    return instance;
  }

  private Map<String, Long> bindSizes(LayerDef def, Expr.Call call, Scope outer) {
    List<Ident> names = def.sizeParams();
    Map<String, Long> sizes = new HashMap<>();
    int positional = 0;
    boolean ok = true;
    for (Expr.Arg a : call.args()) {
      String name;
      if (a.name() == null) {
        if (positional >= names.size()) {
          diagnostics.error(a.span(), "layer " + def.name() + " takes " + names.size() + " size argument"
              + (names.size() == 1 ? "" : "s") + ", got " + call.args().size());
          return null;
        }
        name = names.get(positional++).name();
      } else {
        name = a.name().name();
        if (names.stream().noneMatch(n -> n.name().equals(name))) {
          diagnostics.error(a.name().span(), "layer " + def.name() + " has no size parameter '" + name + "'");
          ok = false;
          continue;
        }
      }
      if (sizes.containsKey(name)) {
        diagnostics.error(a.span(), "size '" + name + "' of layer " + def.name() + " is given twice");
        ok = false;
        continue;
      }
      Object v = constants.eval(a.value(), outer);
      if (v == null) {
        ok = false;
      } else if (!(v instanceof Long l) || l <= 0) {
        diagnostics.error(a.value().span(), "size '" + name + "' of layer " + def.name()
            + " must be a positive integer constant, got " + ConstEval.describeNonInteger(v));
        ok = false;
      } else {
        sizes.put(name, l);
      }
    }
    for (Ident n : names) {
      if (ok && !sizes.containsKey(n.name())) {
        diagnostics.error(call.span(), "layer " + def.name() + " is missing its size argument '" + n.name() + "'");
        ok = false;
      }
    }
    return ok ? sizes : null;
  }

  /** The source text of a span, shortened to one line of reasonable length. */
  private String source(Span s) {
    dev.modelc.diag.SourceFile f = diagnostics.file(s.file());
    String text = f == null ? "..." : f.text().substring(s.start(), s.end()).replaceAll("\\s+", " ");
    return text.length() > 80 ? text.substring(0, 77) + "..." : text;
  }

  /** Inlines a call of a layer instance: binds the arguments, checks block lets and the body. */
  TExpr callLayer(LayerInstance inst, Expr.Call call, Scope caller, ExprChecker exprs) {
    List<Ident> params = inst.def.call().params();
    List<TExpr> args = new ArrayList<>();
    boolean ok = true;
    for (Expr.Arg a : call.args()) {
      if (a.name() != null) {
        diagnostics.error(a.span(), "layer calls take positional arguments only");
        ok = false;
        continue;
      }
      TExpr t = exprs.checkTensor(a.value(), caller, DType.F32);
      ok &= t != null;
      args.add(t);
    }
    if (ok && args.size() != params.size()) {
      diagnostics.error(call.span(), inst.prefix + " (a " + inst.def.name() + ") takes " + params.size()
          + " input" + (params.size() == 1 ? "" : "s") + ", got " + args.size());
      return null;
    }
    if (!ok) {
      return null;
    }
    int start = diagnostics.size();
    TExpr result = body(inst, args, exprs);
    // Errors inside the layer's body point into the layer; say which instance (with which sizes) caused them.
    diagnostics.noteErrorsSince(start, inst.declared, "in layer " + inst.declaration + " here");
    return result;
  }

  /** The layer's lets and body, with its call parameters bound to {@code args}. */
  private TExpr body(LayerInstance inst, List<TExpr> args, ExprChecker exprs) {
    List<Ident> params = inst.def.call().params();
    inst.calls++;
    String suffix = inst.calls == 1 ? "" : "#" + inst.calls;
    Scope scope = new Scope(inst.scope);
    for (int i = 0; i < params.size(); i++) {
      Ident p = params.get(i);
      // a call's argument or block let may not hide the layer's own sizes, params or instances, as a param may not
      Span earlier = inst.scope.declaredHere(p.name());
      duplicate(earlier != null ? earlier : scope.bind(p.name(), new Scope.Tensor(args.get(i)), p.span()), p);
    }
    for (Member.Let let : inst.def.call().lets()) {
      TExpr value = exprs.checkTensor(let.value(), scope, DType.F32);
      if (value == null) {
        return null; // the body cannot be checked without this let; the error is reported
      }
      if (!Types.matchesAnnotation(let, value, scope, diagnostics, constants)) {
        return null;
      }
      String name = inst.prefix + "." + let.name().name() + suffix;
      addValue(name, value, let.span());
      read.add(name); // block lets are internal to the layer; not reported as unused
      Span earlier = inst.scope.declaredHere(let.name().name());
      duplicate(earlier != null ? earlier : scope.bind(let.name().name(),
          new Scope.Tensor(new TExpr.Ref(name, TExpr.RefKind.VALUE, value.type(), let.name().span())),
          let.name().span()), let.name());
    }
    return exprs.checkTensor(inst.def.call().body(), scope, DType.F32);
  }

  void duplicate(Span earlier, Ident name) {
    if (earlier != null) {
      diagnostics.error(name.span(), "'" + name.name() + "' is already defined on line " + earlier.line());
    }
  }
}
