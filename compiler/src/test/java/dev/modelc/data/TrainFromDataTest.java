package dev.modelc.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.modelc.cli.Main;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.data.Batch;
import dev.modelc.runtime.data.DataBinding;
import dev.modelc.runtime.data.DataException;
import dev.modelc.runtime.data.Dataset;
import dev.modelc.runtime.data.Loader;
import dev.modelc.runtime.io.Weights;
import dev.modelc.runtime.io.WeightsFormatException;
import dev.modelc.runtime.random.Rng;
import dev.modelc.runtime.train.Accuracy;
import dev.modelc.runtime.train.MeanLoss;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime's data tools driving real compiled sample models: CSV and IDX files bound to the inputs by name and
 * by kind, the loader's batches (the partial last one included) accepted by the generated length checks, training
 * that lowers the loss, and weights saved and loaded by state_dict name.
 */
class TrainFromDataTest {
  @TempDir
  Path dir;

  private Model compile(String sample, String className) throws Exception {
    Path out = dir.resolve("classes");
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"compile", "../samples/models/" + sample, "-d", out.toString(), "--package",
        "data"}, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    assertEquals(0, code, err.toString());
    URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()}, Model.class.getClassLoader());
    return (Model) loader.loadClass("data." + className).getConstructor(long.class).newInstance(3L);
  }

  /** Two Gaussian blobs in 20 dimensions, label y = 1 for the one around +0.5. */
  private Path blobs(int n) throws IOException {
    Rng rng = new Rng(11);
    StringBuilder csv = new StringBuilder();
    for (int j = 0; j < 20; j++) {
      csv.append("x").append(j).append(',');
    }
    csv.append("y\n");
    for (int i = 0; i < n; i++) {
      int y = i % 2;
      for (int j = 0; j < 20; j++) {
        csv.append((float) ((y == 1 ? 0.5 : -0.5) + rng.nextGaussian())).append(',');
      }
      csv.append(y).append('\n');
    }
    Path file = dir.resolve("blobs.csv");
    Files.writeString(file, csv);
    return file;
  }

  @Test
  void logisticRegressionTrainsFromCsv() throws Exception {
    Model m = compile("logreg.mdl", "LogReg");
    DataBinding data = Dataset.open(blobs(203)).bind(m);
    assertEquals("B", data.batchSymbol());
    Loader loader = new Loader(data, 16, 5);
    assertEquals(13, loader.batchCount());
    double first = 0;
    double last = 0;
    for (int epoch = 0; epoch < 5; epoch++) {
      MeanLoss loss = new MeanLoss();
      for (Batch b : loader.epoch(epoch)) {
        b.bindTo(m);
        loss.add(m.trainStep(), b.size());
      }
      assertEquals(203, loss.count());
      if (epoch == 0) {
        first = loss.mean();
      }
      last = loss.mean();
    }
    assertTrue(last < first * 0.8, first + " -> " + last);

    Path weights = dir.resolve("logreg.safetensors");
    Weights.save(m, weights);
    Model fresh = compile("logreg.mdl", "LogReg");
    Weights.load(fresh, weights);
    assertArrayEquals((float[]) m.parameter("w"), (float[]) fresh.parameter("w"));
    assertArrayEquals((float[]) m.parameter("b"), (float[]) fresh.parameter("b"));

    Model mlp = compile("mlp.mdl", "Mlp");
    WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> Weights.load(mlp, weights));
    assertTrue(e.getMessage().contains("Missing key(s) in state_dict: \"net.fc1.weight\", \"net.fc1.bias\""), e.getMessage());
    assertTrue(e.getMessage().contains("Unexpected key(s) in state_dict: \"w\", \"b\"."), e.getMessage());
  }

  @Test
  void csvWithTooFewColumnsIsRefusedBeforeTraining() throws Exception {
    Model m = compile("logreg.mdl", "LogReg");
    Path file = dir.resolve("small.csv");
    Files.writeString(file, "x0,x1,x2,y\n1,2,3,0\n");
    DataException e = assertThrows(DataException.class, () -> Dataset.open(file).bind(m));
    assertEquals(file + ": input x expects f32[B, 20], that is 20 values per sample, but the data has 3 columns "
        + "x0..x2 (3 values per sample)", e.getMessage());
  }

  @Test
  void idxImagesFeedAnMlpByKindWithAPartialLastBatch() throws Exception {
    int n = 10;
    byte[] pixels = new byte[n * 28 * 28];
    byte[] labels = new byte[n];
    for (int i = 0; i < n; i++) {
      labels[i] = (byte) (i % 10);
      pixels[i * 784 + i] = (byte) 255;
    }
    writeIdx(dir.resolve("train-images-idx3-ubyte.gz"), 0x803, new int[] {n, 28, 28}, pixels);
    writeIdx(dir.resolve("train-labels-idx1-ubyte.gz"), 0x801, new int[] {n}, labels);
    Model m = compile("mlp.mdl", "Mlp");
    DataBinding data = Dataset.open(dir).bind(m);
    assertEquals("images", data.arrayOfInput().get("x"));
    Loader loader = new Loader(data, 4, 1);
    MeanLoss loss = new MeanLoss();
    Accuracy acc = new Accuracy();
    for (Batch b : loader.epoch(0)) {
      b.bindTo(m);
      loss.add(m.trainStep(), b.size());
      m.predict();
      acc.add(m.output("logits"), b.ints("t"));
    }
    assertEquals(n, loss.count());
    assertEquals(n, acc.total());
    assertTrue(Double.isFinite(loss.mean()));
  }

  /** An MLP learns the real Fashion-MNIST test split's first 2000 images, when Debian's package is installed. */
  @Test
  void fashionMnistWhenInstalled() throws Exception {
    Path fashion = Path.of("/usr/share/datasets/fashion-mnist");
    assumeTrue(Files.isRegularFile(fashion.resolve("t10k-images-idx3-ubyte.gz")), "Fashion-MNIST not installed");
    Model m = compile("mlp.mdl", "Mlp");
    DataBinding data = Dataset.openHeldOut(fashion).slice(0, 2000).bind(m, List.of("x", "t"));
    Loader loader = new Loader(data, 64, 7);
    for (int epoch = 0; epoch < 3; epoch++) {
      for (Batch b : loader.epoch(epoch)) {
        b.bindTo(m);
        m.trainStep();
      }
    }
    Accuracy acc = new Accuracy();
    for (Batch b : new Loader(data, 500, 0).shuffle(false).epoch(0)) {
      b.bindTo(m);
      m.predict();
      acc.add(m.output("logits"), b.ints("t"));
    }
    assertTrue(acc.value() > 0.6, acc.toString());
  }

  private static void writeIdx(Path file, int magic, int[] dims, byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(magic);
    for (int d : dims) {
      out.writeInt(d);
    }
    out.write(data);
    try (OutputStream f = new GZIPOutputStream(Files.newOutputStream(file))) {
      f.write(bytes.toByteArray());
    }
  }
}
