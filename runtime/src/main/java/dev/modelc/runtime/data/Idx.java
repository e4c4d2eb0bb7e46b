package dev.modelc.runtime.data;

import dev.modelc.runtime.io.ArrayData;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST, gzipped or not (detected by the gzip magic bytes
 * {@code 1f 8b}, not by the file name). A file is a big-endian magic number whose third byte is the element type
 * and fourth the number of dimensions, then the big-endian u32 dimensions, then the elements.
 * Two kinds are read, as torchvision reads them:
 * <ul>
 *   <li>images, magic {@code 0x00000803} (unsigned bytes, 3 dimensions n, rows, cols), become
 *       {@code f32[n, 1, rows, cols]} with values {@code x / 255f} in [0, 1], as {@code ToTensor} makes them;
 *   <li>labels, magic {@code 0x00000801} (unsigned bytes, 1 dimension n), become {@code i32[n]}.
 * </ul>
 * The data must be exactly as long as the dimensions say: a truncated file or trailing bytes are errors. A gzipped
 * file is held to the same ({@link GzipContent}): the content of its members, one after another if there are
 * several (as {@code cat a.gz b.gz} makes them), is the data, and bytes after the last member are an error too.
 *
 * <p>In a directory, a file may be there plain, gzipped ({@code .gz}) or both (after {@code gunzip -k}); with both,
 * the plain file is read, as torchvision reads the uncompressed files, and the dataset carries a note naming the
 * file used and the one ignored ({@link Dataset#notes}), or, when their sizes show they differ, it is an error.
 */
public final class Idx {
    public static final int IMAGES_MAGIC = 0x00000803;
    public static final int LABELS_MAGIC = 0x00000801;

    /** The file names {@link #directory} looks for, plain or with {@code .gz}. */
    public static final List<String> TRAIN = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte");
    public static final List<String> HELD_OUT = List.of("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    private Idx() {}

    /**
     * The training pair of an MNIST-style directory, or with {@code heldOut} the {@code t10k} pair, as a dataset of
     * {@code images} and {@code labels}.
     */
    public static Dataset directory(Path dir, boolean heldOut) throws IOException {
        List<String> names = heldOut ? HELD_OUT : TRAIN;
        Path images = find(dir, names.get(0));
        Path labels = find(dir, names.get(1));
        if (images == null || labels == null) {
            throw new DataException(dir + ": no " + (heldOut ? "held-out" : "training") + " dataset found; looked "
                    + "for " + names.get(0) + "[.gz] and " + names.get(1) + "[.gz] (IDX, as MNIST), or pass a "
                    + ".csv, .npz, .npy or .safetensors file");
        }
        List<String> notes = new java.util.ArrayList<>();
        for (Path p : List.of(images, labels)) {
            String note = besideItsGzip(p);
            if (note != null) {
                notes.add(dir + ": " + note);
            }
        }
        return pair(images, labels, dir.toString()).withNotes(notes);
    }

    /**
     * When both {@code NAME} and {@code NAME.gz} exist (after {@code gunzip -k}), {@link #find} takes the plain
     * file, as torchvision reads the uncompressed files: a note saying so, or null when there is no {@code .gz}. If
     * the two cannot hold the same data (the gzip file's content has another size than the plain file), an error:
     * which one the user meant is unknown. The size the gzip trailer records (ISIZE) is compared first; only when it
     * differs is the gzip file decompressed to count its content, since a file of several members records in its
     * last trailer the size of the last member alone.
     */
    private static String besideItsGzip(Path plain) throws IOException {
        Path gz = plain.resolveSibling(plain.getFileName() + ".gz");
        if (!Files.isRegularFile(gz) || plain.getFileName().toString().endsWith(".gz")) {
            return null;
        }
        long size = Files.size(plain);
        long gzSize = Files.size(gz);
        if (gzSize >= 18) {
            byte[] trailer = new byte[4];
            try (java.nio.channels.SeekableByteChannel c = Files.newByteChannel(gz)) {
                c.position(gzSize - 4);
                c.read(java.nio.ByteBuffer.wrap(trailer));
            }
            long isize = (trailer[0] & 0xFFL) | (trailer[1] & 0xFFL) << 8 | (trailer[2] & 0xFFL) << 16
                    | (trailer[3] & 0xFFL) << 24;
            long gzContent = isize == (size & 0xFFFFFFFFL) ? size : contentSize(gz);
            if (gzContent != size) {
                throw new DataException(plain.getParent() + ": both " + plain.getFileName() + " (" + size
                        + " bytes) and " + gz.getFileName() + " (" + gzContent + " bytes uncompressed) are there, and "
                        + "they hold different data; remove the one not meant (the plain file is read when both "
                        + "agree)");
            }
        }
        return "using " + plain.getFileName() + ", not " + gz.getFileName() + " beside it (both are there; the "
                + "plain file is read)";
    }

    /**
     * The size of a gzip file's content, decompressed to count it: for a file of several members, whose last
     * trailer records only the last member's size, or one that is damaged (then the error says how).
     */
    private static long contentSize(Path gz) throws IOException {
        try (InputStream content = new GzipContent(new BufferedInputStream(Files.newInputStream(gz), 1 << 16), gz)) {
            return content.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    /** An images file and a labels file with the same number of samples. */
    public static Dataset pair(Path images, Path labels, String source) throws IOException {
        ArrayData x = read(images, "images");
        ArrayData t = read(labels, "labels");
        if (x.rank() != 4 || t.rank() != 1) {
            throw new DataException(source + ": expected an images file (magic 0x00000803) and a labels file "
                    + "(magic 0x00000801), got " + x.typeText() + " and " + t.typeText());
        }
        if (x.dim(0) != t.dim(0)) {
            throw new DataException(source + ": " + images.getFileName() + " has " + x.dim(0) + " images but "
                    + labels.getFileName() + " has " + t.dim(0) + " labels");
        }
        return new Dataset(source, List.of(x, t), java.util.Map.of(
                "images", "images " + x.typeText() + " from " + images.getFileName(),
                "labels", "labels " + t.typeText() + " from " + labels.getFileName()));
    }

    /** One IDX file: images as {@code f32[n, 1, rows, cols]} in [0, 1], labels as {@code i32[n]}. */
    public static ArrayData read(Path file, String name) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            if (!gzip) {
                return read(new DataInputStream(raw), file, name);
            }
            try (InputStream content = new GzipContent(raw, file)) {
                return read(new DataInputStream(new BufferedInputStream(content, 1 << 16)), file, name);
            }
        }
    }

    private static ArrayData read(DataInputStream in, Path file, String name) throws IOException {
        int magic;
        int[] dims;
        try {
            magic = in.readInt();
            if (magic != IMAGES_MAGIC && magic != LABELS_MAGIC) {
                throw new DataException(file + ": not an IDX images (0x00000803) or labels (0x00000801) file: magic "
                        + String.format("0x%08x", magic));
            }
            dims = new int[magic & 0xFF];
            for (int d = 0; d < dims.length; d++) {
                dims[d] = in.readInt();
                if (dims[d] < 0) {
                    throw new DataException(file + ": dimension " + d + " is " + Integer.toUnsignedString(dims[d])
                            + ", too large");
                }
            }
        } catch (EOFException e) {
            throw new DataException(file + ": truncated IDX header");
        }
        long count;
        try {
            count = ArrayData.elementCount(dims);
        } catch (IllegalArgumentException e) {
            throw new DataException(file + ": " + e.getMessage());
        }
        // readNBytes grows its buffer as bytes arrive: a short file claiming huge dimensions allocates only what
        // it holds before it is reported as truncated.
        byte[] bytes = in.readNBytes((int) count);
        int got = bytes.length;
        if (got < count) {
            throw new DataException(file + ": truncated: dimensions " + ArrayData.shapeText(dims) + " need " + count
                    + " bytes of data, the file has " + got);
        }
        if (in.read() >= 0) {
            long extra = 1 + in.transferTo(java.io.OutputStream.nullOutputStream());
            throw new DataException(file + ": " + extra + (extra == 1 ? " byte" : " bytes") + " more than the " + count
                    + " bytes of data its header declares (" + (magic == IMAGES_MAGIC ? "images" : "labels")
                    + String.format(", magic 0x%08x", magic) + ", dimensions " + ArrayData.shapeText(dims) + ")");
        }
        if (magic == LABELS_MAGIC) {
            int[] labels = new int[bytes.length];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = bytes[i] & 0xFF;
            }
            return ArrayData.of(name, labels, dims);
        }
        float[] pixels = new float[bytes.length];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (bytes[i] & 0xFF) / 255f;
        }
        return ArrayData.of(name, pixels, dims[0], 1, dims[1], dims[2]);
    }

    /** True when {@code dir} holds the training pair, or with {@code heldOut} the {@code t10k} pair. */
    public static boolean hasPair(Path dir, boolean heldOut) {
        List<String> names = heldOut ? HELD_OUT : TRAIN;
        return Files.isDirectory(dir) && find(dir, names.get(0)) != null && find(dir, names.get(1)) != null;
    }

    /** Every file of both pairs that {@code dir} holds, plain and gzipped: the data a run over it may read. */
    public static List<Path> files(Path dir) {
        List<Path> files = new java.util.ArrayList<>();
        for (String name : java.util.stream.Stream.concat(TRAIN.stream(), HELD_OUT.stream()).toList()) {
            for (String candidate : variants(name)) {
                if (Files.isRegularFile(dir.resolve(candidate))) {
                    files.add(dir.resolve(candidate));
                }
            }
        }
        return files;
    }

    /** The names a file of a pair may have: plain, then gzipped. */
    private static List<String> variants(String name) {
        return List.of(name, name + ".gz");
    }

    private static Path find(Path dir, String name) {
        for (String candidate : variants(name)) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }
}
