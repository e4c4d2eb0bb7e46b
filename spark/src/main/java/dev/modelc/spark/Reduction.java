package dev.modelc.spark;

import dev.modelc.runtime.api.CompiledModel;
import dev.modelc.runtime.api.Model;

/**
 * How the model's objective reduces over the batch. The combined gradient of a global batch of {@code B} records
 * split into shards of {@code b_i} records is {@code sum_i w_i g_i}, with {@code g_i} the gradient of the shard's
 * own objective and
 *
 * <ul>
 *   <li>{@link #MEAN} ({@code cross_entropy}, {@code mse} and every loss that averages over the batch):
 *       {@code L = (1/B) sum_j l_j = sum_i (b_i/B) (1/b_i) sum_{j in i} l_j = sum_i (b_i/B) L_i}, so {@code w_i = b_i/B};
 *   <li>{@link #SUM} (a loss that sums over the batch): {@code L = sum_i L_i}, so {@code w_i = 1}.
 * </ul>
 *
 * The loss reported for a step is combined with the same weights.
 */
public enum Reduction {
    MEAN,
    SUM;

    /**
     * The reduction the compiler found in {@code model}'s objective ({@code CompiledModel.batchSplit()}): {@link #SUM}
     * for a sum over the rows, {@link #MEAN} for a mean, or for a model it could not classify (rows that mix, an
     * objective of another form), where the caller must know.
     */
    public static Reduction of(Model model) {
        if (model instanceof CompiledModel c && c.batchSplit().splits() && !c.batchSplit().mean()) {
            return SUM;
        }
        return MEAN;
    }

    /**
     * Throws {@link IllegalArgumentException} when the compiler classified {@code model}'s objective as the other
     * reduction: shards weighed as a mean for a sum (or the reverse) would give a gradient off by a factor.
     */
    static void check(Model model, Reduction configured) {
        Reduction own = of(model);
        if (model instanceof CompiledModel c && c.batchSplit().splits() && own != configured) {
            throw new IllegalArgumentException("model " + model.name() + ": its objective is a "
                    + own.name().toLowerCase(java.util.Locale.ROOT) + " over the rows of the batch, but the shards "
                    + "would be weighed as for a " + configured.name().toLowerCase(java.util.Locale.ROOT)
                    + "; set Config.withReduction(Reduction." + own + ") (--reduction "
                    + own.name().toLowerCase(java.util.Locale.ROOT) + "), or leave it to Reduction.of(model)");
        }
    }

    /** The weight of a shard of {@code shardSize} records in a global batch of {@code batchSize}. */
    public double weight(int shardSize, int batchSize) {
        return this == MEAN ? (double) shardSize / batchSize : 1.0;
    }
}
