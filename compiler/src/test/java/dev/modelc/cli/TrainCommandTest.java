package dev.modelc.cli;

import static dev.modelc.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;


import dev.modelc.cli.Cli.Run;
import dev.modelc.runtime.data.Dataset;
import dev.modelc.runtime.io.ArrayData;
import dev.modelc.runtime.io.Checkpoint;
import dev.modelc.runtime.io.Npz;
import dev.modelc.runtime.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code modelc train} as a user runs it: on the bundled Fashion-MNIST subset, on small slices of it (so the suite
 * stays quick), resuming exactly from checkpoints, writing plots and metrics, and failing with exit 1 and a message
 * naming the file for data, checkpoints and models that do not fit.
 */
class TrainCommandTest {
  static final Path FASHION = Path.of("../samples/data/fashion-mnist");
  static final String CNN = "../samples/models/cnn.mdl";
  static final String MLP = "../samples/models/mlp.mdl";

  @TempDir static Path data;
  @TempDir Path dir;

  /** 320 training and 200 held-out images of the bundled subset, as npz files. */
  @BeforeAll
  static void slices() throws IOException {
    Npz.write(data.resolve("train.npz"), Dataset.open(FASHION).slice(0, 320).arrays());
    Npz.write(data.resolve("val.npz"), Dataset.openHeldOut(FASHION).slice(0, 200).arrays());
  }

  static String train() {
    return data.resolve("train.npz").toString();
  }

  static String val() {
    return data.resolve("val.npz").toString();
  }

  /** After gunzip -k a directory holds a file both plain and gzipped: the plain one is read, and a note says so. */
  @Test
  void aPlainIdxFileBesideItsGzipIsNamedOnStderr() throws IOException {
    Path both = Files.createDirectory(dir.resolve("both"));
    for (String name : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte")) {
      Files.copy(FASHION.resolve(name + ".gz"), both.resolve(name + ".gz"));
    }
    try (java.io.InputStream in = new java.util.zip.GZIPInputStream(
        Files.newInputStream(both.resolve("t10k-labels-idx1-ubyte.gz")))) {
      Files.copy(in, both.resolve("t10k-labels-idx1-ubyte"));
    }
    Run r = run("train", MLP, "--data", both.toString(), "--max-steps", "1");
    assertEquals(0, r.code(), r.err());
    assertEquals("modelc: note: " + both + ": using t10k-labels-idx1-ubyte, not t10k-labels-idx1-ubyte.gz beside it "
        + "(both are there; the plain file is read)\n", r.err());
  }

  @Test
  void trainsOnTheBundledSubsetAndReportsHeldOutAccuracy() {
    Run r = run("train", CNN, "--data", FASHION.toString(), "--max-steps", "12", "--batch", "32");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("training data: " + FASHION + ", 6000 samples, images -> x, labels -> t"), r.out());
    assertTrue(r.out().contains("held-out data: " + FASHION + " (t10k-* files), 1000 samples"), r.out());
    assertTrue(r.out().contains("classifier of 10 classes (labels: input t)"), r.out());
    assertTrue(r.out().matches("(?s).*epoch 1/1 \\(stopped after batch 12\\): train loss \\d\\.\\d{4}, held-out loss "
        + "\\d\\.\\d{4}, accuracy \\d+\\.\\d\\d% \\(\\d+/1000\\).*"), r.out());
    assertTrue(r.out().contains("stopped after step 12 (--max-steps 12)"), r.out());
    assertFalse(r.out().contains("\r"), "no carriage returns off a terminal");
    assertEquals("", r.err());

    Run other = run("train", MLP, "--data", train(), "--val", FASHION.toString(), "--max-steps", "1");
    assertEquals(0, other.code(), other.err());
    assertTrue(other.out().contains("held-out data: " + FASHION + " (t10k-* files), 1000 samples"), other.out());
  }

  @Test
  void splitTheBatchOverTwoThreadsOrSayWhyNot() throws IOException {
    Run r = run("train", CNN, "--data", train(), "--val", val(), "--max-steps", "3", "--batch", "32", "--threads",
        "2", "--split", "batch");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains(", 2 threads splitting the batch"), r.out());
    assertEquals("", r.err());

    Run one = run("train", CNN, "--data", train(), "--val", val(), "--max-steps", "1", "--split", "batch");
    assertEquals(0, one.code(), one.err());
    assertEquals("modelc: warning: --split batch has no effect on one thread (give --threads 2 or more); training on "
        + "one thread\n", one.err());

    Run bad = run("train", CNN, "--data", train(), "--split", "rows");
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().contains("--split must be kernels or batch, got rows"), bad.err());

    // dropout draws one mask over the whole batch, so its rows cannot be split: refused with the compiler's reason
    Path dropout = dir.resolve("dropout.mdl");
    Files.writeString(dropout, String.join("\n",
        "model Net {",
        "  input x : f32[B, 784]",
        "  input t : i32[B]",
        "  param w : f32[10, 784] init zeros",
        "  let logits = dropout(x, p = 0.2) @ w^T",
        "  let loss = cross_entropy(logits, t)",
        "  minimize loss with sgd(lr = 0.1)",
        "}", ""));
    Run mixed = run("train", dropout.toString(), "--data", train(), "--max-steps", "1", "--threads", "2", "--split",
        "batch");
    assertEquals(1, mixed.code(), mixed.out() + mixed.err());
    assertTrue(mixed.err().contains("dropout.mdl: --split batch: "), mixed.err());
    assertTrue(mixed.err().contains("dropout"), mixed.err());
  }

  @Test
  void theLossFallsAndPlotAndMetricsAreWritten() throws IOException {
    Path csv = dir.resolve("m.csv");
    Path jsonl = dir.resolve("m.jsonl");
    Path svg = dir.resolve("curve.svg");
    Run r = run("train", MLP, "--data", train(), "--val", val(), "--epochs", "3", "--batch", "32", "--metrics",
        csv.toString(), "--plot", svg.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("wrote plot " + svg) && r.out().contains("wrote metrics " + csv), r.out());
    List<String> lines = Files.readAllLines(csv);
    assertEquals("epoch,step,train_loss,val_loss,val_accuracy,seconds", lines.get(0));
    assertEquals(4, lines.size(), lines.toString());
    double first = Double.parseDouble(lines.get(1).split(",")[2]);
    double last = Double.parseDouble(lines.get(3).split(",")[2]);
    assertTrue(last < first * 0.8, first + " -> " + last);
    assertTrue(lines.get(3).startsWith("3,30,"), lines.get(3));
    assertTrue(Files.readString(svg).contains("held-out accuracy"));

    Path png = dir.resolve("curve.png");
    r = run("train", MLP, "--data", train(), "--epochs", "1", "--metrics", jsonl.toString(), "--plot", png.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("held-out data: none"), r.out());
    assertTrue(Files.readString(jsonl).matches("\\{\"epoch\": 1, \"step\": 5, \"train_loss\": [0-9.E-]+, "
        + "\"val_loss\": null, \"val_accuracy\": null, \"seconds\": [0-9.E-]+}\n"), Files.readString(jsonl));
    byte[] head = Files.readAllBytes(png);
    assertEquals((byte) 0x89, head[0]);
    assertEquals('P', head[1]);
  }

  /**
   * Two epochs in one run, and one epoch, a checkpoint, and a resumed run for the second, end with the same
   * parameters bit for bit and the same per-epoch losses: the loader's order of epoch 2, the schedule's position,
   * Adam's or SGD's state and the step count all come back. The same holds when the first run stops within an epoch.
   */
  @Test
  void resumingFromACheckpointIsExact() throws IOException {
    String[] common = {"--data", train(), "--val", val(), "--batch", "24", "--seed", "7", "--schedule",
        "step:size=1,gamma=0.5"};
    for (String model : List.of(MLP, CNN)) {
      Path whole = dir.resolve("whole.safetensors");
      Path wholeMetrics = dir.resolve("whole.csv");
      assertEquals(0, run(concat(new String[] {"train", model, "--epochs", "2", "--save", whole.toString(),
          "--metrics", wholeMetrics.toString()}, common)).code());

      Path ck = dir.resolve("ck.safetensors");
      Run first = run(concat(new String[] {"train", model, "--epochs", "1", "--checkpoint", ck.toString()}, common));
      assertEquals(0, first.code(), first.err());
      assertTrue(first.out().contains("wrote checkpoint " + ck), first.out());
      Path resumed = dir.resolve("resumed.safetensors");
      Path resumedMetrics = dir.resolve("resumed.csv");
      Run second = run("train", model, "--data", train(), "--val", val(), "--epochs", "2", "--resume", ck.toString(),
          "--save", resumed.toString(), "--metrics", resumedMetrics.toString());
      assertEquals(0, second.code(), second.err());
      assertTrue(second.out().contains("resumed from " + ck + " after epoch 1 (step 14)"), second.out());
      assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(resumed), model);
      assertEquals(losses(Files.readAllLines(wholeMetrics).get(2)), losses(Files.readAllLines(resumedMetrics).get(1)));

      Path mid = dir.resolve("mid.safetensors");
      Run stop = run(concat(new String[] {"train", model, "--epochs", "2", "--max-steps", "5", "--checkpoint",
          mid.toString()}, common));
      assertEquals(0, stop.code(), stop.err());
      Checkpoint c = Checkpoint.read(mid);
      assertEquals(List.of(0, 5, 5L), List.of(c.epoch(), c.batch(), c.step()));
      Run otherBatch = run("train", model, "--data", train(), "--epochs", "2", "--resume", mid.toString(),
          "--batch", "7");
      assertEquals(Main.USER_ERROR, otherBatch.code(), otherBatch.err());
      assertTrue(otherBatch.err().contains("within an epoch of batches made with --batch"), otherBatch.err());
      Path again = dir.resolve("again.safetensors");
      Path againMetrics = dir.resolve("again.csv");
      Run rest = run("train", model, "--data", train(), "--val", val(), "--epochs", "2", "--resume", mid.toString(),
          "--save", again.toString(), "--metrics", againMetrics.toString());
      assertEquals(0, rest.code(), rest.err());
      assertTrue(rest.out().contains("within epoch 1, after batch 5 (step 5)"), rest.out());
      assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(again), model);
      List<String> all = Files.readAllLines(wholeMetrics);
      List<String> tail = Files.readAllLines(againMetrics);
      assertEquals(losses(all.get(1)), losses(tail.get(1)), "the interrupted epoch's mean loss");
      assertEquals(losses(all.get(2)), losses(tail.get(2)));
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Epoch, step, training loss, held-out loss and accuracy of a metrics line (not the seconds). */
  private static String losses(String csvLine) {
    return csvLine.substring(0, csvLine.lastIndexOf(','));
  }

  @Test
  void aCheckpointHoldsParametersOptimizerStateAndTheRun() throws IOException {
    Path ck = dir.resolve("ck.safetensors");
    assertEquals(0, run("train", MLP, "--data", train(), "--epochs", "1", "--lr", "0.01", "--checkpoint",
        ck.toString()).code());
    var content = SafeTensors.read(ck);
    assertTrue(content.arrays().containsKey("net.fc1.weight"));
    assertTrue(content.arrays().containsKey("optim.net.fc1.weight.momentum_buffer"));
    Map<String, String> meta = content.metadata();
    assertEquals("1", meta.get("modelc_checkpoint"));
    assertEquals("Mlp", meta.get("model"));
    assertEquals(LoadedModel.sha256(Files.readAllBytes(Path.of(MLP))), meta.get("source_sha256"));
    assertEquals("5", meta.get("step"));
    assertEquals("0.01", meta.get("hp.lr"));
    assertEquals("0.9", meta.get("hp.momentum"));
    assertEquals("0.01", meta.get("train.base_lr"));
    ArrayData w = content.get("net.fc1.weight");
    assertEquals("f32[128, 784]", w.typeText());
  }

  @Test
  void resumingWithAChangedModelNamesBothHashesAndTheOverride() throws IOException {
    Path ck = dir.resolve("ck.safetensors");
    assertEquals(0, run("train", MLP, "--data", train(), "--epochs", "1", "--checkpoint", ck.toString()).code());
    Path changed = dir.resolve("mlp.mdl");
    Files.writeString(changed, Files.readString(Path.of(MLP)).replace("lr = 0.05", "lr = 0.02"));
    Run r = run("train", changed.toString(), "--data", train(), "--epochs", "2", "--resume", ck.toString());
    assertEquals(Main.USER_ERROR, r.code());
    assertTrue(r.err().startsWith("modelc: error: " + ck + ": the checkpoint was written from a model source with "
        + "SHA-256 " + LoadedModel.sha256(Files.readAllBytes(Path.of(MLP)))), r.err());
    assertTrue(r.err().contains(changed + " now has SHA-256 " + LoadedModel.sha256(Files.readAllBytes(changed))),
        r.err());
    assertTrue(r.err().contains("add --force-resume"), r.err());
    Run forced = run("train", changed.toString(), "--data", train(), "--epochs", "2", "--resume", ck.toString(),
        "--force-resume");
    assertEquals(0, forced.code(), forced.err());
    assertTrue(forced.out().contains("epoch 2/2"), forced.out());

    Run other = run("train", "../samples/models/logreg.mdl", "--data", train(), "--resume", ck.toString());
    assertEquals(Main.USER_ERROR, other.code());
    assertTrue(other.err().contains(ck + ": a checkpoint of model Mlp, but ../samples/models/logreg.mdl defines "
        + "LogReg"), other.err());

    Path weights = dir.resolve("w.safetensors");
    assertEquals(0, run("train", MLP, "--data", train(), "--max-steps", "1", "--save", weights.toString()).code());
    Run plain = run("train", MLP, "--data", train(), "--resume", weights.toString());
    assertEquals(Main.USER_ERROR, plain.code());
    assertTrue(plain.err().contains(weights + ": not a checkpoint"), plain.err());
  }

  /**
   * n sentences for samples/models/bow.mdl: 4 token ids each, drawn from the words of the sentence's class (ids 4c ..
   * 4c + 3) with probability 0.8, else from all 12; the labels are the classes.
   */
  private static Map<String, ArrayData> sentences(java.util.Random rnd, int n) {
    int[] tokens = new int[n * 4];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = rnd.nextInt(3);
      for (int j = 0; j < 4; j++) {
        tokens[i * 4 + j] = rnd.nextDouble() < 0.8 ? 4 * labels[i] + rnd.nextInt(4) : rnd.nextInt(12);
      }
    }
    return Map.of("tokens", ArrayData.of("tokens", tokens, n, 4), "t", ArrayData.of("t", labels, n));
  }

  /** Token ids are an i32 input that is not the labels: they bind by name, feed the embedding and are checked. */
  @Test
  void tokenIdsFromAnNpzFileFeedAnEmbeddingModel() throws IOException {
    String bow = "../samples/models/bow.mdl";
    java.util.Random rnd = new java.util.Random(4);
    Path train = dir.resolve("sentences.npz");
    Path val = dir.resolve("held-out.npz");
    Npz.write(train, sentences(rnd, 192));
    Npz.write(val, sentences(rnd, 96));
    Run r = run("train", bow, "--data", train.toString(), "--val", val.toString(), "--epochs", "4", "--batch", "32");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("training data: " + train + ", 192 samples, tokens -> tokens, t -> t"), r.out());
    assertTrue(r.out().contains("classifier of 3 classes (labels: input t)"), r.out());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("epoch (\\d)/4: train loss (\\d\\.\\d{4}), held-out "
        + "loss \\d\\.\\d{4}, accuracy (\\d+\\.\\d\\d)% \\(\\d+/96\\)").matcher(r.out());
    double first = Double.NaN;
    double last = Double.NaN;
    double accuracy = Double.NaN;
    while (m.find()) {
      first = m.group(1).equals("1") ? Double.parseDouble(m.group(2)) : first;
      last = Double.parseDouble(m.group(2));
      accuracy = Double.parseDouble(m.group(3));
    }
    assertTrue(last < first / 2, "train loss " + first + " then " + last + ":\n" + r.out());
    assertTrue(accuracy > 80, "held-out accuracy " + accuracy + "% (chance 33%):\n" + r.out());

    // a token id beyond the vocabulary is an error in the data, at the embedding call (the position is within the
    // shuffled batch; the sample and its element are the data's: tokens[13] is sample 3's second token)
    Map<String, ArrayData> bad = new java.util.HashMap<>(sentences(rnd, 8));
    int[] tokens = new int[8 * 4];
    tokens[13] = 12;
    bad.put("tokens", ArrayData.of("tokens", tokens, 8, 4));
    Path badFile = dir.resolve("bad-token.npz");
    Npz.write(badFile, bad);
    r = run("train", bow, "--data", badFile.toString(), "--batch", "8");
    assertEquals(Main.USER_ERROR, r.code(), r.out());
    assertTrue(r.err().matches("modelc: error: " + java.util.regex.Pattern.quote(badFile.toString())
        + " \\(epoch 1, batch 1\\): bow\\.mdl:6:13: embedding: index 12 at position \\d+ is out of range \\[0, 12\\); it is "
        + "sample 3 of the data, counting from 0 \\(input tokens, row \\d+ of the batch, element 1 of the row\\)\n"),
        r.err());

    // token ids of the wrong length per sentence name the input and both shapes
    Path shape = dir.resolve("short.npz");
    Npz.write(shape, Map.of("tokens", ArrayData.of("tokens", new int[8 * 3], 8, 3), "t",
        ArrayData.of("t", new int[8], 8)));
    r = run("train", bow, "--data", shape.toString());
    assertEquals(Main.USER_ERROR, r.code());
    assertEquals("modelc: error: " + shape + ": input tokens expects i32[B, 4], that is 4 values per sample, but the "
        + "data has array tokens : i32[8, 3] (3 values per sample)\n", r.err());
  }

  @Test
  void dataThatDoesNotFitNamesTheFileTheInputAndTheShapes() throws IOException {
    Path wrong = dir.resolve("wrong.npz");
    Npz.write(wrong, Map.of("x", ArrayData.of("x", new float[6 * 20], 6, 20), "t",
        ArrayData.of("t", new int[6], 6)));
    Run r = run("train", MLP, "--data", wrong.toString());
    assertEquals(Main.USER_ERROR, r.code());
    assertEquals("modelc: error: " + wrong + ": input x expects f32[B, 784], that is 784 values per sample, but the "
        + "data has array x : f32[6, 20] (20 values per sample)\n", r.err());

    Path labels = dir.resolve("labels.npz");
    Npz.write(labels, Map.of("x", ArrayData.of("x", new float[4 * 784], 4, 784), "t",
        ArrayData.of("t", new int[] {12, 12, 12, 12}, 4)));
    r = run("train", MLP, "--data", labels.toString());
    assertEquals(Main.USER_ERROR, r.code());
    // the place is the cross_entropy call that read the label (mlp.mdl, line 27)
    assertEquals("modelc: error: " + labels + " (epoch 1, batch 1): mlp.mdl:27:16: cross_entropy: label 12 at "
        + "position 0 is out of range [0, 10); it is sample " + firstOfShuffle(4) + " of the data, counting from 0 "
        + "(input t, row 1 of the batch)\n", r.err());

    // one bad label among 100 shuffled samples: the message names its row in the file, whichever batch holds it
    int[] t = new int[100];
    t[77] = 10;
    Path one = dir.resolve("one.npz");
    Npz.write(one, Map.of("x", ArrayData.of("x", new float[100 * 784], 100, 784), "t", ArrayData.of("t", t, 100)));
    r = run("train", MLP, "--data", one.toString(), "--batch", "16");
    assertEquals(Main.USER_ERROR, r.code());
    assertTrue(r.err().contains("cross_entropy: label 10 at position "), r.err());
    assertTrue(r.err().endsWith("; it is sample 77 of the data, counting from 0 (input t, row "
        + (positionOf(r.err()) + 1) + " of the batch)\n"), r.err());
    // split over two threads, a part counts positions from its first row; the sample is still the data's
    r = run("train", MLP, "--data", one.toString(), "--batch", "16", "--threads", "2", "--split", "batch");
    assertEquals(Main.USER_ERROR, r.code());
    assertTrue(r.err().contains("; it is sample 77 of the data, counting from 0 (input t, row "), r.err());

    Path empty = Files.createDirectory(dir.resolve("empty"));
    r = run("train", MLP, "--data", empty.toString());
    assertEquals(Main.USER_ERROR, r.code());
    assertTrue(r.err().startsWith("modelc: error: " + empty + ": no training dataset found; looked for "
        + "train-images-idx3-ubyte[.gz]"), r.err());

    r = run("train", MLP, "--data", dir.resolve("missing.csv").toString());
    assertEquals(Main.USER_ERROR, r.code());
    assertTrue(r.err().contains("missing.csv: no such file or directory"), r.err());

    Path garbled = dir.resolve("garbled.safetensors");
    Files.write(garbled, new byte[] {1, 2, 3});
    r = run("train", MLP, "--data", train(), "--resume", garbled.toString());
    assertEquals(Main.USER_ERROR, r.code());
    assertTrue(r.err().startsWith("modelc: error: " + garbled + ": "), r.err());
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
  }

  @Test
  void detectAnomalyStopsAtTheFirstNanInsteadOfTrainingOnIt() throws IOException {
    Path nan = dir.resolve("nan.npz");
    float[] x = new float[8 * 784];
    x[4 * 784 + 17] = Float.NaN;
    Npz.write(nan, Map.of("x", ArrayData.of("x", x, 8, 784), "t", ArrayData.of("t", new int[8], 8)));
    Run r = run("train", MLP, "--data", nan.toString(), "--batch", "4", "--detect-anomaly");
    assertEquals(Main.USER_ERROR, r.code(), r.out() + r.err());
    assertTrue(r.err().startsWith("modelc: error: " + nan + " (epoch 1, batch "), r.err());
    assertTrue(r.err().matches("(?s).*: input x holds NaN at element \\d+ \\(index \\[[0-3], 17\\]\\)\n"), r.err());
    Run silent = run("train", MLP, "--data", nan.toString(), "--batch", "4");
    assertEquals(0, silent.code(), "without the flag the NaN trains on: " + silent.err());
    assertTrue(silent.err().startsWith("modelc: warning: " + nan + ": input x holds NaN at element 3153 (index [4, 17]) (the loss"
        + " and, after a step, the parameters may become NaN; --detect-anomaly stops at the first)\n"), silent.err());
  }

  @Test
  void badFlagsAndModelsWithoutAnObjectiveSaySo() throws IOException {
    Run r = run("train", MLP, "--data", train(), "--epochs", "-1");
    assertEquals(Main.USAGE, r.code());
    assertTrue(r.err().contains("--epochs must be at least 1, got -1"), r.err());
    r = run("train", MLP, "--data", train(), "--batch", "0");
    assertEquals(Main.USAGE, r.code());
    assertTrue(r.err().contains("--batch must be at least 1, got 0"), r.err());
    r = run("train", MLP, "--data", train(), "--schedule", "wavy:T=3");
    assertEquals(Main.USAGE, r.code());
    assertTrue(r.err().contains("--schedule: "), r.err());
    assertTrue(r.err().contains("wavy"), r.err());
    r = run("train", MLP, "--data", train(), "--plot", "curve.pdf");
    assertEquals(Main.USAGE, r.code());
    assertTrue(r.err().contains("--plot: curve.pdf must end in .svg or .png"), r.err());
    r = run("train", MLP, "--data", train(), "--save", dir.resolve("no/such/dir/w.safetensors").toString());
    assertEquals(Main.USER_ERROR, r.code());
    assertTrue(r.err().contains("--save " + dir.resolve("no/such/dir/w.safetensors") + ": the directory "), r.err());
    assertFalse(r.out().contains("epoch"), "nothing trained: " + r.out());
    r = run("train", MLP);
    assertEquals(Main.USAGE, r.code());
    assertTrue(r.err().contains("--data"), r.err());

    Path inference = dir.resolve("fwd.mdl");
    Files.writeString(inference, "model Fwd {\n  input x : f32[B, 784]\n  param w : f32[784, 10] init zeros\n"
        + "  let y = x @ w\n  output y\n}\n");
    r = run("train", inference.toString(), "--data", train());
    assertEquals(Main.USER_ERROR, r.code());
    assertEquals("modelc: error: " + inference + ": model Fwd has no objective (a 'minimize LOSS with OPTIMIZER' "
        + "line), so there is nothing to train; 'modelc predict' runs it\n", r.err());

    Path broken = dir.resolve("broken.mdl");
    Files.writeString(broken, "model M {\n  input x : f32[B, 2]\n  let y = x @ w\n  output y\n}\n");
    r = run("train", broken.toString(), "--data", train());
    assertEquals(Main.USER_ERROR, r.code());
    assertTrue(r.err().contains("broken.mdl:3:15: error: undefined name 'w'"), r.err());
  }

  /** The sample the first row of the first batch of epoch 0 holds, seed 0, for {@code n} samples. */
  private static int firstOfShuffle(int n) {
    int[] order = new int[n];
    dev.modelc.runtime.data.Loader.permutation(0, 0, order);
    return order[0];
  }

  /** The position of the label in "label L at position P" of an error. */
  private static int positionOf(String err) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("at position (\\d+)").matcher(err);
    assertTrue(m.find(), err);
    return Integer.parseInt(m.group(1));
  }
}
