package dev.modelc.cli.train;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The per-epoch metrics of {@code modelc train --metrics FILE} for users' own tools: CSV with a header when the
 * file name ends in {@code .csv}, otherwise JSON lines (one object per epoch). Each epoch's line is written and
 * flushed as soon as the epoch ends, so a long run can be watched and an interrupted run keeps what it measured.
 * Absent values are empty CSV fields and JSON {@code null}.
 */
public final class MetricsLog implements AutoCloseable {
  private final Writer out;
  private final boolean csv;

  public MetricsLog(Path file) throws IOException {
    csv = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
    out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    if (csv) {
      out.write("epoch,step,train_loss,val_loss,val_accuracy,seconds\n");
      out.flush();
    }
  }

  public void write(EpochMetrics m) throws IOException {
    if (csv) {
      out.write(m.epoch() + "," + m.step() + "," + number(m.trainLoss(), "") + "," + number(m.valLoss(), "") + ","
          + number(m.valAccuracy(), "") + "," + number(m.seconds(), "") + "\n");
    } else {
      out.write("{\"epoch\": " + m.epoch() + ", \"step\": " + m.step() + ", \"train_loss\": "
          + number(m.trainLoss(), "null") + ", \"val_loss\": " + number(m.valLoss(), "null")
          + ", \"val_accuracy\": " + number(m.valAccuracy(), "null") + ", \"seconds\": "
          + number(m.seconds(), "null") + "}\n");
    }
    out.flush();
  }

  /** The shortest text that reads back as the same double; {@code absent} for NaN and infinities. */
  private static String number(double v, String absent) {
    return Double.isFinite(v) ? Double.toString(v) : absent;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
