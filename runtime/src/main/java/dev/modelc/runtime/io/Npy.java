package dev.modelc.runtime.io;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads and writes NumPy's {@code .npy} format, what {@code np.save} writes and the simplest way to move arrays
 * from Python. A file is the magic {@code \x93NUMPY}, a version byte pair (1.0, 2.0 or 3.0), the header length
 * (u16 little-endian in version 1, u32 after), a Python dict literal such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (60000, 784), }} padded with spaces and a newline, then
 * the data.
 *
 * <p>Readable element types: {@code '<f4'} (f32), {@code '<f8'} (f64), {@code '<i4'} (i32), {@code '<i8'} (i32,
 * each value range-checked, for PyTorch's int64 labels), {@code '|u1'}/{@code '<u1'} and {@code '|i1'} (i32,
 * values unchanged: no scaling to [0, 1]; a dataset binding converts to the model's input type). Big-endian data
 * and {@code fortran_order: True} are refused with an error that says how to re-save the array. The header is at
 * most {@link #MAX_HEADER_BYTES}; the data must be exactly as long as the shape says (no missing, no extra bytes).
 * The writer writes version 1.0 with the header padded so the data starts at a multiple of 64 bytes, as NumPy does.
 */
public final class Npy {
    public static final int MAX_HEADER_BYTES = 1 << 20;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private Npy() {}

    /** Reads a {@code .npy} file; the array is named after the file without {@code .npy}. */
    public static ArrayData read(Path file) throws IOException {
        String name = file.getFileName().toString().replaceFirst("\\.npy$", "");
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(in, file.toString(), name, Files.size(file));
        }
    }

    /**
     * Reads one array from a stream of {@code size} bytes (the whole stream: extra bytes are an error).
     *
     * @param source the file (and entry) for messages
     */
    public static ArrayData read(InputStream in, String source, String name, long size) throws IOException {
        DataInputStream data = new DataInputStream(in);
        Header h = readHeader(data, source, name);
        long dataBytes = h.count * h.itemSize;
        if (size >= 0 && h.headerEnd + dataBytes != size) {
            throw new WeightsFormatException(source, name, "shape " + ArrayData.shapeText(h.shape) + " of "
                    + h.descr + " needs " + dataBytes + " data bytes, but the file has " + (size - h.headerEnd));
        }
        if (dataBytes > Integer.MAX_VALUE - 16) {
            throw new WeightsFormatException(source, name, "arrays over 2 GB are not supported");
        }
        // Grows as bytes arrive (an entry's declared size is only the archive's claim): a small file claiming a
        // large shape is reported as truncated without allocating that shape.
        byte[] raw = data.readNBytes((int) dataBytes);
        if (raw.length < dataBytes) {
            throw new WeightsFormatException(source, name, "file is truncated");
        }
        ByteBuffer buffer = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) h.count;
        Object out;
        switch (h.descr) {
            case "<f4" -> {
                float[] f = new float[n];
                buffer.asFloatBuffer().get(f);
                out = f;
            }
            case "<f8" -> {
                double[] d = new double[n];
                buffer.asDoubleBuffer().get(d);
                out = d;
            }
            case "<i4" -> {
                int[] v = new int[n];
                buffer.asIntBuffer().get(v);
                out = v;
            }
            case "<i8" -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    long x = buffer.getLong();
                    if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) {
                        throw new WeightsFormatException(source, name, "int64 element " + i + " = " + x
                                + " does not fit i32");
                    }
                    v[i] = (int) x;
                }
                out = v;
            }
            case "|i1" -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    v[i] = raw[i];
                }
                out = v;
            }
            default -> { // unsigned bytes
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    v[i] = raw[i] & 0xFF;
                }
                out = v;
            }
        }
        if (size < 0 && in.read() >= 0) {
            throw new WeightsFormatException(source, name, "bytes after the " + dataBytes + " data bytes");
        }
        return new ArrayData(name, ArrayData.dtypeOf(out), h.shape, out);
    }

    private record Header(String descr, int[] shape, long count, int itemSize, long headerEnd) {}

    private static Header readHeader(DataInputStream in, String source, String name) throws IOException {
        byte[] magic = new byte[8];
        readFully(in, magic, source, name);
        for (int i = 0; i < MAGIC.length; i++) {
            if (magic[i] != MAGIC[i]) {
                throw new WeightsFormatException(source, name, "not a .npy file (no \\x93NUMPY magic)");
            }
        }
        int major = magic[6];
        long length;
        int prefix;
        if (major == 1) {
            length = (in.readUnsignedByte()) | (in.readUnsignedByte() << 8);
            prefix = 10;
        } else if (major == 2 || major == 3) {
            byte[] b = new byte[4];
            readFully(in, b, source, name);
            length = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
            prefix = 12;
        } else {
            throw new WeightsFormatException(source, name, "unknown .npy version " + major + "." + magic[7]);
        }
        if (length > MAX_HEADER_BYTES) {
            throw new WeightsFormatException(source, name, "header of " + length + " bytes is more than the "
                    + MAX_HEADER_BYTES + " allowed");
        }
        byte[] text = new byte[(int) length];
        readFully(in, text, source, name);
        String header = new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        PyDict dict = new PyDict(header, source, name);
        dict.parse();
        if (dict.descr == null || dict.shape == null || dict.fortran == null) {
            throw new WeightsFormatException(source, name, "header lacks descr, fortran_order or shape: " + header);
        }
        if (dict.fortran) {
            throw new WeightsFormatException(source, name, "array is in Fortran order; save it with "
                    + "np.save(path, np.ascontiguousarray(a)) for C order");
        }
        int itemSize = switch (dict.descr) {
            case "<f4", "<i4" -> 4;
            case "<f8", "<i8" -> 8;
            case "|u1", "<u1", "|i1" -> 1;
            default -> throw new WeightsFormatException(source, name, "dtype '" + dict.descr + "' is not supported"
                    + (dict.descr.startsWith(">") ? " (big-endian; save with a.astype(a.dtype.newbyteorder('<')))"
                    : "") + "; supported: <f4, <f8, <i4, <i8, |u1, |i1");
        };
        long count;
        try {
            count = ArrayData.elementCount(dict.shape);
        } catch (IllegalArgumentException e) {
            throw new WeightsFormatException(source, name, e.getMessage());
        }
        return new Header(dict.descr, dict.shape, count, itemSize, prefix + length);
    }

    /** The header's dict literal: string keys; string, boolean and int-tuple values. */
    private static final class PyDict {
        private final String text;
        private final String source;
        private final String name;
        private int pos;
        String descr;
        Boolean fortran;
        int[] shape;

        PyDict(String text, String source, String name) {
            this.text = text;
            this.source = source;
            this.name = name;
        }

        void parse() throws WeightsFormatException {
            space();
            expect('{');
            while (true) {
                space();
                if (peek() == '}') {
                    pos++;
                    break;
                }
                String key = string();
                space();
                expect(':');
                space();
                switch (key) {
                    case "descr" -> descr = string();
                    case "fortran_order" -> fortran = bool();
                    case "shape" -> shape = tuple();
                    default -> throw bad("unexpected key '" + key + "'");
                }
                space();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != '}') {
                    throw bad("expected ',' or '}'");
                }
            }
            space();
            if (pos != text.length()) {
                throw bad("unexpected text after the dict");
            }
        }

        private String string() throws WeightsFormatException {
            char q = peek();
            if (q != '\'' && q != '"') {
                throw bad("expected a quoted string");
            }
            int end = text.indexOf(q, pos + 1);
            if (end < 0) {
                throw bad("unterminated string");
            }
            String s = text.substring(pos + 1, end);
            pos = end + 1;
            return s;
        }

        private boolean bool() throws WeightsFormatException {
            if (text.startsWith("True", pos)) {
                pos += 4;
                return true;
            }
            if (text.startsWith("False", pos)) {
                pos += 5;
                return false;
            }
            throw bad("expected True or False");
        }

        private int[] tuple() throws WeightsFormatException {
            expect('(');
            java.util.List<Integer> dims = new java.util.ArrayList<>();
            while (true) {
                space();
                if (peek() == ')') {
                    pos++;
                    break;
                }
                int start = pos;
                while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                    pos++;
                }
                if (start == pos || pos - start > 10) {
                    throw bad("expected a dimension");
                }
                long d = Long.parseLong(text.substring(start, pos));
                if (d > Integer.MAX_VALUE) {
                    throw bad("dimension " + d + " is larger than a Java array");
                }
                dims.add((int) d);
                if (peek() == 'L') {
                    pos++;
                }
                space();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != ')') {
                    throw bad("expected ',' or ')'");
                }
            }
            return dims.stream().mapToInt(Integer::intValue).toArray();
        }

        private void space() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private char peek() {
            return pos < text.length() ? text.charAt(pos) : 0;
        }

        private void expect(char c) throws WeightsFormatException {
            if (peek() != c) {
                throw bad("expected '" + c + "'");
            }
            pos++;
        }

        private WeightsFormatException bad(String problem) {
            return new WeightsFormatException(source, name, "bad .npy header at character " + pos + ": " + problem
                    + " in " + shown(text.strip()));
        }

        /** The header as a message shows it: about 120 characters at most, control and non-ASCII ones escaped. */
        private static String shown(String header) {
            StringBuilder b = new StringBuilder();
            int i = 0;
            for (; i < header.length() && b.length() < 120; i++) {
                char c = header.charAt(i);
                b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
            }
            return i == header.length() ? b.toString() : b + "... (" + header.length() + " characters)";
        }
    }

    private static void readFully(DataInputStream in, byte[] into, String source, String name) throws IOException {
        try {
            in.readFully(into);
        } catch (EOFException e) {
            throw new WeightsFormatException(source, name, "file is truncated");
        }
    }

    // ---- writing ----

    /** Writes {@code a} as a version 1.0 {@code .npy} file, replacing {@code file} atomically. */
    public static void write(Path file, ArrayData a) throws IOException {
        AtomicFile.write(file, out -> write(out, a));
    }

    public static void write(OutputStream out, ArrayData a) throws IOException {
        out.write(header(a));
        SafeTensors.writeLittleEndian(out, a.data());
    }

    /** The magic, version, length and padded dict; {@code header(a).length} is a multiple of 64. */
    static byte[] header(ArrayData a) {
        String descr = switch (a.dtype()) {
            case "f32" -> "<f4";
            case "f64" -> "<f8";
            case "i64" -> "<i8";
            default -> "<i4";
        };
        StringBuilder shape = new StringBuilder("(");
        int[] dims = a.shape();
        for (int d = 0; d < dims.length; d++) {
            shape.append(d == 0 ? "" : ", ").append(dims[d]);
        }
        shape.append(dims.length == 1 ? ",)" : ")");
        StringBuilder dict = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': "
                + shape + ", }");
        while ((10 + dict.length() + 1) % 64 != 0) {
            dict.append(' ');
        }
        dict.append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length).put(text);
        return b.array();
    }
}
