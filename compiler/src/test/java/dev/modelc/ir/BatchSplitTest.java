package dev.modelc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The batch-split analysis on the sample models and on small models written for one rule each: what a training
 * step's description line says ({@code batch B mean}, {@code batch B sum}, or {@code batch - why}).
 */
class BatchSplitTest {

  private static String line(CheckedModel m) {
    return BatchSplit.of(Driver.training(m, true)).describe();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "linreg      | batch N mean",
      "logreg      | batch B mean",
      "mlp         | batch B mean",
      "cnn         | batch B mean",
      "bow         | batch B mean",
      "norm        | batch B mean",
      "resnet      | batch - batch_norm's statistics at 16:9 are taken over the whole batch",
      // [B, 8, 16] reshaped to [8*B, 16] for the linear layers: each batch row owns 8 consecutive rows
      "transformer | batch B mean",
      "penalty     | batch - pow at 13:30 takes a value that depends on the batch size B",
  })
  void samples(String name, String expected) throws IOException {
    assertEquals(expected, line(Samples.load(name, false)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      // a sum over the rows: each chunk's gradient counts whole
      "sum of squares       | sum((x @ w - y) ** 2)                 | batch B sum",
      // a mean plus a penalty on the weights: the penalty's gradient is the same in every chunk, weights sum to 1
      "mean plus penalty    | mse(x @ w, y) + 0.01 * sum(w ** 2)    | batch B mean",
      "scaled mean          | 3 * mean((x @ w - y) ** 2) / 2        | batch B mean",
      // a sum plus a penalty would count the penalty once per chunk
      "sum plus penalty     | sum((x @ w - y) ** 2) + sum(w ** 2)   | batch - the objective loss adds a term the batch does not change to a sum over its rows, which each thread would count again",
      // the largest error over the batch mixes rows
      "max over the batch   | max((x @ w - y) ** 2)                  | batch - reduce_max_all at 8:14 mixes the rows of the batch B",
      // a mean of means is still a mean over the rows, times 1/2
      "mean over all        | mean(x @ w) + mean(y)                  | batch B mean",
      // the batch's own mean subtracted from each row: rows mix
      "centred              | mean((x @ w - mean(x @ w)) ** 2)       | batch - broadcast_to at 8:20 mixes the rows of the batch B",
  })
  void rules(String what, String objective, String expected) {
    String text = "model M {\n"
        + "  input x : f32[B, 3]\n"
        + "  input y : f32[B, 2]\n"
        + "  param w : f32[3, 2] init normal(0, 0.5)\n"
        + "\n"
        + "  let pred = x @ w\n"
        + "  output pred\n"
        + "  let loss = " + objective + "\n"
        + "  minimize loss with sgd(lr = 0.1)\n"
        + "}\n";
    assertEquals(expected, line(Samples.check("m.mdl", text)), what);
  }

  @Test
  void dropoutDrawsByPosition() {
    String text = "model M {\n  input x : f32[B, 3]\n  input y : f32[B, 2]\n  param w : f32[3, 2] init normal(0, 0.5)\n"
        + "  let pred = dropout(x @ w, p = 0.5)\n  output pred\n  minimize mse(pred, y) with sgd(lr = 0.1)\n}\n";
    assertEquals("batch - dropout at 5:14 draws its masks by position in the batch",
        line(Samples.check("m.mdl", text)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "gelumlp  | batch B mean",
      "widemlp  | batch B mean",
      "leakycnn | batch B mean",
      "bigtransformer | batch B mean",
      "bncnn | batch - batch_norm's statistics at 24:9 are taken over the whole batch",
  })
  void benchModels(String name, String expected) throws IOException {
    Path file = Path.of("../bench/models/" + name + ".mdl");
    assertEquals(expected, line(Samples.check(name + ".mdl", Files.readString(file))));
  }
}
