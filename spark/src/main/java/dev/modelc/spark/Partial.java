package dev.modelc.spark;

import java.io.Serializable;

/**
 * What one partition sends back for a step: its weighted gradient (a {@code double[]} in the flat parameter order,
 * null when the shard held no record of the batch), its weighted loss and its record count. Sums are exact
 * widenings of the model's float gradients, added in double.
 */
public final class Partial implements Serializable {
    private static final long serialVersionUID = 1L;

    double[] values;
    double loss;
    long count;

    Partial() {}

    Partial(double[] values, double loss, long count) {
        this.values = values;
        this.loss = loss;
        this.count = count;
    }

    /** Adds {@code other} into this one (in place, reusing this array when there is one) and returns this. */
    Partial add(Partial other) {
        if (other.values != null) {
            if (values == null) {
                values = other.values.clone();
            } else {
                double[] v = values;
                double[] o = other.values;
                for (int i = 0; i < v.length; i++) {
                    v[i] += o[i];
                }
            }
        }
        loss += other.loss;
        count += other.count;
        return this;
    }

    public double[] values() {
        return values;
    }

    public double loss() {
        return loss;
    }

    public long count() {
        return count;
    }
}
