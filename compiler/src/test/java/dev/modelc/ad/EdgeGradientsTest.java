package dev.modelc.ad;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.codegen.CompiledClass;
import dev.modelc.driver.Driver;
import dev.modelc.eval.IrEvaluator;
import dev.modelc.eval.NdArray;
import dev.modelc.interp.Interpreter;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.tensor.Tensor;
import dev.modelc.types.DType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Gradients at the edges of an op's domain, where a derivative formula taken literally gives NaN or drops a term
 * and PyTorch defines the value: each case fixes the parameters and compares the gradient from the reference
 * interpreter's tape, from the evaluated IR adjoint and from the compiled class (f64 and f32) with the value
 * PyTorch's formula gives.
 */
class EdgeGradientsTest {
  /** One way of computing gradients, by parameter name. */
  record Way(String name, Map<String, double[]> grads) {}

  static List<Way> gradients(String source, Map<String, double[]> params) {
    List<Way> ways = new ArrayList<>();
    CheckedModel m64 = Samples.check("edge.mdl", source);
    Interpreter tape = new Interpreter(m64, 1);
    params.forEach((n, v) -> System.arraycopy(v, 0, tape.param(n).doubleData(), 0, v.length));
    tape.zeroGrad();
    tape.forward();
    tape.backward();
    Map<String, double[]> fromTape = new LinkedHashMap<>();
    params.keySet().forEach(n -> fromTape.put(n, tape.grad(n).doubles().clone()));
    ways.add(new Way("tape", fromTape));

    Map<String, NdArray> values = new LinkedHashMap<>();
    for (CheckedModel.Param p : m64.params()) {
      Tensor t = tape.param(p.name());
      values.put(p.name(), new NdArray(DType.F64, t.shape(), params.get(p.name()).clone()));
    }
    IrEvaluator.Values ir = new IrEvaluator(Driver.training(m64, true)).run(Map.of(), values);
    Map<String, double[]> fromIr = new LinkedHashMap<>();
    params.keySet().forEach(n -> fromIr.put(n, ir.result(n).data()));
    ways.add(new Way("ir", fromIr));

    for (boolean f32 : new boolean[] {false, true}) {
      CheckedModel m = f32 ? Samples.check("edge.mdl", source.replace("f64", "f32")) : m64;
      CompiledClass c = Driver.compile(m, "", "edge.mdl", true);
      Model model = c.newInstance();
      params.forEach((n, v) -> model.setParameter(n, f32 ? floats(v) : v.clone()));
      model.zeroGrad();
      model.forward();
      model.backward();
      Map<String, double[]> compiled = new LinkedHashMap<>();
      params.keySet().forEach(n -> compiled.put(n, doubles(model.gradient(n))));
      ways.add(new Way(f32 ? "compiled f32" : "compiled f64", compiled));
    }
    return ways;
  }

  static void assertGradients(String source, Map<String, double[]> params, Map<String, double[]> expected,
      double tol) {
    for (Way w : gradients(source, params)) {
      expected.forEach((n, want) -> {
        double[] got = w.grads().get(n);
        for (int i = 0; i < want.length; i++) {
          // NaN and infinities exactly (assertEquals takes NaN for NaN), finite values within the tolerance
          double delta = Double.isFinite(want[i]) ? tol * Math.max(1, Math.abs(want[i])) : 0;
          assertEquals(want[i], got[i], delta, w.name() + ": grad " + n + "[" + i + "]");
        }
      });
    }
  }

  private static float[] floats(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }

  private static double[] doubles(Object a) {
    if (a instanceof double[] d) {
      return d.clone();
    }
    float[] f = (float[]) a;
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  /**
   * PyTorch's minimum/maximum backward, {@code where(a == b, grad / 2, grad).masked_fill_(a loses, 0)}: 0 where an
   * operand loses even when the incoming gradient is NaN (here sqrt of -1), half on ties, all of it where an operand
   * is NaN (neither wins nor loses). Values from torch 1.13, float64.
   */
  @Test
  void minimumAndMaximumWithANaNGradientTiesAndNaNOperands() {
    double nan = Double.NaN;
    Map<String, double[]> params = Map.of("a", new double[] {1, 2, 3, nan, 1, 2},
        "b", new double[] {2, 2, 1, 0, nan, 1}, "c", new double[] {-1, -1, -1, 4, 4, 4});
    for (String op : new String[] {"minimum", "maximum"}) {
      String src = """
          model M {
            param a : f64[6] init zeros()
            param b : f64[6] init zeros()
            param c : f64[6] init zeros()
            let loss = sum(OP(a, b) * sqrt(c))
            minimize loss with sgd(lr = 0)
          }
          """.replace("OP", op);
      double[] first = {nan, nan, 0, 2, 2, 0};
      double[] second = {0, nan, nan, 2, 2, 2};
      boolean min = op.equals("minimum");
      assertGradients(src, params, Map.of("a", min ? first : second, "b", min ? second : first), 1e-6);
    }
  }

  /**
   * relu and leaky_relu with a NaN or infinite incoming gradient (the parameter s) and a NaN input. PyTorch's
   * threshold_backward(grad, result, 0) = {@code result <= 0 ? 0 : grad}: 0 where the result is 0 (from -1, 0, -0,
   * -3) even for a NaN or infinite gradient, the gradient where the result is NaN. leaky_relu_backward =
   * {@code x > 0 ? grad : grad * slope}: no select there, so NaN stays NaN; at NaN x the slope. Values from torch 1.13,
   * float64 and float32 alike.
   */
  @Test
  void reluAndLeakyReluWithNaNAndInfiniteGradientsAndANaNInput() {
    double nan = Double.NaN;
    double inf = Double.POSITIVE_INFINITY;
    Map<String, double[]> params = Map.of("x", new double[] {-1, 0, 2, nan, -0.0, -3, 4},
        "s", new double[] {nan, inf, nan, 5, -inf, 2, -inf});
    String src = """
        model R {
          param x : f64[7] init zeros()
          param s : f64[7] init zeros()
          let loss = sum(OP * s)
          minimize loss with sgd(lr = 0)
        }
        """;
    assertGradients(src.replace("OP", "relu(x)"), params,
        Map.of("x", new double[] {0, 0, nan, 5, 0, 0, -inf}), 1e-6);
    assertGradients(src.replace("OP", "leaky_relu(x, negative_slope = 0.1)"), params,
        Map.of("x", new double[] {nan, inf, nan, 0.5, -inf, 0.2, -inf}), 1e-6);
    assertGradients(src.replace("OP", "leaky_relu(x, negative_slope = 0.0)"), params,
        Map.of("x", new double[] {nan, nan, nan, 0, nan, 0, -inf}), 1e-6);
  }

  /**
   * leaky_relu passes y_bar itself where x > 0, as PyTorch: a mask product y_bar ((1 - slope) m + slope) rounds for
   * some slopes ((1 + 1.7) - 1.7 is 1 + 2^-52 in f64; 1.3f - 0.3f is 1 - 2^-24 in f32).
   */
  @Test
  void leakyReluPassesTheGradientUnroundedWherePositive() {
    Map<String, double[]> params = Map.of("x", new double[] {1, -1, 2}, "s", new double[] {0.1, 0.7, 1.0 / 3});
    for (String slope : new String[] {"-1.7", "-0.3"}) {
      String src = """
          model L {
            param x : f64[3] init zeros()
            param s : f64[3] init zeros()
            let loss = sum(leaky_relu(x, negative_slope = SLOPE) * s)
            minimize loss with sgd(lr = 0)
          }
          """.replace("SLOPE", slope);
      for (Way w : gradients(src, params)) {
        double[] got = w.grads().get("x");
        double[] s = params.get("s");
        boolean f32 = w.name().endsWith("f32");
        for (int i : new int[] {0, 2}) {
          assertEquals(f32 ? (float) s[i] : s[i], got[i], 0, w.name() + " slope " + slope + ": x > 0 passes y_bar");
        }
      }
    }
  }

  /**
   * abs keeps PyTorch's product, {@code grad * sgn(x)}: NaN where x is 0 and the gradient NaN; sgn of NaN is 0, so a
   * NaN x gets 0 (generated code took Math.signum, NaN there). Values from torch 1.13.
   */
  @Test
  void absWithNaNGradientsAndANaNInput() {
    double nan = Double.NaN;
    String src = """
        model A {
          param x : f64[5] init zeros()
          param s : f64[5] init zeros()
          let loss = sum(abs(x) * s)
          minimize loss with sgd(lr = 0)
        }
        """;
    Map<String, double[]> params = Map.of("x", new double[] {nan, 0, -0.0, 1, -2},
        "s", new double[] {5, nan, nan, nan, 3});
    assertGradients(src, params, Map.of("x", new double[] {0, nan, nan, nan, -3}), 1e-6);
  }

  /**
   * max(x, dim) with a NaN or infinite incoming gradient and a NaN input: PyTorch scatters the gradient into zeros at
   * the index of the first maximum (a NaN counts as the max, the first NaN), so the other elements get 0, not
   * NaN * 0. Values from torch 1.13.
   */
  @Test
  void maxAlongADimWithNaNGradientsAndNaNInputs() {
    double nan = Double.NaN;
    double inf = Double.POSITIVE_INFINITY;
    String src = """
        model T {
          param x : f64[3, 3] init zeros()
          param s : f64[3] init zeros()
          let loss = sum(max(x, dim = 1) * s)
          minimize loss with sgd(lr = 0)
        }
        """;
    Map<String, double[]> params = Map.of("x", new double[] {1, 3, 3, nan, 2, nan, 2, 2, 2},
        "s", new double[] {nan, 1, inf});
    assertGradients(src, params, Map.of("x", new double[] {0, nan, 0, 1, 0, 0, inf, 0, 0}), 1e-6);
  }

  /** PyTorch: d/de b^e = where(b == 0 & e >= 0, 0, b^e log b); d/db b^e = where(e == 0, 0, e b^(e - 1)). */
  @Test
  void powAtAZeroBase() {
    String src = """
        model P {
          param b : f64[4] init zeros()
          param e : f64[4] init zeros()
          let loss = sum(b ** e)
          minimize loss with sgd(lr = 0)
        }
        """;
    Map<String, double[]> params = Map.of("b", new double[] {0, 0, 0, 2}, "e", new double[] {2, 0, 0.5, 1.5});
    assertGradients(src, params, Map.of(
        "e", new double[] {0, 0, 0, Math.pow(2, 1.5) * Math.log(2)},
        "b", new double[] {0, 0, Double.POSITIVE_INFINITY, 1.5 * Math.sqrt(2)}), 1e-5);
  }

  /**
   * Second derivatives of a power with a learned exponent where the first ones are defined by a where: PyTorch's
   * {@code where(e == 0, 0, grad * e * b^(e - 1))} and {@code grad * where(b == 0 & e >= 0, 0, b^e log b)},
   * differentiated again, give the branch not taken a zero gradient, so 0 at e == 0 for a nonzero base (not the
   * slope 1 / b of e b^(e - 1)), and NaN where that branch is 0 * inf or 0 * log(0) at a zero base. Values from torch
   * 1.13, float64, at (b, e) = (0, 0), (2, 0), (0, 1.5).
   */
  @Test
  void powSecondDerivativesAtAZeroExponentAndAZeroBase() {
    String src = """
        model P {
          param b : f64[3] init zeros()
          param e : f64[3] init zeros()
          let f = sum(b ** e)
          let loss = sum(grad(f, WRT))
          minimize loss with sgd(lr = 0)
        }
        """;
    Map<String, double[]> params = Map.of("b", new double[] {0, 2, 0}, "e", new double[] {0, 0, 1.5});
    double nan = Double.NaN;
    assertGradients(src.replace("WRT", "b"), params, Map.of(
        "b", new double[] {nan, 0, Double.POSITIVE_INFINITY}, "e", new double[] {nan, 0, 0}), 1e-5);
    assertGradients(src.replace("WRT", "e"), params, Map.of(
        "b", new double[] {nan, 0.5, nan}, "e", new double[] {nan, 0.4804530139182014, nan}), 1e-5);
  }

  /**
   * PyTorch's BCE backward at p exactly 0 and 1: (p - y) / max(p (1 - p), 1e-12) for p, clamped logs for y. Its
   * 1e-12 is a float constant (Loss.cpp's {@code constexpr float EPSILON}), so in f64 the floor is 1e-12 rounded to
   * float, 9.99999996e-13: a gradient 4e-9 relative off PyTorch's otherwise.
   */
  @Test
  void bceAtSaturatedProbabilities() {
    String src = """
        model B {
          param p : f64[3] init zeros()
          param y : f64[3] init zeros()
          let loss = bce(p, y, reduction = "sum")
          minimize loss with sgd(lr = 0)
        }
        """;
    Map<String, double[]> params = Map.of("p", new double[] {0, 1, 0.5}, "y", new double[] {0.3, 0.6, 1});
    assertGradients(src, params, Map.of(
        "p", new double[] {-0.3 / 1e-12, 0.4 / 1e-12, -0.5 / 0.25},
        "y", new double[] {100, -100, 0}), 1e-5);
    double floor = (float) 1e-12;
    for (Way w : gradients(src, params)) {
      if (w.name().endsWith("f32")) continue;
      double[] got = w.grads().get("p");
      assertEquals(-0.3 / floor, got[0], 1e-15 * 0.3 / floor, w.name() + ": grad p[0] with PyTorch's float 1e-12");
      assertEquals(0.4 / floor, got[1], 1e-15 * 0.4 / floor, w.name() + ": grad p[1] with PyTorch's float 1e-12");
    }
  }

  /** A saturated sigmoid feeding bce: PyTorch's gradient is (sigmoid(x) - y) * 0 = 0 there, not NaN. */
  @Test
  void bceOfASaturatedSigmoid() {
    String src = """
        model S {
          param x : f64[3] init zeros()
          param y : f64[3] init zeros()
          let loss = bce(sigmoid(x), y, reduction = "sum")
          minimize loss with sgd(lr = 0)
        }
        """;
    Map<String, double[]> params = Map.of("x", new double[] {-800, 800, 0.5}, "y", new double[] {0.3, 0.6, 1});
    double p = 1 / (1 + Math.exp(-0.5));
    assertGradients(src, params, Map.of("x", new double[] {0, 0, p - 1}, "y", new double[] {100, -100, -0.5}), 1e-5);
  }

  /**
   * softplus's second derivative on its threshold: the first derivative there is the curved side's sigmoid(beta x)
   * (linear only where beta x > threshold), but PyTorch's softplus_double_backward masks the curvature with
   * {@code beta x < threshold}, so the second derivative there is the linear side's 0. Values from torch 1.13, float64:
   * 0, 0.470007424403189, 0, 0.4575684809133146; with the default beta and threshold, 0 at 20 and 3.3983e-9 at 19.5.
   */
  @Test
  void softplusSecondDerivativeOnItsThreshold() {
    String src = """
        model S {
          param x : f64[4] init zeros()
          param z : f64[2] init zeros()
          let f = sum(softplus(x, beta = 2, threshold = 1)) + sum(softplus(z))
          let loss = sum(grad(f, x)) + sum(grad(f, z))
          minimize loss with sgd(lr = 0)
        }
        """;
    Map<String, double[]> params = Map.of("x", new double[] {0.5, 0.25, 1, -0.3}, "z", new double[] {20, 19.5});
    double s1 = 1 / (1 + Math.exp(-0.5));
    double s2 = 1 / (1 + Math.exp(0.6));
    double s3 = 1 / (1 + Math.exp(-19.5));
    assertGradients(src, params, Map.of("x", new double[] {0, 2 * s1 * (1 - s1), 0, 2 * s2 * (1 - s2)},
        "z", new double[] {0, s3 * (1 - s3)}), 1e-5);
  }

  /** Ties: max(x, dim) gives the gradient to the first maximal index (torch.max), amax and max(x) share it. */
  @Test
  void maxAndAmaxAtTies() {
    String src = """
        model T {
          param x : f64[2, 3] init zeros()
          param u : f64[2, 3] init zeros()
          param v : f64[2, 3] init zeros()
          let loss = sum(max(x, dim = 1)) + sum(amax(u, dim = 1)) + max(v)
          minimize loss with sgd(lr = 0)
        }
        """;
    double[] ties = {1, 3, 3, 2, 2, 2};
    Map<String, double[]> params = Map.of("x", ties, "u", ties, "v", ties);
    double t = 1.0 / 3;
    assertGradients(src, params, Map.of(
        "x", new double[] {0, 1, 0, 1, 0, 0},
        "u", new double[] {0, 0.5, 0.5, t, t, t},
        "v", new double[] {0, 0.5, 0.5, 0, 0, 0}), 1e-6);
  }

  /**
   * NaN inputs. torch.max(x) without a dim is evenly_distribute_backward: when the max is NaN the NaNs share the
   * gradient ({@code grad / count} at each NaN, 0 elsewhere); torch.amax is scale_grad_by_count,
   * {@code grad / mask.sum(dims) * mask} with {@code mask = (x == result)}, all false in a group whose max is NaN, so
   * the whole group gets 0 / 0 = NaN (here a whole row of u and all of v). Values from torch 1.13, f64 and f32 alike.
   */
  @Test
  void maxAndAmaxWithNaNInputs() {
    double nan = Double.NaN;
    String src = """
        model N {
          param x : f64[2, 3] init zeros()
          param u : f64[2, 3] init zeros()
          param v : f64[2, 3] init zeros()
          let loss = max(x) + sum(amax(u, dim = 1)) + amax(v)
          minimize loss with sgd(lr = 0)
        }
        """;
    Map<String, double[]> params = Map.of("x", new double[] {1, nan, 3, nan, 2, 0},
        "u", new double[] {1, nan, 3, 3, 3, 1}, "v", new double[] {1, 2, 3, nan, 0, 0});
    assertGradients(src, params, Map.of(
        "x", new double[] {0, 0.5, 0, 0.5, 0, 0},
        "u", new double[] {nan, nan, nan, 0.5, 0.5, 0},
        "v", new double[] {nan, nan, nan, nan, nan, nan}), 1e-6);
  }

  /**
   * NaN and infinite incoming gradients at ties. torch.max(x) fills zeros with {@code grad / count} at the maxima
   * (masked_fill), so the other elements get 0 even for a NaN gradient; torch.amax multiplies by the mask, so they get
   * NaN (inf * 0, NaN * 0). Values from torch 1.13.
   */
  @Test
  void maxAndAmaxWithNaNAndInfiniteGradientsAtTies() {
    double nan = Double.NaN;
    double inf = Double.POSITIVE_INFINITY;
    String src = """
        model G {
          param x : f64[2, 3] init zeros()
          param u : f64[2, 3] init zeros()
          param s : f64[3] init zeros()
          let loss = max(x) * s[0] + sum(amax(u, dim = 1) * s[1:3])
          minimize loss with sgd(lr = 0)
        }
        """;
    double[] ties = {1, 3, 3, 2, 2, 0};
    Map<String, double[]> params = Map.of("x", ties, "u", ties, "s", new double[] {nan, inf, nan});
    assertGradients(src, params, Map.of(
        "x", new double[] {0, nan, nan, 0, 0, 0},
        "u", new double[] {nan, inf, inf, nan, nan, nan},
        "s", new double[] {3, 3, 2}), 1e-6);
  }

  /**
   * Several NaNs in one max-pooling window: PyTorch's CPU kernel takes a value when {@code val > maxval ||
   * isnan(val)}, so the window's last NaN in row-major order gets the gradient (ties still go to the first maximum,
   * by the strict {@code >}). x takes the 2 x 2 path of the CNN, z 3 x 3 windows over padding. Values from torch 1.13,
   * f64 and f32 alike.
   */
  @Test
  void maxPoolingWithSeveralNaNsInAWindow() {
    double nan = Double.NaN;
    String src = """
        model P {
          param x : f64[1, 1, 4, 4] init zeros()
          param z : f64[1, 1, 3, 3] init zeros()
          let loss = sum(maxpool2d(x, 2)) + sum(maxpool2d(z, 3, stride = 1, padding = 1))
          minimize loss with sgd(lr = 0)
        }
        """;
    Map<String, double[]> params = Map.of(
        "x", new double[] {nan, 1, 3, nan, nan, 2, nan, 4, 5, 6, 7, 8, 1, nan, 8, nan},
        "z", new double[] {nan, 2, 3, nan, 5, 6, 7, 8, nan});
    assertGradients(src, params, Map.of(
        "x", new double[] {0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1},
        "z", new double[] {0, 0, 0, 4, 0, 1, 0, 0, 4}), 1e-6);
  }
}
