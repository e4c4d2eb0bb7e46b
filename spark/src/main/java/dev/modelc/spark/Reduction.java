package dev.modelc.spark;

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

    /** The weight of a shard of {@code shardSize} records in a global batch of {@code batchSize}. */
    public double weight(int shardSize, int batchSize) {
        return this == MEAN ? (double) shardSize / batchSize : 1.0;
    }
}
