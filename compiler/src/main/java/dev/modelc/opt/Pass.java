package dev.modelc.opt;

import dev.modelc.ir.Graph;
import java.util.List;

/** One named graph-to-graph transformation of the pipeline. It reports what it changed, in words, for golden tests. */
public interface Pass {
  String name();

  Outcome run(Graph g, PassOptions options);

  /** The new graph and one line per change ("merged %12 into %7"). */
  record Outcome(Graph graph, List<String> changes) {}
}
