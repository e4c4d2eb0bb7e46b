package dev.modelc.eval;

import dev.modelc.ir.Attr;
import dev.modelc.ir.Dims;
import dev.modelc.ir.Graph;
import dev.modelc.ir.IrException;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.types.Dim;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a graph (forward, adjoint, or both) on concrete values, with the kernels of {@link Kernels}, no tape.
 *
 * <ol>
 *   <li>Bind: every INPUT and PARAM node takes the array given under its name; the array's dtype and rank must match
 *       the node's type. Symbolic sizes are learned from the inputs' shapes (a dim that is one symbol binds it) or
 *       given explicitly; then every source's full shape is checked against the bound sizes.
 *   <li>Run: nodes in graph order, each computed from its operands' values.
 *   <li>Answer: the value of every node, by node, and of every result and labelled node, by name.
 * </ol>
 */
public final class IrEvaluator {
  private final Graph graph;

  public IrEvaluator(Graph graph) {
    this.graph = graph;
  }

  /** The values of one run. */
  public record Values(Map<Node, NdArray> byNode, Map<String, NdArray> results, Map<String, NdArray> byLabel) {
    public NdArray result(String name) {
      NdArray v = results.get(name);
      if (v == null) throw new IllegalArgumentException("no result named " + name + "; have " + results.keySet());
      return v;
    }
  }

  public Values run(Map<String, NdArray> inputs, Map<String, NdArray> params) {
    return run(inputs, params, Map.of());
  }

  public Values run(Map<String, NdArray> inputs, Map<String, NdArray> params, Map<String, Long> givenSizes) {
    Map<String, Long> sizes = new HashMap<>(givenSizes);
    for (Node n : graph.nodes()) {
      if (n.op == Op.INPUT) learnSizes(n, bound(n, inputs), sizes);
    }
    Map<Node, NdArray> values = new HashMap<>();
    for (Node n : graph.nodes()) {
      NdArray v;
      if (n.op == Op.INPUT || n.op == Op.PARAM) {
        v = bound(n, n.op == Op.INPUT ? inputs : params);
        checkShape(n, v, sizes);
      } else {
        List<NdArray> operands = new ArrayList<>();
        for (Node x : n.inputs) operands.add(values.get(x));
        v = Kernels.apply(n, operands, sizes);
      }
      values.put(n, v);
    }
    Map<String, NdArray> results = new LinkedHashMap<>();
    for (Graph.Result r : graph.results()) results.put(r.name(), values.get(r.node()));
    Map<String, NdArray> labelled = new LinkedHashMap<>();
    for (Node n : graph.nodes()) {
      if (n.label() != null) labelled.putIfAbsent(n.label(), values.get(n));
    }
    return new Values(values, results, labelled);
  }

  private static NdArray bound(Node n, Map<String, NdArray> values) {
    String name = ((Attr.Name) n.attr).name();
    NdArray v = values.get(name);
    if (v == null) throw new IrException("no value given for " + n.op.mnemonic() + " " + name, n.origin);
    if (v.dtype() != n.dtype() || v.rank() != n.rank()) {
      throw new IrException(n.op.mnemonic() + " " + name + " expects " + Dims.text(n.type) + ", got "
          + v.dtype().name().toLowerCase(java.util.Locale.ROOT) + Arrays.toString(v.shape()), n.origin);
    }
    return v;
  }

  private static void learnSizes(Node n, NdArray v, Map<String, Long> sizes) {
    for (int i = 0; i < n.rank(); i++) {
      Dim d = Dims.dim(n.shape(), i);
      List<String> symbols = Dims.symbols(d);
      if (symbols.size() == 1 && Dims.coefficient(d) == 1) sizes.putIfAbsent(symbols.get(0), (long) v.shape()[i]);
    }
  }

  private static void checkShape(Node n, NdArray v, Map<String, Long> sizes) {
    int[] want = Dims.evaluate(n.shape(), sizes);
    if (!Arrays.equals(want, v.shape())) {
      throw new IrException(n.op.mnemonic() + " " + n.label() + " expects shape " + Arrays.toString(want)
          + " (" + Dims.text(n.shape()) + "), got " + Arrays.toString(v.shape()), n.origin);
    }
  }
}
