package dev.modelc.runtime.data;

import static dev.modelc.runtime.io.TestModel.spec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.runtime.io.ArrayData;
import dev.modelc.runtime.io.Npz;
import dev.modelc.runtime.io.TestModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
    @TempDir
    Path dir;

    private Path csv(String text) throws IOException {
        Path file = dir.resolve("train.csv");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void indexedColumnsFormOneArray() throws IOException {
        Dataset d = Dataset.open(csv("\uFEFFx1, t ,x0,x2\n1,0,0.5,2\n-3e2, 1 ,.25,4\n\n"));
        assertEquals(2, d.size());
        assertEquals(List.of("x", "t"), List.copyOf(d.arrays().keySet()));
        assertArrayEquals(new double[] {0.5, 1, 2, 0.25, -300, 4}, d.array("x").doubles());
        assertArrayEquals(new int[] {2, 3}, d.array("x").shape());
        assertArrayEquals(new double[] {0, 1}, d.array("t").doubles());
        assertEquals("3 columns x0..x2", d.origin("x"));
    }

    @Test
    void bracketAndUnderscoreStyles() throws IOException {
        Dataset d = Dataset.open(csv("w[1],w[0],v_0,v_1,y\n1,2,3,4,5\n"));
        assertArrayEquals(new double[] {2, 1}, d.array("w").doubles());
        assertArrayEquals(new double[] {3, 4}, d.array("v").doubles());
        Dataset gaps = Dataset.open(csv("x0,x2,x,t01\n1,2,3,4\n"));
        assertEquals(List.of("x0", "x2", "x", "t01"), List.copyOf(gaps.arrays().keySet()));
    }

    @Test
    void bindsAndConvertsToTheModelsTypes() throws IOException {
        TestModel m = new TestModel(List.of(spec("x", "f32", "B", "3"), spec("t", "i32", "B")), List.of());
        Dataset bound = Dataset.open(csv("x0,x1,x2,t\n1,2,3,0\n4,5,6,2\n")).bind(m).dataset();
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, bound.array("x").floats());
        assertArrayEquals(new int[] {0, 2}, bound.array("t").ints());
        Path half = csv("x0,x1,x2,t\n1,2,3,0.5\n");
        DataException e = assertThrows(DataException.class, () -> Dataset.open(half).bind(m));
        assertEquals(half + ":2:7: column t: 0.5 is not an integer in i32's range (input t : i32[B] from 1 column t)",
                e.getMessage());
    }

    /** 1e39 is a fine f64 but would be infinity in an f32 input; an f64 input takes it. */
    @Test
    void aValueBeyondTheF32RangeIsRefusedForAnF32Input() throws IOException {
        TestModel m = new TestModel(List.of(spec("x", "f32", "B", "3"), spec("t", "i32", "B")), List.of());
        Path big = csv("x0,x1,x2,t\n1,2,3,0\n4,1e39,6,1\n");
        DataException e = assertThrows(DataException.class, () -> Dataset.open(big).bind(m));
        assertEquals(big + ":3:3: column x1: 1e39 is beyond the f32 range (the largest is about 3.4e38), so it "
                + "would become infinity as f32 (input x : f32[B, 3] from 3 columns x0..x2)", e.getMessage());
        // columns in another order than their indices, spaces around fields, and a plain column
        Path shuffled = Files.writeString(dir.resolve("shuffled.csv"),
                "t, x2 ,x0,x1, w\n0, 1, 2, 3, 4\n1, 5, 6, 7,  -2e39\n");
        TestModel withW = new TestModel(List.of(spec("x", "f32", "B", "3"), spec("t", "i32", "B"),
                spec("w", "f32", "B")), List.of());
        e = assertThrows(DataException.class, () -> Dataset.open(shuffled).bind(withW));
        assertTrue(e.getMessage().startsWith(shuffled + ":3:14: column w: -2e39 is beyond the f32 range"),
                e.getMessage());
        Path shuffledX = Files.writeString(dir.resolve("shuffled-x.csv"), "t, x2 ,x0,x1\n0, 1, 2, 3\n1, 5, 6e40, 7\n");
        e = assertThrows(DataException.class, () -> Dataset.open(shuffledX).bind(m));
        assertTrue(e.getMessage().startsWith(shuffledX + ":3:7: column x0: 6e40 is beyond"), e.getMessage());
        // a slice (a validation split) still names the line in the file
        DataException sliced = assertThrows(DataException.class,
                () -> Dataset.open(shuffledX).slice(1, 2).bind(m));
        assertTrue(sliced.getMessage().startsWith(shuffledX + ":3:7: column x0"), sliced.getMessage());
        TestModel wide = new TestModel(List.of(spec("x", "f64", "B", "3"), spec("t", "i32", "B")), List.of());
        assertEquals(1e39, Dataset.open(big).bind(wide).dataset().array("x").doubles()[4]);
        Path edge = csv("x0,x1,x2,t\n3.4028234e38,-3.4028234e38,1e-50,0\n");
        assertArrayEquals(new float[] {Float.MAX_VALUE, -Float.MAX_VALUE, 0},
                Dataset.open(edge).bind(m).dataset().array("x").floats());

        Path npz = dir.resolve("big.npz");
        Npz.write(npz, Map.of("x", ArrayData.of("x", new double[] {1, 2, 3, 4, 5, -1e39}, 2, 3),
                "t", ArrayData.of("t", new int[] {0, 1}, 2)));
        e = assertThrows(DataException.class, () -> Dataset.open(npz).bind(m));
        assertTrue(e.getMessage().startsWith(npz + ": input x : f32[B, 3] from array x"), e.getMessage());
        assertTrue(e.getMessage().endsWith(": x: element 5 [1, 2] is -1.0E39, beyond the f32 range (the largest is "
                + "about 3.4e38), so it would become infinity as f32"), e.getMessage());
    }

    @Test
    void wrongColumnCountNamesFileInputAndShapes() throws IOException {
        TestModel m = new TestModel(List.of(spec("x", "f32", "B", "20"), spec("t", "i32", "B")), List.of());
        Path file = csv("x0,x1,x2,t\n1,2,3,0\n");
        DataException e = assertThrows(DataException.class, () -> Dataset.open(file).bind(m));
        assertEquals(file + ": input x expects f32[B, 20], that is 20 values per sample, but the data has "
                + "3 columns x0..x2 (3 values per sample)", e.getMessage());
        Path noT = csv("x0,x1,x2,y,z\n1,2,3,0,1\n");
        e = assertThrows(DataException.class, () -> Dataset.open(noT).bind(m));
        assertEquals(noT + ": no data for model input t : i32[B]; the data has 3 columns x0..x2; 1 column y; "
                + "1 column z (an input takes the array of its name, or the only one of its kind left)",
                e.getMessage());
    }

    @Test
    void syntaxErrorsCarryLineAndColumn() throws IOException {
        assertError("a,b\n1,2\n3, x7\n", ":3:4: column b: 'x7' is not a number");
        assertError("a,b\n1,2\n3\n", ":3:2: expected 2 fields (a,b), found 1");
        assertError("a,b\n1,2,5\n", ":2:5: expected 2 fields (a,b), found 3");
        assertError("a,b\n1,\n", ":2:3: column b: empty field");
        assertError("a,b\n1,nan\n", ":2:3: column b: 'nan' is not a number");
        assertError("a,b\n1,1e999\n", ":2:3: column b: '1e999' is out of range");
        assertError("a,,b\n", ":1:3: empty column name");
        assertError("a,b,a\n", ":1:5: column a appears twice");
        assertError("a\n1\n\n2\n", ":3:1: blank line between rows");
        assertError("", ": empty file");
        assertError("-0.731,2,1\n0.5,1,0\n", ":1:1: the first line holds numbers, not column names; a CSV file starts"
                + " with a header row naming its columns (x0,x1,...,t)");
        assertError("a,b\n1,2" + "x".repeat(1_000_000) + "\n",
                ":2:3: column b: '2xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx... "
                + "(1000001 characters)' is not a number");
        Path huge = csv("a\n" + "1".repeat(500) + "\n");
        assertEquals(huge + ":2:1: column a: '" + "1".repeat(37) + "... (500 characters)' is out of range",
                assertThrows(DataException.class, () -> Csv.read(huge)).getMessage());
    }

    private void assertError(String text, String expected) throws IOException {
        Path file = csv(text);
        DataException e = assertThrows(DataException.class, () -> Csv.read(file));
        assertEquals(file + expected, e.getMessage().substring(0, Math.min(e.getMessage().length(),
                (file + expected).length())));
    }
}
