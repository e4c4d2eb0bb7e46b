package dev.modelc.runtime.data;

import dev.modelc.runtime.io.ArrayData;
import dev.modelc.runtime.random.Rng;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Cuts a {@link Dataset} into batches, epoch after epoch, as {@code torch.utils.data.DataLoader} with
 * {@code shuffle=True}, {@code batch_size} and {@code drop_last}, but reproducible from a seed and without
 * allocating per batch.
 *
 * <pre>
 *   Loader loader = new Loader(data.bind(model), 64, 42).dropLast(false);
 *   for (int e = 0; e &lt; epochs; e++) {
 *       for (Batch b : loader.epoch(e)) {
 *           b.bindTo(model);
 *           meanLoss.add(model.trainStep(), b.size());
 *       }
 *   }
 * </pre>
 *
 * <p><b>Order.</b> Epoch {@code e} visits the samples in a permutation that depends only on (seed, e): with
 * {@code r = new Rng(new Rng(seed + e).nextLong())} ({@link Rng}, SplitMix64), start from the identity and for
 * {@code i = n-1} down to 1 swap positions {@code i} and {@code j = ((r.nextLong() >>> 32) * (i + 1)) >>> 32}
 * (Fisher-Yates with a 32-bit multiply-shift draw). With {@link #shuffle(boolean) shuffle(false)} the order is
 * 0..n-1 every epoch (for evaluation).
 *
 * <p><b>Batches.</b> {@code ceil(n / batchSize)} batches, the last one partial when {@code batchSize} does not
 * divide {@code n}; with {@link #dropLast(boolean) dropLast(true)}, {@code floor(n / batchSize)} full ones.
 *
 * <p><b>Memory.</b> The batch arrays are allocated on the first {@link #epoch} call, once at the batch size and,
 * when there is a partial last batch, once at its exact size (generated models check array lengths against the
 * batch size). Afterwards an epoch allocates only its iterator; each batch's rows are copied into the same arrays.
 */
public final class Loader {
    private final Dataset data;
    private final String batchSymbol;
    private final int batchSize;
    private final long seed;
    private boolean dropLast;
    private boolean shuffle = true;
    private int[] order;
    private Batch full;
    private Batch last;
    private int[] valuesPerSample;
    private Object[] sources;

    /** Batches of {@code data}, shuffled from {@code seed}; the batch size is bound by the inputs' first dims. */
    public Loader(Dataset data, int batchSize, long seed) {
        this(data, null, batchSize, seed);
    }

    /** Batches of a binding's data; {@link Batch#bindTo} sets the binding's batch symbol. */
    public Loader(DataBinding binding, int batchSize, long seed) {
        this(binding.dataset(), binding.batchSymbol(), batchSize, seed);
    }

    private Loader(Dataset data, String batchSymbol, int batchSize, long seed) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.data = data;
        this.batchSymbol = batchSymbol;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /** Whether to drop a last batch smaller than the batch size (default false). */
    public Loader dropLast(boolean drop) {
        this.dropLast = drop;
        this.full = null;
        return this;
    }

    /** Whether to shuffle each epoch (default true); unshuffled batches take the samples in order. */
    public Loader shuffle(boolean on) {
        this.shuffle = on;
        return this;
    }

    public Dataset dataset() {
        return data;
    }

    public int batchSize() {
        return batchSize;
    }

    /** The number of batches per epoch. */
    public int batchCount() {
        int n = data.size();
        return n / batchSize + (dropLast || n % batchSize == 0 ? 0 : 1); // n + batchSize - 1 could overflow
    }

    /** The size of batch {@code index} of an epoch. */
    public int batchSize(int index) {
        if (index < 0 || index >= batchCount()) {
            throw new IndexOutOfBoundsException("batch " + index + " of " + batchCount());
        }
        return Math.min(batchSize, data.size() - index * batchSize);
    }

    /** The number of samples an epoch visits. */
    public int samplesPerEpoch() {
        return dropLast ? batchCount() * batchSize : data.size();
    }

    /** The order in which epoch {@code epoch} visits the samples (a new array). */
    public int[] order(int epoch) {
        int[] out = new int[data.size()];
        fillOrder(epoch, out);
        return out;
    }

    /** Writes the permutation of (seed, epoch) into {@code out}, as the class comment specifies. */
    public static void permutation(long seed, int epoch, int[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = i;
        }
        Rng r = new Rng(new Rng(seed + epoch).nextLong());
        for (int i = out.length - 1; i > 0; i--) {
            int j = (int) (((r.nextLong() >>> 32) * (i + 1)) >>> 32);
            int t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
    }

    private void fillOrder(int epoch, int[] out) {
        if (shuffle) {
            permutation(seed, epoch, out);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = i;
            }
        }
    }

    /** The batches of epoch {@code epoch}; the returned batches share arrays (see {@link Batch}). */
    public Iterable<Batch> epoch(int epoch) {
        prepare();
        return () -> new Batches(epoch);
    }

    private void prepare() {
        if (full != null) {
            return;
        }
        int n = data.size();
        order = new int[n];
        int arrays = data.arrays().size();
        String[] names = data.arrays().keySet().toArray(new String[0]);
        sources = new Object[arrays];
        valuesPerSample = new int[arrays];
        int k = 0;
        for (ArrayData a : data.arrays().values()) {
            sources[k] = a.data();
            valuesPerSample[k] = n == 0 ? 0 : a.length() / n;
            k++;
        }
        int fullSize = Math.min(batchSize, n);
        full = newBatch(names, fullSize);
        int rest = n % batchSize;
        last = !dropLast && rest != 0 && n > batchSize ? newBatch(names, rest) : full;
    }

    private Batch newBatch(String[] names, int size) {
        Object[] arrays = new Object[names.length];
        for (int i = 0; i < names.length; i++) {
            arrays[i] = ArrayData.newArray(ArrayData.dtypeOf(sources[i]), size * valuesPerSample[i]);
        }
        return new Batch(names, arrays, batchSymbol, size);
    }

    private final class Batches implements Iterator<Batch> {
        private final int epoch;
        private final int count = batchCount();
        private int next;

        Batches(int epoch) {
            this.epoch = epoch;
            fillOrder(epoch, order);
        }

        @Override
        public boolean hasNext() {
            return next < count;
        }

        @Override
        public Batch next() {
            if (next >= count) {
                throw new NoSuchElementException();
            }
            int start = next * batchSize;
            int size = Math.min(batchSize, data.size() - start);
            Batch b = size == full.size() ? full : last;
            for (int a = 0; a < sources.length; a++) {
                int per = valuesPerSample[a];
                Object to = b.arrayAt(a);
                for (int s = 0; s < size; s++) {
                    System.arraycopy(sources[a], order[start + s] * per, to, s * per, per);
                }
            }
            b.position(epoch, next, order, start);
            next++;
            return b;
        }
    }
}
