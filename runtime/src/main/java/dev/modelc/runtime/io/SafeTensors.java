package dev.modelc.runtime.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes the safetensors format, the weights format of Hugging Face and of PyTorch users who do not want
 * pickles. A file is an 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the byte buffer:
 * <pre>
 *   {"__metadata__": {"k": "v"}, "fc1.weight": {"dtype": "F32", "shape": [120, 864], "data_offsets": [0, 414720]}, ...}
 * </pre>
 * Offsets are relative to the buffer's start, data is little-endian and row-major.
 *
 * <p><b>Reading validates before trusting</b>, in this order, each failure a {@link WeightsFormatException} naming
 * the file and the tensor: (1) the file has the 8 length bytes; (2) N is at most {@link #MAX_HEADER_BYTES} and at
 * most the bytes after the length; (3) the header is valid UTF-8 and strict JSON ({@link Json}: duplicate keys and
 * trailing garbage rejected; trailing spaces allowed) whose top level is an object; (4) {@code __metadata__}, when
 * present, maps strings to strings; (5) every other entry is an object with exactly {@code dtype} (a string),
 * {@code shape} (integers &ge; 0) and {@code data_offsets} (two integers, begin &le; end); (6) the dtype is known
 * and readable: F32, F64, I32, I64 (read as i32, each value range-checked) and U8 (read as i32); (7) the element
 * count fits a Java array and {@code end - begin} equals it times the dtype's size (computed without overflow);
 * (8) sorted by begin, the tensors neither overlap nor leave holes and the last ends exactly at the buffer's end,
 * as the format requires (no hidden bytes).
 *
 * <p>Writing takes arrays in order and stores them contiguously in that order, pads the header with spaces to a
 * multiple of 8 bytes, and replaces the file atomically ({@link AtomicFile}).
 */
public final class SafeTensors {
    /** The largest header accepted: 100 MB, as the reference implementation. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final Set<String> KNOWN_UNREADABLE =
            Set.of("BOOL", "I8", "I16", "U16", "U32", "U64", "F16", "BF16", "F8_E4M3", "F8_E5M2");

    private SafeTensors() {}

    /** What a file that is not safetensors seems to be, from its first bytes: " (a NumPy .npy file)", or "". */
    static String kindOf(byte[] first) {
        if (first[0] == (byte) 0x93 && first[1] == 'N' && first[2] == 'U' && first[3] == 'M') {
            return " (it starts as a NumPy .npy file does)";
        }
        if (first[0] == 'P' && first[1] == 'K' && first[2] == 3 && first[3] == 4) {
            return " (it starts as a zip archive, such as .npz, does)";
        }
        if (first[0] == 0x1f && first[1] == (byte) 0x8b) {
            return " (it starts as a gzip file does)";
        }
        for (byte b : first) {
            if (b < 0x09 || b > 0x7e || (b > 0x0d && b < 0x20)) {
                return "";
            }
        }
        return " (it starts with text)";
    }

    public static ArrayFile read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw fail(file, null, "file has " + size + " bytes, fewer than the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lengthBytes, 0, file);
            long n = lengthBytes.getLong(0);
            if (n < 0 || n > MAX_HEADER_BYTES) {
                throw fail(file, null, "not a safetensors file" + kindOf(lengthBytes.array()) + ": its first 8 bytes"
                        + " give a header length of " + Long.toUnsignedString(n) + ", more than the "
                        + MAX_HEADER_BYTES + " bytes allowed");
            }
            if (n > size - 8) {
                throw fail(file, null, "header length " + n + " is more than the " + (size - 8)
                        + " bytes after it (truncated file?)");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
            readFully(ch, headerBytes, 8, file);
            String header;
            try {
                header = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(headerBytes.flip()).toString();
            } catch (CharacterCodingException e) {
                throw fail(file, null, "header is not valid UTF-8");
            }
            long bufferStart = 8 + n;
            long bufferLength = size - bufferStart;
            List<Entry> entries = new ArrayList<>();
            Map<String, String> metadata = parseHeader(file, header, bufferLength, entries);
            checkLayout(file, entries, bufferLength);
            Map<String, ArrayData> arrays = new LinkedHashMap<>();
            for (Entry e : entries) {
                arrays.put(e.name, readData(ch, file, e, bufferStart));
            }
            return new ArrayFile(arrays, metadata);
        }
    }

    /** One validated header entry. */
    private record Entry(String name, String dtype, int[] shape, long begin, long end) {}

    private static Map<String, String> parseHeader(Path file, String header, long bufferLength, List<Entry> out)
            throws WeightsFormatException {
        Object root;
        try {
            root = Json.parse(header);
        } catch (Json.ParseException e) {
            throw fail(file, null, "header is not valid JSON: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw fail(file, null, "header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> kv : top.entrySet()) {
            String name = (String) kv.getKey();
            if (name.equals("__metadata__")) {
                if (!(kv.getValue() instanceof Map<?, ?> meta)) {
                    throw fail(file, null, "__metadata__ is not an object");
                }
                for (Map.Entry<?, ?> m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String v)) {
                        throw fail(file, null, "__metadata__ value of \"" + m.getKey() + "\" is not a string");
                    }
                    metadata.put((String) m.getKey(), v);
                }
                continue;
            }
            out.add(entry(file, name, kv.getValue()));
        }
        return metadata;
    }

    private static Entry entry(Path file, String name, Object value) throws WeightsFormatException {
        if (!(value instanceof Map<?, ?> e)) {
            throw fail(file, name, "entry is not an object");
        }
        for (Object key : e.keySet()) {
            if (!Set.of("dtype", "shape", "data_offsets").contains(key)) {
                throw fail(file, name, "unexpected field \"" + key + "\" (expected dtype, shape, data_offsets)");
            }
        }
        if (!(e.get("dtype") instanceof String dtype)) {
            throw fail(file, name, "dtype is missing or not a string");
        }
        if (!(e.get("shape") instanceof List<?> shapeList)) {
            throw fail(file, name, "shape is missing or not an array");
        }
        if (!(e.get("data_offsets") instanceof List<?> offsets) || offsets.size() != 2
                || !(offsets.get(0) instanceof Long begin) || !(offsets.get(1) instanceof Long end)) {
            throw fail(file, name, "data_offsets is missing or not two integers");
        }
        if (begin < 0 || end < begin) {
            throw fail(file, name, "data_offsets [" + begin + ", " + end + "] is not a range");
        }
        String ours = switch (dtype) {
            case "F32" -> "f32";
            case "F64" -> "f64";
            case "I32", "I64", "U8" -> "i32";
            default -> throw fail(file, name, KNOWN_UNREADABLE.contains(dtype)
                    ? "dtype " + dtype + " is not supported (F32, F64, I32, I64, U8 are)"
                    : "unknown dtype \"" + dtype + "\"");
        };
        int[] shape = new int[shapeList.size()];
        long count = 1;
        for (int d = 0; d < shape.length; d++) {
            if (!(shapeList.get(d) instanceof Long dim) || dim < 0) {
                throw fail(file, name, "shape " + shapeList + " has an entry that is not an integer >= 0");
            }
            if (dim > Integer.MAX_VALUE || (count = multiply(count, dim)) > Integer.MAX_VALUE) {
                throw fail(file, name, "shape " + shapeList + " has more elements than a Java array can hold");
            }
            shape[d] = (int) (long) dim;
        }
        long bytes = count * storedSize(dtype);
        if (end - begin != bytes) {
            throw fail(file, name, "data_offsets [" + begin + ", " + end + "] hold " + (end - begin)
                    + " bytes, but " + dtype + " " + shapeList + " needs " + bytes);
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long multiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static void checkLayout(Path file, List<Entry> entries, long bufferLength) throws WeightsFormatException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.end > bufferLength) {
                throw fail(file, e.name, "data_offsets [" + e.begin + ", " + e.end + "] lie outside the "
                        + bufferLength + "-byte buffer");
            }
            if (e.begin < at) {
                throw fail(file, e.name, "data_offsets [" + e.begin + ", " + e.end + "] overlap tensor "
                        + previous.name + " [" + previous.begin + ", " + previous.end + "]");
            }
            if (e.begin > at) {
                throw fail(file, e.name, "data_offsets [" + e.begin + ", " + e.end + "] leave bytes " + at + ".."
                        + e.begin + " of the buffer unused");
            }
            at = e.end;
            previous = e;
        }
        if (at != bufferLength) {
            throw fail(file, null, "the tensors end at byte " + at + " of a " + bufferLength
                    + "-byte buffer; the rest is not described by the header");
        }
    }

    private static ArrayData readData(FileChannel ch, Path file, Entry e, long bufferStart) throws IOException {
        int n = (int) ArrayData.elementCount(e.shape);
        ByteBuffer bytes = ByteBuffer.allocate((int) (e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, bytes, bufferStart + e.begin, file);
        bytes.flip();
        switch (e.dtype) {
            case "F32" -> {
                float[] f = new float[n];
                bytes.asFloatBuffer().get(f);
                return new ArrayData(e.name, "f32", e.shape, f);
            }
            case "F64" -> {
                double[] d = new double[n];
                bytes.asDoubleBuffer().get(d);
                return new ArrayData(e.name, "f64", e.shape, d);
            }
            case "I32" -> {
                int[] v = new int[n];
                bytes.asIntBuffer().get(v);
                return new ArrayData(e.name, "i32", e.shape, v);
            }
            case "I64" -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    long x = bytes.getLong();
                    if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) {
                        throw fail(file, e.name, "I64 element " + i + " = " + x + " does not fit i32");
                    }
                    v[i] = (int) x;
                }
                return new ArrayData(e.name, "i32", e.shape, v);
            }
            default -> { // U8
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    v[i] = bytes.get() & 0xFF;
                }
                return new ArrayData(e.name, "i32", e.shape, v);
            }
        }
    }

    private static int storedSize(String dtype) {
        return switch (dtype) {
            case "F64", "I64" -> 8;
            case "U8" -> 1;
            default -> 4;
        };
    }

    private static void readFully(FileChannel ch, ByteBuffer into, long position, Path file) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int r = ch.read(into, at);
            if (r < 0) {
                throw fail(file, null, "file ends at byte " + at + " (truncated)");
            }
            at += r;
        }
    }

    private static WeightsFormatException fail(Path file, String tensor, String problem) {
        return new WeightsFormatException(file, tensor, problem);
    }

    // ---- writing ----

    /** Writes the arrays (F32, F64, I32, I64 by their dtype) and metadata; replaces {@code file} atomically. */
    public static void write(Path file, ArrayFile content) throws IOException {
        StringBuilder json = new StringBuilder("{");
        if (!content.metadata().isEmpty()) {
            json.append("\"__metadata__\":{");
            boolean first = true;
            for (Map.Entry<String, String> m : content.metadata().entrySet()) {
                json.append(first ? "" : ",").append(Json.quote(m.getKey())).append(':')
                        .append(Json.quote(m.getValue()));
                first = false;
            }
            json.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, ArrayData> kv : content.arrays().entrySet()) {
            if (kv.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("an array may not be named __metadata__");
            }
            ArrayData a = kv.getValue();
            long bytes = (long) a.length() * ArrayData.elementSize(a.dtype());
            json.append(json.length() > 1 ? "," : "").append(Json.quote(kv.getKey())).append(":{\"dtype\":\"")
                    .append(a.dtype().toUpperCase(java.util.Locale.ROOT)).append("\",\"shape\":[");
            int[] shape = a.shape();
            for (int d = 0; d < shape.length; d++) {
                json.append(d == 0 ? "" : ",").append(shape[d]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        json.append('}');
        while (json.toString().getBytes(StandardCharsets.UTF_8).length % 8 != 0) {
            json.append(' ');
        }
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(file, out -> {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(length.array());
            out.write(header);
            for (ArrayData a : content.arrays().values()) {
                writeLittleEndian(out, a.data());
            }
        });
    }

    public static void write(Path file, Map<String, ArrayData> arrays, Map<String, String> metadata)
            throws IOException {
        write(file, new ArrayFile(arrays, metadata));
    }

    /** The elements of a float[], double[], int[] or long[] as little-endian bytes. */
    static void writeLittleEndian(OutputStream out, Object data) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        int n = ArrayData.length(data);
        int i = 0;
        while (i < n) {
            chunk.clear();
            if (data instanceof float[] f) {
                int k = Math.min(n - i, chunk.capacity() / 4);
                chunk.asFloatBuffer().put(f, i, k);
                chunk.position(4 * k);
                i += k;
            } else if (data instanceof double[] d) {
                int k = Math.min(n - i, chunk.capacity() / 8);
                chunk.asDoubleBuffer().put(d, i, k);
                chunk.position(8 * k);
                i += k;
            } else if (data instanceof long[] l) {
                int k = Math.min(n - i, chunk.capacity() / 8);
                chunk.asLongBuffer().put(l, i, k);
                chunk.position(8 * k);
                i += k;
            } else {
                int[] v = (int[]) data;
                int k = Math.min(n - i, chunk.capacity() / 4);
                chunk.asIntBuffer().put(v, i, k);
                chunk.position(4 * k);
                i += k;
            }
            out.write(chunk.array(), 0, chunk.position());
        }
    }
}
