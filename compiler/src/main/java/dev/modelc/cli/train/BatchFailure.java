package dev.modelc.cli.train;

import dev.modelc.runtime.data.Batch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model's complaint about the data of one batch of an evaluation (a label or index out of range, or with anomaly
 * detection a NaN): the batch's position and the sample of the data it names, taken when it is thrown, since the
 * loader refills the batch's arrays with the next one.
 */
public final class BatchFailure extends RuntimeException {
  private static final Pattern AT_POSITION = Pattern.compile("(?:label|index) (-?\\d+) at position (\\d+)");
  /** A part of a batch split over threads counts positions from its first row (BatchReplicas). */
  private static final Pattern FROM_ROW = Pattern.compile("counted from row (\\d+) of the batch");

  private final int batch;
  private final String sample;

  public BatchFailure(Batch b, RuntimeException cause) {
    super(cause.getMessage(), cause);
    this.batch = b.index();
    this.sample = sampleOf(b, cause.getMessage());
  }

  /** The batch's position in its epoch, from 0. */
  public int batch() {
    return batch;
  }

  /** {@link #sampleOf} for the batch, when it was thrown. */
  public String sample() {
    return sample;
  }

  /**
   * For a label or index out of range at a position of a batch's integer array ("label 10 at position 52"), which
   * sample of the data holds it, so that the file can be fixed: "; it is sample 5999 of the data, counting from 0
   * (input t, row 53 of the batch)". The position of a part of a batch split over threads, which counts from the
   * part's first row ("counted from row 32 of the batch"), is taken from there. Empty when no integer array of the
   * batch holds that value there.
   */
  public static String sampleOf(Batch b, String message) {
    Matcher m = AT_POSITION.matcher(message == null ? "" : message);
    if (!m.find() || b.size() == 0) {
      return "";
    }
    long value = Long.parseLong(m.group(1));
    long at = Long.parseLong(m.group(2));
    Matcher from = FROM_ROW.matcher(message);
    long firstRow = from.find() ? Long.parseLong(from.group(1)) : 0;
    for (String name : b.names()) {
      if (!(b.array(name) instanceof int[] a) || a.length % b.size() != 0) {
        continue;
      }
      int per = a.length / b.size();
      long position = at + firstRow * per;
      if (position >= a.length || a[(int) position] != value) {
        continue;
      }
      int row = (int) (position / per);
      return "; it is sample " + b.sample(row) + " of the data, counting from 0 (input " + name + ", row " + (row + 1)
          + " of the batch" + (per > 1 ? ", element " + (position % per) + " of the row" : "") + ")";
    }
    return "";
  }
}
