package dev.modelc.ir;

import dev.modelc.types.Dim;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether a training step can be split over the rows of its batch: each thread running the whole forward and
 * backward pass on its own rows, the threads' gradients then added with weights. That holds when every input
 * leads with one batch size {@code S}, no value mixes rows (every row of every per-row value depends on the same
 * row of the inputs only), every output is computed row by row, and the objective is a sum over rows of per-row
 * terms, either divided by {@code S} (a mean: {@code cross_entropy}, {@code mean}, {@code mse}), plus any term that
 * does not depend on the batch (a penalty on the weights), or not divided (a sum). For the mean, chunk {@code i} of
 * {@code b_i} rows weighs {@code b_i / S}; for the sum, 1.
 *
 * <p>Each value is classified by {@link Kind} and a power {@code p} of {@code S} that multiplies it (the
 * {@code size} node of {@code S} is {@code C} with {@code p = 1}; a mean divides by it). A value that mixes rows,
 * or depends on {@code S} in another way, is {@code X}, and carries the first node that made it so.
 */
public record BatchSplit(String symbol, boolean mean, String refusal) {

  /** The analysis of a training graph. */
  public static BatchSplit of(Graph g) {
    List<Graph.Result> objective = g.results(Graph.Kind.OBJECTIVE);
    if (objective.isEmpty()) {
      return refused("the model has no objective");
    }
    if (!g.results(Graph.Kind.BUFFER_UPDATE).isEmpty()) {
      Node n = g.results(Graph.Kind.BUFFER_UPDATE).get(0).node();
      return refused("batch_norm's statistics" + at(n) + " are taken over the whole batch");
    }
    List<Node> inputs = g.sources(Op.INPUT);
    if (inputs.isEmpty()) {
      return refused("the model has no inputs");
    }
    String symbol = batchSymbol(inputs.get(0));
    for (Node in : inputs) {
      if (symbol == null || !symbol.equals(batchSymbol(in))) {
        return refused("input " + in.label() + " (" + in.shape() + ") does not lead with "
            + (symbol == null ? "a batch size" : "the batch size " + symbol));
      }
    }
    Map<Node, Value> values = new HashMap<>();
    Analysis a = new Analysis(symbol, values);
    for (Node n : g.nodes()) {
      values.put(n, a.value(n));
    }
    for (Graph.Result r : g.results(Graph.Kind.OUTPUT)) {
      Value v = values.get(r.node());
      if (v.kind == Kind.X) {
        return refused(v.reason);
      }
      if (v.kind != Kind.R || v.power != 0) {
        return refused("output " + r.name() + " is not computed row by row");
      }
    }
    Value loss = values.get(objective.get(0).node());
    if (loss.kind == Kind.X) {
      return refused(loss.reason);
    }
    if ((loss.kind == Kind.A || loss.kind == Kind.AC) && loss.power == -1) {
      return new BatchSplit(symbol, true, null);
    }
    if (loss.kind == Kind.A && loss.power == 0) {
      return new BatchSplit(symbol, false, null);
    }
    if (loss.kind == Kind.AC && loss.power == 0) {
      return refused("the objective " + objective.get(0).name() + " adds a term the batch does not change to a sum "
          + "over its rows, which each thread would count again");
    }
    return refused("the objective " + objective.get(0).name() + " is neither a mean nor a sum over the rows of "
        + "the batch " + symbol);
  }

  /** Whether the batch can be split. */
  public boolean splits() {
    return refusal == null;
  }

  /** The line of the model description ({@code ModelSpec}): {@code batch B mean}, or {@code batch - why}. */
  public String describe() {
    return splits() ? "batch " + symbol + (mean ? " mean" : " sum") : "batch - " + refusal;
  }

  private static BatchSplit refused(String why) {
    return new BatchSplit(null, false, why.replace('\n', ' '));
  }

  private static String batchSymbol(Node input) {
    if (input.rank() == 0) {
      return null;
    }
    Dim d = input.shape().dim(0);
    return d.coefficient() == 1 && d.symbols().size() == 1 ? d.symbols().get(0) : null;
  }

  private static String at(Node n) {
    return n.origin.known() ? " at " + n.origin : "";
  }

  /**
   * C: the same for every row (no input in it), times {@code S^power}; R: row by row, each row times
   * {@code S^power}; A: {@code S^power} times a sum over rows of row-by-row terms; AC: an A plus a term the batch
   * does not change; X: none of these.
   */
  enum Kind { C, R, A, AC, X }

  record Value(Kind kind, int power, String reason) {
    static final Value CONST = new Value(Kind.C, 0, null);

    static Value of(Kind kind, int power) {
      return new Value(kind, power, null);
    }
  }

  private record Analysis(String symbol, Map<Node, Value> values) {

    Value value(Node n) {
      for (Node in : n.inputs) {
        Value v = values.get(in);
        if (v.kind == Kind.X) {
          return v;
        }
      }
      return switch (n.op) {
        case INPUT -> Value.of(Kind.R, 0);
        case PARAM, CONSTANT, TRAINING -> Value.CONST;
        case SIZE -> size(n, ((Attr.Size) n.attr).dim());
        case NEG, STOP_GRADIENT -> in(n, 0);
        case MUL -> product(n, in(n, 0), in(n, 1));
        case DIV -> quotient(n, in(n, 0), in(n, 1));
        case ADD -> sum(n, in(n, 0), in(n, 1));
        case EXP, LOG, SQRT, ABS, SIN, COS, TANH, SIGMOID, ERF, RELU, LEAKY_RELU, SOFTPLUS, SIGN, TO_FLOAT,
            POW, MAXIMUM, MINIMUM, GREATER, EQUAL, SELECT, BCE, BCE_WITH_LOGITS, MAXPOOL2D, AVGPOOL2D, ONE_HOT ->
            rowWise(n);
        case BROADCAST_TO -> keepsRows(n, n.in(0).rank() == n.rank());
        case RESHAPE -> keepsRows(n, leads(n.in(0)) && leads(n));
        case PERMUTE -> keepsRows(n, ((Attr.Perm) n.attr).perm().get(0) == 0);
        case SLICE -> keepsRows(n, n.in(0).rank() > 0 && ((Attr.Slice) n.attr).start().get(0) == 0
            && ((Attr.Slice) n.attr).step().get(0) == 1 && n.shape().dim(0).equals(n.in(0).shape().dim(0)));
        case REDUCE_SUM -> reduceSum(n);
        case REDUCE_MAX, REDUCE_AMAX, REDUCE_MAX_ALL, LOGSUMEXP, LOG_SOFTMAX, FIRST_MAX ->
            alongBatch(n) ? mixes(n) : rowWise(n);
        case MATMUL -> matmul(n);
        case CONV2D -> in(n, 1).kind == Kind.C && in(n, 1).power == 0 && in(n, 0).kind != Kind.A
            && in(n, 0).kind != Kind.AC ? in(n, 0) : mixes(n);
        case GATHER -> gather(n);
        case DROPOUT -> new Value(Kind.X, 0, "dropout" + at(n) + " draws its masks by position in the batch");
        case SLICE_BACKWARD, SCATTER_ADD, CONV2D_BACKWARD_INPUT, CONV2D_BACKWARD_WEIGHT, MAXPOOL2D_BACKWARD,
            MAXPOOL2D_GATHER, AVGPOOL2D_BACKWARD -> mixes(n);
      };
    }

    /**
     * Whether a reduction other than a sum, or an op along an axis, runs along a dimension of the batch: a max, a
     * log-sum-exp or a softmax over rows mixes them, and over the rows of a value the same for every row it still
     * depends on how many there are (the first maximum is row 0, the log-sum-exp grows with log B).
     */
    private boolean alongBatch(Node n) {
      for (int axis : ((Attr.Axes) n.attr).axes()) {
        if (mentions(n.in(0).shape().dim(axis))) {
          return true;
        }
      }
      return false;
    }

    /** The size of the batch (times a constant) scales what it multiplies; any other use of it is refused. */
    private Value size(Node n, Dim d) {
      return Value.of(Kind.C, occurrences(d));
    }

    private Value in(Node n, int i) {
      return values.get(n.in(i));
    }

    private Value mixes(Node n) {
      return new Value(Kind.X, 0, n.op.name().toLowerCase(Locale.ROOT) + at(n) + " mixes the rows of the batch "
          + symbol);
    }

    /** A value a nonlinear op takes of something the batch size scales (a mean's gradient, say). */
    private Value scaled(Node n) {
      return new Value(Kind.X, 0, n.op.name().toLowerCase(Locale.ROOT) + at(n) + " takes a value that depends on "
          + "the batch size " + symbol);
    }

    /**
     * Whether a node's rows are the batch's: its first dimension is the batch size times a size without it ({@code B},
     * or {@code 8*B} for the rows of a {@code [B, 8, d]} value reshaped to {@code [8*B, d]}, where each batch row
     * owns consecutive rows), and no other dimension mentions the batch size.
     */
    private boolean leads(Node n) {
      if (n.rank() == 0 || occurrences(n.shape().dim(0)) != 1) {
        return false;
      }
      for (int d = 1; d < n.rank(); d++) {
        if (mentions(n.shape().dim(d))) {
          return false;
        }
      }
      return true;
    }

    private boolean mentions(Dim d) {
      return d.symbols().contains(symbol);
    }

    private int occurrences(Dim d) {
      int k = 0;
      for (String s : d.symbols()) {
        k += s.equals(symbol) ? 1 : 0;
      }
      return k;
    }

    /**
     * An op that computes each element from the same element (or, for pooling, one-hot, a row's own window or
     * axis) of its operands: row by row when its operands are, and only where the batch size does not scale them.
     */
    private Value rowWise(Node n) {
      boolean row = false;
      for (Node in : n.inputs) {
        Value v = values.get(in);
        if (v.kind != Kind.C && v.kind != Kind.R) {
          return mixes(n);
        }
        if (v.power != 0) {
          return scaled(n);
        }
        row |= v.kind == Kind.R;
      }
      if (row && !leads(n)) {
        return mixes(n);
      }
      return row ? Value.of(Kind.R, 0) : Value.CONST;
    }

    /** Movement: a per-row value stays per-row when {@code ok} (the batch stays the first dimension). */
    private Value keepsRows(Node n, boolean ok) {
      Value v = in(n, 0);
      return switch (v.kind) {
        case C -> v;
        case R -> ok && leads(n) ? v : mixes(n);
        case A, AC -> n.op == Op.BROADCAST_TO ? mixes(n) : v;
        case X -> v;
      };
    }

    private Value product(Node n, Value a, Value b) {
      if (a.kind == Kind.C && b.kind != Kind.C) {
        return product(n, b, a);
      }
      return switch (a.kind) {
        case C -> Value.of(Kind.C, a.power + b.power);
        case R -> b.kind == Kind.C || b.kind == Kind.R ? Value.of(Kind.R, a.power + b.power) : mixes(n);
        case A -> b.kind == Kind.C ? Value.of(Kind.A, a.power + b.power) : mixes(n);
        case AC -> b.kind == Kind.C && b.power == 0 ? a : mixes(n);
        case X -> a;
      };
    }

    private Value quotient(Node n, Value a, Value b) {
      if (b.kind == Kind.C) {
        return switch (a.kind) {
          case C, R, A -> Value.of(a.kind, a.power - b.power);
          case AC -> b.power == 0 ? a : mixes(n);
          case X -> a;
        };
      }
      if (b.kind == Kind.R && (a.kind == Kind.R || a.kind == Kind.C)) {
        return Value.of(Kind.R, a.power - b.power);
      }
      return mixes(n);
    }

    private Value sum(Node n, Value a, Value b) {
      if (a.kind.ordinal() > b.kind.ordinal()) {
        return sum(n, b, a);
      }
      if (a.kind == b.kind && a.power == b.power) {
        return a;
      }
      if (a.kind == Kind.C && b.kind == Kind.R && a.power == b.power) {
        return b;
      }
      if (a.kind == Kind.C && a.power == 0 && (b.kind == Kind.A || b.kind == Kind.AC)) {
        return Value.of(Kind.AC, b.power);
      }
      if (a.kind == Kind.A && b.kind == Kind.AC && a.power == b.power) {
        return b;
      }
      return mixes(n);
    }

    private Value reduceSum(Node n) {
      Value v = in(n, 0);
      List<Integer> axes = ((Attr.Axes) n.attr).axes();
      int batchAxes = 0;
      for (int axis : axes) {
        batchAxes += occurrences(n.in(0).shape().dim(axis));
      }
      return switch (v.kind) {
        case C -> Value.of(Kind.C, v.power + batchAxes);
        case R -> axes.contains(0) ? (batchAxes == 1 ? Value.of(Kind.A, v.power) : mixes(n))
            : batchAxes == 0 && leads(n) ? v : mixes(n);
        case A, AC -> batchAxes == 0 ? v : mixes(n);
        case X -> v;
      };
    }

    private Value matmul(Node n) {
      Value a = in(n, 0);
      Value b = in(n, 1);
      if (a.kind == Kind.C && b.kind == Kind.C) {
        return Value.of(Kind.C, a.power + b.power);
      }
      // rows of A times a B the same for every row, or batched products whose batch dimensions lead with the rows
      boolean rows = a.kind == Kind.R && b.kind == Kind.C
          || n.rank() > 2 && (a.kind == Kind.R || a.kind == Kind.C) && (b.kind == Kind.R || b.kind == Kind.C);
      return rows && leads(n) ? Value.of(Kind.R, a.power + b.power) : mixes(n);
    }

    private Value gather(Node n) {
      Attr.Index index = (Attr.Index) n.attr;
      Value x = in(n, 0);
      Value i = in(n, 1);
      if (x.power != 0 || i.power != 0) {
        return scaled(n);
      }
      if (x.kind == Kind.C && i.kind == Kind.C) {
        return Value.CONST;
      }
      boolean ok = index.select()
          ? x.kind == Kind.C && i.kind == Kind.R && index.axis() == 0
          : (x.kind == Kind.C || x.kind == Kind.R) && (i.kind == Kind.C || i.kind == Kind.R) && index.axis() != 0;
      return ok && leads(n) ? Value.of(Kind.R, 0) : mixes(n);
    }
  }
}
