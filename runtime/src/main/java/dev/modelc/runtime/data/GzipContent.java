package dev.modelc.runtime.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The decompressed content of a gzip file (RFC 1952), read as strictly as {@link Idx} reads a plain file. Every
 * member's header, CRC-32 and size are checked. A file may hold several members one after another (what
 * {@code cat a.gz b.gz} or {@code gzip -c a b} make): their contents are read as one, as {@code gunzip} and
 * Python's {@code gzip} module read them. Bytes after the last member that do not start another are an error, as
 * bytes after a plain file's data are; {@link java.util.zip.GZIPInputStream} is not used because it ignores them
 * (any that do not form a valid gzip header, and up to 18 of them without looking), so a file with garbage after
 * its data would be read as if it had none.
 *
 * <p>Errors are {@link DataException}s that name the file and the compressed byte offset: a file cut short reads
 * {@code FILE: truncated or corrupt gzip file: the compressed data ends early (...)}, damaged data
 * {@code FILE: corrupt gzip data: ...}, and bytes after the last member
 * {@code FILE: 7 bytes after the end of the gzip data (compressed byte 52 of 59) do not start another gzip member:
 * they start 67 61 72 62, not 1f 8b}.
 */
final class GzipContent extends InputStream {
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int RESERVED = 0xE0;

    private final InputStream in;
    private final Path file;
    private final byte[] buf = new byte[1 << 16];
    /** The unread compressed bytes are {@code buf[pos, lim)}. */
    private int pos;
    private int lim;
    /** The compressed byte offset of {@code buf[0]} in the file. */
    private long base;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    /** The member being read, from 1. */
    private int member;
    private boolean end;

    /** Reads the first member's header from {@code in}, the whole file {@code file}, which must start with it. */
    GzipContent(InputStream in, Path file) throws IOException {
        this.in = in;
        this.file = file;
        int id1 = next();
        int id2 = next();
        if (id1 != 0x1f || id2 != 0x8b) {
            throw new DataException(file + ": not a gzip file (it does not start with 1f 8b)");
        }
        startMember(0);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (!end) {
            int n = inflate(b, off, len);
            if (n > 0) {
                crc.update(b, off, n);
                return n;
            }
            if (inflater.finished()) {
                finishMember();
            } else if (inflater.needsInput()) {
                if (!fill()) {
                    throw truncated("member " + member + "'s compressed data is cut short at compressed byte "
                            + offset());
                }
                inflater.setInput(buf, pos, lim - pos);
            } else {
                throw corrupt("member " + member + " asks for a preset dictionary, which gzip does not have "
                        + "(near compressed byte " + offset() + ")");
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }

    /** Inflates into {@code b}, keeping {@link #pos} at the first compressed byte the inflater has not taken. */
    private int inflate(byte[] b, int off, int len) throws DataException {
        try {
            return inflater.inflate(b, off, len);
        } catch (DataFormatException e) {
            pos = lim - inflater.getRemaining();
            throw corrupt(e.getMessage() + " (member " + member + ", near compressed byte " + offset() + ")");
        } finally {
            pos = lim - inflater.getRemaining();
        }
    }

    /**
     * After a member's deflate data: checks its trailer against what was inflated, then reads on into the next
     * member, or ends at the end of the file; anything else after the trailer is an error.
     */
    private void finishMember() throws IOException {
        long trailerAt = offset();
        long recordedCrc = trailerWord(trailerAt);
        long recordedSize = trailerWord(trailerAt);
        if (recordedCrc != crc.getValue()) {
            throw corrupt(String.format("member %d's trailer (at compressed byte %d) records CRC-32 %08x, its data "
                    + "has %08x", member, trailerAt, recordedCrc, crc.getValue()));
        }
        long size = inflater.getBytesWritten() & 0xFFFFFFFFL;
        if (recordedSize != size) {
            throw corrupt("member " + member + "'s trailer (at compressed byte " + trailerAt + ") records "
                    + recordedSize + " bytes (mod 2^32), its data has " + size);
        }
        long at = offset();
        int id1 = next();
        if (id1 < 0) {
            end = true;
            return;
        }
        int id2 = next();
        if (id1 != 0x1f || id2 != 0x8b) {
            throw trailing(at, id1, id2);
        }
        startMember(at);
    }

    /**
     * Reads the rest of a member's header, whose magic {@code 1f 8b} at compressed byte {@code at} was read, and
     * sets the inflater to its deflate data.
     */
    private void startMember(long at) throws IOException {
        member++;
        CRC32 header = new CRC32();
        header.update(0x1f);
        header.update(0x8b);
        int method = headerByte(header, at);
        if (method != 8) {
            throw corrupt("member " + member + " (at compressed byte " + at + ") has compression method " + method
                    + ", not 8 (deflate)");
        }
        int flags = headerByte(header, at);
        if ((flags & RESERVED) != 0) {
            throw corrupt(String.format("member %d (at compressed byte %d) sets reserved header flags (0x%02x)",
                    member, at, flags));
        }
        for (int i = 0; i < 6; i++) { // modification time, extra flags, operating system
            headerByte(header, at);
        }
        if ((flags & FEXTRA) != 0) {
            int length = headerByte(header, at) | headerByte(header, at) << 8;
            for (int i = 0; i < length; i++) {
                headerByte(header, at);
            }
        }
        for (int field : new int[] {FNAME, FCOMMENT}) {
            if ((flags & field) != 0) {
                while (headerByte(header, at) != 0) {
                    // a zero-terminated file name or comment
                }
            }
        }
        if ((flags & FHCRC) != 0) {
            long expected = header.getValue() & 0xFFFF;
            int recorded = headerByte(null, at) | headerByte(null, at) << 8;
            if (recorded != expected) {
                throw corrupt(String.format("member %d (at compressed byte %d) has a header CRC of %04x, its header's "
                        + "is %04x", member, at, recorded, expected));
            }
        }
        inflater.reset();
        crc.reset();
        inflater.setInput(buf, pos, lim - pos);
    }

    /** The next byte of the header of the member at {@code at}, added to {@code header} unless it is null. */
    private int headerByte(CRC32 header, long at) throws IOException {
        int b = next();
        if (b < 0) {
            throw truncated("the header of member " + member + " at compressed byte " + at + " is cut short");
        }
        if (header != null) {
            header.update(b);
        }
        return b;
    }

    /** A little-endian 32-bit word of the trailer at {@code at}. */
    private long trailerWord(long at) throws IOException {
        long word = 0;
        for (int i = 0; i < 4; i++) {
            int b = next();
            if (b < 0) {
                throw truncated("member " + member + "'s trailer (CRC-32 and size) at compressed byte " + at
                        + " is cut short");
            }
            word |= (long) b << (8 * i);
        }
        return word;
    }

    /**
     * The error for the bytes from compressed byte {@code at} to the end of the file, which do not start with a
     * gzip member's magic: {@code id1} and {@code id2} are their first two (-1 past the end).
     */
    private DataException trailing(long at, int id1, int id2) throws IOException {
        StringBuilder start = new StringBuilder(String.format("%02x", id1));
        for (int b = id2, shown = 1; b >= 0; b = shown < 4 ? next() : -1) {
            start.append(String.format(" %02x", b));
            shown++;
        }
        long size = base + lim + in.transferTo(OutputStream.nullOutputStream());
        long extra = size - at;
        return new DataException(file + ": " + extra + (extra == 1 ? " byte" : " bytes") + " after the end of the "
                + "gzip data (compressed byte " + at + " of " + size + ") " + (extra == 1 ? "does" : "do")
                + " not start another gzip member: " + (extra == 1 ? "it is " : "they start ") + start
                + ", not 1f 8b");
    }

    /** The next compressed byte, or -1 at the end of the file. */
    private int next() throws IOException {
        if (pos == lim && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xFF;
    }

    /** Reads the next compressed bytes into the buffer, all of whose bytes were taken; false at the end of the file. */
    private boolean fill() throws IOException {
        base += lim;
        pos = 0;
        lim = 0;
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            return false;
        }
        lim = n;
        return true;
    }

    /** The compressed byte offset of the next byte not taken. */
    private long offset() {
        return base + pos;
    }

    private DataException truncated(String detail) {
        return new DataException(file + ": truncated or corrupt gzip file: the compressed data ends early (" + detail
                + ")");
    }

    private DataException corrupt(String detail) {
        return new DataException(file + ": corrupt gzip data: " + detail);
    }
}
