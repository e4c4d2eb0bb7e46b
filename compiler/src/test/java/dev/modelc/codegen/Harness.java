package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.modelc.ad.Differentiation;
import dev.modelc.eval.IrEvaluator;
import dev.modelc.eval.NdArray;
import dev.modelc.ir.Dims;
import dev.modelc.ir.Graph;
import dev.modelc.ir.GraphBuilder;
import dev.modelc.ir.Node;
import dev.modelc.opt.PassOptions;
import dev.modelc.opt.Pipeline;
import dev.modelc.runtime.api.Model;
import dev.modelc.sched.Scheduler;
import dev.modelc.types.DType;
import dev.modelc.types.Shape;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.CheckClassAdapter;

/**
 * Builds small models with random data, compiles them, and compares the compiled class with the reference
 * evaluator: loss, outputs, gradients. Values are held as NdArrays (doubles) and copied into the model's arrays.
 */
final class Harness {
  final Random rnd;
  final DType dtype;
  final GraphBuilder ir;
  final Map<String, NdArray> inputs = new LinkedHashMap<>();
  final Map<String, NdArray> params = new LinkedHashMap<>();

  Harness(String name, DType dtype, long seed) {
    this.rnd = new Random(seed);
    this.dtype = dtype;
    this.ir = new GraphBuilder(name);
  }

  static Shape shape(Object... dims) {
    return Dims.shape(Arrays.stream(dims)
        .map(d -> d instanceof String s ? Dims.symbol(s) : Dims.of(((Number) d).longValue())).toList());
  }

  double[] uniform(int n, double lo, double hi) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rnd.nextDouble();
    if (dtype == DType.F32) for (int i = 0; i < n; i++) v[i] = (float) v[i];
    return v;
  }

  Node input(String name, Shape type, int[] actual, double lo, double hi) {
    inputs.put(name, new NdArray(dtype, actual, uniform(NdArray.count(actual), lo, hi)));
    return ir.input(name, Dims.type(dtype, type));
  }

  Node labels(String name, Shape type, int n, int classes) {
    double[] t = new double[n];
    for (int i = 0; i < n; i++) t[i] = rnd.nextInt(classes);
    inputs.put(name, new NdArray(DType.I32, new int[] {n}, t));
    return ir.input(name, Dims.type(DType.I32, type));
  }

  /** An i32 input of a constant shape with values in [0, bound). */
  Node indices(String name, int bound, int... shape) {
    double[] t = new double[NdArray.count(shape)];
    for (int i = 0; i < t.length; i++) t[i] = rnd.nextInt(bound);
    inputs.put(name, new NdArray(DType.I32, shape, t));
    return ir.input(name, Dims.type(DType.I32, Dims.shape(java.util.Arrays.stream(shape).asLongStream().toArray())));
  }

  Node param(String name, double lo, double hi, int... dims) {
    params.put(name, new NdArray(dtype, dims, uniform(NdArray.count(dims), lo, hi)));
    return ir.param(name, Dims.type(dtype, Dims.shape(Arrays.stream(dims).asLongStream().toArray())));
  }

  /** Adds the objective and gradients, runs the standard training pipeline with verification. */
  Graph train(Node loss) {
    ir.result("loss", Graph.Kind.OBJECTIVE, loss);
    return Pipeline.standard(PassOptions.training().withVerify(true)).run(Differentiation.addGradients(ir.build()));
  }

  static CompiledClass compile(Graph g, OptimizerSettings opt) {
    CompiledClass c = ClassEmitter.emit(Scheduler.schedule(g), opt, CompileOptions.of("test.models", g.name() + ".mdl"));
    verify(c);
    return c;
  }

  static void verify(CompiledClass c) {
    StringWriter out = new StringWriter();
    CheckClassAdapter.verify(new ClassReader(c.bytecode()), Harness.class.getClassLoader(), false,
        new PrintWriter(out));
    if (!out.toString().isEmpty()) fail("bytecode of " + c.className() + " does not verify:\n" + out);
  }

  /**
   * The bytes the calling thread allocates in 20 training steps of m once warm (30 steps first): windows of 20 steps
   * until one allocates nothing, for up to 10 s. While the JIT is still compiling and deoptimizing (slow on a loaded
   * machine) the interpreter may allocate a few hundred bytes that compiled code does not.
   */
  static long steadyStepAllocation(Model m) {
    for (int i = 0; i < 30; i++) m.trainStep();
    var bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    long deadline = System.nanoTime() + 10_000_000_000L;
    long allocated;
    do {
      long before = bean.getThreadAllocatedBytes(id);
      for (int i = 0; i < 20; i++) m.trainStep();
      allocated = bean.getThreadAllocatedBytes(id) - before;
    } while (allocated != 0 && System.nanoTime() < deadline);
    return allocated;
  }

  /** A model instance with this harness's parameters and inputs bound. */
  Model instance(CompiledClass c) {
    Model m = c.newInstance();
    params.forEach((name, v) -> m.setParameter(name, toArray(v)));
    inputs.forEach((name, v) -> m.setInput(name, toArray(v)));
    return m;
  }

  static Object toArray(NdArray v) {
    return switch (v.dtype()) {
      case F32 -> {
        float[] f = new float[v.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) v.data()[i];
        yield f;
      }
      case F64 -> v.data().clone();
      case I32 -> Arrays.stream(v.data()).mapToInt(d -> (int) d).toArray();
      case BOOL -> throw new IllegalArgumentException("the IR holds no bool values");
    };
  }

  static double[] toDoubles(Object a) {
    if (a instanceof double[] d) return d.clone();
    float[] f = (float[]) a;
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }

  IrEvaluator.Values reference(Graph g) {
    return new IrEvaluator(g).run(inputs, params);
  }

  static void assertClose(String what, double[] want, double[] got, double tol) {
    assertEquals(want.length, got.length, what + ": length");
    for (int i = 0; i < want.length; i++) {
      double err = Math.abs(want[i] - got[i]);
      if (!(err <= tol * Math.max(1, Math.abs(want[i])))) {
        fail(what + "[" + i + "]: expected " + want[i] + ", got " + got[i] + " (tolerance " + tol + ")");
      }
    }
  }

  /**
   * Runs one forward and backward pass of m from zeroed gradients and compares it with the evaluator's values ref:
   * the loss, the named outputs and every parameter's gradient, each within tol (relative above magnitude 1).
   */
  void assertPassMatches(String what, Model m, IrEvaluator.Values ref, double tol, String... outputs) {
    m.zeroGrad();
    m.forward();
    m.backward();
    double loss = ref.result("loss").item();
    assertEquals(loss, m.loss(), tol * Math.abs(loss), what + " loss");
    for (String o : outputs) {
      assertClose(what + " " + o, ref.result(o).data(), toDoubles(m.output(o)), tol);
    }
    for (String p : params.keySet()) {
      assertClose(what + " grad " + p, ref.result(p).data(), toDoubles(m.gradient(p)), tol);
    }
  }

  double tolerance() {
    return dtype == DType.F32 ? 2e-5 : 1e-11;
  }
}
