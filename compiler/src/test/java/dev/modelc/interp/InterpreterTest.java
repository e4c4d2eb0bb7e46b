package dev.modelc.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.ad.Differentiation;
import dev.modelc.check.CheckedModel;
import dev.modelc.check.CheckedProgram;
import dev.modelc.check.Frontend;
import dev.modelc.diag.DiagnosticPrinter;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.SourceFile;
import dev.modelc.eval.IrEvaluator;
import dev.modelc.eval.NdArray;
import dev.modelc.ir.Graph;
import dev.modelc.lower.Lowering;
import dev.modelc.opt.PassOptions;
import dev.modelc.opt.Pipeline;
import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.Tensor;
import dev.modelc.types.Dim;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The reference interpreter on the samples: training runs, gradients against finite differences and the IR. */
class InterpreterTest {
  static CheckedModel load(String name, boolean f64) throws IOException {
    return dev.modelc.Samples.load(name, f64);
  }

  static CheckedModel check(String file, String text) {
    return dev.modelc.Samples.check(file, text);
  }

  /** Binds random inputs with every symbolic size = {@code size}; returns them as NdArrays too. */
  static Map<String, NdArray> bindRandom(Interpreter it, int size, Random rnd) {
    Map<String, NdArray> out = new HashMap<>();
    for (CheckedModel.Input in : it.model().inputs()) {
      List<Dim> dims = in.type().shape().dims();
      int[] shape = new int[dims.size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = (int) (dims.get(i).coefficient() * Math.pow(size, dims.get(i).symbols().size()));
      }
      int n = NdArray.count(shape);
      double[] data = new double[n];
      if (in.type().dtype() == dev.modelc.types.DType.I32) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
          labels[i] = rnd.nextInt(10);
          data[i] = labels[i];
        }
        it.setLabels(in.name(), labels);
      } else {
        for (int i = 0; i < n; i++) {
          data[i] = rnd.nextDouble();
        }
        it.setInput(in.name(), Tensor.fromDoubles(Interpreter.dtype(in.type().dtype()), shape, data));
      }
      out.put(in.name(), new NdArray(in.type().dtype(), shape, data));
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"linreg", "logreg", "mlp", "cnn", "penalty"})
  void trainsAFewStepsAndItsGradientsMatchFiniteDifferences(String sample) throws IOException {
    Interpreter f32 = new Interpreter(load(sample, false), 1);
    bindRandom(f32, 4, new Random(1));
    for (int i = 0; i < 3; i++) {
      assertTrue(Double.isFinite(f32.trainStep()));
    }

    Interpreter it = new Interpreter(load(sample, true), 2);
    bindRandom(it, 3, new Random(2));
    it.zeroGrad();
    it.forward();
    it.backward();
    Random probe = new Random(3);
    for (CheckedModel.Param p : it.model().params()) {
      double[] w = it.param(p.name()).doubleData();
      double[] g = it.grad(p.name()).doubleData();
      for (int k = 0; k < Math.min(5, w.length); k++) {
        int i = k == 0 ? 0 : probe.nextInt(w.length);
        double keep = w[i];
        w[i] = keep + 1e-6;
        double up = it.forward() == null ? 0 : it.loss().item();
        w[i] = keep - 1e-6;
        double down = it.forward() == null ? 0 : it.loss().item();
        w[i] = keep;
        double numeric = (up - down) / 2e-6;
        assertEquals(numeric, g[i], 1e-6 + 1e-5 * Math.abs(numeric), sample + " d loss / d " + p.name() + "[" + i + "]");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"linreg", "logreg", "mlp", "cnn", "penalty"})
  void agreesWithTheSymbolicGradientsOfTheIr(String sample) throws IOException {
    CheckedModel m = load(sample, true);
    Interpreter it = new Interpreter(m, 5);
    Map<String, NdArray> inputs = bindRandom(it, 2, new Random(5));
    it.zeroGrad();
    it.forward();
    it.backward();
    Map<String, NdArray> params = new HashMap<>();
    for (CheckedModel.Param p : m.params()) {
      Tensor t = it.param(p.name());
      params.put(p.name(), new NdArray(dev.modelc.types.DType.F64, t.shape(), t.doubleData().clone()));
    }
    Graph g = Pipeline.standard(PassOptions.training()).run(Differentiation.addGradients(Lowering.lower(m, true)));
    IrEvaluator.Values v = new IrEvaluator(g).run(inputs, params);
    assertEquals(v.result("loss").item(), it.loss().item(), 1e-12);
    for (CheckedModel.Param p : m.params()) {
      assertArrayEquals(v.result(p.name()).data(), it.grad(p.name()).doubleData(), 1e-10, p.name());
    }
  }

  @Test
  void theSeedsVectorJacobianProducts() throws IOException {
    Interpreter it = new Interpreter(load("vjp", false), 0);
    it.setInput("a", Tensor.of(10f, 10f));
    it.setInput("b", Tensor.of(20f, 20f));
    it.setInput("v", Tensor.of(1f, 1f));
    Map<String, Tensor> out = it.forward();
    assertArrayEquals(new double[] {20, 20}, out.get("a_grad").doubles(), 1e-6);
    assertArrayEquals(new double[] {10, 10}, out.get("b_grad").doubles(), 1e-6);
    assertArrayEquals(new double[] {1, 1}, out.get("F_grad").doubles(), 1e-6);
    assertArrayEquals(new double[] {400, 400}, out.get("s_grad_F").doubles(), 1e-6);
  }

  /**
   * {@code let v = x} names x itself, so grad(sum(sin(x * w) + v * v), v) is {@code cos(x w) w + 2 x}, through
   * sin(x * w) too, as the compiled class and PyTorch compute it (a fresh leaf standing for v gave {@code 2 x}).
   */
  @Test
  void aGradientWithRespectToALetThatNamesAnInputIsTheInputs() {
    Interpreter it = new Interpreter(check("alias.mdl", """
        model M {
          input x : f32[3]
          param w : f32[3] init uniform(0.5, 1.5)
          let v = x
          let g = grad(sum(sin(x * w) + v * v), v)
          output g
        }
        """), 0);
    double[] x = {0.3, -0.7, 1.1};
    it.setInput("x", Tensor.of(new float[] {0.3f, -0.7f, 1.1f}, 3));
    double[] w = it.param("w").doubles();
    double[] g = it.forward().get("g").doubles();
    for (int i = 0; i < 3; i++) {
      assertEquals(Math.cos(x[i] * w[i]) * w[i] + 2 * x[i], g[i], 1e-5, "g[" + i + "]");
    }
  }

  @Test
  void theSeedsLinearRegressionLearnsThreeXPlusOne() throws IOException {
    Interpreter it = new Interpreter(load("linreg", false), 0);
    Random rnd = new Random(0);
    float[] x = new float[100];
    float[] y = new float[100];
    for (int i = 0; i < 100; i++) {
      x[i] = (float) (4 * rnd.nextDouble() - 2);
      y[i] = 3 * x[i] + 1 + (float) (0.01 * rnd.nextGaussian());
    }
    it.setInput("x", Tensor.of(x, 100, 1));
    it.setInput("y", Tensor.of(y, 100, 1));
    for (int s = 0; s < 3000; s++) {
      it.trainStep();
    }
    assertEquals(3, it.param("w").item(), 0.05);
    assertEquals(1, it.param("b").item(), 0.05);
  }

  @Test
  void inputsWithDisagreeingSizesAreRefused() throws IOException {
    Interpreter it = new Interpreter(load("linreg", false), 0);
    it.setInput("x", Tensor.zeros(DType.F32, 5, 1));
    it.setInput("y", Tensor.zeros(DType.F32, 4, 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, it::forward);
    assertTrue(e.getMessage().contains("input y: expected f32[N, 1] with N = 5 (from input x)"), e.getMessage());
  }

  @Test
  void aGradientOfAGradientIsAHessianVectorProduct() {
    CheckedModel m = check("hvp.mdl", "model H { input x : f64[3]\n"
        + "let l = sum(x * x * x)  let g = grad(l, x)  let h = grad(sum(g), x)  output g  output h }");
    Interpreter it = new Interpreter(m, 0);
    it.setInput("x", Tensor.of(1.0, 2.0, -0.5));
    Map<String, Tensor> out = it.forward();
    assertArrayEquals(new double[] {3, 12, 0.75}, out.get("g").doubles(), 1e-12);   // 3 x^2
    assertArrayEquals(new double[] {6, 12, -3}, out.get("h").doubles(), 1e-12);     // 6 x
  }

  @Test
  void aGradientInsideTheObjectiveTrainsWithItsSecondOrderTerms() {
    // loss = sum(x * w) + sum(g^2) with g = d sum(x * w) / dx = w: d loss / dw = x + 2 w
    CheckedModel m = check("penalty.mdl", "model P { input x : f64[3]  param w : f64[3] init ones()\n"
        + "let l = sum(x * w)  let g = grad(l, x)  minimize l + sum(g ** 2) with sgd(lr = 0.1) }");
    Interpreter it = new Interpreter(m, 0);
    it.setInput("x", Tensor.of(1.0, -2.0, 0.5));
    it.zeroGrad();
    it.forward();
    it.backward();
    assertArrayEquals(new double[] {3, 0, 2.5}, it.grad("w").doubles(), 1e-12);
    it.step();
    assertArrayEquals(new double[] {0.7, 1, 0.75}, it.param("w").doubles(), 1e-12);
  }
}
