package dev.modelc.ir;

import dev.modelc.types.DType;
import dev.modelc.types.TensorType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a graph's invariants and lists every violation (not just the first):
 * <ol>
 *   <li>SSA form: ids are unique and every operand is a node defined earlier in the graph (no dangling uses);
 *   <li>arity and types: each node's type is what its op's shape rule gives for its operands and attribute;
 *   <li>sources: INPUT and PARAM carry a name, names are unique per op, CONSTANT and SIZE have float dtypes;
 *   <li>results: every result node is in the graph and result names are unique.
 * </ol>
 * Runs between passes in tests and when the driver is asked to verify.
 */
public final class Verifier {
  private Verifier() {}

  public static List<String> check(Graph g) {
    List<String> errors = new ArrayList<>();
    Set<Node> defined = new HashSet<>();
    Set<Integer> ids = new HashSet<>();
    Map<String, Node> names = new HashMap<>();
    for (Node n : g.nodes()) {
      if (!ids.add(n.id)) errors.add(n.ref() + " is defined twice");
      for (Node x : n.inputs) {
        if (!defined.contains(x)) errors.add(n.ref() + " uses " + x.ref() + " which is not defined before it");
      }
      checkNode(n, names, errors);
      defined.add(n);
    }
    Set<String> resultNames = new HashSet<>();
    for (Graph.Result r : g.results()) {
      if (!defined.contains(r.node())) errors.add("result " + r.name() + " refers to " + r.node().ref()
          + " which is not in the graph");
      if (!resultNames.add(r.kind() + " " + r.name())) errors.add("result " + r.name() + " is listed twice");
    }
    return errors;
  }

  /** Throws an {@link IrException} listing every violation, naming the stage that produced the graph. */
  public static void verify(Graph g, String after) {
    List<String> errors = check(g);
    if (!errors.isEmpty()) {
      throw new IrException("IR verification failed after " + after + ":\n  " + String.join("\n  ", errors));
    }
  }

  private static void checkNode(Node n, Map<String, Node> names, List<String> errors) {
    if (n.inputs.size() != n.op.arity) {
      errors.add(n.ref() + " " + n.op.mnemonic() + " has " + n.inputs.size() + " operands, needs " + n.op.arity);
      return;
    }
    Runnable check = switch (n.op) {
      case INPUT, PARAM -> () -> checkName(n, names, errors);
      case CONSTANT, SIZE, TRAINING -> () -> checkFill(n, errors);
      case NEG, EXP, LOG, SQRT, ABS, SIN, COS, TANH, SIGMOID, ERF, RELU, LEAKY_RELU, SOFTPLUS, SIGN, STOP_GRADIENT, TO_FLOAT,
          ADD, MUL, DIV, POW, MAXIMUM, MINIMUM, GREATER, EQUAL, SELECT, BCE, BCE_WITH_LOGITS,
          BROADCAST_TO, RESHAPE, PERMUTE, SLICE, SLICE_BACKWARD, REDUCE_SUM, REDUCE_MAX, REDUCE_AMAX, REDUCE_MAX_ALL,
          LOGSUMEXP, LOG_SOFTMAX,
          MATMUL, CONV2D, CONV2D_BACKWARD_INPUT, CONV2D_BACKWARD_WEIGHT,
          MAXPOOL2D, MAXPOOL2D_BACKWARD, MAXPOOL2D_GATHER, AVGPOOL2D, AVGPOOL2D_BACKWARD, FIRST_MAX, ONE_HOT,
          GATHER, SCATTER_ADD, DROPOUT ->
          () -> checkType(n, errors);
    };
    check.run();
  }

  /** A computed node: its type is what its op's shape rule gives for its operands. */
  private static void checkType(Node n, List<String> errors) {
    List<TensorType> types = new ArrayList<>();
    for (Node x : n.inputs) types.add(x.type);
    try {
      TensorType want = ShapeRules.infer(n.op, n.attr, types);
      if (!want.equals(n.type)) {
        errors.add(n.ref() + " " + n.op.mnemonic() + " has type " + Dims.text(n.type) + " but its rule gives "
            + Dims.text(want));
      }
    } catch (IrException | ClassCastException e) {
      errors.add(n.ref() + " " + e.getMessage());
    }
  }

  private static void checkName(Node n, Map<String, Node> names, List<String> errors) {
    if (!(n.attr instanceof Attr.Name name)) {
      errors.add(n.ref() + " " + n.op.mnemonic() + " has no name");
    } else if (names.putIfAbsent(n.op + " " + name.name(), n) != null) {
      errors.add(n.ref() + " " + n.op.mnemonic() + " \"" + name.name() + "\" is defined twice");
    }
  }

  private static void checkFill(Node n, List<String> errors) {
    boolean attrOk = n.op == Op.CONSTANT ? n.attr instanceof Attr.Value
        : n.op == Op.TRAINING ? n.attr == Attr.NONE : n.attr instanceof Attr.Size;
    if (!attrOk) errors.add(n.ref() + " " + n.op.mnemonic() + " has a wrong attribute " + n.attr);
    // training may be i32: 0 or 1 added to batch_norm's counter
    if (n.dtype() == DType.I32 && n.op != Op.TRAINING) errors.add(n.ref() + " " + n.op.mnemonic() + " must be a float");
    if (n.op != Op.CONSTANT && Dims.rank(n.shape()) != 0) {
      errors.add(n.ref() + " " + n.op.mnemonic() + " must be a scalar");
    }
  }
}
