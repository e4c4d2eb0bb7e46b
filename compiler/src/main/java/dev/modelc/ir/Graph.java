package dev.modelc.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A whole program in the IR: nodes in topological (definition) order and the named results the program computes.
 * Results are what passes must preserve: the model's outputs, the objective, the parameters' gradients and any
 * other value asked for by name. Everything else is there only because a result needs it.
 */
public final class Graph {
  /**
   * What a result is for; dead-code elimination keeps results by kind. A BUFFER_UPDATE is the new value of the
   * buffer (a PARAM source) it is named after, computed by a training forward pass and copied into the buffer at its
   * end (batch_norm's running statistics); predict computes none.
   */
  public enum Kind {
    OUTPUT, OBJECTIVE, GRADIENT, BUFFER_UPDATE
  }

  public record Result(String name, Kind kind, Node node) {}

  private final String name;
  private final List<Node> nodes;
  private final List<Result> results;
  private final int nextId;

  Graph(String name, List<Node> nodes, List<Result> results, int nextId) {
    this.name = name;
    this.nodes = Collections.unmodifiableList(new ArrayList<>(nodes));
    this.results = List.copyOf(results);
    this.nextId = nextId;
  }

  public String name() {
    return name;
  }

  public List<Node> nodes() {
    return nodes;
  }

  public List<Result> results() {
    return results;
  }

  public int nextId() {
    return nextId;
  }

  public Optional<Result> result(String resultName) {
    return results.stream().filter(r -> r.name().equals(resultName)).findFirst();
  }

  public List<Result> results(Kind kind) {
    return results.stream().filter(r -> r.kind() == kind).toList();
  }

  /** Sources of one op (INPUT or PARAM), in definition order. */
  public List<Node> sources(Op op) {
    return nodes.stream().filter(n -> n.op == op).toList();
  }

  public boolean hasAdjoint() {
    return nodes.stream().anyMatch(n -> n.stage == Phase.ADJOINT);
  }

  public int size() {
    return nodes.size();
  }
}
