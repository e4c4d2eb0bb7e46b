package dev.modelc.cli.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training curve as SVG and PNG, and the metrics log as CSV and JSON lines. */
class TrainingPlotTest {
  private static final List<EpochMetrics> EPOCHS = List.of(
      new EpochMetrics(1, 94, 0.91, 0.62, 0.771, 1.5),
      new EpochMetrics(2, 188, 0.55, 0.51, 0.812, 1.4),
      new EpochMetrics(3, 282, 0.47, 0.49, 0.826, 1.4));

  @TempDir Path dir;

  @Test
  void svgHoldsBothAxesAndEverySeries() throws Exception {
    Path svg = dir.resolve("curve.svg");
    TrainingPlot.write(svg, "Net on fashion-mnist", EPOCHS);
    String text = Files.readString(svg);
    assertTrue(text.contains("<svg"), text.substring(0, 40));
    for (String label : List.of("training loss", "held-out loss", "held-out accuracy", "epoch", "Net on fashion-mnist")) {
      assertTrue(text.contains(label), label);
    }
  }

  @Test
  void pngIsAnImageOfTheStatedSize() throws Exception {
    Path png = dir.resolve("curve.png");
    TrainingPlot.write(png, "Net", EPOCHS.subList(0, 1));
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(800, image.getWidth());
    assertEquals(480, image.getHeight());
  }

  @Test
  void metricsLogWritesCsvAndJsonLines() throws Exception {
    Path csv = dir.resolve("m.csv");
    Path jsonl = dir.resolve("m.jsonl");
    try (MetricsLog a = new MetricsLog(csv); MetricsLog b = new MetricsLog(jsonl)) {
      a.write(EPOCHS.get(0));
      b.write(new EpochMetrics(1, 10, 0.5, Double.NaN, Double.NaN, 0.25));
    }
    assertEquals(List.of("epoch,step,train_loss,val_loss,val_accuracy,seconds", "1,94,0.91,0.62,0.771,1.5"),
        Files.readAllLines(csv));
    assertEquals(List.of("{\"epoch\": 1, \"step\": 10, \"train_loss\": 0.5, \"val_loss\": null, "
        + "\"val_accuracy\": null, \"seconds\": 0.25}"), Files.readAllLines(jsonl));
    assertTrue(TrainingPlot.supports(Path.of("a.SVG")) && !TrainingPlot.supports(Path.of("a.pdf")));
  }
}
