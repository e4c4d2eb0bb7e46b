package dev.modelc.cli.train;

/**
 * What one epoch of {@code modelc train} measured: the mean training loss over its batches and, when there is
 * held-out data, the held-out loss and (for classifiers) accuracy. Absent values are {@code NaN}.
 */
public record EpochMetrics(int epoch, long step, double trainLoss, double valLoss, double valAccuracy,
    double seconds) {

  public boolean hasValidation() {
    return !Double.isNaN(valLoss);
  }

  public boolean hasAccuracy() {
    return !Double.isNaN(valAccuracy);
  }
}
