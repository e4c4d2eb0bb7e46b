package dev.modelc.runtime.numeric;

/** How a loss reduces its per-element values: their mean or their sum. */
public enum Reduction {
    MEAN,
    SUM;

    /** Parses {@code "mean"} or {@code "sum"}. */
    public static Reduction of(String name) {
        switch (name) {
            case "mean":
                return MEAN;
            case "sum":
                return SUM;
            default:
                throw new IllegalArgumentException(name + " is not a valid value for reduction (mean or sum)");
        }
    }

    /** The factor each element's gradient gets: 1/count for mean, 1 for sum. */
    public double scale(int count) {
        return this == MEAN ? 1.0 / count : 1.0;
    }
}
