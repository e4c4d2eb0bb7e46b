package dev.modelc.runtime.train;

/**
 * The fraction of samples whose predicted class (the argmax of the logits row) is the label, accumulated over
 * batches. Logits are row-major {@code [n, classes]} ({@code float[]} or {@code double[]}), labels {@code i32[n]};
 * the number of classes is {@code logits.length / labels.length}. {@link #argmax} follows {@code torch.argmax}:
 * the first index of the largest value wins ties, and a NaN counts as the largest.
 */
public final class Accuracy {
    private long correct;
    private long total;

    /** Adds a batch; {@code logits} is a {@code float[]} or {@code double[]} of {@code labels.length} rows. */
    public void add(Object logits, int[] labels) {
        int n = labels.length;
        int classes = classes(logits, n);
        for (int i = 0; i < n; i++) {
            if (argmax(logits, i, classes) == labels[i]) {
                correct++;
            }
        }
        total += n;
    }

    /** The fraction correct, NaN before anything was added. */
    public double value() {
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    public long correct() {
        return correct;
    }

    public long total() {
        return total;
    }

    public void reset() {
        correct = 0;
        total = 0;
    }

    /** The index of the largest value of row {@code row} of a {@code [rows, classes]} array. */
    public static int argmax(Object logits, int row, int classes) {
        int at = row * classes;
        int best = 0;
        if (logits instanceof float[] f) {
            float max = f[at];
            for (int k = 1; k < classes && !Float.isNaN(max); k++) {
                float v = f[at + k];
                if (v > max || Float.isNaN(v)) {
                    max = v;
                    best = k;
                }
            }
        } else {
            double[] d = (double[]) logits;
            double max = d[at];
            for (int k = 1; k < classes && !Double.isNaN(max); k++) {
                double v = d[at + k];
                if (v > max || Double.isNaN(v)) {
                    max = v;
                    best = k;
                }
            }
        }
        return best;
    }

    static int classes(Object logits, int n) {
        int length = logits instanceof float[] f ? f.length : ((double[]) logits).length;
        if (n == 0 || length % n != 0 || length == 0) {
            throw new IllegalArgumentException("logits of " + length + " values do not split into " + n + " rows");
        }
        return length / n;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%.2f%% (%d/%d)", 100 * value(), correct, total);
    }
}
