package dev.modelc.ir;

import dev.modelc.types.DType;
import dev.modelc.types.Shape;
import dev.modelc.types.TensorType;
import java.util.List;

/**
 * One SSA value: an op applied to earlier nodes, with its static type. Nodes are immutable; passes build new graphs.
 * The id is unique in a graph and kept when a pass copies a node, so printed stages can be compared line by line.
 * The label, when present, is a source name (a let, an input, a parameter, "grad of w") shown by the printers.
 */
public final class Node {
  public final int id;
  public final Op op;
  public final Attr attr;
  public final List<Node> inputs;
  public final TensorType type;
  public final Origin origin;
  public final Phase stage;
  private String label;

  Node(int id, Op op, Attr attr, List<Node> inputs, TensorType type, Origin origin, Phase stage, String label) {
    this.id = id;
    this.op = op;
    this.attr = attr;
    this.inputs = List.copyOf(inputs);
    this.type = type;
    this.origin = origin;
    this.stage = stage;
    this.label = label;
  }

  /** The source name shown by the printers, or null. */
  public String label() {
    return label;
  }

  void setLabel(String label) {
    this.label = label;
  }

  public Node in(int i) {
    return inputs.get(i);
  }

  public Shape shape() {
    return type.shape();
  }

  public DType dtype() {
    return type.dtype();
  }

  public int rank() {
    return Dims.rank(type.shape());
  }

  /** The constant fill value when this is a CONSTANT, else NaN. */
  public double constantValue() {
    return op == Op.CONSTANT ? ((Attr.Value) attr).value() : Double.NaN;
  }

  public boolean isConstant(double value) {
    return op == Op.CONSTANT && ((Attr.Value) attr).value() == value;
  }

  public String ref() {
    return "%" + id;
  }

  @Override
  public String toString() {
    return ref() + " = " + op.mnemonic();
  }
}
