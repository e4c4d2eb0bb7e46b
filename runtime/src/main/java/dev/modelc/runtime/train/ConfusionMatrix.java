package dev.modelc.runtime.train;

/**
 * Counts of (true class, predicted class) pairs for a classifier, rows the true class and columns the prediction
 * (as scikit-learn's {@code confusion_matrix}), to see which classes a model confuses. Predictions are the
 * {@link Accuracy#argmax} of the logits.
 */
public final class ConfusionMatrix {
    private final int classes;
    private final long[] counts;
    private final String[] names;

    public ConfusionMatrix(int classes) {
        this(classes, null);
    }

    /** With class names for {@link #toString} (Fashion-MNIST's {@code T-shirt}, ...); null for numbers. */
    public ConfusionMatrix(int classes, String[] names) {
        if (classes < 1 || (names != null && names.length != classes)) {
            throw new IllegalArgumentException(classes + " classes" + (names == null ? "" : ", " + names.length
                    + " names"));
        }
        this.classes = classes;
        this.counts = new long[classes * classes];
        this.names = names == null ? null : names.clone();
    }

    /** Adds a batch of logits {@code [n, classes]} and labels {@code [n]}. */
    public void add(Object logits, int[] labels) {
        int c = Accuracy.classes(logits, labels.length);
        if (c != classes) {
            throw new IllegalArgumentException("logits have " + c + " classes, the matrix " + classes);
        }
        for (int i = 0; i < labels.length; i++) {
            add(labels[i], Accuracy.argmax(logits, i, classes));
        }
    }

    public void add(int actual, int predicted) {
        if (actual < 0 || actual >= classes || predicted < 0 || predicted >= classes) {
            throw new IllegalArgumentException("class " + (actual < 0 || actual >= classes ? actual : predicted)
                    + " is outside 0.." + (classes - 1));
        }
        counts[actual * classes + predicted]++;
    }

    /** How many samples of class {@code actual} were predicted as {@code predicted}. */
    public long count(int actual, int predicted) {
        return counts[actual * classes + predicted];
    }

    public int classes() {
        return classes;
    }

    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    /** The diagonal's share of all counts. */
    public double accuracy() {
        long right = 0;
        for (int k = 0; k < classes; k++) {
            right += count(k, k);
        }
        return total() == 0 ? Double.NaN : (double) right / total();
    }

    /** Of the samples of class {@code k}, the fraction predicted as {@code k}. */
    public double recall(int k) {
        long row = 0;
        for (int p = 0; p < classes; p++) {
            row += count(k, p);
        }
        return row == 0 ? Double.NaN : (double) count(k, k) / row;
    }

    /** Of the samples predicted as {@code k}, the fraction that are {@code k}. */
    public double precision(int k) {
        long column = 0;
        for (int a = 0; a < classes; a++) {
            column += count(a, k);
        }
        return column == 0 ? Double.NaN : (double) count(k, k) / column;
    }

    public void reset() {
        java.util.Arrays.fill(counts, 0);
    }

    /**
     * A right-aligned table, one row per true class, one column per predicted class:
     * <pre>
     * true\pred   0   1
     *         0  50   2
     *         1   3  45
     * </pre>
     */
    @Override
    public String toString() {
        String corner = "true\\pred";
        int width = 1;
        for (long c : counts) {
            width = Math.max(width, Long.toString(c).length());
        }
        int label = corner.length();
        for (int k = 0; k < classes; k++) {
            width = Math.max(width, name(k).length());
            label = Math.max(label, name(k).length());
        }
        StringBuilder s = new StringBuilder(pad(corner, label));
        for (int p = 0; p < classes; p++) {
            s.append(' ').append(pad(name(p), width));
        }
        for (int a = 0; a < classes; a++) {
            s.append('\n').append(pad(name(a), label));
            for (int p = 0; p < classes; p++) {
                s.append(' ').append(pad(Long.toString(count(a, p)), width));
            }
        }
        return s.toString();
    }

    private String name(int k) {
        return names == null ? Integer.toString(k) : names[k];
    }

    private static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }
}
