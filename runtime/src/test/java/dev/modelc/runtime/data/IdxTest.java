package dev.modelc.runtime.data;

import static dev.modelc.runtime.io.TestModel.spec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.modelc.runtime.io.ArrayData;
import dev.modelc.runtime.io.TestModel;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    /** Five 2x3 images whose pixel k of image i is 10 i + k (the last one 255), and labels i % 3. */
    static void writeTiny(Path dir, String prefix, boolean gzip) throws IOException {
        byte[] pixels = new byte[5 * 6];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (10 * (i / 6) + i % 6);
        }
        pixels[29] = (byte) 255;
        byte[] labels = {0, 1, 2, 0, 1};
        write(dir.resolve(prefix + "-images-idx3-ubyte" + (gzip ? ".gz" : "")), 0x803, new int[] {5, 2, 3}, pixels,
                gzip);
        write(dir.resolve(prefix + "-labels-idx1-ubyte" + (gzip ? ".gz" : "")), 0x801, new int[] {5}, labels, gzip);
    }

    static void write(Path file, int magic, int[] dims, byte[] data, boolean gzip) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(data);
        try (OutputStream f = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            f.write(bytes.toByteArray());
        }
    }

    @Test
    void readsPlainAndGzippedDirectories() throws IOException {
        writeTiny(dir, "train", false);
        writeTiny(dir, "t10k", true);
        for (Dataset d : List.of(Dataset.open(dir), Dataset.openHeldOut(dir))) {
            assertEquals(5, d.size());
            ArrayData x = d.array("images");
            assertEquals("f32", x.dtype());
            assertArrayEquals(new int[] {5, 1, 2, 3}, x.shape());
            assertEquals(13 / 255f, x.floats()[9]);
            assertEquals(1f, x.floats()[29]);
            assertArrayEquals(new int[] {0, 1, 2, 0, 1}, d.array("labels").ints());
        }
    }

    /** After gunzip -k both files are there: the plain one is read, with a note; files that differ are an error. */
    @Test
    void aPlainFileBesideItsGzipIsReadWithANote() throws IOException {
        writeTiny(dir, "train", true);
        assertEquals(List.of(), Dataset.open(dir).notes());
        writeTiny(dir, "train", false);
        Dataset d = Dataset.open(dir);
        assertEquals(List.of(dir + ": using train-images-idx3-ubyte, not train-images-idx3-ubyte.gz beside it (both "
                + "are there; the plain file is read)", dir + ": using train-labels-idx1-ubyte, not "
                + "train-labels-idx1-ubyte.gz beside it (both are there; the plain file is read)"), d.notes());
        assertEquals(5, d.size());
        assertEquals(d.notes(), d.slice(0, 2).notes());

        write(dir.resolve("train-labels-idx1-ubyte"), 0x801, new int[] {4}, new byte[] {0, 1, 2, 0}, false);
        DataException e = assertThrows(DataException.class, () -> Dataset.open(dir));
        assertEquals(dir + ": both train-labels-idx1-ubyte (12 bytes) and train-labels-idx1-ubyte.gz (13 bytes "
                + "uncompressed) are there, and they hold different data; remove the one not meant (the plain file "
                + "is read when both agree)", e.getMessage());
    }

    @Test
    void emptyDirectorySaysWhatItLookedFor() {
        DataException e = assertThrows(DataException.class, () -> Dataset.open(dir));
        assertTrue(e.getMessage().startsWith(dir + ": no training dataset found; looked for "
                + "train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]"), e.getMessage());
    }

    @Test
    void truncatedAndForeignFiles() throws IOException {
        Path images = dir.resolve("train-images-idx3-ubyte");
        write(images, 0x803, new int[] {5, 2, 3}, new byte[29], false);
        DataException e = assertThrows(DataException.class, () -> Idx.read(images, "images"));
        assertEquals(images + ": truncated: dimensions [5, 2, 3] need 30 bytes of data, the file has 29",
                e.getMessage());
        write(images, 0x803, new int[] {5, 2, 3}, new byte[31], true);
        e = assertThrows(DataException.class, () -> Idx.read(images, "images"));
        assertEquals(images + ": 1 byte more than the 30 bytes of data its header declares (images, magic 0x00000803, "
                + "dimensions [5, 2, 3])", e.getMessage());
        write(images, 0x801, new int[] {5}, new byte[30], false);   // an images file under a labels header
        e = assertThrows(DataException.class, () -> Idx.read(images, "images"));
        assertEquals(images + ": 25 bytes more than the 5 bytes of data its header declares (labels, magic 0x00000801, "
                + "dimensions [5])", e.getMessage());
        // a .gz file cut short: the file is named, not its directory, and said to be truncated
        Path gz = dir.resolve("train-images-idx3-ubyte.gz");
        byte[] noise = new byte[3000];
        new java.util.Random(1).nextBytes(noise);
        write(gz, 0x803, new int[] {100, 5, 6}, noise, true);
        byte[] whole = Files.readAllBytes(gz);
        Files.write(gz, java.util.Arrays.copyOf(whole, whole.length / 2));
        e = assertThrows(DataException.class, () -> Idx.read(gz, "images"));
        assertTrue(e.getMessage().startsWith(gz + ": truncated or corrupt gzip file: the compressed data ends early"),
                e.getMessage());
        write(images, 0x0D03, new int[] {1, 1, 1}, new byte[4], false);
        e = assertThrows(DataException.class, () -> Idx.read(images, "images"));
        assertTrue(e.getMessage().contains("magic 0x00000d03"), e.getMessage());
    }

    @Test
    void imagesAndLabelsBindToDifferentlyNamedInputsByKind() throws IOException {
        writeTiny(dir, "train", true);
        TestModel cnn = new TestModel(List.of(spec("x", "f32", "B", "1", "2", "3"), spec("t", "i32", "B")), List.of());
        DataBinding b = Dataset.open(dir).bind(cnn);
        assertEquals("B", b.batchSymbol());
        assertEquals("images", b.arrayOfInput().get("x"));
        assertEquals("labels", b.arrayOfInput().get("t"));
        TestModel mlp = new TestModel(List.of(spec("x", "f32", "N", "6"), spec("t", "i32", "N")), List.of());
        assertArrayEquals(new int[] {5, 6}, Dataset.open(dir).bind(mlp).dataset().array("x").shape());
        TestModel wrong = new TestModel(List.of(spec("x", "f32", "B", "784"), spec("t", "i32", "B")), List.of());
        DataException e = assertThrows(DataException.class, () -> Dataset.open(dir).bind(wrong));
        assertEquals(dir + ": input x expects f32[B, 784], that is 784 values per sample, but the data has images "
                + "f32[5, 1, 2, 3] from train-images-idx3-ubyte.gz (6 values per sample)", e.getMessage());
    }

    /** The real Fashion-MNIST test split, when Debian's dataset-fashion-mnist is installed. */
    @Test
    void fashionMnistWhenInstalled() throws IOException {
        Path fashion = Path.of("/usr/share/datasets/fashion-mnist");
        assumeTrue(Files.isRegularFile(fashion.resolve("t10k-images-idx3-ubyte.gz")), "Fashion-MNIST not installed");
        Dataset test = Dataset.openHeldOut(fashion);
        assertEquals(10_000, test.size());
        assertArrayEquals(new int[] {10_000, 1, 28, 28}, test.array("images").shape());
        int[] counts = new int[10];
        for (int label : test.array("labels").ints()) {
            counts[label]++;
        }
        assertArrayEquals(new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, counts);
    }

    /** A 16-byte file claiming one 40000 x 40000 image is truncated, found without allocating 1.6 GB for them. */
    @Test
    void hugeDimensionsInATinyFileAllocateOnlyWhatTheFileHolds() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x00000803);
        out.writeInt(1);
        out.writeInt(40000);
        out.writeInt(40000);
        out.write(new byte[100]);
        Path f = Files.write(dir.resolve("huge-idx3-ubyte"), bytes.toByteArray());
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        DataException e = assertThrows(DataException.class, () -> Idx.read(f, "images"));
        long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(allocated < 64L << 20, allocated + " bytes allocated");
    }
}
