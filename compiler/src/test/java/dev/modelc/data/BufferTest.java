package dev.modelc.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.Samples;
import dev.modelc.ad.Differentiation;
import dev.modelc.check.CheckedModel;
import dev.modelc.cli.Main;
import dev.modelc.driver.Driver;
import dev.modelc.interp.Interpreter;
import dev.modelc.ir.Graph;
import dev.modelc.lower.Lowering;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.io.SafeTensors;
import dev.modelc.runtime.io.Weights;
import dev.modelc.runtime.tensor.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Buffers (PyTorch's registered buffers): read like params, saved and loaded with them in the state_dict, but no
 * gradient, no optimizer update (even with weight decay), and listed apart by {@code modelc summary}.
 */
class BufferTest {
  private static final String SOURCE = String.join("\n",
      "layer Shift(n) {",
      "  buffer center : f32[n] init constant(0.5)",
      "  param weight : f32[n] init ones",
      "  (x) = (x - center) * weight",
      "}",
      "model Buffered {",
      "  input x : f32[B, 3]",
      "  st = Shift(3)",
      "  let y = st(x)",
      "  output y",
      "  minimize mean(y * y) with adam(lr = 0.1, weight_decay = 0.5)",
      "}");

  @TempDir Path dir;

  @Test
  void aBufferIsInTheStateDictButGetsNoGradient() {
    CheckedModel m = Samples.check("b.mdl", SOURCE);
    assertEquals(List.of("st.center", "st.weight"), m.params().stream().map(CheckedModel.Param::name).toList());
    assertEquals(List.of(true, false), m.params().stream().map(CheckedModel.Param::buffer).toList());
    assertEquals(3, m.parameterCount());
    Graph g = Differentiation.addGradients(Lowering.lower(m, true));
    assertEquals(List.of("st.weight"), g.results(Graph.Kind.GRADIENT).stream().map(Graph.Result::name).toList());
  }

  @Test
  void trainingLeavesABufferAsItIsAndTheWeightsFileCarriesIt() throws Exception {
    CheckedModel checked = Samples.check("b.mdl", SOURCE);
    Model m = Driver.compile(checked, "buf", "b.mdl", true).newUninitialized();
    m.initialize(1);
    m.setInput("x", new float[] {1, 2, 3, -1, 0, 4});
    for (int i = 0; i < 3; i++) {
      m.trainStep();
    }
    assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, (float[]) m.parameter("st.center"));
    assertFalse(((float[]) m.parameter("st.weight"))[0] == 1f, "the weight trains");

    Interpreter ref = new Interpreter(checked, 1);
    ref.setInput("x", Tensor.of(new float[] {1, 2, 3, -1, 0, 4}, 2, 3));
    for (int i = 0; i < 3; i++) {
      ref.trainStep();
    }
    assertFalse(ref.param("st.center").requiresGrad());
    assertArrayEquals(new double[] {0.5, 0.5, 0.5}, ref.param("st.center").doubles());
    assertArrayEquals(ref.param("st.weight").doubles(), toDoubles((float[]) m.parameter("st.weight")), 1e-5);

    m.setParameter("st.center", new float[] {7, 8, 9});
    Path file = dir.resolve("w.safetensors");
    Weights.save(m, file);
    assertTrue(SafeTensors.read(file).arrays().containsKey("st.center"));
    Model fresh = Driver.compile(checked, "buf", "b.mdl", true).newUninitialized();
    fresh.initialize(2);
    Weights.load(fresh, file);
    assertArrayEquals(new float[] {7, 8, 9}, (float[]) fresh.parameter("st.center"));
  }

  @Test
  void summaryListsBuffersApartFromTrainableParams() throws Exception {
    Path f = Files.writeString(dir.resolve("b.mdl"), SOURCE);
    StringWriter out = new StringWriter();
    int code = Main.run(new String[] {"summary", f.toString()}, new PrintWriter(out, true),
        new PrintWriter(new StringWriter(), true));
    assertEquals(0, code);
    assertTrue(out.toString().matches("(?s).*st\\.center +buffer +f32\\[3\\]\\s.*"), out.toString());
    assertTrue(out.toString().contains("Trainable params: 3"), out.toString());
    assertTrue(out.toString().contains("Buffer elements (saved, not trained): 3"), out.toString());
  }

  private static double[] toDoubles(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }
}
