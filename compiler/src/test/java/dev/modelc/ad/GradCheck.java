package dev.modelc.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.modelc.eval.IrEvaluator;
import dev.modelc.eval.NdArray;
import dev.modelc.ir.Graph;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * Finite differences in f64: the reference the symbolic gradients are checked against. Central differences of a
 * scalar result of a graph, one element of one bound value at a time.
 */
public final class GradCheck {
  private GradCheck() {}

  /** d result / d value[name], by central differences. */
  public static double[] numeric(Graph g, String result, Map<String, NdArray> inputs, Map<String, NdArray> params,
      String name, boolean isParam, double h) {
    NdArray base = (isParam ? params : inputs).get(name);
    double[] out = new double[base.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (eval(g, result, inputs, params, name, isParam, base, i, h)
          - eval(g, result, inputs, params, name, isParam, base, i, -h)) / (2 * h);
    }
    return out;
  }

  private static double eval(Graph g, String result, Map<String, NdArray> inputs, Map<String, NdArray> params,
      String name, boolean isParam, NdArray base, int i, double delta) {
    double[] d = base.data().clone();
    d[i] += delta;
    Map<String, NdArray> in = new HashMap<>(inputs);
    Map<String, NdArray> ps = new HashMap<>(params);
    (isParam ? ps : in).put(name, new NdArray(base.dtype(), base.shape(), d));
    return new IrEvaluator(g).run(in, ps).result(result).item();
  }

  public static void assertClose(String what, double[] want, double[] got, double tol) {
    assertEquals(want.length, got.length, what + ": lengths");
    for (int i = 0; i < want.length; i++) {
      double err = Math.abs(want[i] - got[i]);
      if (!(err <= tol * (1 + Math.abs(want[i])))) {
        fail(what + ": element " + i + " want " + want[i] + " got " + got[i] + " (error " + err + ", tolerance "
            + tol + ")");
      }
    }
  }

  public static double[] uniform(Random rnd, int n, double lo, double hi) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) d[i] = lo + (hi - lo) * rnd.nextDouble();
    return d;
  }
}
