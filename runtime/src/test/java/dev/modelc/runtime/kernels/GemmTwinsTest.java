package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Holds the f32/f64 twins of the matrix kernels ({@link JavaSgemm}/{@link JavaDgemm}, {@code VectorSgemm}/
 * {@code VectorDgemm}, and the two halves of {@link SmallGemm}) to each other.
 *
 * <ol>
 *   <li>Source: the f64 file must be exactly the f32 file after a fixed list of type substitutions, so a change
 *       made to one twin and not the other fails here, before any numeric test has to find it.</li>
 *   <li>Results: on the same inputs, small integers whose products and sums are exact in both precisions whatever
 *       the order of the additions, the f32 and f64 paths must give the same numbers bit for bit, in every
 *       transposition, with and without accumulation, on sizes that cross every block and tile edge.</li>
 * </ol>
 */
class GemmTwinsTest {

    private static final Path JAVA = Path.of("src/main/java/dev/modelc/runtime/kernels");
    private static final Path VECTOR = Path.of("src/main/java-vector/dev/modelc/runtime/kernels");

    private static final int[][] SIZES = {
        {1, 1, 1}, {1, 37, 300}, {300, 1, 37}, {3, 5, 1}, {9, 33, 7}, {17, 5, 11}, {64, 10, 84}, {31, 47, 29},
        {8, 600, 3}, {130, 40, 260}, {65, 65, 257},
    };

    /** The f64 twin of an f32 kernel source. */
    static String toF64(String f32) {
        return f32.replaceAll("\\bfloat\\b", "double")
                .replace("Float", "Double")
                .replaceAll("\\b0f\\b", "0d")
                .replace(".floats(", ".doubles(")
                .replace("floatRows(", "doubleRows(")
                .replace("f32", "f64")
                .replace("Sgemm", "Dgemm");
    }

    @Test
    void plainJavaTwinsDifferOnlyInTheirTypes() throws IOException {
        assertEquals(Files.readString(JAVA.resolve("JavaDgemm.java")),
                toF64(Files.readString(JAVA.resolve("JavaSgemm.java"))),
                "JavaDgemm.java is no longer JavaSgemm.java with float replaced by double: change both alike");
    }

    @Test
    void vectorTwinsDifferOnlyInTheirTypes() throws IOException {
        assertEquals(Files.readString(VECTOR.resolve("VectorDgemm.java")),
                toF64(Files.readString(VECTOR.resolve("VectorSgemm.java"))),
                "VectorDgemm.java is no longer VectorSgemm.java with float replaced by double: change both alike");
    }

    @Test
    void smallGemmHalvesDifferOnlyInTheirTypes() throws IOException {
        String source = Files.readString(JAVA.resolve("SmallGemm.java"));
        int f32 = source.indexOf("    /** f32 ");
        int f64 = source.indexOf("    /** f64 ");
        int end = source.lastIndexOf('}');
        assertEquals(source.substring(f64, end).strip(), toF64(source.substring(f32, f64)).strip(),
                "the f64 half of SmallGemm is no longer its f32 half with float replaced by double");
    }

    @ParameterizedTest
    @MethodSource("dev.modelc.runtime.kernels.MatMulTest#kernels")
    void packedTwinsGiveTheSameResults(Gemm kernel) {
        Random random = new Random(21);
        Workspace ws = new Workspace();
        for (int[] s : SIZES) {
            for (int flags = 0; flags < 8; flags++) {
                boolean ta = (flags & 1) != 0, tb = (flags & 2) != 0, acc = (flags & 4) != 0;
                compare(kernel.name() + " packed", random, s[0], s[1], s[2], ta, tb, acc,
                        (a, b, c) -> kernel.gemmPacked(ws, ta, tb, s[0], s[1], s[2], a, 1, b, 2, c, 3, acc),
                        (a, b, c) -> kernel.gemmPacked(ws, ta, tb, s[0], s[1], s[2], a, 1, b, 2, c, 3, acc));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.modelc.runtime.kernels.MatMulTest#kernels")
    void publicEntryTwinsGiveTheSameResults(Gemm kernel) {
        Random random = new Random(22);
        Workspace ws = new Workspace();
        for (int[] s : SIZES) {
            for (int flags = 0; flags < 8; flags++) {
                boolean ta = (flags & 1) != 0, tb = (flags & 2) != 0, acc = (flags & 4) != 0;
                compare(kernel.name(), random, s[0], s[1], s[2], ta, tb, acc,
                        (a, b, c) -> kernel.gemm(ws, ta, tb, s[0], s[1], s[2], a, 1, b, 2, c, 3, acc),
                        (a, b, c) -> kernel.gemm(ws, ta, tb, s[0], s[1], s[2], a, 1, b, 2, c, 3, acc));
            }
        }
    }

    interface F32 {
        void run(float[] a, float[] b, float[] c);
    }

    interface F64 {
        void run(double[] a, double[] b, double[] c);
    }

    /** Integers in [-8, 8]: every product and partial sum of up to 300 terms is exact in f32 and f64. */
    private static void compare(String what, Random random, int m, int n, int k, boolean ta, boolean tb,
                                boolean acc, F32 f32, F64 f64) {
        float[] a = integers(random, 1 + m * k);
        float[] b = integers(random, 2 + k * n);
        float[] c = integers(random, 3 + m * n + 1);
        double[] ad = Reference.toDouble(a), bd = Reference.toDouble(b), cd = Reference.toDouble(c);
        f32.run(a, b, c);
        f64.run(ad, bd, cd);
        for (int i = 0; i < c.length; i++) {
            if ((double) c[i] != cd[i]) {
                fail(what + " m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb + " accumulate="
                        + acc + ": f32 gives " + c[i] + " and f64 gives " + cd[i] + " at index " + i);
            }
        }
    }

    private static float[] integers(Random random, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = random.nextInt(17) - 8;
        }
        return x;
    }
}
