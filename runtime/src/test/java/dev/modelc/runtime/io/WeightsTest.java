package dev.modelc.runtime.io;

import static dev.modelc.runtime.io.TestModel.spec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightsTest {
    @TempDir
    Path dir;

    private static TestModel net() {
        return new TestModel(List.of(spec("x", "f32", "B", "3")),
                List.of(spec("fc.weight", "f32", "2", "3"), spec("fc.bias", "f32", "2")));
    }

    @Test
    void saveThenLoadRestoresEveryParameter() throws IOException {
        for (String name : List.of("w.safetensors", "w.npz")) {
            TestModel a = net();
            float[] w = (float[]) a.parameter("fc.weight");
            for (int i = 0; i < w.length; i++) {
                w[i] = i * 0.5f - 1;
            }
            ((float[]) a.parameter("fc.bias"))[1] = 7;
            Path file = dir.resolve(name);
            Weights.save(a, file);
            TestModel b = net();
            Weights.load(b, file);
            assertArrayEquals(w, (float[]) b.parameter("fc.weight"));
            assertArrayEquals(new float[] {0, 7}, (float[]) b.parameter("fc.bias"));
        }
    }

    @Test
    void strictLoadListsMissingAndUnexpectedKeys() throws IOException {
        Path file = dir.resolve("other.safetensors");
        SafeTensors.write(file, Map.of("fc.weight", ArrayData.of("fc.weight", new float[6], 2, 3),
                "head.bias", ArrayData.of("head.bias", new float[2], 2)), Map.of());
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> Weights.load(net(), file));
        assertTrue(e.getMessage().contains("Error(s) in loading state_dict for Net:"), e.getMessage());
        assertTrue(e.getMessage().contains("Missing key(s) in state_dict: \"fc.bias\"."), e.getMessage());
        assertTrue(e.getMessage().contains("Unexpected key(s) in state_dict: \"head.bias\"."), e.getMessage());
        Weights.LoadResult r = Weights.load(net(), file, false);
        assertEquals(List.of("fc.bias"), r.missingKeys());
        assertEquals(List.of("head.bias"), r.unexpectedKeys());
    }

    @Test
    void shapeMismatchIsAnErrorEvenWhenNotStrict() throws IOException {
        Path file = dir.resolve("t.safetensors");
        SafeTensors.write(file, Map.of("fc.weight", ArrayData.of("fc.weight", new float[6], 3, 2)), Map.of());
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> Weights.load(net(), file, false));
        assertTrue(e.getMessage().contains("size mismatch for fc.weight: copying a param with shape [3, 2] from "
                + "checkpoint, the shape in current model is [2, 3]."), e.getMessage());
    }

    /** The net's weights as f64, the bias {@code [0.25, bias1]}. */
    private Path f64Weights(String name, double bias1) throws IOException {
        Path file = dir.resolve(name);
        SafeTensors.write(file, Map.of("fc.weight", ArrayData.of("fc.weight", new double[] {1, 2, 3, 4, 5, 6}, 2, 3),
                "fc.bias", ArrayData.of("fc.bias", new double[] {0.25, bias1}, 2)), Map.of());
        return file;
    }

    @Test
    void f64DataLoadsIntoF32Parameters() throws IOException {
        Path file = f64Weights("d.safetensors", 0.5);
        TestModel m = net();
        Weights.load(m, file);
        assertArrayEquals(new float[] {0.25f, 0.5f}, (float[]) m.parameter("fc.bias"));
    }

    @Test
    void integersForAFloatParameterAreADtypeMismatch() throws IOException {
        Path file = dir.resolve("ints.safetensors");
        SafeTensors.write(file, Map.of("fc.weight", ArrayData.of("fc.weight", new float[6], 2, 3),
                "fc.bias", ArrayData.of("fc.bias", new int[] {1, 2}, 2).convertTo("i64")), Map.of());
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> Weights.load(net(), file));
        assertTrue(e.getMessage().contains("dtype mismatch for fc.bias: the file has integers, the model f32."),
                e.getMessage());
    }

    @Test
    void anF64ValueBeyondF32IsAFormatErrorThatChangesNothing() throws IOException {
        Path file = f64Weights("big.safetensors", 1e300);
        TestModel m = net();
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> Weights.load(m, file));
        assertEquals(file + ": fc.bias: element 1 is 1.0E300, beyond the f32 range (the largest is about 3.4e38), so it"
                + " would become infinity as f32", e.getMessage());
        assertArrayEquals(new float[6], (float[]) m.parameter("fc.weight"), "no parameter was set");
    }

    @Test
    void atomicWriteLeavesTheOldFileWholeOnFailure() throws IOException {
        Path file = dir.resolve("keep.bin");
        AtomicFile.write(file, new byte[] {1, 2, 3});
        assertThrows(UncheckedIOException.class, () -> AtomicFile.write(file, out -> {
            out.write(new byte[100_000]);
            throw new UncheckedIOException(new IOException("killed"));
        }));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }
}
