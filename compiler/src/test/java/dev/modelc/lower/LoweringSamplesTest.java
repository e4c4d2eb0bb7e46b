package dev.modelc.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import dev.modelc.ir.Verifier;
import dev.modelc.opt.PassOptions;
import dev.modelc.opt.Pipeline;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every sample model, lowered from its .mdl source in f64, optimized with the verifier after every pass: its
 * parameter gradients match central finite differences of its objective.
 */
class LoweringSamplesTest {
  static Stream<String> samples() {
    return Stream.of("linreg", "logreg", "mlp", "cnn", "penalty");
  }

  static CheckedModel load(String name, boolean f64) throws IOException {
    return dev.modelc.Samples.load(name, f64);
  }

  static CheckedModel check(String file, String text) {
    return dev.modelc.Samples.check(file, text);
  }

  /** Random inputs of the declared shapes with every symbolic size bound to {@code size}. */
  static Map<String, NdArray> inputs(CheckedModel m, int size, Random rnd) {
    Map<String, NdArray> out = new HashMap<>();
    for (CheckedModel.Input in : m.inputs()) {
      int[] shape = shape(in.type().shape().dims(), size);
      double[] data = new double[NdArray.count(shape)];
      for (int i = 0; i < data.length; i++) {
        data[i] = in.type().dtype() == DType.I32 ? rnd.nextInt(10) : rnd.nextDouble();
      }
      out.put(in.name(), new NdArray(in.type().dtype(), shape, data));
    }
    return out;
  }

  static Map<String, NdArray> params(CheckedModel m, Random rnd) {
    Map<String, NdArray> out = new HashMap<>();
    for (CheckedModel.Param p : m.params()) {
      int[] shape = shape(p.type().shape().dims(), 1);
      double[] data = new double[NdArray.count(shape)];
      for (int i = 0; i < data.length; i++) {
        data[i] = (rnd.nextDouble() - 0.5) * 0.4;
      }
      out.put(p.name(), new NdArray(p.type().dtype(), shape, data));
    }
    return out;
  }

  static int[] shape(java.util.List<Dim> dims, int size) {
    int[] s = new int[dims.size()];
    for (int i = 0; i < s.length; i++) {
      Dim d = dims.get(i);
      long v = d.coefficient();
      for (int k = 0; k < d.symbols().size(); k++) {
        v *= size;
      }
      s[i] = (int) v;
    }
    return s;
  }

  @ParameterizedTest
  @MethodSource("samples")
  void parameterGradientsMatchFiniteDifferences(String sample) throws IOException {
    CheckedModel m = load(sample, true);
    Graph g = Pipeline.standard(PassOptions.training().withVerify(true)).run(Differentiation.addGradients(Lowering.lower(m, true)));
    assertTrue(Verifier.check(g).isEmpty());
    Random rnd = new Random(7);
    Map<String, NdArray> inputs = inputs(m, 3, rnd);
    Map<String, NdArray> params = params(m, rnd);
    IrEvaluator eval = new IrEvaluator(g);
    IrEvaluator.Values at = eval.run(inputs, params);
    String objective = g.results(Graph.Kind.OBJECTIVE).get(0).name();
    for (CheckedModel.Param p : m.params()) {
      double[] w = params.get(p.name()).data();
      double[] grad = at.result(p.name()).data();
      for (int probe = 0; probe < Math.min(6, w.length); probe++) {
        int i = probe == 0 ? 0 : rnd.nextInt(w.length);
        double keep = w[i];
        double h = 1e-6;
        w[i] = keep + h;
        double up = eval.run(inputs, params).result(objective).item();
        w[i] = keep - h;
        double down = eval.run(inputs, params).result(objective).item();
        w[i] = keep;
        double numeric = (up - down) / (2 * h);
        assertEquals(numeric, grad[i], 1e-6 + 1e-5 * Math.abs(numeric),
            sample + ": d" + objective + "/d" + p.name() + "[" + i + "]");
      }
    }
  }

  @Test
  void gradientsAsValuesInTheVjpSample() throws IOException {
    CheckedModel m = load("vjp", false);
    Graph g = Pipeline.standard(PassOptions.inference().withVerify(true)).run(Lowering.lower(m, false));
    Map<String, NdArray> in = Map.of(
        "a", NdArray.of(DType.F32, new int[] {2}, 10, 10),
        "b", NdArray.of(DType.F32, new int[] {2}, 20, 20),
        "v", NdArray.of(DType.F32, new int[] {2}, 1, 1));
    IrEvaluator.Values out = new IrEvaluator(g).run(in, Map.of());
    assertArrayClose(new double[] {200, 200}, out.result("F").data());
    assertArrayClose(new double[] {20, 20}, out.result("a_grad").data());
    assertArrayClose(new double[] {10, 10}, out.result("b_grad").data());
    assertArrayClose(new double[] {1, 1}, out.result("F_grad").data());
    assertArrayClose(new double[] {400, 400}, out.result("s_grad_F").data());
  }

  @Test
  void aGradientPenaltyIsDifferentiatedAgain() {
    CheckedModel m = check("penalty.mdl", String.join("\n",
        "model Penalty {",
        "  input x : f64[B, 3]",
        "  param w : f64[3, 2] init normal(0, 1)",
        "  let y = tanh(x @ w)",
        "  let fit = mean(y ** 2)",
        "  let gx = grad(fit, x)",
        "  let loss = fit + sum(gx ** 2)",
        "  minimize loss with sgd(lr = 0.1)",
        "}"));
    Graph g = Pipeline.standard(PassOptions.training().withVerify(true)).run(Differentiation.addGradients(Lowering.lower(m, true)));
    Random rnd = new Random(3);
    Map<String, NdArray> inputs = inputs(m, 4, rnd);
    Map<String, NdArray> params = params(m, rnd);
    IrEvaluator eval = new IrEvaluator(g);
    double[] grad = eval.run(inputs, params).result("w").data();
    double[] w = params.get("w").data();
    for (int i = 0; i < w.length; i++) {
      double keep = w[i];
      w[i] = keep + 1e-6;
      double up = eval.run(inputs, params).result("loss").item();
      w[i] = keep - 1e-6;
      double down = eval.run(inputs, params).result("loss").item();
      w[i] = keep;
      assertEquals((up - down) / 2e-6, grad[i], 1e-6, "dloss/dw[" + i + "]");
    }
  }

  private static void assertArrayClose(double[] want, double[] got) {
    assertEquals(want.length, got.length);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], 1e-4 * Math.max(1, Math.abs(want[i])), "element " + i);
    }
  }
}
