package dev.modelc.opt;

import dev.modelc.ir.Graph;
import dev.modelc.ir.Verifier;
import java.util.ArrayList;
import java.util.List;

/**
 * The optimization pipeline: one flat, named list of passes run in order. A driver can print the graph after any
 * stage ({@link #stages}); with {@link PassOptions#verify()} the verifier checks the graph before the first pass and
 * after each one, and a broken graph names the pass that broke it.
 */
public final class Pipeline {
  private final PassOptions options;
  private final List<Pass> passes;

  public Pipeline(PassOptions options, List<Pass> passes) {
    this.options = options;
    this.passes = List.copyOf(passes);
  }

  /** The standard pipeline. */
  public static Pipeline standard(PassOptions options) {
    return new Pipeline(options, List.of(
        new ConstantFolding(),
        new Simplify(),
        new ConstantFolding(),
        new Cse(),
        new Dce()));
  }

  public List<String> names() {
    return passes.stream().map(Pass::name).toList();
  }

  /** The graph after one pass, with what the pass changed. */
  public record Stage(String pass, Graph graph, List<String> changes) {}

  /** The input graph ("input") followed by the graph after each pass. */
  public List<Stage> stages(Graph g) {
    List<Stage> out = new ArrayList<>();
    out.add(new Stage("input", g, List.of()));
    if (options.verify()) Verifier.verify(g, "lowering");
    for (Pass p : passes) {
      Pass.Outcome o = p.run(g, options);
      g = o.graph();
      if (options.verify()) Verifier.verify(g, "pass " + p.name());
      out.add(new Stage(p.name(), g, o.changes()));
    }
    return out;
  }

  public Graph run(Graph g) {
    List<Stage> s = stages(g);
    return s.get(s.size() - 1).graph();
  }
}
