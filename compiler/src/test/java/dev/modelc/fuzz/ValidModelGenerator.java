package dev.modelc.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Generates a random, well-typed model from a seed, for {@link DifferentialFuzzer}: float inputs and params of small
 * random shapes (some with the symbolic batch size {@code B}), a random DAG of lets over the language's builtins
 * (elementwise math and activations, broadcasting arithmetic, products, reductions, softmax, shape ops, slicing,
 * cat and stack, masks and where, convolution and pooling on 4-D values, the normalizations, the losses, the index
 * ops and gradients as values), a scalar objective that reads every let that nothing else reads, an optimizer and
 * outputs.
 *
 * <p>Values are kept where finite differences mean something: log is taken of {@code softplus(x) + 1}, sqrt of
 * {@code x * x + 1}, exp of {@code tanh(x)}, division by {@code y * y + 1}; a let whose estimated magnitude grows
 * past a few units is scaled back; the two operands of a kinked op ({@code maximum}, {@code l1}, ...) are never the
 * same value. Every value with a gradient reaches the objective, so every param gets a gradient (a param without
 * one is skipped by PyTorch's optimizers and updated by the compiled one, which differs for AdamW).
 */
final class ValidModelGenerator {
  /** A generated model: its text and, for each i32 input, how many values its labels or indices may take. */
  record Generated(String source, Map<String, Integer> labelClasses, long maxRowElements) {}

  /** A dim that is the symbolic batch size. */
  static final int B = -1;

  private record V(String name, int[] d, double mag, Set<String> ancestors) {}

  private record Res(String expr, int[] d, double mag) {}

  private final Random r;
  private final String dt;
  private final StringBuilder inputs = new StringBuilder();
  private final StringBuilder params = new StringBuilder();
  private final StringBuilder lets = new StringBuilder();
  private final List<V> pool = new ArrayList<>();
  private final Set<String> consumed = new HashSet<>();
  private final Map<String, Integer> labels = new LinkedHashMap<>();
  private final List<String> letNames = new ArrayList<>();
  private final Set<String> scalarLets = new HashSet<>();
  /** Names (params, inputs) each operand of the expression being built reads; the new let's ancestors. */
  private Set<String> reads = new HashSet<>();
  private int nParams;
  private int nInputs;
  private int nLets;
  private long maxRowElements = 1;
  /**
   * Whether the model keeps the rows of its batch apart (every input leads with B, no op mixes dim 0, the
   * objective a mean over the rows), so that the compiled class can split its batch over threads.
   */
  private boolean rowwise;

  /**
   * Whether to draw from the forms only a comparison with PyTorch gives meaning to too (equality comparisons, a
   * power with a tensor exponent, embedding with padding_idx, grad with a seed, clamp on the inputs' grid of halves),
   * for {@link TorchDifferentialFuzzer}; without it the random stream, and so every seed's model, is unchanged.
   */
  private final boolean torch;

  private ValidModelGenerator(long seed, boolean torch) {
    r = new Random(seed);
    dt = r.nextInt(10) == 0 ? "f64" : "f32";
    this.torch = torch;
  }

  static Generated generate(long seed) {
    return new ValidModelGenerator(seed, false).build();
  }

  /** A model that may also use the forms of {@link #torch}. */
  static Generated generate(long seed, boolean torch) {
    return new ValidModelGenerator(seed, torch).build();
  }

  // ---------------------------------------------------------------------------------------------------- shapes

  static String shape(int[] d) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < d.length; i++) {
      if (i > 0) s.append(", ");
      s.append(d[i] == B ? "B" : Integer.toString(d[i]));
    }
    return s.append(']').toString();
  }

  private static long count(int[] d) {
    long n = 1;
    for (int x : d) n *= x == B ? 1 : x;
    return n;
  }

  private static boolean hasB(int[] d) {
    for (int x : d) if (x == B) return true;
    return false;
  }

  private static int[] broadcast(int[] a, int[] b) {
    int n = Math.max(a.length, b.length);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int x = i < n - a.length ? 1 : a[i - (n - a.length)];
      int y = i < n - b.length ? 1 : b[i - (n - b.length)];
      if (x == y) out[i] = x;
      else if (x == 1) out[i] = y;
      else if (y == 1) out[i] = x;
      else return null;
    }
    int bs = 0;
    for (int x : out) if (x == B) bs++;
    return bs > 1 ? null : out;
  }

  private int size() {
    int k = r.nextInt(40);
    return k < 28 ? 1 + r.nextInt(5) : k < 36 ? 6 + r.nextInt(3) : k < 39 ? 12 + r.nextInt(5) : 30 + r.nextInt(40);
  }

  private int[] randomShape(boolean batched) {
    int rank = 1 + r.nextInt(3);
    int[] d = new int[rank];
    for (int i = 0; i < rank; i++) d[i] = size();
    if (batched) d[0] = B;
    return d;
  }

  private static String num(double x) {
    return String.format(Locale.ROOT, "%.3g", x).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", ".0")
        .replace("e+", "e");
  }

  // ---------------------------------------------------------------------------------------------------- leaves

  /** Params by shape, for reuse: a param read twice gets the sum of two gradients. */
  private final Map<String, List<String>> byShape = new LinkedHashMap<>();

  private String newParam(int[] d, String init) {
    List<String> same = byShape.get(shape(d));
    if (same != null && r.nextInt(4) == 0) {
      String name = same.get(r.nextInt(same.size()));
      reads.add(name);
      return name;
    }
    String name = "p" + nParams++;
    byShape.computeIfAbsent(shape(d), k -> new ArrayList<>()).add(name);
    params.append("  param ").append(name).append(" : ").append(dt).append(shape(d)).append(" init ").append(init)
        .append('\n');
    reads.add(name);
    return name;
  }

  /** A param for a product's weight: kaiming_uniform like nn.Linear, or a plain uniform. */
  private String weight(int[] d) {
    String init = d.length >= 2 && r.nextBoolean() ? "kaiming_uniform(a = sqrt(5))"
        : d.length >= 2 && r.nextInt(3) == 0 ? "xavier_uniform()"
        : "uniform(" + num(-1 / Math.sqrt(d[d.length - 1])) + ", " + num(1 / Math.sqrt(d[d.length - 1])) + ")";
    return newParam(d, init);
  }

  private String smallParam(int[] d) {
    String init = switch (r.nextInt(4)) {
      case 0 -> "normal(0, 0.5)";
      case 1 -> "uniform(-1, 1)";
      case 2 -> "uniform(0.5, 1.5)";
      default -> "uniform(-0.5, 0.5)";
    };
    return newParam(d, init);
  }

  private V newInput(int[] d) {
    String name = "x" + nInputs++;
    inputs.append("  input ").append(name).append(" : ").append(dt).append(shape(d)).append('\n');
    V v = new V(name, d, 1, Set.of(name));
    pool.add(v);
    return v;
  }

  private String newLabels(int[] d, int classes) {
    String name = "t" + labels.size();
    inputs.append("  input ").append(name).append(" : i32").append(shape(d)).append('\n');
    labels.put(name, classes);
    return name;
  }

  // ---------------------------------------------------------------------------------------------------- operands

  /** A value with a dim of at least 2 to index along (past the batch's dim when {@code rowwise}), or null. */
  private V pickIndexed(boolean rowwise) {
    V x = pick(v -> {
      for (int i = rowwise ? 1 : 0; i < v.d().length; i++) if (v.d()[i] >= 2) return true;
      return false;
    });
    return x == null || rowwise && x.d().length < 2 ? null : x;
  }

  /** A dim of {@code x} of at least 2, drawn (not the batch's when {@code rowwise}). */
  private int indexedDim(V x, boolean rowwise) {
    int j;
    do {
      j = r.nextInt(x.d().length);
    } while (x.d()[j] < 2 || rowwise && j == 0);
    return j;
  }

  private V pick(Predicate<V> ok) {
    List<V> c = new ArrayList<>();
    for (V v : pool) if (ok.test(v)) c.add(v);
    if (c.isEmpty()) return null;
    if (r.nextInt(10) < 6) { // mostly the newest values: deep chains
      return c.get(Math.max(0, c.size() - 1 - r.nextInt(Math.min(3, c.size()))));
    }
    return c.get(r.nextInt(c.size()));
  }

  /** Marks v as read with its gradient and returns its name. */
  private String use(V v) {
    consumed.add(v.name());
    reads.addAll(v.ancestors());
    reads.add(v.name());
    return v.name();
  }

  /** An elementwise function of x whose result has x's shape, written inline. */
  private String inlineUnary(String x) {
    return switch (r.nextInt(6)) {
      case 0 -> "tanh(" + x + ")";
      case 1 -> "sigmoid(" + x + ")";
      case 2 -> "sin(" + x + ")";
      case 3 -> x + " * 0.5";
      case 4 -> "-" + x;
      default -> "cos(" + x + ")";
    };
  }

  // ---------------------------------------------------------------------------------------------------- ops

  private Res unary() {
    V x = pick(v -> true);
    String a = use(x);
    double m = x.mag();
    return switch (r.nextInt(20)) {
      case 0 -> new Res("tanh(" + a + ")", x.d(), Math.min(1, m));
      case 1 -> new Res("sigmoid(" + a + ")", x.d(), 1);
      case 2 -> new Res("sin(" + a + ")", x.d(), 1);
      case 3 -> new Res("cos(" + a + ")", x.d(), 1);
      case 4 -> new Res(r.nextBoolean() ? "neg(" + a + ")" : "-" + a, x.d(), m);
      case 5 -> new Res(r.nextBoolean() ? "softplus(" + a + ")" : "softplus(" + a + ", beta = 2)", x.d(), m + 1);
      case 6 -> new Res(r.nextBoolean() ? "gelu(" + a + ")" : "gelu(" + a + ", approximate = \"tanh\")", x.d(), m);
      case 7 -> new Res("exp(tanh(" + a + "))", x.d(), 2.8);
      case 8 -> new Res("log(softplus(" + a + ") + 1)", x.d(), m);
      case 9 -> new Res("sqrt(" + a + " * " + a + " + 1)", x.d(), m + 1);
      case 10 -> new Res(a + " ** 2", x.d(), m * m);
      case 11 -> new Res("relu(" + a + ")", x.d(), m);
      case 12 -> new Res("leaky_relu(" + a + ", negative_slope = 0.1)", x.d(), m);
      case 13 -> new Res("abs(" + a + ")", x.d(), m);
      case 14 -> new Res(r.nextBoolean() ? "clamp(" + a + ", min = -0.5, max = 0.7)" : "clamp(" + a + ", min = -0.3)",
          x.d(), m);
      case 15 -> new Res("1 / (" + a + " * " + a + " + 1)", x.d(), 1);
      case 16 -> m <= 2 ? new Res("exp(" + a + ")", x.d(), Math.exp(m)) : new Res("exp(-" + a + " * " + a + ")",
          x.d(), 1);
      case 17 -> new Res(a + " * " + num(0.5 + r.nextDouble()) + " + " + num(r.nextDouble() - 0.5), x.d(), m * 1.5 + 0.5);
      case 18 -> r.nextInt(8) == 0 ? new Res("detach(" + a + ") * " + a, x.d(), m * m)
          : new Res(a + " ** 3", x.d(), m * m * m);
      default -> new Res("(" + a + " - " + num(r.nextDouble() - 0.5) + ") * " + a, x.d(), m * (m + 0.5));
    };
  }

  /** A shape b broadcasts to within a's: a suffix of a's dims, some of them 1, without B. */
  private int[] subShape(int[] a) {
    int k = r.nextInt(a.length + 1);
    int[] d = new int[k];
    for (int i = 0; i < k; i++) {
      int x = a[a.length - k + i];
      d[i] = x == B || r.nextInt(4) == 0 ? 1 : x;
    }
    return d;
  }

  private Res binary() {
    V x = pick(v -> true);
    String a = use(x);
    String b;
    int[] out;
    double mb;
    int how = r.nextInt(10);
    V y = how < 5 ? pick(v -> (v != x || r.nextInt(4) == 0) && broadcast(v.d(), x.d()) != null
        && count(broadcast(v.d(), x.d())) <= 512) : null;
    if (y != null) {
      b = use(y);
      out = broadcast(x.d(), y.d());
      mb = y.mag();
    } else if (how < 8) {
      int[] d = subShape(x.d());
      b = smallParam(d);
      out = x.d();
      mb = 1.5;
    } else {
      b = num(r.nextDouble() * 2 - 1);
      if (Double.parseDouble(b) == 0) b = "0.3";
      out = x.d();
      mb = 1;
    }
    boolean swap = r.nextBoolean() && y != null;
    String p = swap ? b : a;
    String q = swap ? a : b;
    double m = x.mag();
    if (y == x) return new Res(r.nextBoolean() ? p + " + " + q : p + " * " + q, out, m * m + 2 * m);
    return switch (r.nextInt(8)) {
      case 0, 1 -> new Res(p + " + " + q, out, m + mb);
      case 2 -> new Res(p + " - " + q, out, m + mb);
      case 3, 4 -> new Res(p + " * " + q, out, m * mb);
      case 5 -> new Res(p + " / (" + q + " * " + q + " + 1)", out, swap ? mb : m);
      case 6 -> new Res("maximum(" + p + ", " + q + ")", out, Math.max(m, mb));
      default -> new Res("minimum(" + p + ", " + q + ")", out, Math.max(m, mb));
    };
  }

  /**
   * An operand against a reduction of itself kept as size-1 dims ({@code x - mean(x, dim, keepdim = true)}, a
   * hand-written softmax or normalization): broadcasts of reductions inside fused chains.
   */
  private Res againstReduction() {
    V x = pick(v -> v.d().length >= 1);
    if (x == null) return null;
    int[] d = x.d();
    List<Integer> dims = new ArrayList<>();
    int first = rowwise ? 1 : 0;
    for (int i = first; i < d.length; i++) if (r.nextBoolean()) dims.add(i);
    if (dims.isEmpty()) {
      if (d.length <= first) return null;
      dims.add(first + r.nextInt(d.length - first));
    }
    String dimText = dims.size() == 1 ? Integer.toString(dims.get(0)) : dims.toString();
    String a = use(x);
    double m = x.mag();
    return switch (r.nextInt(5)) {
      case 0 -> new Res(a + " - mean(" + a + ", dim = " + dimText + ", keepdim = true)", d, 2 * m);
      case 1 -> new Res(a + " / (sum(" + a + " * " + a + ", dim = " + dimText + ", keepdim = true) + 1)", d, m);
      case 2 -> new Res("exp(tanh(" + a + ") - logsumexp(tanh(" + a + "), dim = " + dimText + ", keepdim = true))", d,
          1);
      case 3 -> new Res("(" + a + " - amax(" + a + ", dim = " + dimText + ", keepdim = true)) * sigmoid(" + a + ")",
          d, 2 * m);
      default -> new Res("sum(" + a + ", dim = " + dimText + ", keepdim = true) * " + a, d,
          m * m * Math.sqrt(count(d)));
    };
  }

  /** let v = x: another name for the same value. */
  private Res alias() {
    V x = pick(v -> true);
    return new Res(use(x), x.d(), x.mag());
  }

  /** A reshape or transpose that changes nothing: the builder returns its operand, a let names it. */
  private Res identityView() {
    V x = pick(v -> v.d().length >= 1 && (!hasB(v.d()) || v.d()[0] == B));
    if (x == null) return null;
    String a = use(x);
    if (r.nextBoolean()) {
      int i = r.nextInt(x.d().length);
      return new Res("transpose(" + a + ", " + i + ", " + i + ")", x.d(), x.mag());
    }
    return new Res("reshape(" + a + ", " + shape(x.d()) + ")", x.d(), x.mag());
  }

  private Res product() {
    V x = pick(v -> v.d().length >= 1 && v.d()[v.d().length - 1] != B);
    if (x == null) return null;
    int[] d = x.d();
    int k = d[d.length - 1];
    if (r.nextInt(3) == 0) { // value @ value
      boolean t = r.nextBoolean();
      V y = pick(v -> v != x && v.d().length >= (rowwise ? 3 : 2) && d.length >= (rowwise ? 3 : 2)
          && v.d()[v.d().length - (t ? 1 : 2)] == k && matmulShape(d, v.d(), t) != null
          && count(matmulShape(d, v.d(), t)) <= 1024);
      if (y != null) {
        int[] out = matmulShape(d, y.d(), t);
        return new Res(use(x) + " @ " + use(y) + (t ? "^T" : ""), out, x.mag() * y.mag() * Math.sqrt(k));
      }
    }
    int m = size();
    int[] out = d.clone();
    if (d.length == 1) out = new int[] {m};
    else out[out.length - 1] = m;
    String a = use(x);
    double mag = x.mag() * 1.2;
    return switch (r.nextInt(4)) {
      case 0 -> new Res(a + " @ " + weight(new int[] {k, m}), out, mag);
      case 1 -> new Res(a + " @ " + weight(new int[] {m, k}) + "^T", out, mag);
      case 2 -> new Res("linear(" + a + ", " + weight(new int[] {m, k}) + ", " + smallParam(new int[] {m}) + ")",
          out, mag + 1);
      default -> new Res("linear(" + a + ", " + weight(new int[] {m, k}) + ")", out, mag);
    };
  }

  /** torch.matmul of two operands of rank 2 or more, b transposed when t. */
  private static int[] matmulShape(int[] a, int[] b, boolean t) {
    if (a.length < 2 || b.length < 2) return null;
    int bk = t ? b[b.length - 1] : b[b.length - 2];
    int bn = t ? b[b.length - 2] : b[b.length - 1];
    if (bk != a[a.length - 1]) return null;
    int[] batch = broadcast(Arrays.copyOf(a, a.length - 2), Arrays.copyOf(b, b.length - 2));
    if (batch == null) return null;
    int[] out = Arrays.copyOf(batch, batch.length + 2);
    out[batch.length] = a[a.length - 2];
    out[batch.length + 1] = bn;
    int bs = 0;
    for (int x : out) if (x == B) bs++;
    return bs > 1 ? null : out;
  }

  private Res reduction() {
    V x = pick(v -> v.d().length >= (rowwise ? 2 : 1));
    if (x == null) return null;
    int[] d = x.d();
    String op = List.of("sum", "mean", "amax", "logsumexp", "max").get(r.nextInt(5));
    boolean keep = r.nextBoolean();
    List<Integer> dims = new ArrayList<>();
    int first = rowwise ? 1 : 0;
    if (op.equals("max")) {
      if (rowwise || r.nextInt(4) > 0) dims.add(first + r.nextInt(d.length - first));
    } else if (rowwise || r.nextInt(5) > 0) {
      for (int i = first; i < d.length; i++) if (r.nextBoolean()) dims.add(i);
      if (dims.isEmpty()) dims.add(first + r.nextInt(d.length - first));
    }
    boolean all = dims.isEmpty();
    long n = 1;
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < d.length; i++) {
      if (all || dims.contains(i)) {
        n *= d[i] == B ? 4 : d[i];
        if (keep) out.add(1);
      } else {
        out.add(d[i]);
      }
    }
    if (all && keep && op.equals("max")) keep = false; // max(x) of all dims takes no keepdim
    if (all && op.equals("max")) out.clear();
    StringBuilder e = new StringBuilder(op).append('(').append(use(x));
    if (!all) {
      if (dims.size() == 1 && r.nextBoolean() || op.equals("max")) {
        int i = dims.get(0);
        e.append(", ").append(r.nextBoolean() ? "dim = " : "").append(r.nextBoolean() ? i : i - d.length);
      } else {
        e.append(", dim = [");
        for (int j = 0; j < dims.size(); j++) {
          if (j > 0) e.append(", ");
          e.append(r.nextBoolean() ? dims.get(j) : dims.get(j) - d.length);
        }
        e.append(']');
      }
      if (keep) e.append(", keepdim = true");
    } else if (keep) {
      e.append(", keepdim = true");
    }
    e.append(')');
    double m = switch (op) {
      case "sum" -> x.mag() * Math.sqrt(n) * 1.5;
      case "logsumexp" -> x.mag() + Math.log(n);
      default -> x.mag();
    };
    return new Res(e.toString(), out.stream().mapToInt(Integer::intValue).toArray(), m);
  }

  private Res softmax() {
    V x = pick(v -> v.d().length >= (rowwise ? 2 : 1));
    if (x == null) return null;
    int dim = rowwise ? 1 + r.nextInt(x.d().length - 1) : r.nextInt(x.d().length);
    int n = x.d()[dim] == B ? 4 : x.d()[dim];
    String dimText = r.nextBoolean() ? Integer.toString(dim) : Integer.toString(dim - x.d().length);
    if (r.nextBoolean()) return new Res("softmax(" + use(x) + ", " + dimText + ")", x.d(), 1);
    return new Res("log_softmax(" + use(x) + ", dim = " + dimText + ")", x.d(), 2 * x.mag() + Math.log(n));
  }

  private Res transpose() {
    V x = pick(v -> v.d().length >= (rowwise ? 3 : 2));
    if (x == null) return null;
    int[] d = x.d().clone();
    if (rowwise) {
      int i = 1 + r.nextInt(d.length - 1);
      int j = 1 + r.nextInt(d.length - 1);
      int t = d[i];
      d[i] = d[j];
      d[j] = t;
      return new Res("transpose(" + use(x) + ", " + i + ", " + j + ")", d, x.mag());
    }
    if (r.nextBoolean()) {
      int t = d[d.length - 1];
      d[d.length - 1] = d[d.length - 2];
      d[d.length - 2] = t;
      return new Res(use(x) + "^T", d, x.mag());
    }
    int i = r.nextInt(d.length);
    int j = r.nextInt(d.length);
    int t = d[i];
    d[i] = d[j];
    d[j] = t;
    return new Res("transpose(" + use(x) + ", " + i + ", " + (r.nextBoolean() ? j : j - d.length) + ")", d,
        x.mag());
  }

  private List<Integer> factor(long n, int parts) {
    List<Integer> f = new ArrayList<>();
    long left = n;
    for (int p = 0; p < parts - 1; p++) {
      List<Integer> divisors = new ArrayList<>();
      for (int k = 1; k <= left; k++) if (left % k == 0) divisors.add(k);
      int k = divisors.get(r.nextInt(divisors.size()));
      f.add(k);
      left /= k;
    }
    f.add((int) left);
    return f;
  }

  private Res reshape() {
    V x = pick(v -> v.d().length >= 1 && (!hasB(v.d()) || v.d()[0] == B) && count(v.d()) > 1);
    if (x == null) return null;
    int[] d = x.d();
    boolean batched = hasB(d);
    long n = count(d);
    if (r.nextInt(4) == 0 && d.length >= 2) { // flatten
      int start = batched ? 1 + r.nextInt(d.length - 1) : r.nextInt(d.length);
      int[] out = new int[start + 1];
      System.arraycopy(d, 0, out, 0, start);
      long m = 1;
      for (int i = start; i < d.length; i++) m *= d[i];
      out[start] = (int) m;
      return new Res("flatten(" + use(x) + (start == 0 && r.nextBoolean() ? "" : ", " + start) + ")", out, x.mag());
    }
    // a 4-D image-like value from time to time, for convolution and pooling
    List<Integer> f;
    if (r.nextInt(3) == 0 && n >= 9) {
      f = null;
      for (int c = 1; c <= 4 && f == null; c++) {
        if (n % c != 0) continue;
        long hw = n / c;
        for (int h = 3; h * 3 <= hw; h++) {
          if (hw % h == 0) {
            f = List.of(c, h, (int) (hw / h));
            break;
          }
        }
      }
      if (f == null) f = factor(n, 1 + r.nextInt(3));
      else if (!batched) f = List.of(1, f.get(0), f.get(1), f.get(2));
    } else {
      f = factor(n, 1 + r.nextInt(3));
    }
    int[] out = new int[f.size() + (batched ? 1 : 0)];
    StringBuilder e = new StringBuilder("reshape(").append(use(x)).append(", [");
    int o = 0;
    if (batched) {
      out[o++] = B;
      e.append(r.nextBoolean() ? "B" : "-1");
    }
    int infer = batched ? -1 : r.nextInt(f.size() + 1);
    for (int i = 0; i < f.size(); i++) {
      out[o++] = f.get(i);
      if (batched || i > 0) e.append(", ");
      e.append(i == infer ? "-1" : Integer.toString(f.get(i)));
    }
    return new Res(e.append("])").toString(), out, x.mag());
  }

  private Res slice() {
    V x = pick(v -> {
      for (int s : v.d()) if (s >= 2) return true;
      return false;
    });
    if (x == null) return null;
    int[] d = x.d();
    int j;
    do {
      j = r.nextInt(d.length);
    } while (d[j] < 2);
    int n = d[j];
    String entry;
    int size;
    switch (r.nextInt(4)) {
      case 0 -> {
        int i = r.nextInt(n);
        entry = r.nextBoolean() ? Integer.toString(i) : Integer.toString(i - n);
        size = 0;
      }
      case 1 -> {
        int a = r.nextInt(n);
        int b = a + 1 + r.nextInt(n - a);
        entry = (a == 0 && r.nextBoolean() ? "" : Integer.toString(a)) + ":" + (b == n && r.nextBoolean() ? ""
            : Integer.toString(b));
        size = b - a;
      }
      case 2 -> {
        int s = 2 + r.nextInt(2);
        int a = r.nextInt(Math.min(2, n));
        entry = (a == 0 ? "" : Integer.toString(a)) + "::" + s;
        size = (n - a + s - 1) / s;
      }
      default -> {
        int a = 1 + r.nextInt(n - 1);
        entry = "-" + a + ":";
        size = a;
      }
    }
    StringBuilder e = new StringBuilder(use(x)).append('[');
    if (j == d.length - 1 && j > 0 && r.nextBoolean()) {
      e.append("..., ");
    } else {
      for (int i = 0; i < j; i++) e.append(":, ");
    }
    e.append(entry).append(']');
    int[] out;
    if (size == 0) {
      out = new int[d.length - 1];
      for (int i = 0, o = 0; i < d.length; i++) if (i != j) out[o++] = d[i];
    } else {
      out = d.clone();
      out[j] = size;
    }
    return new Res(e.toString(), out, x.mag());
  }

  private Res catOrStack() {
    V x = pick(v -> v.d().length >= 1 && count(v.d()) <= 256);
    if (x == null) return null;
    int[] d = x.d();
    if (r.nextBoolean()) { // stack
      V y = pick(v -> v != x && Arrays.equals(v.d(), d));
      String a = use(x);
      String b = y != null ? use(y) : inlineUnary(a);
      int dim = rowwise ? 1 + r.nextInt(d.length) : r.nextInt(d.length + 1);
      int[] out = new int[d.length + 1];
      for (int i = 0, o = 0; i <= d.length; i++) out[i] = i == dim ? 2 : d[o++];
      return new Res("stack([" + a + ", " + b + "], " + (r.nextBoolean() ? "dim = " : "") + dim + ")", out,
          Math.max(x.mag(), y == null ? x.mag() : y.mag()));
    }
    List<Integer> dims = new ArrayList<>();
    for (int i = 0; i < d.length; i++) if (d[i] != B) dims.add(i);
    if (dims.isEmpty()) return null;
    int dim = dims.get(r.nextInt(dims.size()));
    V y = pick(v -> {
      if (v == x || v.d().length != d.length) return false;
      for (int i = 0; i < d.length; i++) if (i != dim && v.d()[i] != d[i]) return false;
      return v.d()[dim] != B;
    });
    String a = use(x);
    String b = y != null ? use(y) : inlineUnary(a);
    int[] out = d.clone();
    out[dim] += y != null ? y.d()[dim] : d[dim];
    String order = r.nextBoolean() ? a + ", " + b : b + ", " + a;
    return new Res("cat([" + order + "], dim = " + (r.nextBoolean() ? dim : dim - d.length) + ")", out,
        Math.max(x.mag(), y == null ? x.mag() : y.mag()));
  }

  private Res masked() {
    V x = pick(v -> true);
    String a = use(x);
    String c = num(r.nextDouble() - 0.5);
    V y = pick(v -> v != x && broadcast(v.d(), x.d()) != null && count(broadcast(v.d(), x.d())) <= 512);
    String cmp = List.of(">", "<", ">=", "<=").get(r.nextInt(4));
    switch (r.nextInt(4)) {
      case 0:
        return new Res("where(" + a + " " + cmp + " " + c + ", " + a + ", " + num(r.nextDouble()) + ")", x.d(),
            x.mag());
      case 1:
        if (y != null) {
          String b = use(y);
          return new Res("where(" + a + " " + cmp + " " + c + ", " + a + ", " + b + " * 0.5)",
              broadcast(x.d(), y.d()), Math.max(x.mag(), y.mag()));
        }
        return new Res("where(" + a + " " + cmp + " " + c + ", " + a + ", " + a + " * 0.1)", x.d(), x.mag());
      case 2:
        if (y != null) { // y is read only by the mask here: not consumed, so it still reaches the objective
          String b = y.name();
          return new Res("float((" + b + " > " + c + ") & ~(" + a + " < -0.8)) * " + a, broadcast(x.d(), y.d()),
              x.mag());
        }
        return new Res("float(" + a + " " + cmp + " " + c + ") * " + a, x.d(), x.mag());
      default:
        return new Res("float((" + a + " > 0.4137) | (" + a + " < -0.5173)) * " + a + " + " + a, x.d(), 2 * x.mag());
    }
  }

  private Res image() {
    V x = pick(v -> v.d().length == 4 && v.d()[1] != B && v.d()[2] >= 3 && v.d()[3] >= 3 && v.d()[2] != B
        && v.d()[3] != B);
    if (x == null) return null;
    int[] d = x.d();
    int h = d[2];
    int w = d[3];
    switch (r.nextInt(3)) {
      case 0: {
        int o = 1 + r.nextInt(4);
        int k = 1 + r.nextInt(Math.min(3, Math.min(h, w)));
        int s = r.nextInt(3) == 0 ? 2 : 1;
        int p = r.nextInt(3) == 0 ? 1 : 0;
        int oh = (h + 2 * p - k) / s + 1;
        int ow = (w + 2 * p - k) / s + 1;
        StringBuilder e = new StringBuilder("conv2d(").append(use(x)).append(", ")
            .append(weight(new int[] {o, d[1], k, k}));
        if (r.nextBoolean()) e.append(", ").append(smallParam(new int[] {o}));
        if (s != 1) e.append(", stride = ").append(s);
        if (p != 0) e.append(", padding = ").append(p);
        return new Res(e.append(')').toString(), new int[] {d[0], o, oh, ow}, x.mag() * 1.5 + 1);
      }
      default: {
        boolean max = r.nextBoolean();
        int k = 2 + (Math.min(h, w) >= 3 && r.nextInt(3) == 0 ? 1 : 0);
        int s = r.nextBoolean() ? k : 1;
        int p = k >= 2 && r.nextInt(4) == 0 ? 1 : 0;
        int oh = (h + 2 * p - k) / s + 1;
        int ow = (w + 2 * p - k) / s + 1;
        StringBuilder e = new StringBuilder(max ? "maxpool2d(" : "avgpool2d(").append(use(x)).append(", ").append(k);
        if (s != k || r.nextBoolean()) e.append(", stride = ").append(s);
        if (p != 0) e.append(", padding = ").append(p);
        return new Res(e.append(')').toString(), new int[] {d[0], d[1], oh, ow}, x.mag());
      }
    }
  }

  private Res norm() {
    if (r.nextInt(3) == 0) {
      V x = pick(v -> v.d().length >= 3 && v.d()[1] >= 2 && !hasB(Arrays.copyOfRange(v.d(), 1, v.d().length)));
      if (x != null) {
        int c = x.d()[1];
        long spatial = count(Arrays.copyOfRange(x.d(), 2, x.d().length));
        List<Integer> gs = new ArrayList<>();
        for (int g = 1; g <= c; g++) if (c % g == 0 && (c / g) * spatial >= 2) gs.add(g);
        if (!gs.isEmpty()) {
          int g = gs.get(r.nextInt(gs.size()));
          StringBuilder e = new StringBuilder("group_norm(").append(use(x)).append(", ").append(g);
          if (r.nextBoolean()) {
            e.append(", ").append(smallParam(new int[] {c})).append(", ").append(smallParam(new int[] {c}));
          }
          return new Res(e.append(')').toString(), x.d(), 3);
        }
      }
    }
    V x = pick(v -> v.d().length >= 1 && v.d()[v.d().length - 1] >= 2 && v.d()[v.d().length - 1] != B);
    if (x == null) return null;
    int[] d = x.d();
    int n = d[d.length - 1];
    boolean two = d.length >= 2 && d[d.length - 2] != B && r.nextBoolean();
    int[] ns = two ? new int[] {d[d.length - 2], n} : new int[] {n};
    StringBuilder e = new StringBuilder("layer_norm(").append(use(x)).append(", ")
        .append(two ? "[" + ns[0] + ", " + ns[1] + "]" : Integer.toString(n));
    switch (r.nextInt(4)) {
      case 0 -> e.append(", ").append(smallParam(ns)).append(", ").append(smallParam(ns));
      case 1 -> e.append(", ").append(smallParam(ns));
      case 2 -> e.append(", bias = ").append(smallParam(ns));
      default -> { }
    }
    if (r.nextInt(4) == 0) e.append(", eps = 1e-3");
    return new Res(e.append(')').toString(), d, 4);
  }

  private Res loss() {
    String red = r.nextInt(3) == 0 ? ", reduction = \"sum\"" : "";
    int kind = r.nextInt(6);
    if (kind <= 1) {
      V x = pick(v -> v.d().length == 2 && v.d()[1] >= 2 && v.d()[1] != B);
      if (x == null) return null;
      String t = newLabels(new int[] {x.d()[0]}, x.d()[1]);
      String a = use(x);
      String e = kind == 0 ? "cross_entropy(" + a + ", " + t + red + ")"
          : "nll(log_softmax(" + a + ", 1), " + t + red + ")";
      return new Res(e, new int[0], red.isEmpty() ? 3 : 3 * (x.d()[0] == B ? 4 : x.d()[0]));
    }
    V x = pick(v -> count(v.d()) >= 1);
    String a = use(x);
    V y = pick(v -> v != x && Arrays.equals(v.d(), x.d()));
    String b = y != null ? use(y) : null;
    double n = count(x.d()) * (hasB(x.d()) ? 4 : 1);
    double scale = red.isEmpty() ? 1 : n;
    switch (kind) {
      case 2:
        return new Res("mse(" + a + ", " + (b != null ? b : "sin(" + a + ")") + red + ")", new int[0],
            scale * x.mag() * x.mag() * 2);
      case 3:
        return new Res("l1(" + a + ", " + (b != null ? b : "tanh(" + a + ") * 0.5") + red + ")", new int[0],
            scale * x.mag() * 2);
      case 4:
        return new Res("bce(sigmoid(" + a + "), sigmoid(" + (b != null ? b : a + " * 0.5") + ")" + red + ")",
            new int[0], scale * (x.mag() + 1));
      default:
        return new Res("bce_with_logits(" + a + ", sigmoid(" + (b != null ? b : "-" + a) + ")" + red + ")",
            new int[0], scale * (x.mag() + 1));
    }
  }

  private Res indexed() {
    switch (r.nextInt(4)) {
      case 0: {
        int num = 2 + r.nextInt(6);
        int dim = 1 + r.nextInt(6);
        int[] id = r.nextBoolean() ? new int[] {B, 1 + r.nextInt(4)} : new int[] {B};
        String t = newLabels(id, num);
        String w = newParam(new int[] {num, dim}, "normal(0, 1)");
        int[] out = Arrays.copyOf(id, id.length + 1);
        out[id.length] = dim;
        return new Res("embedding(" + t + ", " + w + ")", out, 2);
      }
      case 1: {
        V x = pickIndexed(rowwise);
        if (x == null) return null;
        int j = indexedDim(x, rowwise);
        int n = 1 + r.nextInt(4);
        String t = newLabels(new int[] {n}, x.d()[j]);
        int[] out = x.d().clone();
        out[j] = n;
        return new Res("index_select(" + use(x) + ", " + j + ", " + t + ")", out, x.mag());
      }
      case 2: {
        V x = pickIndexed(rowwise);
        if (x == null) return null;
        int j = indexedDim(x, rowwise);
        String t = newLabels(x.d(), x.d()[j]);
        return new Res("gather(" + use(x) + ", " + j + ", " + t + ")", x.d(), x.mag());
      }
      default: {
        V x = pick(v -> v.d().length >= 2 && v.d()[v.d().length - 1] >= 2);
        if (x == null) return null;
        int n = x.d()[x.d().length - 1];
        int[] id = Arrays.copyOf(x.d(), x.d().length - 1);
        String t = newLabels(id, n);
        return new Res("one_hot(" + t + ", " + n + ", dtype = \"" + dt + "\"" + ") * "
            + use(x), x.d(), x.mag());
      }
    }
  }

  private Res gradient() {
    if (rowwise) return null; // a param's gradient sums over the rows
    V x = pick(v -> !v.ancestors().isEmpty());
    if (x == null) return null;
    List<String> wrt = new ArrayList<>(x.ancestors());
    wrt.sort(null);
    String w = wrt.get(r.nextInt(wrt.size()));
    int[] d = shapeOf(w);
    if (d == null) return null;
    String a = use(x);
    String of = switch (r.nextInt(3)) {
      case 0 -> "sum(" + a + " * " + a + ")";
      case 1 -> "mean(tanh(" + a + "))";
      default -> "sum(sin(" + a + "))";
    };
    reads.add(w);
    return new Res("grad(" + of + ", " + w + ")", d, 2 * x.mag() * Math.sqrt(count(x.d())));
  }

  private final Map<String, int[]> shapes = new LinkedHashMap<>();

  /** batch_norm over [N, C], [N, C, L] or [N, C, H, W], with its buffers, in training mode. */
  private Res batchNorm() {
    if (rowwise) return null; // its statistics are taken over the whole batch
    V x = pick(v -> v.d().length >= 2 && v.d().length <= 4 && v.d()[1] != B
        && !hasB(Arrays.copyOfRange(v.d(), 2, v.d().length))
        && (v.d()[0] == B || count(v.d()) / v.d()[1] >= 2));
    if (x == null) return null;
    int c = x.d()[1];
    String name = "bn" + nParams++;
    String t = dt;
    params.append("  buffer ").append(name).append("_mean : ").append(t).append('[').append(c)
        .append("] init zeros\n");
    params.append("  buffer ").append(name).append("_var : ").append(t).append('[').append(c)
        .append("] init ones\n");
    boolean counter = r.nextBoolean();
    if (counter) params.append("  buffer ").append(name).append("_n : i32 init zeros\n");
    StringBuilder e = new StringBuilder("batch_norm(").append(use(x)).append(", ").append(name).append("_mean, ")
        .append(name).append("_var");
    if (r.nextBoolean()) {
      e.append(", ").append(smallParam(new int[] {c})).append(", ").append(smallParam(new int[] {c}));
    }
    if (counter && r.nextBoolean()) e.append(", momentum = none");
    else if (r.nextBoolean()) e.append(", momentum = 0.3");
    if (counter) e.append(", num_batches_tracked = ").append(name).append("_n");
    return new Res(e.append(')').toString(), x.d(), 4);
  }

  /** dropout in training mode: the interpreter draws the same masks from the same seed. */
  private Res dropout() {
    if (rowwise) return null; // the masks are drawn by position in the batch
    V x = pick(v -> true);
    String p = List.of("0.2", "0.5", "0.1").get(r.nextInt(3));
    return new Res("dropout(" + use(x) + (r.nextBoolean() ? ", p = " : ", ") + p + ")", x.d(), x.mag() * 2);
  }

  /**
   * The forms of {@link #torch}. Finite differences would mean little at an equality or on clamp's bounds, which
   * the grid inputs of {@link TorchDifferentialFuzzer} hit; PyTorch's gradient there is what modelc documents.
   */
  private Res torchOnly() {
    String c = List.of("0", "0.5", "-0.5", "1").get(r.nextInt(4));
    switch (r.nextInt(8)) {
      case 6:
        return image(); // convolution and pooling meet ties on the grid: the first maximum of a window
      case 7:
        return norm();
      case 0: {
        V x = pick(v -> true);
        String a = use(x);
        String eq = r.nextBoolean() ? " == " : " != ";
        return r.nextBoolean() ? new Res("where(" + a + eq + c + ", " + a + ", " + a + " * 0.3)", x.d(), x.mag())
            : new Res("float(" + a + eq + c + ") * " + a, x.d(), x.mag());
      }
      case 1: {
        V x = pick(v -> true);
        String a = use(x);
        return switch (r.nextInt(3)) {
          case 0 -> new Res("(" + a + " * " + a + " + 1) ** 0.5", x.d(), x.mag() + 1);
          case 1 -> new Res("(" + a + " * " + a + " + 1) ** -0.5", x.d(), 1);
          default -> new Res("(" + a + " * " + a + " + 1) ** tanh(" + a + ")", x.d(), x.mag() * x.mag() + 1);
        };
      }
      case 2: {
        int num = 2 + r.nextInt(6);
        int dim = 1 + r.nextInt(6);
        int[] id = r.nextBoolean() ? new int[] {B, 1 + r.nextInt(4)} : new int[] {B};
        String t = newLabels(id, num);
        String w = newParam(new int[] {num, dim}, "normal(0, 1)");
        int[] out = Arrays.copyOf(id, id.length + 1);
        out[id.length] = dim;
        int pad = r.nextInt(2 * num) - num;
        return new Res("embedding(" + t + ", " + w + ", padding_idx = " + pad + ")", out, 2);
      }
      case 3: {
        if (rowwise) return null; // a param's gradient sums over the rows
        V x = pick(v -> !v.ancestors().isEmpty() && v.d().length > 0);
        if (x == null) return null;
        List<String> wrt = new ArrayList<>(x.ancestors());
        wrt.sort(null);
        String w = wrt.get(r.nextInt(wrt.size()));
        int[] d = shapeOf(w);
        if (d == null) return null;
        String a = use(x);
        reads.add(w);
        return new Res("grad(" + a + " * " + a + ", " + w + ", cos(" + a + "))", d,
            2 * x.mag() * Math.sqrt(count(x.d())));
      }
      case 4: {
        V x = pick(v -> true);
        String a = use(x);
        return r.nextBoolean() ? new Res("clamp(" + a + ", max = " + c + ")", x.d(), x.mag())
            : new Res("clamp(" + a + ", min = -0.5, max = 0.5)", x.d(), x.mag());
      }
      default: {
        V x = pick(v -> true);
        String a = use(x);
        V y = pick(v -> v != x && broadcast(v.d(), x.d()) != null && count(broadcast(v.d(), x.d())) <= 512);
        if (y == null) return new Res("maximum(" + a + ", " + c + ") + minimum(" + a + ", " + c + ")", x.d(),
            x.mag() * 2);
        String b = use(y); // a tie where both are on the grid: maximum's and minimum's gradient halves
        return new Res("maximum(" + a + ", " + b + ") - minimum(" + b + ", " + a + ") * 0.5",
            broadcast(x.d(), y.d()), x.mag() + y.mag());
      }
    }
  }

  private int[] shapeOf(String name) {
    return shapes.get(name);
  }

  // ---------------------------------------------------------------------------------------------------- model

  private void addLet(Res res) {
    String name = "v" + nLets++;
    String expr = res.expr();
    double mag = res.mag();
    if (mag > 3) {
      double c = 1 / Math.ceil(mag);
      expr = "(" + expr + ") * " + num(c);
      mag = 1;
    }
    lets.append("  let ").append(name).append(" = ").append(expr).append('\n');
    Set<String> anc = new HashSet<>(reads);
    V v = new V(name, res.d(), mag, anc);
    if (!(rowwise && res.d().length == 0)) pool.add(v); // a scalar of a rowwise model is a mean over the rows
    shapes.put(name, res.d());
    letNames.add(name);
    if (res.d().length == 0) scalarLets.add(name);
    maxRowElements = Math.max(maxRowElements, count(res.d()));
  }

  private Generated build() {
    int nIn = 1 + r.nextInt(3);
    boolean images = r.nextInt(torch ? 2 : 4) == 0;
    rowwise = r.nextInt(5) < 2;
    for (int i = 0; i < nIn; i++) {
      int[] d;
      if (images && i == 0) {
        d = new int[] {r.nextInt(4) == 0 && !rowwise ? 2 : B, 1 + r.nextInt(3), 3 + r.nextInt(5), 3 + r.nextInt(5)};
      } else {
        d = randomShape(rowwise || r.nextInt(3) > 0);
      }
      V v = newInput(d);
      shapes.put(v.name(), d);
      maxRowElements = Math.max(maxRowElements, count(d));
    }
    int steps = r.nextInt(10) < 3 ? 10 + r.nextInt(16) : 2 + r.nextInt(10);
    int attempts = 0;
    while (nLets < steps && attempts++ < 200) {
      reads = new HashSet<>();
      int before = nParams;
      StringBuilder paramsBefore = new StringBuilder(params);
      Map<String, Integer> labelsBefore = new LinkedHashMap<>(labels);
      String inputsBefore = inputs.toString();
      Set<String> consumedBefore = new HashSet<>(consumed);
      int k = r.nextInt(torch ? 121 : 113);
      Res res;
      if (k < 16) res = unary();
      else if (k < 32) res = binary();
      else if (k < 44) res = product();
      else if (k < 52) res = reduction();
      else if (k < 57) res = softmax();
      else if (k < 62) res = transpose();
      else if (k < 69) res = reshape();
      else if (k < 74) res = slice();
      else if (k < 79) res = catOrStack();
      else if (k < 83) res = masked();
      else if (k < 89) res = image();
      else if (k < 92) res = norm();
      else if (k < 95) res = loss();
      else if (k < 98) res = indexed();
      else if (k < 100) res = gradient();
      else if (k < 102) res = batchNorm();
      else if (k < 104) res = dropout();
      else if (k < 110) res = againstReduction();
      else if (k < 111) res = alias();
      else if (k < 113) res = identityView();
      else res = torchOnly();
      // values of rank 6 at most: the code generator's rank-4 loops and, past them, its any-rank ones both get work
      if (res == null || count(res.d()) > 4096 || res.d().length > 6) { // undo what the attempt declared
        for (List<String> names : byShape.values()) {
          names.removeIf(n -> Integer.parseInt(n.substring(1)) >= before);
        }
        nParams = before;
        params.setLength(0);
        params.append(paramsBefore);
        labels.clear();
        labels.putAll(labelsBefore);
        inputs.setLength(0);
        inputs.append(inputsBefore);
        consumed.clear();
        consumed.addAll(consumedBefore);
        continue;
      }
      for (String p : reads) if (p.startsWith("p")) shapes.putIfAbsent(p, paramShape(p));
      addLet(res);
    }
    // the objective: every let nothing else reads, each reduced to a scalar term
    List<String> terms = new ArrayList<>();
    for (String name : letNames) {
      if (consumed.contains(name)) continue;
      int[] d = shapes.get(name);
      String term = d.length == 0 ? name : switch (rowwise ? 1 + 2 * r.nextInt(2) : r.nextInt(5)) {
        case 0 -> "sum(" + name + ")" + (count(d) > 4 || hasB(d) ? " * " + num(1.0 / (count(d) * (hasB(d) ? 4 : 1)))
            : "");
        case 1 -> "mean(" + name + " * " + name + ")";
        case 2 -> "logsumexp(" + name + ")";
        case 3 -> "mean(tanh(" + name + "))";
        default -> "mean(" + name + ")";
      };
      terms.add(terms.isEmpty() || r.nextBoolean() ? term : num(0.5 + r.nextDouble()) + " * " + term);
    }
    if (!params.toString().contains("  param ") || terms.isEmpty()) {
      String p = smallParam(new int[] {1 + r.nextInt(4)});
      terms.add("mean(" + p + " * " + p + ")");
    }
    StringBuilder loss = new StringBuilder();
    for (int i = 0; i < terms.size(); i++) {
      if (i > 0) loss.append(r.nextInt(4) == 0 ? " - " : " + ");
      loss.append(terms.get(i));
    }
    String optimizer = switch (r.nextInt(7)) {
      case 0 -> "sgd(lr = 0.05)";
      case 1 -> "sgd(lr = 0.05, momentum = 0.9)";
      case 2 -> "sgd(lr = 0.02, momentum = 0.9, nesterov = true, weight_decay = 0.01)";
      case 3 -> "adam(lr = 0.01)";
      case 4 -> "adam(lr = 0.01, betas = [0.8, 0.99], weight_decay = 0.01)";
      case 5 -> "adamw(lr = 0.01)";
      default -> "adamw(lr = 0.005, weight_decay = 0.1)";
    };
    List<String> outs = new ArrayList<>();
    for (String name : letNames) if (r.nextInt(3) == 0) outs.add(name);
    if (outs.isEmpty()) outs.add(letNames.isEmpty() ? "x0" : letNames.get(letNames.size() - 1));
    if (r.nextInt(10) == 0) outs.add("x0"); // an input as an output
    if (r.nextInt(10) == 0 && !byShape.isEmpty()) { // a param as an output
      List<String> ps = byShape.values().iterator().next();
      if (!ps.isEmpty()) outs.add(ps.get(0));
    }
    StringBuilder s = new StringBuilder("model Fuzz {\n").append(inputs).append(params).append(lets)
        .append("  let loss = ").append(loss).append('\n')
        .append("  output ").append(String.join(", ", outs)).append('\n')
        .append("  minimize loss with ").append(optimizer).append("\n}\n");
    return new Generated(s.toString(), Map.copyOf(labels), maxRowElements);
  }

  private int[] paramShape(String p) {
    for (String line : params.toString().split("\n")) {
      String prefix = "  param " + p + " : " + dt;
      if (line.startsWith(prefix + "[")) {
        String inner = line.substring(prefix.length() + 1, line.indexOf(']'));
        if (inner.isBlank()) return new int[0];
        return Arrays.stream(inner.split(",\\s*")).mapToInt(Integer::parseInt).toArray();
      }
    }
    return null;
  }
}
