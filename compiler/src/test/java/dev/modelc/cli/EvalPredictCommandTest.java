package dev.modelc.cli;

import static dev.modelc.cli.Cli.run;
import static dev.modelc.cli.TrainCommandTest.MLP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.cli.Cli.Run;
import dev.modelc.runtime.data.Dataset;
import dev.modelc.runtime.io.ArrayData;
import dev.modelc.runtime.io.ArrayFile;
import dev.modelc.runtime.io.Npy;
import dev.modelc.runtime.io.Npz;
import dev.modelc.runtime.io.SafeTensors;
import dev.modelc.runtime.train.Accuracy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code modelc eval} and {@code modelc predict} on weights saved by {@code modelc train}. */
class EvalPredictCommandTest {
  @TempDir static Path dir;
  static Path weights;
  static Path checkpoint;
  static Path train;
  static Path val;
  static String trainOut;

  /** Two epochs of the MLP on 320 images of the bundled subset, evaluated on 200 held-out ones. */
  @BeforeAll
  static void trainOnce() throws IOException {
    train = dir.resolve("train.npz");
    val = dir.resolve("val.npz");
    Npz.write(train, Dataset.open(TrainCommandTest.FASHION).slice(0, 320).arrays());
    Npz.write(val, Dataset.openHeldOut(TrainCommandTest.FASHION).slice(0, 200).arrays());
    weights = dir.resolve("mlp.safetensors");
    checkpoint = dir.resolve("mlp-ck.safetensors");
    Run r = run("train", MLP, "--data", train.toString(), "--val", val.toString(), "--epochs", "2", "--save",
        weights.toString(), "--checkpoint", checkpoint.toString());
    assertEquals(0, r.code(), r.err());
    trainOut = r.out();
  }

  @Test
  void evalReportsTheHeldOutLossAndAccuracyTrainPrinted() {
    Matcher m = Pattern.compile("epoch 2/2: train loss [0-9.]+, held-out loss ([0-9.]+), accuracy ([^,]+),")
        .matcher(trainOut);
    assertTrue(m.find(), trainOut);
    Run r = run("eval", MLP, "--weights", weights.toString(), "--data", val.toString(), "--confusion");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("model Mlp (" + MLP + "), weights from " + weights), r.out());
    assertTrue(r.out().contains("data: " + val + ", 200 samples, images -> x, labels -> t"), r.out());
    assertTrue(r.out().contains("accuracy " + m.group(2) + "\n"), r.out() + " vs " + m.group(2));
    Matcher loss = Pattern.compile("loss ([0-9.]+)\n").matcher(r.out());
    assertTrue(loss.find(), r.out());
    assertEquals(Double.parseDouble(m.group(1)), Double.parseDouble(loss.group(1)), 1e-4);
    assertTrue(r.out().contains("true\\pred  0  1  2"), r.out());

    Run fromCheckpoint = run("eval", MLP, "--weights", checkpoint.toString(), "--data", val.toString());
    assertEquals(0, fromCheckpoint.code(), fromCheckpoint.err());
    assertTrue(fromCheckpoint.out().contains("checkpoint, epoch 2, step 10 from " + checkpoint), fromCheckpoint.out());
    assertTrue(fromCheckpoint.out().contains("accuracy " + m.group(2) + "\n"), fromCheckpoint.out());
  }

  @Test
  void predictWritesCsvAndNpyWithTheArgmaxClass() throws IOException {
    Path csv = dir.resolve("preds.csv");
    Run r = run("predict", MLP, "--weights", weights.toString(), "--data", val.toString(), "--out", csv.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("predicted logits : f32[200, 10], classes by argmax"), r.out());
    assertTrue(r.out().contains("wrote " + csv), r.out());
    List<String> lines = Files.readAllLines(csv);
    assertEquals("predicted,logits0,logits1,logits2,logits3,logits4,logits5,logits6,logits7,logits8,logits9",
        lines.get(0));
    assertEquals(201, lines.size());
    Dataset back = Dataset.open(csv);
    ArrayData logits = back.array("logits");
    assertEquals("f64[200, 10]", logits.typeText());

    Path npy = dir.resolve("preds.npy");
    assertEquals(0, run("predict", MLP, "--weights", weights.toString(), "--data", val.toString(), "--out",
        npy.toString()).code());
    ArrayData fromNpy = Npy.read(npy);
    assertEquals("f32[200, 10]", fromNpy.typeText());
    int[] labels = Dataset.open(val).array("labels").ints();
    Accuracy acc = new Accuracy();
    acc.add(fromNpy.floats(), labels);
    for (int i = 0; i < 200; i++) {
      assertEquals(Accuracy.argmax(fromNpy.floats(), i, 10), (int) back.array("predicted").get(i));
      for (int k = 0; k < 10; k++) {
        assertEquals(fromNpy.floats()[i * 10 + k], (float) logits.get(i * 10 + k));
      }
    }
    Run eval = run("eval", MLP, "--weights", weights.toString(), "--data", val.toString());
    assertTrue(eval.out().contains("accuracy " + acc + "\n"), eval.out() + " vs " + acc);
  }

  @Test
  void twoThreadsTrainEvaluateAndPredictTheSameAndBadThreadCountsAreUsageErrors() throws IOException {
    // the MLP has no convolution, so every result on two threads is bit-identical to one thread's
    Path twoWeights = dir.resolve("mlp-2.safetensors");
    Run r = run("train", MLP, "--data", train.toString(), "--val", val.toString(), "--epochs", "2", "--save",
        twoWeights.toString(), "--threads", "2");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains(", 2 threads"), r.out());
    assertEquals(epochFigures(trainOut), epochFigures(r.out()), "the same losses and accuracies as on one thread");
    Run one = run("eval", MLP, "--weights", weights.toString(), "--data", val.toString());
    Run two = run("eval", MLP, "--weights", weights.toString(), "--data", val.toString(), "--threads", "2");
    assertEquals(0, two.code(), two.err());
    assertEquals(one.out(), two.out());
    Path csv1 = dir.resolve("p1.csv"), csv2 = dir.resolve("p2.csv");
    assertEquals(0, run("predict", MLP, "--weights", weights.toString(), "--data", val.toString(), "--out",
        csv1.toString()).code());
    assertEquals(0, run("predict", MLP, "--weights", weights.toString(), "--data", val.toString(), "--out",
        csv2.toString(), "--threads", "2").code());
    assertEquals(Files.readAllLines(csv1), Files.readAllLines(csv2));

    for (String[] args : List.of(new String[] {"eval", "--threads", "0"}, new String[] {"predict", "--threads", "-2"},
        new String[] {"train", "--threads", "0"}, new String[] {"eval", "--threads", "257"})) {
      List<String> command = new java.util.ArrayList<>(List.of(args[0], MLP, "--data", val.toString()));
      if (!args[0].equals("train")) command.addAll(List.of("--weights", weights.toString()));
      command.addAll(List.of(args[1], args[2]));
      Run bad = run(command.toArray(new String[0]));
      assertEquals(Main.USAGE, bad.code(), bad.err());
      assertTrue(bad.err().contains("--threads must be a whole number between 1 and 256, got " + args[2]), bad.err());
    }
    Run notANumber = run("eval", MLP, "--weights", weights.toString(), "--data", val.toString(), "--threads", "two");
    assertEquals(Main.USAGE, notANumber.code());
    assertTrue(notANumber.err().contains("--threads"), notANumber.err());
    assertTrue(notANumber.err().contains("two"), notANumber.err());
  }

  /** The losses and accuracies of every epoch line. */
  private static List<String> epochFigures(String out) {
    Matcher m = Pattern.compile("train loss [0-9.]+, held-out loss [0-9.]+, accuracy [^,]+").matcher(out);
    List<String> figures = new java.util.ArrayList<>();
    while (m.find()) figures.add(m.group());
    assertEquals(2, figures.size(), out);
    return figures;
  }

  @Test
  void predictToNpzWritesEveryOutput() throws IOException {
    Path twoOutputs = dir.resolve("mlp2.mdl");
    Files.writeString(twoOutputs, Files.readString(Path.of(MLP))
        .replace("  output logits\n", "  output logits\n  output probs\n")
        .replace("  let loss ", "  let probs = softmax(logits, 1)\n  let loss "));
    Path npz = dir.resolve("preds.npz");
    Run r = run("predict", twoOutputs.toString(), "--weights", weights.toString(), "--data", val.toString(), "--out",
        npz.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("predicted logits : f32[200, 10], classes by argmax\n"
        + "predicted probs : f32[200, 10]\n"), r.out());
    Map<String, ArrayData> arrays = Npz.read(npz).arrays();
    assertEquals(List.of("logits", "probs"), List.copyOf(arrays.keySet()));
    Path npy = dir.resolve("first.npy");
    assertEquals(0, run("predict", twoOutputs.toString(), "--weights", weights.toString(), "--data", val.toString(),
        "--out", npy.toString()).code());
    float[] logits = arrays.get("logits").floats();
    assertArrayEquals(Npy.read(npy).floats(), logits, ".npy keeps the first output");
    float[] probs = arrays.get("probs").floats();
    for (int i = 0; i < 200; i++) {
      double sum = 0;
      for (int k = 0; k < 10; k++) sum += probs[i * 10 + k];
      assertEquals(1, sum, 1e-5);
      assertEquals(Accuracy.argmax(logits, i, 10), Accuracy.argmax(probs, i, 10));
    }
  }

  @Test
  void predictWithoutOutShowsTheFirstRowsAndNeedsNoLabels() throws IOException {
    Path images = dir.resolve("images.npz");
    Npz.write(images, Map.of("pixels", Dataset.open(val).array("images").withName("pixels")));
    Run r = run("predict", MLP, "--weights", weights.toString(), "--data", images.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("data: " + images + ", 200 samples, pixels -> x\n"), r.out());
    String[] lines = r.out().split("\n");
    assertEquals("predicted,logits0,logits1,logits2,logits3,logits4,logits5,logits6,logits7,logits8,logits9",
        lines[3]);
    assertTrue(lines[4].matches("\\d,(-?[0-9.E-]+,){9}-?[0-9.E-]+"), lines[4]);
    assertEquals("... (195 more rows; --out FILE.csv or .npy writes them all)", lines[9]);
  }

  @Test
  void weightsAndDataThatDoNotFitNameTheFileAndTensor() throws IOException {
    byte[] good = Files.readAllBytes(weights);
    Path truncated = dir.resolve("truncated.safetensors");
    Files.write(truncated, java.util.Arrays.copyOf(good, good.length - 100));
    Run r = run("eval", MLP, "--weights", truncated.toString(), "--data", val.toString());
    assertEquals(Main.USER_ERROR, r.code());
    assertTrue(r.err().startsWith("modelc: error: " + truncated + ": "), r.err());
    assertFalse(r.err().contains("Exception"), r.err());

    ArrayFile content = SafeTensors.read(weights);
    Map<String, ArrayData> renamed = new LinkedHashMap<>(content.arrays());
    renamed.put("net.fc9.bias", renamed.remove("net.fc3.bias"));
    Path other = dir.resolve("renamed.safetensors");
    SafeTensors.write(other, renamed, Map.of());
    r = run("predict", MLP, "--weights", other.toString(), "--data", val.toString());
    assertEquals(Main.USER_ERROR, r.code());
    assertEquals("modelc: error: " + other + ": Error(s) in loading state_dict for Mlp:\n"
        + "\tMissing key(s) in state_dict: \"net.fc3.bias\".\n"
        + "\tUnexpected key(s) in state_dict: \"net.fc9.bias\".\n", r.err());

    Map<String, ArrayData> reshaped = new LinkedHashMap<>(content.arrays());
    reshaped.put("net.fc3.bias", ArrayData.of("net.fc3.bias", new float[9], 9));
    SafeTensors.write(other, reshaped, Map.of());
    r = run("eval", MLP, "--weights", other.toString(), "--data", val.toString());
    assertEquals(Main.USER_ERROR, r.code());
    assertTrue(r.err().contains("size mismatch for net.fc3.bias: copying a param with shape [9] from checkpoint, "
        + "the shape in current model is [10]."), r.err());

    r = run("eval", MLP, "--weights", dir.resolve("none.safetensors").toString(), "--data", val.toString());
    assertEquals(Main.USER_ERROR, r.code());
    assertTrue(r.err().contains("none.safetensors: no such file or directory"), r.err());

    Path images = dir.resolve("only-images.npz");
    Npz.write(images, Map.of("x", Dataset.open(val).array("images")));
    r = run("eval", MLP, "--weights", weights.toString(), "--data", images.toString());
    assertEquals(Main.USER_ERROR, r.code());
    assertTrue(r.err().startsWith("modelc: error: " + images + ": no data for model input t : i32[B]"), r.err());

    r = run("predict", MLP, "--weights", weights.toString(), "--data", val.toString(), "--out", "preds.txt");
    assertEquals(Main.USAGE, r.code());
    assertTrue(r.err().contains("--out: preds.txt must end in .npz, .npy or .csv"), r.err());
    r = run("eval", MLP, "--weights", weights.toString(), "--data", val.toString(), "--batch", "0");
    assertEquals(Main.USAGE, r.code());

    // a label out of range in held-out data: the batch and the sample of the file that holds it, in eval and in
    // the evaluation after a training epoch
    Dataset held = Dataset.open(val);
    int[] labels = ((int[]) held.array("labels").data()).clone();
    labels[150] = 10;
    Path badLabel = dir.resolve("bad-label.npz");
    Npz.write(badLabel, Map.of("x", held.array("images"), "t",
        dev.modelc.runtime.io.ArrayData.of("t", labels, labels.length)));
    String expected = "mlp.mdl:27:16: cross_entropy: label 10 at position 22 is out of range [0, 10); it is sample 150 "
        + "of the data, counting from 0 (input t, row 23 of the batch)\n";
    r = run("eval", MLP, "--weights", weights.toString(), "--data", badLabel.toString(), "--batch", "64");
    assertEquals(Main.USER_ERROR, r.code());
    assertEquals("modelc: error: " + badLabel + " (batch 3): " + expected, r.err());
    r = run("train", MLP, "--data", train.toString(), "--val", badLabel.toString(), "--max-steps", "1");
    assertEquals(Main.USER_ERROR, r.code());
    assertEquals("modelc: error: " + badLabel + " (batch 3): " + expected, r.err());
  }
}
