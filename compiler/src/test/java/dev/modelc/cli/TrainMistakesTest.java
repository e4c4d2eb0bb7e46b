package dev.modelc.cli;

import static dev.modelc.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.modelc.cli.Cli.Run;
import dev.modelc.runtime.io.ArrayFile;
import dev.modelc.runtime.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code modelc train} given models, flags and files that cannot work (found by fuzzing the command line): each is
 * refused before training with a message naming what is wrong, never an internal error or a late failure.
 */
class TrainMistakesTest {
  static final String LOGREG = "../samples/models/logreg.mdl";

  @TempDir Path dir;

  private Path csv(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  /** Data for logreg.mdl: 20 features and a 0/1 target, four rows. */
  private Path logregData() throws Exception {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      text.append('x').append(i).append(',');
    }
    text.append("y\n");
    for (int row = 0; row < 4; row++) {
      for (int i = 0; i < 20; i++) {
        text.append((row * 7 + i * 3) % 10 / 10.0).append(',');
      }
      text.append(row % 2).append('\n');
    }
    return csv("logreg.csv", text.toString());
  }

  static void assertError(int code, Run r, String message) {
    assertEquals(code, r.code(), r.err());
    assertTrue(r.err().contains(message), r.err());
    assertFalse(r.err().contains("internal error"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }

  /** Caught with the flags (exit 2), not after the first epoch and not as an --lr mistake. */
  @Test
  void aScheduleThatWouldTurnNegativeIsAUsageError() throws Exception {
    String data = logregData().toString();
    for (String[] c : new String[][] {{"exp:gamma=-1", "gamma must be >= 0"},
        {"step:size=1,gamma=-0.5", "gamma must be >= 0"}, {"cosine:T=2,min=-5", "min must be >= 0"},
        {"linear:start=-1", "start must be greater than 0"},
        {"constant:for=-1+exp:gamma=0.9", "for must be at least 1"}}) {
      Run r = run("train", LOGREG, "--data", data, "--epochs", "2", "--schedule", c[0]);
      assertError(Main.USAGE, r, "--schedule: schedule part '");
      assertTrue(r.err().contains(c[1]), r.err());
      assertFalse(r.err().contains("--lr"), r.err());
      assertEquals("", r.out());
    }
  }

  /**
   * A gamma above 1 overflows the rate to infinity after enough epochs (or steps): refused before training when
   * that happens within the run, naming the schedule, the epoch and the rate; accepted when the run is shorter.
   */
  @Test
  void aScheduleWhoseRateOverflowsWithinTheRunIsAUsageError() throws Exception {
    String data = logregData().toString();
    Run r = run("train", LOGREG, "--data", data, "--epochs", "40", "--lr", "1", "--schedule", "exp:gamma=1e10");
    assertError(Main.USAGE, r, "--schedule exp:gamma=1e10: the learning rate becomes Infinity at epoch 32 of 40 "
        + "(base 1.0, 1.0E300 the epoch before); it must stay finite: use a smaller gamma (at most 1 keeps the rate "
        + "from growing), or fewer epochs");
    assertEquals("", r.out());
    assertEquals(Main.OK, run("train", LOGREG, "--data", data, "--epochs", "31", "--lr", "1", "--schedule",
        "exp:gamma=1e10").code());
    r = run("train", LOGREG, "--data", data, "--epochs", "10", "--batch", "1", "--lr", "1", "--schedule",
        "step:size=2,gamma=1e100", "--schedule-unit", "step");
    assertError(Main.USAGE, r, "the learning rate becomes Infinity at step 9 of 40 (base 1.0, 1.0E300 the step "
        + "before)");
    assertEquals(Main.OK, run("train", LOGREG, "--data", data, "--epochs", "10", "--batch", "1", "--lr", "1",
        "--schedule", "step:size=2,gamma=1e100", "--schedule-unit", "step", "--max-steps", "8").code());
  }

  /**
   * Cosine never grows the rate, but computes it as {@code min + (base - min) (1 + cos) / 2}, which overflows for a
   * base rate near the largest double: the advice is then about the base rate, not a gamma it does not have.
   */
  @Test
  void aCosineScheduleThatOverflowsAsksForASmallerBaseRateNotAGamma() throws Exception {
    String data = logregData().toString();
    Run r = run("train", LOGREG, "--data", data, "--epochs", "2", "--lr", "1e308", "--schedule", "cosine:T=10");
    assertError(Main.USAGE, r, "--schedule cosine:T=10: the learning rate becomes Infinity at epoch 1 of 2 (base "
        + "1.0E308); it must stay finite: cosine computes the rate from the base rate, which is too large for it "
        + "here; use a smaller --lr");
    assertFalse(r.err().contains("gamma"), r.err());
    // in a composition the part in effect at the epoch decides
    r = run("train", LOGREG, "--data", data, "--epochs", "3", "--lr", "1e308", "--schedule",
        "exp:gamma=0.5,for=1+cosine:T=10");
    assertError(Main.USAGE, r, "at epoch 2 of 3 (base 1.0E308, 1.0E308 the epoch before); it must stay finite: "
        + "cosine computes the rate");
  }

  /** --schedule-unit without a schedule would be silently ignored: a usage error before the model is compiled. */
  @Test
  void aScheduleUnitWithoutAScheduleIsAUsageError() throws Exception {
    Run r = run("train", LOGREG, "--data", logregData().toString(), "--schedule-unit", "step");
    assertError(Main.USAGE, r, "--schedule-unit step says what the schedule counts, but there is no schedule (no "
        + "--schedule); add --schedule SPEC or leave --schedule-unit out");
    assertEquals("", r.out());
  }

  /** modelc resumes from any checkpoint it writes: a negative --seed included. */
  @Test
  void aNegativeSeedResumes() throws Exception {
    String data = logregData().toString();
    Path ck = dir.resolve("c.safetensors");
    Run first = run("train", LOGREG, "--data", data, "--seed", "-1", "--batch", "2", "--checkpoint", ck.toString());
    assertEquals(Main.OK, first.code(), first.err());
    Run resumed = run("train", LOGREG, "--data", data, "--epochs", "2", "--resume", ck.toString());
    assertEquals(Main.OK, resumed.code(), resumed.err());
    assertTrue(resumed.out().contains("seed -1"), resumed.out());
  }

  /** A hand-edited train.* entry is an error naming the checkpoint and the key, exit 1. */
  @Test
  void malformedTrainingEntriesOfACheckpointNameTheKey() throws Exception {
    String data = logregData().toString();
    Path ck = dir.resolve("c.safetensors");
    assertEquals(Main.OK, run("train", LOGREG, "--data", data, "--batch", "2", "--checkpoint", ck.toString()).code());
    ArrayFile content = SafeTensors.read(ck);
    for (String[] c : new String[][] {{"train.batch", "-1", "a whole number of at least 1"},
        {"train.batch", "two", "a whole number of at least 1"}, {"train.drop_last", "abc", "true or false"},
        {"train.base_lr", "-0.5", "a learning rate (a number >= 0)"},
        {"train.schedule_unit", "hour", "epoch or step"}}) {
      Map<String, String> meta = new LinkedHashMap<>(content.metadata());
      meta.put(c[0], c[1]);
      Path edited = dir.resolve("edited.safetensors");
      SafeTensors.write(edited, new ArrayFile(content.arrays(), meta));
      Run r = run("train", LOGREG, "--data", data, "--epochs", "2", "--resume", edited.toString());
      assertError(Main.USER_ERROR, r, edited + ": checkpoint metadata " + c[0] + ": '" + c[1] + "' is not " + c[2]);
    }
    // counts beyond what a model holds: refused when the checkpoint is read, before anything is restored
    for (String[] c : new String[][] {{"step", "99999999999", "is more optimizer steps than a model counts (at most "
        + "2147483646)"}, {"epoch", "4294967296", "is out of range (at most 2147483647)"}}) {
      Map<String, String> meta = new LinkedHashMap<>(content.metadata());
      meta.put(c[0], c[1]);
      Path edited = dir.resolve("edited.safetensors");
      SafeTensors.write(edited, new ArrayFile(content.arrays(), meta));
      Run r = run("train", LOGREG, "--data", data, "--epochs", "2", "--resume", edited.toString());
      assertError(Main.USER_ERROR, r, edited + ": checkpoint metadata " + c[0] + ": '" + c[1] + "' " + c[2]);
    }
  }

  /** An output path that is a directory is refused before any work, not after training. */
  @Test
  void outputPathsThatAreDirectoriesAreRefusedFirst() throws Exception {
    String data = logregData().toString();
    Path folder = Files.createDirectories(dir.resolve("plot.svg"));
    for (String flag : new String[] {"--save", "--checkpoint", "--plot", "--metrics"}) {
      Run r = run("train", LOGREG, "--data", data, flag, folder.toString());
      assertError(Main.USER_ERROR, r, flag + " " + folder + ": " + folder + " is a directory; name a file to write");
      assertFalse(r.out().contains("epoch 1/1"), "refused before training: " + r.out());
    }
    Path file = Files.writeString(dir.resolve("afile"), "");
    assertError(Main.USER_ERROR, run("train", LOGREG, "--data", data, "--save", file.resolve("w.npz").toString()),
        file + " is a file, not a directory");

    Path weights = dir.resolve("w.safetensors");
    assertEquals(Main.OK, run("train", LOGREG, "--data", data, "--save", weights.toString()).code());
    Path npy = Files.createDirectories(dir.resolve("p.npy"));
    assertError(Main.USER_ERROR, run("predict", LOGREG, "--weights", weights.toString(), "--data", data, "--out",
        npy.toString()), "--out " + npy + ": " + npy + " is a directory");
    Path jar = Files.createDirectories(dir.resolve("m.jar"));
    assertError(Main.USER_ERROR, run("compile", LOGREG, "--jar", jar.toString()),
        "--jar " + jar + ": " + jar + " is a directory");
    Path dot = Files.createDirectories(dir.resolve("g.dot"));
    assertError(Main.USER_ERROR, run("graph", LOGREG, "-o", dot.toString()), "-o " + dot + ": " + dot
        + " is a directory");
  }

  /**
   * --save writes safetensors under any name but .npz, and a checkpoint is always safetensors: a name that modelc
   * and NumPy read as another format (w.npy, ck.npz) is a usage error before training, not a file they cannot read.
   */
  @Test
  void outputNamesOfAnotherFormatAreUsageErrors() throws Exception {
    String data = logregData().toString();
    Path npy = dir.resolve("w.npy");
    Run r = run("train", LOGREG, "--data", data, "--save", npy.toString());
    assertError(Main.USAGE, r, "--save: " + npy + " would be a safetensors file under the name of another format; "
        + "weights are saved as .safetensors or .npz");
    assertEquals("", r.out());
    Path ck = dir.resolve("ck.npz");
    assertError(Main.USAGE, run("train", LOGREG, "--data", data, "--checkpoint", ck.toString()), "--checkpoint: "
        + ck + " would be a safetensors file under the name of another format");
    assertFalse(Files.exists(npy) || Files.exists(ck));
    assertEquals(Main.OK, run("train", LOGREG, "--data", data, "--save", dir.resolve("w.npz").toString(),
        "--checkpoint", dir.resolve("run.ckpt").toString()).code());
  }

  /**
   * An output naming the model source, the data or another output (a slip of tab completion) is refused before
   * training: --metrics m.mdl replaced the model source with the metrics. --checkpoint may replace --resume's file.
   */
  @Test
  void outputsThatWouldOverwriteTheInputsOrEachOtherAreRefused() throws Exception {
    String data = logregData().toString();
    Path model = Files.copy(Path.of(LOGREG), dir.resolve("logreg.mdl"));
    String source = Files.readString(model);
    Run r = run("train", model.toString(), "--data", data, "--metrics", model.toString());
    assertError(Main.USER_ERROR, r, "--metrics " + model + ": that is the model file (" + model + "), which writing "
        + "there would overwrite; name another file");
    assertEquals("", r.out());
    assertEquals(source, Files.readString(model));
    assertError(Main.USER_ERROR, run("train", model.toString(), "--data", data, "--checkpoint", model.toString()),
        "--checkpoint " + model + ": that is the model file");
    Path held = Files.copy(Path.of(data), dir.resolve("held"));
    assertError(Main.USER_ERROR, run("train", model.toString(), "--data", data, "--val", held.toString(), "--save",
        held.toString()), "--save " + held + ": that is the --val file");
    Path w = dir.resolve("w.safetensors");
    assertError(Main.USER_ERROR, run("train", model.toString(), "--data", data, "--checkpoint", w.toString(),
        "--save", w.toString()), "--save " + w + " and --checkpoint " + w + " name the same file");
    Path ck = dir.resolve("ck.safetensors");
    assertEquals(Main.OK, run("train", model.toString(), "--data", data, "--checkpoint", ck.toString(), "--save",
        w.toString()).code());
    assertError(Main.USER_ERROR, run("train", model.toString(), "--data", data, "--epochs", "2", "--resume",
        ck.toString(), "--save", ck.toString()), "--save " + ck + ": that is the --resume checkpoint");
    assertEquals(Main.OK, run("train", model.toString(), "--data", data, "--epochs", "2", "--resume", ck.toString(),
        "--checkpoint", ck.toString()).code());
    r = run("predict", model.toString(), "--weights", w.toString(), "--data", data, "--out", data);
    assertError(Main.USER_ERROR, r, "--out " + data + ": that is the --data file");
    assertTrue(Files.readString(Path.of(data)).startsWith("x0,x1"));
  }

  /** The IDX files inside a --data directory are inputs too, the held-out pair among them. */
  @Test
  void outputsThatWouldOverwriteAFileOfADataDirectoryAreRefused() throws Exception {
    Path idx = Files.createDirectories(dir.resolve("idx"));
    try (var files = Files.list(Path.of("../samples/data/fashion-mnist"))) {
      for (Path f : files.toList()) {
        Files.copy(f, idx.resolve(f.getFileName()));
      }
    }
    Path labels = idx.resolve("train-labels-idx1-ubyte.gz");
    byte[] before = Files.readAllBytes(labels);
    Run r = run("train", "../samples/models/mlp.mdl", "--data", idx.toString(), "--metrics", labels.toString());
    assertError(Main.USER_ERROR, r, "--metrics " + labels + ": that is train-labels-idx1-ubyte.gz of the --data "
        + "directory (" + idx + "), which writing there would overwrite; name another file");
    Path held = idx.resolve("t10k-images-idx3-ubyte.gz");
    assertError(Main.USER_ERROR, run("train", "../samples/models/mlp.mdl", "--data", idx.toString(), "--checkpoint",
        held.toString()), "--checkpoint " + held + ": that is t10k-images-idx3-ubyte.gz of the --data directory");
    assertArrayEquals(before, Files.readAllBytes(labels));
  }

  /** A param too large for the heap: what it needs and how to raise the heap, exit 1, for train and check. */
  @Test
  void aModelLargerThanTheHeapSaysHowMuchItNeeds() throws Exception {
    assumeTrue(Runtime.getRuntime().maxMemory() < 16e9, "the heap would hold the model");
    Path big = Files.writeString(dir.resolve("big.mdl"), "model Big {\n  input x : f64[B, 46000]\n"
        + "  param w : f64[46000, 46000] init zeros\n  minimize sum(x @ w) with adam(lr = 0.001)\n}\n");
    String needs = "model Big needs 67.7 GB for its parameters (16.9 GB), their gradients and optimizer state (4 "
        + "arrays the size of each parameter), which the Java heap (at most ";
    Run train = run("train", big.toString(), "--data", dir.resolve("none.npz").toString());
    assertError(Main.USER_ERROR, train, needs);
    assertTrue(train.err().contains("give the JVM more heap with MODELC_JAVA_OPTS, e.g. MODELC_JAVA_OPTS=-Xmx86g"),
        train.err());
    assertError(Main.USER_ERROR, run("check", big.toString()), needs);
  }

  @Test
  void aModelWithoutParametersHasNothingToTrain() throws Exception {
    Path data = csv("x3.csv", "x0,x1,x2\n1,2,3\n5,6,7\n");
    Path noObjective = Files.writeString(dir.resolve("m.mdl"),
        "model M {\n  input x : f32[B, 3]\n  let s = sum(x, dim = 1)\n  output s\n}\n");
    assertError(Main.USER_ERROR, run("train", noObjective.toString(), "--data", data.toString()),
        "model M has no objective");
    Path noParams = Files.writeString(dir.resolve("n.mdl"),
        "model N {\n  input x : f32[B, 3]\n  let s = sum(x)\n  minimize s with sgd(lr = 0.1)\n}\n");
    assertError(Main.USER_ERROR, run("train", noParams.toString(), "--data", data.toString()),
        "n.mdl: model N has no parameters (no 'param' line), so there is nothing to train");
  }
}
