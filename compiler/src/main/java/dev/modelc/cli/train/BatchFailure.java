package dev.modelc.cli.train;

import dev.modelc.runtime.data.Batch;
import dev.modelc.runtime.kernels.OutOfRangeException;

/**
 * A model's complaint about the data of one batch of an evaluation (a label or index out of range, or with anomaly
 * detection a NaN): the batch's position and the sample of the data it names, taken when it is thrown, since the
 * loader refills the batch's arrays with the next one.
 */
public final class BatchFailure extends RuntimeException {
  private final int batch;
  private final String sample;

  public BatchFailure(Batch b, RuntimeException cause) {
    super(cause.getMessage(), cause);
    this.batch = b.index();
    this.sample = sampleOf(b, cause);
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
   * For a label or index out of range ({@link OutOfRangeException}) in a batch's integer array, which sample of the
   * data holds it, so that the file can be fixed: "; it is sample 5999 of the data, counting from 0 (input t, row 53
   * of the batch)". Empty for any other failure, or when no integer array of the batch holds that value there (the
   * op read an array computed from the inputs).
   */
  public static String sampleOf(Batch b, RuntimeException failure) {
    if (!(failure instanceof OutOfRangeException e) || b.size() == 0) {
      return "";
    }
    for (String name : b.names()) {
      if (!(b.array(name) instanceof int[] a) || a.length % b.size() != 0) {
        continue;
      }
      int per = a.length / b.size();
      long position = e.position() + (long) e.firstRow() * per;
      if (position >= a.length || a[(int) position] != e.value()) {
        continue;
      }
      int row = (int) (position / per);
      return "; it is sample " + b.sample(row) + " of the data, counting from 0 (input " + name + ", row " + (row + 1)
          + " of the batch" + (per > 1 ? ", element " + (position % per) + " of the row" : "") + ")";
    }
    return "";
  }
}
