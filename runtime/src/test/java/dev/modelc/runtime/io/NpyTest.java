package dev.modelc.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path dir;

    @Test
    void roundTripEachDtype() throws IOException {
        for (ArrayData a : List.of(ArrayData.of("a", new float[] {1, 2, 3, 4, 5, 6}, 2, 3),
                ArrayData.of("b", new double[] {-1e-7, 3}, 2), ArrayData.of("c", new int[] {9}),
                ArrayData.of("d", new int[0], 0, 4))) {
            Path file = dir.resolve(a.name() + ".npy");
            Npy.write(file, a);
            assertEquals(0, Npy.header(a).length % 64);
            ArrayData back = Npy.read(file);
            assertEquals(a.name(), back.name());
            assertEquals(a.dtype(), back.dtype());
            assertArrayEquals(a.shape(), back.shape());
            assertEquals(a.length(), back.length());
            for (int i = 0; i < a.length(); i++) {
                assertEquals(a.get(i), back.get(i));
            }
        }
    }

    @Test
    void handBuiltHeaders() throws IOException {
        ByteBuffer i8 = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(5).putLong(-6).putLong(7);
        ArrayData labels = Npy.read(handBuilt("labels", "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }",
                i8.array()));
        assertEquals("i32", labels.dtype());
        assertArrayEquals(new int[] {5, -6, 7}, labels.ints());
        ArrayData bytes = Npy.read(handBuilt("img", "{\"descr\":\"|u1\",\"shape\":(2, 2),\"fortran_order\":False}",
                new byte[] {0, 1, (byte) 255, (byte) 128}));
        assertArrayEquals(new int[] {0, 1, 255, 128}, bytes.ints());
        assertArrayEquals(new int[] {2, 2}, bytes.shape());
    }

    @Test
    void refusals() throws IOException {
        assertFails(handBuilt("f", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new byte[16]),
                "Fortran order");
        assertFails(handBuilt("b", "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]),
                "big-endian");
        assertFails(handBuilt("c", "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new byte[8]),
                "'<c8' is not supported");
        assertFails(handBuilt("s", "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", new byte[8]),
                "needs 12 data bytes, but the file has 8");
        assertFails(handBuilt("x", "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", new byte[4]),
                "unexpected key 'x'");
        ByteBuffer big = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 33);
        assertFails(handBuilt("l", "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", big.array()),
                "does not fit i32");
        String junk = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)" + "\0".repeat(5000) + "}";
        Path garbled = handBuilt("g", junk, new byte[4]);
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> Npy.read(garbled));
        assertTrue(e.getMessage().contains(", 'shape': (1,)\\u0000\\u0000") && e.getMessage().endsWith(" characters)")
                && e.getMessage().length() < 400, "a short message, control characters escaped: " + e.getMessage());
        Path notNpy = dir.resolve("n.npy");
        Files.write(notNpy, "hello world".getBytes(StandardCharsets.US_ASCII));
        assertFails(notNpy, "no \\x93NUMPY magic");
    }

    @Test
    void npzRoundTripStoredAndCompressed() throws IOException {
        Map<String, ArrayData> arrays = new LinkedHashMap<>();
        arrays.put("x", ArrayData.of("x", new float[] {1, 2, 3, 4}, 2, 2));
        arrays.put("t", ArrayData.of("t", new int[] {0, 1}, 2));
        for (boolean compressed : new boolean[] {false, true}) {
            Path file = dir.resolve("d" + compressed + ".npz");
            Npz.write(file, arrays, compressed);
            ArrayFile back = Npz.read(file);
            assertEquals(List.of("x", "t"), List.copyOf(back.arrays().keySet()));
            assertArrayEquals(new float[] {1, 2, 3, 4}, back.get("x").floats());
            assertArrayEquals(new int[] {0, 1}, back.get("t").ints());
        }
    }

    /** Cross-checks with NumPy itself when python3 has it (CI installs python3-numpy). */
    @Test
    void numpyReadsOursAndWeReadNumpys() throws Exception {
        assumeTrue(python("import numpy") == 0, "python3 with numpy is not available");
        Path ours = dir.resolve("ours.npy");
        Npy.write(ours, ArrayData.of("ours", new float[] {1.5f, -2, 3, 4, 5, 6}, 3, 2));
        Path theirs = dir.resolve("theirs.npz");
        assertEquals(0, python("import numpy as np; a = np.load('" + ours + "');"
                + "assert a.dtype == np.float32 and a.shape == (3, 2) and a[0, 0] == 1.5 and a[2, 1] == 6;"
                + "np.savez_compressed('" + theirs + "', x=np.arange(6, dtype=np.float64).reshape(2, 3),"
                + " t=np.array([3, 1], dtype=np.int64), u=np.array([[255]], dtype=np.uint8))"));
        ArrayFile back = Npz.read(theirs);
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, back.get("x").doubles());
        assertArrayEquals(new int[] {2, 3}, back.get("x").shape());
        assertArrayEquals(new int[] {3, 1}, back.get("t").ints());
        assertArrayEquals(new int[] {255}, back.get("u").ints());
    }

    private static int python(String code) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/python3"))) {
            return -1;
        }
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", code).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        if (p.exitValue() != 0) {
            System.err.println(new String(out, StandardCharsets.UTF_8));
        }
        return p.exitValue();
    }

    private Path handBuilt(String name, String dict, byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] text = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) text.length, 0});
        out.write(text);
        out.write(data);
        Path file = dir.resolve(name + ".npy");
        Files.write(file, out.toByteArray());
        return file;
    }

    private static void assertFails(Path file, String fragment) {
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().startsWith(file + ": tensor "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
