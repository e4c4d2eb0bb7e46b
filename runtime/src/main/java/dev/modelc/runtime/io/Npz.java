package dev.modelc.runtime.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Reads and writes NumPy's {@code .npz}: a zip archive of {@code .npy} files, one per array, as written by
 * {@code np.savez} (stored) and {@code np.savez_compressed} (deflated). The array's name is the entry's name
 * without {@code .npy}. Each entry's uncompressed size from the central directory must equal what its {@code .npy}
 * header declares; as that size is only the archive's claim, the data is read into a buffer that grows as bytes
 * arrive, so a small archive claiming a huge array cannot make the reader allocate it. Every entry must be a
 * {@code .npy}; names must be distinct.
 */
public final class Npz {
    private Npz() {}

    public static ArrayFile read(Path file) throws IOException {
        Map<String, ArrayData> arrays = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                String entry = e.getName();
                if (!entry.endsWith(".npy")) {
                    throw new WeightsFormatException(file.toString(), null, "entry " + entry
                            + " is not a .npy file", null);
                }
                String name = entry.substring(0, entry.length() - 4);
                if (arrays.containsKey(name)) {
                    throw new WeightsFormatException(file, name, "two entries with this name");
                }
                try (InputStream in = new BufferedInputStream(zip.getInputStream(e), 1 << 16)) {
                    arrays.put(name, Npy.read(in, file + "!" + entry, name, e.getSize()));
                }
            }
        } catch (ZipException e) {
            throw new WeightsFormatException(file.toString(), null, "not a valid zip archive: " + e.getMessage(), e);
        }
        return new ArrayFile(arrays);
    }

    /** Writes each array as {@code name.npy}, deflated when {@code compressed}; replaces the file atomically. */
    public static void write(Path file, Map<String, ArrayData> arrays, boolean compressed) throws IOException {
        AtomicFile.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            zip.setLevel(compressed ? 6 : 0);
            for (Map.Entry<String, ArrayData> kv : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(kv.getKey() + ".npy"));
                Npy.write(zip, kv.getValue());
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    public static void write(Path file, Map<String, ArrayData> arrays) throws IOException {
        write(file, arrays, false);
    }
}
