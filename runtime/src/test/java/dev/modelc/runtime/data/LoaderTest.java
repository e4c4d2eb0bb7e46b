package dev.modelc.runtime.data;

import static dev.modelc.runtime.io.TestModel.spec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.modelc.runtime.io.ArrayData;
import dev.modelc.runtime.io.TestModel;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoaderTest {
    /** Sample i has x = (i, 100 + i) and t = i. */
    static Dataset numbered(int n) throws DataException {
        float[] x = new float[2 * n];
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = 100 + i;
            t[i] = i;
        }
        return new Dataset("numbered", List.of(ArrayData.of("x", x, n, 2), ArrayData.of("t", t, n)));
    }

    @Test
    void sameSeedSameOrderOtherEpochOtherOrder() throws DataException {
        Loader a = new Loader(numbered(50), 8, 42);
        Loader b = new Loader(numbered(50), 8, 42);
        assertArrayEquals(a.order(0), b.order(0));
        assertArrayEquals(a.order(3), b.order(3));
        assertFalse(Arrays.equals(a.order(0), a.order(1)));
        assertFalse(Arrays.equals(a.order(0), new Loader(numbered(50), 8, 43).order(0)));
        int[] sorted = a.order(7);
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
    }

    @Test
    void permutationFollowsTheDocumentedAlgorithm() {
        int[] p = new int[4];
        Loader.permutation(1, 2, p);
        int[] q = {0, 1, 2, 3};
        dev.modelc.runtime.random.Rng r = new dev.modelc.runtime.random.Rng(
                new dev.modelc.runtime.random.Rng(3).nextLong());
        for (int i = 3; i > 0; i--) {
            long u = r.nextLong() >>> 32;
            int j = (int) (u * (i + 1) / (1L << 32));
            int s = q[i];
            q[i] = q[j];
            q[j] = s;
        }
        assertArrayEquals(q, p);
    }

    @Test
    void batchesCarryTheRowsOfTheirSamplesInOrder() throws DataException {
        Loader loader = new Loader(numbered(10), 4, 7);
        int[] order = loader.order(2);
        List<Integer> seen = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (Batch b : loader.epoch(2)) {
            sizes.add(b.size());
            float[] x = b.floats("x");
            int[] t = b.ints("t");
            assertEquals(2 * b.size(), x.length);
            assertEquals(b.size(), t.length);
            for (int s = 0; s < b.size(); s++) {
                assertEquals(order[b.index() * 4 + s], t[s]);
                assertEquals(t[s], b.sample(s), "the sample a row holds is its row of the data");
                assertEquals(t[s], x[2 * s]);
                assertEquals(100 + t[s], x[2 * s + 1]);
                seen.add(t[s]);
            }
        }
        assertEquals(List.of(4, 4, 2), sizes);
        Batch first = loader.epoch(2).iterator().next();
        assertEquals("array t of the batch is i32, read it with ints(), not f32",
                assertThrows(IllegalArgumentException.class, () -> first.floats("t")).getMessage());
        assertEquals("array x of the batch is f32, read it with floats(), not i32",
                assertThrows(IllegalArgumentException.class, () -> first.ints("x")).getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> first.sample(4));
        assertEquals(3, loader.batchCount());
        assertEquals(2, loader.batchSize(2));
        assertEquals(10, seen.stream().distinct().count());
    }

    @Test
    void dropLastAndUnshuffled() throws DataException {
        Loader loader = new Loader(numbered(10), 4, 7).dropLast(true).shuffle(false);
        List<Integer> sizes = new ArrayList<>();
        List<Integer> firsts = new ArrayList<>();
        for (Batch b : loader.epoch(0)) {
            sizes.add(b.size());
            firsts.add(b.ints("t")[0]);
        }
        assertEquals(List.of(4, 4), sizes);
        assertEquals(List.of(0, 4), firsts);
        assertEquals(8, loader.samplesPerEpoch());
        Loader small = new Loader(numbered(3), 8, 1);
        assertEquals(1, small.batchCount());
        assertEquals(3, small.epoch(0).iterator().next().size());
        assertEquals(0, new Loader(numbered(3), 8, 1).dropLast(true).batchCount());
    }

    @Test
    void aBatchSizeNearTheLargestIntStillGivesOnePartialBatch() throws DataException {
        for (int batch : new int[] {Integer.MAX_VALUE - 19, Integer.MAX_VALUE - 1, Integer.MAX_VALUE}) {
            Loader loader = new Loader(numbered(20), batch, 1);
            assertEquals(1, loader.batchCount(), "batch " + batch);
            assertEquals(20, loader.epoch(0).iterator().next().size(), "batch " + batch);
            assertEquals(0, new Loader(numbered(20), batch, 1).dropLast(true).batchCount(), "batch " + batch);
        }
    }

    @Test
    void bindToSetsInputsAndTheBatchSize() throws DataException {
        TestModel m = new TestModel(List.of(spec("x", "f32", "B", "2"), spec("t", "i32", "B")), List.of());
        Loader loader = new Loader(numbered(5).bind(m), 3, 0);
        for (Batch b : loader.epoch(0)) {
            b.bindTo(m);
            assertSame(b.array("x"), m.boundInputs.get("x"));
            assertSame(b.array("t"), m.boundInputs.get("t"));
            assertEquals(b.size(), m.boundSizes.get("B"));
        }
        assertEquals(2, m.boundSizes.get("B"));
        TestModel n = new TestModel(List.of(spec("x", "f32", "N", "2")), List.of());
        new Loader(numbered(5), 5, 0).epoch(0).iterator().next().bindTo(n);
        assertEquals(5, n.boundSizes.get("N"));
        assertTrue(!n.boundInputs.containsKey("t"));
    }

    /** After the first epoch, iterating allocates the iterator only, however many batches there are. */
    @Test
    void batchesAllocateNothing() throws DataException {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        Loader loader = new Loader(numbered(1003), 5, 9);
        assertEquals(201, loader.batchCount());
        long deadline = System.nanoTime() + 10_000_000_000L;
        long allocated = -1;
        long checksum = 0;
        for (int epoch = 0; System.nanoTime() < deadline; epoch++) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (Batch b : loader.epoch(epoch)) {
                checksum += b.ints("t")[0] + b.size();
            }
            allocated = threads.getThreadAllocatedBytes(thread) - before;
            if (allocated <= 128) {
                break;
            }
        }
        if (allocated > 128) {
            fail("an epoch of 201 batches allocated " + allocated + " bytes");
        }
        assertTrue(checksum > 0);
    }
}
