package dev.modelc.runtime.train;

/**
 * The mean of per-batch losses over an epoch, weighted by batch size, so that a partial last batch counts for what
 * it holds: the epoch's mean over samples when each batch loss is itself a mean over its samples (PyTorch's
 * {@code reduction='mean'}). The sum is kept in double.
 */
public final class MeanLoss {
    private double sum;
    private long count;

    /** Adds a batch's mean loss over {@code batchSize} samples. */
    public void add(double batchMeanLoss, int batchSize) {
        if (batchSize < 0) {
            throw new IllegalArgumentException("batch size " + batchSize);
        }
        sum += batchMeanLoss * batchSize;
        count += batchSize;
    }

    /** The weighted mean; NaN before anything was added. */
    public double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }

    /** The weighted sum, {@code mean() * count()} as accumulated. */
    public double sum() {
        return sum;
    }

    /** A mean loss holding a sum and count saved earlier ({@link #sum()}, {@link #count()}): a resumed epoch. */
    public static MeanLoss of(double sum, long count) {
        if (count < 0) {
            throw new IllegalArgumentException("count " + count);
        }
        MeanLoss m = new MeanLoss();
        m.sum = sum;
        m.count = count;
        return m;
    }

    /** The number of samples added. */
    public long count() {
        return count;
    }

    public void reset() {
        sum = 0;
        count = 0;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%.6f", mean());
    }
}
