package dev.modelc.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.cli.Main;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.io.ArrayData;
import dev.modelc.runtime.io.ArrayFile;
import dev.modelc.runtime.io.Checkpoint;
import dev.modelc.runtime.io.SafeTensors;
import dev.modelc.runtime.io.Weights;
import dev.modelc.runtime.io.WeightsFormatException;
import dev.modelc.runtime.random.Rng;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime's checkpoints with compiled sample models: a restored model continues bit for bit (parameters,
 * optimizer state, step count, hyperparameters), and checkpoints that do not fit are refused before anything
 * changes.
 */
class CheckpointTest {
  @TempDir Path dir;

  private Class<?> compile(String sample, String className) throws Exception {
    Path out = dir.resolve("classes-" + className);
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"compile", "../samples/models/" + sample, "-d", out.toString(), "--package",
        "ck"}, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    assertEquals(0, code, err.toString());
    return new URLClassLoader(new URL[] {out.toUri().toURL()}, Model.class.getClassLoader()).loadClass("ck." + className);
  }

  private static void steps(Model m, int n, long seed) {
    Rng rng = new Rng(seed);
    float[] x = new float[8 * 784];
    int[] t = new int[8];
    for (int s = 0; s < n; s++) {
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) rng.nextGaussian();
      }
      for (int i = 0; i < t.length; i++) {
        t[i] = (int) ((rng.nextLong() >>> 1) % 10);
      }
      m.setInput("x", x);
      m.setInput("t", t);
      m.trainStep();
    }
  }

  @Test
  void aRestoredModelContinuesBitForBit() throws Exception {
    Class<?> type = compile("mlp.mdl", "Mlp");
    Model a = (Model) type.getConstructor(long.class).newInstance(3L);
    steps(a, 3, 1);
    a.setLearningRate(0.02);
    Path file = dir.resolve("ck.safetensors");
    Checkpoint.save(file, a, new Checkpoint.Position("abc", 1, 2, 5, Map.of("mine", "x")));

    Checkpoint c = Checkpoint.read(file);
    assertEquals(java.util.List.of("Mlp", "abc", 3L, 1, 2, 5L), java.util.List.of(c.model(), c.sourceSha256(),
        c.step(), c.epoch(), c.batch(), c.seed()));
    assertEquals(Map.of("mine", "x"), c.extra());
    assertEquals(0.02, c.hyperparameters().get("lr"));
    assertTrue(c.sameSource("abc") && !c.sameSource("abd"));

    Model b = (Model) type.getMethod("uninitialized").invoke(null);
    c.restore(b);
    assertEquals(3, b.stepCount());
    assertEquals(0.02, b.learningRate());
    steps(a, 3, 2);
    steps(b, 3, 2);
    float[] pa = new float[a.flatParameterSize()];
    float[] pb = new float[b.flatParameterSize()];
    a.readParameters(pa);
    b.readParameters(pb);
    assertArrayEquals(pa, pb);
    float[] sa = new float[a.flatOptimizerStateSize()];
    float[] sb = new float[b.flatOptimizerStateSize()];
    a.readOptimizerState(sa);
    b.readOptimizerState(sb);
    assertArrayEquals(sa, sb);
  }

  @Test
  void checkpointsThatDoNotFitAreRefusedBeforeAnythingChanges() throws Exception {
    Class<?> mlp = compile("mlp.mdl", "Mlp");
    Model a = (Model) mlp.getConstructor(long.class).newInstance(3L);
    steps(a, 1, 1);
    Path file = dir.resolve("ck.safetensors");
    Checkpoint.save(file, a, new Checkpoint.Position(null, 0, 1, 0, Map.of()));

    Model logreg = (Model) compile("logreg.mdl", "LogReg").getConstructor().newInstance();
    WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> Checkpoint.read(file).restore(logreg));
    assertEquals(file + ": checkpoint of model Mlp, not LogReg", e.getMessage());

    ArrayFile content = SafeTensors.read(file);
    Map<String, ArrayData> arrays = new LinkedHashMap<>(content.arrays());
    arrays.remove("optim.net.fc2.bias.momentum_buffer");
    Path tampered = dir.resolve("tampered.safetensors");
    SafeTensors.write(tampered, arrays, content.metadata());
    Model b = (Model) mlp.getMethod("uninitialized").invoke(null);
    e = assertThrows(WeightsFormatException.class, () -> Checkpoint.read(tampered).restore(b));
    assertTrue(e.getMessage().contains("missing optimizer state optim.net.fc2.bias.momentum_buffer"), e.getMessage());
    assertEquals(0, b.stepCount());
    assertEquals(0f, ((float[]) b.parameter("net.fc1.weight"))[0]);

    // A parameter that does not fit is found before the hyperparameters are set, too.
    Map<String, ArrayData> wrongShape = new LinkedHashMap<>(content.arrays());
    wrongShape.put("net.fc3.bias", ArrayData.of("net.fc3.bias", new float[11], 11));
    Path mismatched = dir.resolve("mismatched.safetensors");
    Map<String, String> meta = new LinkedHashMap<>(content.metadata());
    meta.put("hp.lr", "0.5");
    SafeTensors.write(mismatched, wrongShape, meta);
    Model c = (Model) mlp.getMethod("uninitialized").invoke(null);
    double lr = c.learningRate();
    e = assertThrows(WeightsFormatException.class, () -> Checkpoint.read(mismatched).restore(c));
    assertTrue(e.getMessage().contains("size mismatch for net.fc3.bias"), e.getMessage());
    assertEquals(lr, c.learningRate());

    Path weights = dir.resolve("weights.safetensors");
    Weights.save(a, weights);
    assertFalse(Checkpoint.isCheckpoint(SafeTensors.read(weights)));
    e = assertThrows(WeightsFormatException.class, () -> Checkpoint.read(weights));
    assertTrue(e.getMessage().startsWith(weights + ": not a checkpoint"), e.getMessage());

    assertThrows(IllegalArgumentException.class,
        () -> Checkpoint.save(file, a, new Checkpoint.Position(null, 0, 0, 0, Map.of("step", "9"))));
  }
}
