package dev.modelc.eval;

import dev.modelc.ir.Attr;
import dev.modelc.ir.Dims;
import dev.modelc.ir.Graph;
import dev.modelc.ir.IrException;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.runtime.api.Functions;
import dev.modelc.runtime.kernels.Dropout;
import dev.modelc.runtime.kernels.Gather;
import dev.modelc.runtime.kernels.LogSoftmax;
import dev.modelc.runtime.kernels.Movement;
import dev.modelc.runtime.kernels.OneHot;
import dev.modelc.runtime.kernels.Reductions;
import dev.modelc.runtime.numeric.MatmulKernels;
import dev.modelc.runtime.numeric.ScalarMath;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a graph (forward, adjoint, or both) on concrete values, no tape: each op's value comes from the runtime's
 * kernel library ({@code dev.modelc.runtime.kernels}, and the reference kernels of {@code dev.modelc.runtime.numeric}
 * for matmul and the window ops), the same loops the generated classes and the reference tensor library run.
 * {@link #evaluate} has one case per op of the catalogue, named as in {@link Op}: the meaning of each primitive against
 * which the compiled code and the derivative rules are checked.
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
  private Masks masks = Masks.FIRST;
  private final boolean training;

  /** An evaluator of a training pass: TRAINING is 1 (batch statistics), as in the generated forward and backward. */
  public IrEvaluator(Graph graph) {
    this(graph, true);
  }

  /**
   * With {@code training} false, TRAINING is 0 and dropout passes its input through, as in the generated predict and
   * in evaluation mode (running statistics, no masks).
   */
  public IrEvaluator(Graph graph, boolean training) {
    this.graph = graph;
    this.training = training;
    this.masks = training ? Masks.FIRST : new Masks(0, 0, false);
  }

  /**
   * Which dropout masks a run draws: those of (seed, draw) in a training pass, none (dropout is the identity) in
   * evaluation. {@link #FIRST} is the first training pass of a class constructed with seed 0, which the evaluator
   * draws unless told otherwise.
   */
  public record Masks(long seed, long draw, boolean training) {
    public static final Masks FIRST = new Masks(0, 1, true);
  }

  /** Runs the following passes with these masks. */
  public IrEvaluator withMasks(Masks m) {
    this.masks = m;
    return this;
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
      } else if (n.op == Op.TRAINING) {
        v = new NdArray(n.dtype(), new int[0], new double[] {training ? 1 : 0});
      } else {
        List<NdArray> operands = new ArrayList<>();
        for (Node x : n.inputs) operands.add(values.get(x));
        v = evaluate(n, operands, sizes, masks);
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

  /** The value of {@code n} from its operands' values, rounded to f32 for an f32 node. */
  public static NdArray evaluate(Node n, List<NdArray> in, Map<String, Long> sizes) {
    return evaluate(n, in, sizes, Masks.FIRST);
  }

  /** The value of {@code n}, a dropout drawing the masks {@code m}. */
  public static NdArray evaluate(Node n, List<NdArray> in, Map<String, Long> sizes, Masks m) {
    int[] outShape = Dims.evaluate(n.shape(), sizes);
    DType dt = n.dtype();
    double[] r = switch (n.op) {
      case INPUT, PARAM -> throw new IllegalStateException("sources are bound, not computed");
      case CONSTANT -> filled(NdArray.count(outShape), ((Attr.Value) n.attr).value());
      case SIZE -> new double[] {Dims.evaluate(((Attr.Size) n.attr).dim(), sizes)};
      case TRAINING -> throw new IllegalStateException("training is bound by the run, not computed");
      case BROADCAST_TO -> Movement.broadcast(in.get(0).data(), in.get(0).shape(), outShape);
      case RESHAPE, STOP_GRADIENT, TO_FLOAT -> in.get(0).data().clone();
      case PERMUTE -> Movement.permute(in.get(0).data(), in.get(0).shape(), ints(((Attr.Perm) n.attr).perm()));
      case SLICE -> Movement.slice(in.get(0).data(), in.get(0).shape(), ints(((Attr.Slice) n.attr).start()),
          ints(((Attr.Slice) n.attr).step()), outShape);
      case SLICE_BACKWARD -> Movement.sliceBackward(in.get(0).data(), outShape,
          ints(((Attr.SliceTo) n.attr).slice().start()), ints(((Attr.SliceTo) n.attr).slice().step()),
          in.get(0).shape());
      case REDUCE_SUM, REDUCE_MAX, REDUCE_AMAX, REDUCE_MAX_ALL, LOGSUMEXP ->
          reduce(n.op, in.get(0), ((Attr.Axes) n.attr).axes());
      case LOG_SOFTMAX, FIRST_MAX -> alongAxis(n.op, in.get(0), ((Attr.Axes) n.attr).axes().get(0));
      case MATMUL -> MatmulKernels.matmul(in.get(0).data(), in.get(0).shape(), in.get(1).data(), in.get(1).shape());
      case CONV2D, CONV2D_BACKWARD_INPUT, CONV2D_BACKWARD_WEIGHT, MAXPOOL2D, MAXPOOL2D_BACKWARD, MAXPOOL2D_GATHER,
          AVGPOOL2D, AVGPOOL2D_BACKWARD -> Windows.evaluate(n, in, outShape);
      case ONE_HOT -> oneHot(in.get(0), (int) ((Attr.Classes) n.attr).count(), n);
      case GATHER, SCATTER_ADD -> gather(n, in, outShape);
      case DROPOUT -> dropout(n, in.get(0), m);
      default -> elementwise(n, in);
    };
    return new NdArray(dt, outShape, r).rounded();
  }

  private static double[] elementwise(Node n, List<NdArray> in) {
    double[] a = in.get(0).data();
    double[] r = new double[a.length];
    if (n.op.arity == 1) {
      for (int i = 0; i < r.length; i++) r[i] = unary(n.op, n.attr, n.dtype(), a[i]);
    } else if (n.op == Op.SELECT) {
      double[] b = in.get(1).data();
      double[] c = in.get(2).data();
      for (int i = 0; i < r.length; i++) r[i] = Functions.select(a[i], b[i], c[i]);
    } else {
      double[] b = in.get(1).data();
      if (n.op == Op.POW && n.in(1).op == Op.CONSTANT) {
        for (int i = 0; i < r.length; i++) r[i] = Functions.powScalar(a[i], b[i]);   // a number exponent, as PyTorch
        return r;
      }
      for (int i = 0; i < r.length; i++) r[i] = binary(n.op, a[i], b[i]);
    }
    return r;
  }

  /** An elementwise unary op of one value, in double; an f32 leaky_relu multiplies by its slope rounded to f32. */
  public static double unary(Op op, Attr attr, DType dtype, double x) {
    return switch (op) {
      case NEG -> -x;
      case EXP -> Math.exp(x);
      case LOG -> Math.log(x);
      case SQRT -> Math.sqrt(x);
      case ABS -> Math.abs(x);
      case SIN -> Math.sin(x);
      case COS -> Math.cos(x);
      case TANH -> Math.tanh(x);
      case SIGMOID -> Functions.sigmoid(x);
      case ERF -> ScalarMath.erf(x);
      case RELU -> Math.max(x, 0);
      case LEAKY_RELU -> x > 0 ? x : x * (dtype == DType.F32 ? (float) ((Attr.Value) attr).value()
          : ((Attr.Value) attr).value());
      case SOFTPLUS -> ScalarMath.softplus(x, ((Attr.Softplus) attr).beta(), ((Attr.Softplus) attr).threshold());
      case SIGN -> Functions.sign(x);
      default -> throw new IllegalStateException(op + " is not elementwise unary");
    };
  }

  public static double binary(Op op, double a, double b) {
    return switch (op) {
      case ADD -> a + b;
      case MUL -> a * b;
      case DIV -> a / b;
      case POW -> Math.pow(a, b);
      case MAXIMUM -> Math.max(a, b);
      case MINIMUM -> Math.min(a, b);
      case GREATER -> a > b ? 1 : 0;
      case EQUAL -> a == b ? 1 : 0;
      case BCE -> ScalarMath.bce(a, b);
      case BCE_WITH_LOGITS -> ScalarMath.bceWithLogits(a, b);
      default -> throw new IllegalStateException(op + " is not elementwise binary");
    };
  }

  private static double[] filled(int n, double v) {
    double[] r = new double[n];
    Arrays.fill(r, v);
    return r;
  }

  private static int[] ints(List<Integer> list) {
    return list.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Sum, max or log-sum-exp over axes; the result is laid out as the keepdim shape (same order either way). */
  private static double[] reduce(Op op, NdArray x, List<Integer> axes) {
    boolean[] reduced = new boolean[x.rank()];
    for (int a : axes) reduced[a] = true;
    int kind = op == Op.REDUCE_SUM ? Reductions.SUM : op == Op.LOGSUMEXP ? Reductions.LOGSUMEXP : Reductions.MAX;
    return Reductions.reduce(kind, x.data(), x.shape(), reduced);
  }

  /** log_softmax, or the first-maximum mask (the first NaN, if any), along one axis: the generated classes' loops. */
  private static double[] alongAxis(Op op, NdArray x, int axis) {
    int[] shape = x.shape();
    int outer = 1;
    int inner = 1;
    for (int i = 0; i < axis; i++) outer *= shape[i];
    for (int i = axis + 1; i < shape.length; i++) inner *= shape[i];
    double[] r = new double[x.size()];
    if (op == Op.FIRST_MAX) Reductions.firstMax(x.data(), r, outer, shape[axis], inner);
    else LogSoftmax.logSoftmax(x.data(), r, outer, shape[axis], inner);
    return r;
  }

  /** One-hot rows of whole-number labels; a label out of range (or not whole) is an error at the node. */
  private static double[] oneHot(NdArray labels, int classes, Node n) {
    int[] t = new int[labels.size()];
    for (int i = 0; i < t.length; i++) {
      double v = labels.data()[i];
      if (v < 0 || v >= classes || v != Math.rint(v)) {
        throw new IrException("label " + (long) v + " at position " + i + " is out of range [0, " + classes + ")",
            n.origin);
      }
      t[i] = (int) v;
    }
    double[] r = new double[t.length * classes];
    OneHot.oneHot(t, r, t.length, classes, null);
    return r;
  }

  /** The generated classes' dropout kernel, in f64 (an f32 node's mask values round to the f32 kernel's). */
  private static double[] dropout(Node n, NdArray x, Masks m) {
    Attr.Dropout a = (Attr.Dropout) n.attr;
    double[] r = new double[x.size()];
    if (n.dtype() == DType.F32) {
      float[] f = new float[r.length];
      for (int i = 0; i < f.length; i++) f[i] = (float) x.data()[i];
      Dropout.apply(f, f, f.length, a.p(), a.site(), m.seed(), m.draw(), m.training());
      for (int i = 0; i < f.length; i++) r[i] = f[i];
      return r;
    }
    Dropout.apply(x.data(), r, r.length, a.p(), a.site(), m.seed(), m.draw(), m.training());
    return r;
  }

  /** gather or scatter_add through the generated classes' kernel; an index out of range is an error at the node. */
  private static double[] gather(Node n, List<NdArray> in, int[] outShape) {
    boolean scatter = n.op == Op.SCATTER_ADD;
    Attr.Index a = scatter ? ((Attr.IndexTo) n.attr).index() : (Attr.Index) n.attr;
    int[] x = scatter ? outShape : in.get(0).shape();
    NdArray index = in.get(1);
    int[] idx = new int[index.size()];
    for (int i = 0; i < idx.length; i++) idx[i] = (int) index.data()[i];
    int outer = 1;
    int inner = 1;
    for (int i = 0; i < a.axis(); i++) outer *= x[i];
    for (int i = a.axis() + 1; i < x.length; i++) inner *= x[i];
    int rows = a.select() ? idx.length : index.shape()[a.axis()];
    String where = n.op.mnemonic() + " at " + n.origin;
    try {
      if (!scatter) {
        double[] r = new double[outer * rows * inner];
        Gather.gather(in.get(0).data(), idx, r, outer, x[a.axis()], inner, rows, a.select(), a.padding(),
            a.zeroPadding(), where);
        return r;
      }
      double[] r = new double[NdArray.count(x)];
      Gather.scatterAdd(in.get(0).data(), idx, r, outer, x[a.axis()], inner, rows, a.select(), a.padding(), true,
          where);
      return r;
    } catch (IllegalArgumentException e) {
      throw new IrException(e.getMessage(), n.origin);
    }
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
