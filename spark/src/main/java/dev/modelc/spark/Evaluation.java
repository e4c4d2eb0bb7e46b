package dev.modelc.spark;

import java.io.Serializable;

/**
 * A distributed evaluation: the mean loss per record (for a mean objective; the summed objective divided by the
 * records for a sum), and accuracy when the model has a class output and integer labels.
 */
public record Evaluation(double loss, long count, long correct, boolean hasAccuracy) implements Serializable {

    public double accuracy() {
        return count == 0 ? 0 : (double) correct / count;
    }

    @Override
    public String toString() {
        String s = String.format("loss %.6f over %d records", loss, count);
        return hasAccuracy ? s + String.format(", accuracy %.2f%% (%d/%d)", 100 * accuracy(), correct, count) : s;
    }

    /** One partition's sums. */
    static final class Part implements Serializable {
        private static final long serialVersionUID = 1L;
        double lossSum;
        long count;
        long correct;

        Part add(Part o) {
            lossSum += o.lossSum;
            count += o.count;
            correct += o.correct;
            return this;
        }
    }
}
