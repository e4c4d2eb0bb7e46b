package dev.modelc.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripKeepsOrderShapesTypesAndMetadata() throws IOException {
        Map<String, ArrayData> arrays = new LinkedHashMap<>();
        arrays.put("fc1.weight", ArrayData.of("fc1.weight", new float[] {1, -2.5f, 3, 4, 5, Float.NaN}, 2, 3));
        arrays.put("fc1.bias", ArrayData.of("fc1.bias", new double[] {0.1, 1e-300}, 2));
        arrays.put("labels", ArrayData.of("labels", new int[] {7, -1, 2147483647}, 3));
        arrays.put("scalar", ArrayData.of("scalar", new float[] {42}));
        Path file = dir.resolve("w.safetensors");
        SafeTensors.write(file, arrays, Map.of("step", "12", "note", "a \"quoted\" é"));
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        ArrayFile back = SafeTensors.read(file);
        assertEquals(List.copyOf(arrays.keySet()), List.copyOf(back.arrays().keySet()));
        assertArrayEquals(new int[] {2, 3}, back.get("fc1.weight").shape());
        assertArrayEquals(arrays.get("fc1.weight").floats(), back.get("fc1.weight").floats());
        assertArrayEquals(arrays.get("fc1.bias").doubles(), back.get("fc1.bias").doubles());
        assertArrayEquals(arrays.get("labels").ints(), back.get("labels").ints());
        assertArrayEquals(new int[0], back.get("scalar").shape());
        assertEquals("12", back.metadata().get("step"));
        assertEquals("a \"quoted\" é", back.metadata().get("note"));
        assertTrue(Files.list(dir).allMatch(p -> p.equals(file)), "no temporary file left");
    }

    @Test
    void readsI64AndU8AsI32() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(16 + 2).order(ByteOrder.LITTLE_ENDIAN).putLong(3).putLong(-9)
                .put((byte) 200).put((byte) 1);
        Path file = craft("{\"t\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[16,18]}}", data.array());
        ArrayFile f = SafeTensors.read(file);
        assertArrayEquals(new int[] {3, -9}, f.get("t").ints());
        assertArrayEquals(new int[] {200, 1}, f.get("u").ints());
    }

    @Test
    void i64OutOfRange() throws IOException {
        byte[] data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array();
        assertFails(craft("{\"t\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", data), "t",
                "does not fit i32");
    }

    @Test
    void fileShorterThanLength() throws IOException {
        Path file = dir.resolve("short.safetensors");
        Files.write(file, new byte[] {1, 2, 3});
        assertFails(file, null, "fewer than the 8-byte header length");
    }

    @Test
    void headerTooLarge() throws IOException {
        Path file = dir.resolve("huge.safetensors");
        Files.write(file, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(200_000_000L).array());
        assertFails(file, null, "more than the 100000000 bytes allowed");
        Files.write(file, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).array());
        assertFails(file, null, "18446744073709551615");
    }

    @Test
    void anotherKindOfFileIsNamedAsNotSafetensors() throws IOException {
        Path file = dir.resolve("model.mdl");
        Files.writeString(file, "model M { input x : f32[B, 1] }\n");
        assertFails(file, null, "not a safetensors file (it starts with text): its first 8 bytes give a header length");
        Files.write(file, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0x76, 0, 0, 0});
        assertFails(file, null, "not a safetensors file (it starts as a NumPy .npy file does)");
        Files.write(file, new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0, 0, 0});
        assertFails(file, null, "not a safetensors file (it starts as a zip archive, such as .npz, does)");
    }

    @Test
    void headerLongerThanFile() throws IOException {
        Path file = dir.resolve("trunc.safetensors");
        Files.write(file, ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(100).array());
        assertFails(file, null, "truncated");
    }

    @Test
    void truncatedData() throws IOException {
        assertFails(craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[12]), "w",
                "outside the 12-byte buffer");
    }

    @Test
    void badJson() throws IOException {
        assertFails(craft("{\"w\":{\"dtype\":\"F32\",}}", new byte[0]), null, "not valid JSON");
        assertFails(craft("{\"w\":1} x", new byte[0]), null, "not valid JSON");
        assertFails(craft("[1, 2]", new byte[0]), null, "not a JSON object");
        assertFails(craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]), null,
                "duplicate key \"w\"");
    }

    @Test
    void badUtf8() throws IOException {
        Path file = dir.resolve("utf.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(8);
        b.put(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'});
        Files.write(file, b.array());
        assertFails(file, null, "not valid UTF-8");
    }

    @Test
    void badEntryFields() throws IOException {
        assertFails(craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]), "w", "data_offsets");
        assertFails(craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]), "w",
                "not an integer >= 0");
        assertFails(craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", new byte[4]), "w",
                "not an integer >= 0");
        assertFails(craft("{\"w\":{\"dtype\":5,\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]), "w",
                "dtype is missing or not a string");
        assertFails(craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}",
                new byte[4]), "w", "unexpected field \"x\"");
        assertFails(craft("{\"w\":[1]}", new byte[0]), "w", "not an object");
    }

    @Test
    void offsetsOutsideTheBuffer() throws IOException {
        assertFails(craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[8]), "w",
                "outside the 8-byte buffer");
        assertFails(craft("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", new byte[8]), "w",
                "is not a range");
    }

    @Test
    void overlappingTensors() throws IOException {
        assertFails(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]), "b",
                "overlap tensor a");
    }

    @Test
    void holesAndTrailingBytes() throws IOException {
        assertFails(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]), "a",
                "unused");
        assertFails(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[8]), null,
                "not described by the header");
    }

    @Test
    void wrongByteLength() throws IOException {
        assertFails(craft("{\"w\":{\"dtype\":\"F64\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", new byte[16]),
                "w", "needs 32");
    }

    @Test
    void overflowingShape() throws IOException {
        assertFails(craft("{\"w\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296,16],"
                + "\"data_offsets\":[0,0]}}", new byte[0]), "w", "more elements than a Java array can hold");
    }

    @Test
    void unknownAndUnsupportedDtypes() throws IOException {
        assertFails(craft("{\"w\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]), "w",
                "unknown dtype \"F33\"");
        assertFails(craft("{\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]), "w",
                "F16 is not supported");
    }

    @Test
    void metadataMustBeStrings() throws IOException {
        assertFails(craft("{\"__metadata__\":{\"step\":3}}", new byte[0]), null, "\"step\" is not a string");
    }

    @Test
    void emptyFileOfTensorsIsFine() throws IOException {
        assertTrue(SafeTensors.read(craft("{}", new byte[0])).arrays().isEmpty());
    }

    private Path craft(String header, byte[] buffer) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + buffer.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(buffer);
        Path file = Files.createTempFile(dir, "bad", ".safetensors");
        Files.write(file, b.array());
        return file;
    }

    private static void assertFails(Path file, String tensor, String fragment) {
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> SafeTensors.read(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        if (tensor == null) {
            assertNull(e.tensor(), e.getMessage());
        } else {
            assertEquals(tensor, e.tensor());
            assertTrue(e.getMessage().contains("tensor " + tensor + ": "), e.getMessage());
        }
    }
}
