package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.Samples;
import dev.modelc.driver.Driver;
import dev.modelc.runtime.api.CompiledModel;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.io.Weights;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Predict multiplies by the transposes of its weights that the model keeps while its parameters do not change
 * ({@code CompiledModel.productWithWeight}): after every way the parameters can change, predict gives the bits of
 * a model that packs its weights at every call (one whose parameters were handed out).
 */
class PredictWeightTransposesTest {
  private static String source(String t) {
    return """
        layer Linear(in, out) {
          param weight : T[out, in] init kaiming_uniform(a = sqrt(5))
          param bias   : T[out]     init uniform(-1 / sqrt(in), 1 / sqrt(in))
          (x) = x @ weight^T + bias
        }
        model Mlp {
          input x : T[B, 40]
          input t : i32[B]
          fc1 = Linear(40, 48)
          fc2 = Linear(48, 36)
          let logits = fc2(relu(fc1(x)))
          output logits
          minimize cross_entropy(logits, t) with sgd(lr = 0.1, momentum = 0.9)
        }
        """.replace("T[", t + "[");
  }

  @TempDir Path dir;

  private static Model model(String dtype) {
    return Driver.compile(Samples.check("mlp.mdl", source(dtype)), "", "mlp.mdl", true).newInstance();
  }

  private static Object data(String dtype, int n, long seed) {
    Random r = new Random(seed);
    if (dtype.equals("f32")) {
      float[] a = new float[n];
      for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
      return a;
    }
    double[] a = new double[n];
    for (int i = 0; i < a.length; i++) a[i] = r.nextGaussian();
    return a;
  }

  private static Object predict(Model m, Object x, int batch) {
    m.setInput("x", x);
    m.setSize("B", batch);
    m.predict();
    return m.output("logits");
  }

  private static void assertSameBits(Object expected, Object actual, String what) {
    if (expected instanceof float[] f) {
      assertArrayEquals(f, (float[]) actual, what);
    } else {
      assertArrayEquals((double[]) expected, (double[]) actual, what);
    }
  }

  /** The cached model and a copy of its parameters in a model that packs at every call give the same bits. */
  private static void agree(Model cached, Model packing, Object x, int batch, String what) {
    assertTrue(((CompiledModel) cached).keepsWeightTransposes(), what + ": the cached model still keeps them");
    Object flat = cached.parameterCopy("fc1.weight") instanceof float[]
        ? new float[cached.flatParameterSize()] : new double[cached.flatParameterSize()];
    cached.readParameters(flat);
    packing.writeParameters(flat);
    assertSameBits(predict(packing, x, batch), predict(cached, x, batch), what);
  }

  @ParameterizedTest
  @ValueSource(strings = {"f32", "f64"})
  void everyWriteOfTheParametersIsSeenByTheNextPredict(String dtype) throws Exception {
    Model cached = model(dtype);
    Model packing = model(dtype);
    packing.parameter("fc1.weight"); // handed out: this one packs at every predict
    assertFalse(((CompiledModel) packing).keepsWeightTransposes());
    assertTrue(Arrays.stream(cached.getClass().getDeclaredMethods()).anyMatch(m -> m.getName().endsWith("$predict")),
        "the products by fc1.weight^T and fc2.weight^T have a predict form");
    int batch = 16;
    Object x = data(dtype, batch * 40, 1);
    int[] t = new int[batch];
    for (int i = 0; i < batch; i++) t[i] = i % 36;

    agree(cached, packing, x, batch, "first predict");
    Object before = predict(cached, x, batch);
    agree(cached, packing, x, batch, "second predict");

    Consumer<Model> train = m -> {
      m.setInput("x", x);
      m.setInput("t", t);
      m.setSize("B", batch);
      m.trainStep();
    };
    train.accept(cached);
    assertNotEquals(Arrays.toString(toDoubles(before)), Arrays.toString(toDoubles(predict(cached, x, batch))),
        "a training step changes what predict gives");
    agree(cached, packing, x, batch, "after trainStep");

    cached.setInput("x", x);
    cached.setInput("t", t);
    cached.zeroGrad();
    cached.forward();
    cached.backward();
    cached.step();
    agree(cached, packing, x, batch, "after forward, backward, step");

    cached.setParameter("fc2.weight", data(dtype, 36 * 48, 2));
    agree(cached, packing, x, batch, "after setParameter");

    Object flat = data(dtype, cached.flatParameterSize(), 3);
    cached.writeParameters(flat);
    agree(cached, packing, x, batch, "after writeParameters");

    cached.initialize(7);
    agree(cached, packing, x, batch, "after initialize");

    Path file = dir.resolve("w.safetensors");
    Weights.save(cached, file);
    assertTrue(((CompiledModel) cached).keepsWeightTransposes(), "saving hands no parameter out");
    cached.initialize(8);
    predict(cached, x, batch);
    Weights.load(cached, file);
    agree(cached, packing, x, batch, "after Weights.load");
    assertTrue(Files.size(file) > 0);

    agree(cached, packing, data(dtype, 3 * 40, 4), 3, "a batch of 3 rows");
    agree(cached, packing, data(dtype, 40, 5), 1, "one row, a product that does not pack");
  }

  @ParameterizedTest
  @ValueSource(strings = {"f32", "f64"})
  void writesThroughAHandedOutArrayAreSeenByTheNextPredict(String dtype) {
    Model m = model(dtype);
    Model packing = model(dtype);
    packing.parameter("fc1.weight");
    int batch = 16;
    Object x = data(dtype, batch * 40, 1);
    predict(m, x, batch); // fills the kept transposes
    Object w = m.parameter("fc1.weight");
    assertFalse(((CompiledModel) m).keepsWeightTransposes());
    if (w instanceof float[] f) {
      for (int i = 0; i < f.length; i++) f[i] *= -2;
    } else {
      double[] d = (double[]) w;
      for (int i = 0; i < d.length; i++) d[i] *= -2;
    }
    Object flat = w instanceof float[] ? new float[m.flatParameterSize()] : new double[m.flatParameterSize()];
    m.readParameters(flat);
    packing.writeParameters(flat);
    assertSameBits(predict(packing, x, batch), predict(m, x, batch), "after writing into fc1.weight's array");
  }

  @ParameterizedTest
  @ValueSource(strings = {"f32", "f64"})
  void aTypedGetterHandsTheParameterOut(String dtype) throws ReflectiveOperationException {
    Model m = model(dtype);
    Method getter = m.getClass().getMethod("fc2_weight");
    assertTrue(((CompiledModel) m).keepsWeightTransposes());
    Object w = getter.invoke(m);
    assertFalse(((CompiledModel) m).keepsWeightTransposes());
    assertTrue(w == m.parameter("fc2.weight"), "the getter returns the live array");
  }

  private static double[] toDoubles(Object a) {
    if (a instanceof double[] d) return d;
    float[] f = (float[]) a;
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }
}
