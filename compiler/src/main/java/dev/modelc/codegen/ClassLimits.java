package dev.modelc.codegen;

import dev.modelc.ir.Attr;
import dev.modelc.ir.Graph;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.runtime.api.CompiledModel;
import dev.modelc.sched.Schedule;
import dev.modelc.sched.Step;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.Type;

/**
 * The class-file limit a model's size runs into first, checked before the class is built. A class file holds at most
 * {@value #MAX_CONSTANTS} constants (its constant pool count is two bytes and counts from 1), and a model class needs
 * some for every parameter and every step, so a model with many layer instances passes the limit long before the
 * 250,000 nodes of {@code ExpansionLimit}: a layer doubling 14 levels deep (8,192 parameters, 33,000 nodes once
 * optimized) already does. Building such a class in full before ASM refuses it took tens of seconds; the least
 * number of constants the class needs is known from the graph at once.
 *
 * <ol>
 *   <li>Count what {@link ClassEmitter} writes into every model class for certain: two getters per parameter (the
 *       parameter's and its gradient's, {@link ClassEmitter#getterNames}), one name constant each; an update method
 *       {@code u<p>} per parameter with a gradient and a step method {@code s<i>} per step, each called from a
 *       pass (its name, a NameAndType and a Methodref); the same for anomaly detection's {@code d<k>} and the split
 *       loops' {@code r<k>} once the steps are known; the class and its superclass, the descriptor {@code ()V},
 *       {@code <init>} and {@code Code}. Names counted twice count once. Everything else (fields, the runtime's
 *       methods, kernels' constants) only adds to this, so the count is a lower bound.
 *   <li>Before optimizing, from the differentiated graph: the steps are not planned yet, but each gradient has a
 *       step of its own that writes it (the step computing it, or its ACCUMULATE step), so there are at least as
 *       many steps as gradients ({@link #ofGraph}).
 *   <li>Before emitting, from the schedule's steps ({@link #ofSchedule}).
 *   <li>Past {@value #MAX_CONSTANTS}, say in the model's terms what is too large: the parameters and steps and the
 *       constants they need; when the parameters need most of them, the layer instance holding most parameters,
 *       else the source line most steps compute.
 * </ol>
 */
public final class ClassLimits {
  /** The most constants one class file holds: its constant_pool_count is a u2 and counts from 1. */
  public static final int MAX_CONSTANTS = 65_534;
  private static final String BASE = Type.getInternalName(CompiledModel.class);

  private ClassLimits() {}

  /**
   * What makes the class of a differentiated training graph too large, or null when it may fit; it counts one step
   * per gradient.
   */
  public static String ofGraph(Graph graph) {
    List<Node> params = graph.sources(Op.PARAM);
    int gradients = graph.results(Graph.Kind.GRADIENT).size();
    List<Integer> trained = trained(graph, params);
    return check(leastConstants(params, trained, gradients, List.of()), params, trained, gradients, null);
  }

  /** What makes the class of a schedule too large, or null when it may fit. */
  public static String ofSchedule(Schedule schedule) {
    List<Integer> trained = trained(schedule.graph(), schedule.params());
    return check(leastConstants(schedule), schedule.params(), trained, 0, schedule.steps());
  }

  /**
   * The least number of constants of a schedule's class: also a method {@code d<k>} for each step whose fused chain
   * anomaly detection can diagnose, called by {@code diagnose}, and {@code r<k>} for each loop split over threads,
   * called by {@code range}.
   */
  static int leastConstants(Schedule schedule) {
    List<String> others = new ArrayList<>();
    for (Step s : schedule.steps()) {
      if (AnomalyEmitter.diagnosable(s)) others.add("d" + s.index() + " (I)I");
    }
    for (Step s : RangeEmitter.splitSteps(schedule)) others.add("r" + s.index() + " (II)V");
    return leastConstants(schedule.params(), trained(schedule.graph(), schedule.params()), schedule.steps().size(),
        others);
  }

  /**
   * The least number of constants of the class: the getters' names, {@code u<p>} for each trained parameter,
   * {@code s0} to {@code s<steps - 1>} and the {@code others} (each a name and a descriptor), three constants per
   * method called, and the fixed ones.
   */
  static int leastConstants(List<Node> params, List<Integer> trained, int steps, List<String> others) {
    Set<String> names = new HashSet<>(List.of(BASE, "()V", "<init>", "Code"));
    for (String getter : ClassEmitter.getterNames(params)) {
      names.add(getter);
      names.add(getter + "Grad");
    }
    for (int p : trained) names.add("u" + p);
    for (int i = 0; i < steps; i++) names.add("s" + i);
    for (String method : others) names.addAll(List.of(method.split(" ")));
    int classes = 2;                                            // the class and its superclass
    int calls = 2 * (trained.size() + steps + others.size());  // a NameAndType and a Methodref per method called
    return names.size() + classes + calls;
  }

  /**
   * The error's detail: what needs the constants, and where most of them come from: the instance holding most
   * parameters when they need most of the constants, else the line most steps compute. {@code steps} are the
   * schedule's, or null before scheduling ({@code least} steps, one per gradient).
   */
  private static String check(int constants, List<Node> params, List<Integer> trained, int least, List<Step> steps) {
    if (constants <= MAX_CONSTANTS) return null;
    int stepCount = steps == null ? least : steps.size();
    String paramText = params.size() == trained.size()
        ? count(params.size()) + " trained " + (params.size() == 1 ? "parameter" : "parameters")
        : count(params.size()) + (params.size() == 1 ? " parameter (" : " parameters (") + count(trained.size())
            + " trained)";
    StringBuilder sb = new StringBuilder("its ").append(paramText).append(" and ")
        .append(steps == null ? "at least " : "").append(count(stepCount)).append(" computation ")
        .append(stepCount == 1 ? "step" : "steps").append(" need at least ").append(count(constants))
        .append(" constants, more than the ").append(count(MAX_CONSTANTS)).append(" a class file holds");
    if (2 * (2L * params.size() + 3L * trained.size()) > constants) sb.append(instances(params));
    else if (steps != null) sb.append(lines(steps));
    return sb.toString();
  }

  /** The source line most steps compute, when it has more than half of them. */
  private static String lines(List<Step> steps) {
    Map<Integer, Integer> byLine = new LinkedHashMap<>();
    for (Step s : steps) {
      if (s.node().origin.known()) byLine.merge(s.node().origin.line(), 1, Integer::sum);
    }
    for (Map.Entry<Integer, Integer> e : byLine.entrySet()) {
      if (2 * e.getValue() > steps.size()) {
        return "; " + count(e.getValue()) + " of the steps compute line " + e.getKey() + " of the source";
      }
    }
    return "";
  }

  /** The indices of the parameters with a gradient. */
  private static List<Integer> trained(Graph graph, List<Node> params) {
    Set<String> gradients = new HashSet<>();
    for (Graph.Result r : graph.results(Graph.Kind.GRADIENT)) gradients.add(r.name());
    List<Integer> trained = new ArrayList<>();
    for (int p = 0; p < params.size(); p++) {
      if (gradients.contains(((Attr.Name) params.get(p).attr).name())) trained.add(p);
    }
    return trained;
  }

  /**
   * Where most parameters come from: the layer instance of the model holding the most, with its own instances
   * ({@code ; 8,192 of the parameters are in instance net (net.a 4,096, net.b 4,096)}), or nothing when no instance
   * holds more than half of them.
   */
  private static String instances(List<Node> params) {
    Map<String, Integer> byInstance = countByPrefix(params, "");
    String top = null;
    for (Map.Entry<String, Integer> e : byInstance.entrySet()) {
      if (top == null || e.getValue() > byInstance.get(top)) top = e.getKey();
    }
    if (top == null || 2 * byInstance.get(top) <= params.size()) return "";
    StringBuilder sb = new StringBuilder("; ").append(byInstance.get(top) == params.size() ? "all"
        : count(byInstance.get(top))).append(" of the parameters are in instance ").append(top);
    List<String> parts = new ArrayList<>();
    countByPrefix(params, top + ".").forEach((inner, n) -> parts.add(inner + " " + count(n)));
    if (!parts.isEmpty()) {
      sb.append(" (").append(String.join(", ", parts.subList(0, Math.min(4, parts.size()))))
          .append(parts.size() > 4 ? ", ..." : "").append(')');
    }
    return sb.toString();
  }

  /** The parameters under {@code prefix} by the instance one level below it, in declaration order. */
  private static Map<String, Integer> countByPrefix(List<Node> params, String prefix) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Node p : params) {
      String name = ((Attr.Name) p.attr).name();
      if (!name.startsWith(prefix)) continue;
      int dot = name.indexOf('.', prefix.length());
      if (dot > 0) counts.merge(name.substring(0, dot), 1, Integer::sum);
    }
    return counts;
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }
}
