package dev.modelc.spark;

import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.api.TensorSpec;
import dev.modelc.runtime.data.DataBinding;
import dev.modelc.runtime.data.Dataset;
import dev.modelc.runtime.io.ArrayData;
import dev.modelc.runtime.kernels.Kernels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Training or evaluation data spread over a Spark cluster: one {@link Shard} per partition, partition {@code i}
 * holding the contiguous global record indices after those of partition {@code i - 1}, cached in executor memory.
 * Record {@code r} is the {@code r}-th record of the data set, as for the runtime's {@code Loader}.
 */
public final class TrainData implements AutoCloseable {
    /** Files read on this JVM, softly held: the partitions of one file on one executor read it once. */
    private static final Map<String, java.lang.ref.SoftReference<Dataset>> OPENED = new ConcurrentHashMap<>();

    private final JavaRDD<Shard> shards;
    private final int size;
    private final int[] starts;
    private final List<String> kernels;

    private TrainData(JavaRDD<Shard> shards) {
        this.shards = shards.persist(StorageLevel.MEMORY_ONLY());
        List<Tuple2<int[], String>> ranges = this.shards
                .map(s -> new Tuple2<>(new int[] {s.start, s.size}, Kernels.selectionReason()))
                .collect();
        starts = new int[ranges.size()];
        List<String> k = new ArrayList<>();
        int n = 0;
        for (int i = 0; i < ranges.size(); i++) {
            int[] r = ranges.get(i)._1();
            if (r[0] != n) {
                throw new IllegalStateException("partition " + i + " starts at record " + r[0] + ", not " + n);
            }
            starts[i] = n;
            n += r[1];
            k.add(ranges.get(i)._2());
        }
        size = n;
        kernels = List.copyOf(k);
    }

    /** Bound data on the driver, cut into {@code partitions} contiguous ranges and sent to the executors. */
    public static TrainData parallelize(JavaSparkContext sc, DataBinding binding, int partitions) {
        Map<String, ArrayData> arrays = binding.dataset().arrays();
        int n = binding.size();
        List<Shard> list = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            list.add(Shard.slice(arrays, n, (int) ((long) n * i / partitions), (int) ((long) n * (i + 1) / partitions)));
        }
        return new TrainData(sc.parallelize(list, partitions));
    }

    /**
     * Data read on the executors with the runtime's {@code Dataset.open} ({@code heldOut}: {@code openHeldOut})
     * from a path every node sees (a shared file system), bound to the model's inputs there and cut into
     * {@code partitions} contiguous ranges. An executor JVM reads the file once for all its partitions (the file's
     * arrays are held softly, for the garbage collector to reclaim once the shards are cached).
     */
    public static TrainData load(JavaSparkContext sc, String path, boolean heldOut, ModelClass model, int partitions) {
        List<Integer> parts = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            parts.add(i);
        }
        JavaRDD<Shard> rdd = sc.parallelize(parts, partitions).map(i -> {
            Dataset d = opened(path, heldOut);
            DataBinding b = d.bind(model.newInstance());
            int n = b.size();
            return Shard.slice(b.dataset().arrays(), n, (int) ((long) n * i / partitions), (int) ((long) n * (i + 1) / partitions));
        });
        return new TrainData(rdd);
    }

    /**
     * Records from Spark: each a map from model input name to one sample's values ({@code float[]}, {@code double[]},
     * {@code int[]}, or a {@code Number} for a one-value sample such as a label), converted to the input's dtype.
     * The RDD's order gives the record indices ({@code zipWithIndex}); its partitions become the shards.
     * A Spark SQL {@code Dataset<Row>} comes in as {@code df.javaRDD().map(row -> Map.of(...))}.
     */
    public static TrainData fromRecords(JavaRDD<Map<String, Object>> records, ModelClass model) {
        JavaRDD<Shard> rdd = records.zipWithIndex().mapPartitions(it -> {
            Model m = model.newInstance();
            List<Shard> one = new ArrayList<>();
            one.add(shardOf(m, it));
            return one.iterator();
        });
        return new TrainData(rdd);
    }

    private static Dataset opened(String path, boolean heldOut) throws IOException {
        String key = (heldOut ? "heldout:" : "train:") + path;
        synchronized (OPENED) {
            java.lang.ref.SoftReference<Dataset> ref = OPENED.get(key);
            Dataset d = ref == null ? null : ref.get();
            if (d == null) {
                d = heldOut ? Dataset.openHeldOut(Path.of(path)) : Dataset.open(Path.of(path));
                OPENED.put(key, new java.lang.ref.SoftReference<>(d));
            }
            return d;
        }
    }

    private static Shard shardOf(Model model, Iterator<Tuple2<Map<String, Object>, Long>> it) {
        List<TensorSpec> inputs = model.inputs();
        List<Map<String, Object>> rows = new ArrayList<>();
        long first = -1;
        while (it.hasNext()) {
            Tuple2<Map<String, Object>, Long> t = it.next();
            if (first < 0) {
                first = t._2();
            }
            rows.add(t._1());
        }
        int n = rows.size();
        Map<String, ArrayData> arrays = new LinkedHashMap<>();
        for (TensorSpec in : inputs) {
            int per = -1;
            double[] values = null;
            for (int r = 0; r < n; r++) {
                Object v = rows.get(r).get(in.name());
                if (v == null) {
                    throw new IllegalArgumentException("record " + (first + r) + " has no value for input " + in
                            + "; it has " + rows.get(r).keySet());
                }
                double[] d = toDoubles(v);
                if (per < 0) {
                    per = d.length;
                    values = new double[n * per];
                } else if (d.length != per) {
                    throw new IllegalArgumentException("record " + (first + r) + ": input " + in.name() + " has "
                            + d.length + " values, record " + first + " has " + per);
                }
                System.arraycopy(d, 0, values, r * per, per);
            }
            int[] shape = n == 0 ? new int[] {0} : new int[] {n, per};
            ArrayData a = new ArrayData(in.name(), "f64", shape, n == 0 ? new double[0] : values);
            arrays.put(in.name(), a.convertTo(in.dtype()));
        }
        Shard s = Shard.slice(arrays, n, 0, n);
        return new Shard((int) Math.max(first, 0), n, s.names, s.arrays, s.perSample);
    }

    private static double[] toDoubles(Object v) {
        if (v instanceof float[] f) {
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return d;
        }
        if (v instanceof double[] d) {
            return d;
        }
        if (v instanceof int[] a) {
            double[] d = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                d[i] = a[i];
            }
            return d;
        }
        if (v instanceof Number x) {
            return new double[] {x.doubleValue()};
        }
        if (v instanceof List<?> l) {
            double[] d = new double[l.size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = ((Number) l.get(i)).doubleValue();
            }
            return d;
        }
        throw new IllegalArgumentException("unsupported record value " + v.getClass().getName()
                + "; use float[], double[], int[], a List of numbers or a Number");
    }

    /** The cached shards, one per partition. */
    public JavaRDD<Shard> shards() {
        return shards;
    }

    /** Records in all partitions. */
    public int size() {
        return size;
    }

    public int partitions() {
        return starts.length;
    }

    /** The first global record index of each partition. */
    public int[] starts() {
        return starts.clone();
    }

    /**
     * The matrix kernel each partition's JVM chose when the data was cached ({@code Kernels.selectionReason()}):
     * partitions computed with different kernels (an executor with {@code --add-modules jdk.incubator.vector}, one
     * without) give gradients that differ in the last bits, so a rerun placed differently differs too.
     */
    public List<String> kernels() {
        return kernels;
    }

    /** Whether every partition's JVM uses the same matrix kernel. */
    public boolean uniformKernels() {
        return kernels.stream().distinct().count() <= 1;
    }

    /** Removes the cached shards from the executors. */
    @Override
    public void close() {
        shards.unpersist(false);
    }
}
