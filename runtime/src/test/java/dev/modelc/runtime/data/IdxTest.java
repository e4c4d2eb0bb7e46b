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
        Files.write(file, gzip ? gzip(idx(magic, dims, data)) : idx(magic, dims, data));
    }

    /** An IDX file's bytes: the magic, the dimensions, the data. */
    static byte[] idx(int magic, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(data);
        return bytes.toByteArray();
    }

    /** {@code content} as one gzip member, as {@link GZIPOutputStream} writes it (no optional header fields). */
    static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content);
        }
        return bytes.toByteArray();
    }

    /**
     * {@code content} as one gzip member whose header has every optional field, as other tools may write them: an
     * extra field, a file name, a comment and the header's CRC.
     */
    static byte[] gzipWithEveryHeaderField(byte[] content) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.write(new byte[] {0x1f, (byte) 0x8b, 8, 4 | 8 | 16 | 2, 1, 2, 3, 4, 0, 3});
        header.write(new byte[] {4, 0, 'a', 'b', 2, 0});
        header.write("train-images-idx3-ubyte\0a comment\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(header.toByteArray());
        header.write((int) crc.getValue() & 0xFF);
        header.write((int) crc.getValue() >> 8 & 0xFF);
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(9, true);
        ByteArrayOutputStream member = new ByteArrayOutputStream();
        try (OutputStream out = new java.util.zip.DeflaterOutputStream(member, deflater)) {
            out.write(content);
        }
        deflater.end();
        crc.reset();
        crc.update(content);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(header.toByteArray());
        all.write(member.toByteArray());
        for (long word : new long[] {crc.getValue(), content.length}) {
            for (int i = 0; i < 4; i++) {
                all.write((int) (word >> (8 * i)) & 0xFF);
            }
        }
        return all.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
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

    /**
     * Bytes after a gzip file's last member are refused as bytes after a plain file's data are, whatever they are:
     * GZIPInputStream ignored a few without looking and more that did not form a gzip header.
     */
    @Test
    void bytesAfterTheGzipDataAreRefused() throws IOException {
        Path gz = dir.resolve("train-images-idx3-ubyte.gz");
        byte[] whole = gzip(idx(0x803, new int[] {5, 2, 3}, new byte[30]));
        int n = whole.length;
        Files.write(gz, concat(whole, "garbage".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        DataException e = assertThrows(DataException.class, () -> Idx.read(gz, "images"));
        assertEquals(gz + ": 7 bytes after the end of the gzip data (compressed byte " + n + " of " + (n + 7) + ") do "
                + "not start another gzip member: they start 67 61 72 62, not 1f 8b", e.getMessage());
        Files.write(gz, concat(whole, new byte[1]));
        e = assertThrows(DataException.class, () -> Idx.read(gz, "images"));
        assertEquals(gz + ": 1 byte after the end of the gzip data (compressed byte " + n + " of " + (n + 1) + ") does "
                + "not start another gzip member: it is 00, not 1f 8b", e.getMessage());
        byte[] noise = new byte[5000];
        new java.util.Random(2).nextBytes(noise);
        noise[0] = 0x1f;
        Files.write(gz, concat(whole, noise));
        e = assertThrows(DataException.class, () -> Idx.read(gz, "images"));
        assertTrue(e.getMessage().startsWith(gz + ": 5000 bytes after the end of the gzip data (compressed byte " + n
                + " of " + (n + 5000) + ") do not start another gzip member: they start 1f "), e.getMessage());
        // the start of a second member, cut short: a truncated file
        Files.write(gz, concat(whole, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0}));
        e = assertThrows(DataException.class, () -> Idx.read(gz, "images"));
        assertEquals(gz + ": truncated or corrupt gzip file: the compressed data ends early (the header of member 2 at "
                + "compressed byte " + n + " is cut short)", e.getMessage());
        // a second member's header followed by what is not deflate data
        Files.write(gz, concat(whole, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, (byte) 0xff, 1, 2, 3}));
        e = assertThrows(DataException.class, () -> Idx.read(gz, "images"));
        assertTrue(e.getMessage().startsWith(gz + ": corrupt gzip data: invalid block type (member 2, near compressed "
                + "byte "), e.getMessage());
    }

    /**
     * A gzip file of several members (cat a.gz b.gz) is read as their contents one after another, as gunzip reads
     * it; the content must still be exactly as long as the IDX header says.
     */
    @Test
    void gzipMembersAreReadOneAfterAnother() throws IOException {
        writeTiny(dir, "train", false);
        Path plain = dir.resolve("train-images-idx3-ubyte");
        ArrayData expected = Idx.read(plain, "images");
        byte[] content = Files.readAllBytes(plain);
        Path gz = dir.resolve("images.gz");
        Files.write(gz, concat(gzip(java.util.Arrays.copyOf(content, 5)), gzip(new byte[0]),
                gzipWithEveryHeaderField(java.util.Arrays.copyOfRange(content, 5, 40)),
                gzip(java.util.Arrays.copyOfRange(content, 40, content.length))));
        ArrayData x = Idx.read(gz, "images");
        assertArrayEquals(expected.shape(), x.shape());
        assertArrayEquals(expected.floats(), x.floats());

        Files.write(gz, concat(gzip(content), gzip(content)));
        DataException e = assertThrows(DataException.class, () -> Idx.read(gz, "images"));
        assertEquals(gz + ": 46 bytes more than the 30 bytes of data its header declares (images, magic 0x00000803, "
                + "dimensions [5, 2, 3])", e.getMessage());
        Files.write(gz, concat(gzip(java.util.Arrays.copyOf(content, 31)), gzip(new byte[0])));
        e = assertThrows(DataException.class, () -> Idx.read(gz, "images"));
        assertEquals(gz + ": truncated: dimensions [5, 2, 3] need 30 bytes of data, the file has 15", e.getMessage());
    }

    /** Damaged members are refused with the member and the compressed byte where it is. */
    @Test
    void corruptGzipMembersSayWhere() throws IOException {
        Path gz = dir.resolve("train-labels-idx1-ubyte.gz");
        byte[] one = gzip(idx(0x801, new int[] {3}, new byte[] {1, 2, 3}));
        byte[] two = concat(one, one);
        two[two.length - 8] ^= 1;                       // the second member's CRC-32
        Files.write(gz, two);
        DataException e = assertThrows(DataException.class, () -> Idx.read(gz, "labels"));
        assertTrue(e.getMessage().startsWith(gz + ": corrupt gzip data: member 2's trailer (at compressed byte "
                + (two.length - 8) + ") records CRC-32 "), e.getMessage());
        two = concat(one, one);
        two[two.length - 4] ^= 1;                       // the second member's size
        Files.write(gz, two);
        e = assertThrows(DataException.class, () -> Idx.read(gz, "labels"));
        assertEquals(gz + ": corrupt gzip data: member 2's trailer (at compressed byte " + (two.length - 8) + ") "
                + "records 10 bytes (mod 2^32), its data has 11", e.getMessage());
        two = concat(one, one);
        two[one.length + 2] = 7;                        // the second member's compression method
        Files.write(gz, two);
        e = assertThrows(DataException.class, () -> Idx.read(gz, "labels"));
        assertEquals(gz + ": corrupt gzip data: member 2 (at compressed byte " + one.length + ") has compression "
                + "method 7, not 8 (deflate)", e.getMessage());
        byte[] hcrc = gzipWithEveryHeaderField(idx(0x801, new int[] {3}, new byte[] {1, 2, 3}));
        hcrc[10 + 6 + 24 + 10] ^= 1;                    // the header's CRC-16, after the extra field, name, comment
        Files.write(gz, hcrc);
        e = assertThrows(DataException.class, () -> Idx.read(gz, "labels"));
        assertTrue(e.getMessage().startsWith(gz + ": corrupt gzip data: member 1 (at compressed byte 0) has a header "
                + "CRC of "), e.getMessage());
    }

    /** A plain file beside a gzip of several members with the same content: the sizes agree, a note as usual. */
    @Test
    void aGzipOfSeveralMembersBesideItsPlainFileIsCountedWhole() throws IOException {
        writeTiny(dir, "train", false);
        for (String name : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte")) {
            byte[] content = Files.readAllBytes(dir.resolve(name));
            Files.write(dir.resolve(name + ".gz"), concat(gzip(java.util.Arrays.copyOf(content, 7)),
                    gzip(java.util.Arrays.copyOfRange(content, 7, content.length))));
        }
        Dataset d = Dataset.open(dir);
        assertEquals(2, d.notes().size());
        assertEquals(5, d.size());
        Path gz = dir.resolve("train-labels-idx1-ubyte.gz");
        Files.write(gz, concat(Files.readAllBytes(gz), new byte[] {0, 0}));
        DataException e = assertThrows(DataException.class, () -> Dataset.open(dir));
        assertTrue(e.getMessage().startsWith(gz + ": 2 bytes after the end of the gzip data"), e.getMessage());
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
