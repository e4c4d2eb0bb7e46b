package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Starts child JVMs with and without {@code jdk.incubator.vector} and checks which kernel each selects, that the
 * results are right, and, from the class-loading log, that a JVM without the module loads no Vector API class;
 * and that the Vector API kernels compute the same bits in every tier of the JIT.
 */
class ChildJvmTest {

    record Run(int exitCode, String stdout, String stderr) {
    }

    @Test
    void withoutTheModuleThePlainKernelRunsAndNoVectorClassIsLoaded() throws Exception {
        Run run = run(List.of("-Xlog:class+load=info"));
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
        assertTrue(run.stdout().contains("kernel=java"), run.stdout());
        assertTrue(run.stdout().contains("\nok"), run.stdout());
        assertFalse(run.stdout().contains("jdk.incubator.vector."), "an incubator class was loaded");
        assertFalse(run.stdout().contains("dev.modelc.runtime.kernels.Vector"), "a Vector API kernel was loaded");
    }

    @Test
    void withTheModuleTheVectorKernelRuns() throws Exception {
        Run run = run(List.of("--add-modules", "jdk.incubator.vector"));
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
        assertTrue(run.stdout().contains("kernel=vector"), run.stdout());
        assertTrue(run.stdout().contains("\nok"), run.stdout());
    }

    @Test
    void thePropertyForcesThePlainKernelEvenWithTheModule() throws Exception {
        Run run = run(List.of("--add-modules", "jdk.incubator.vector", "-Dmodelc.kernels=java"));
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
        assertTrue(run.stdout().contains("kernel=java"), run.stdout());
    }

    @Test
    void askingForVectorWithoutTheModuleWarnsAndFallsBack() throws Exception {
        Run run = run(List.of("-Dmodelc.kernels=vector"));
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
        assertTrue(run.stdout().contains("kernel=java"), run.stdout());
        assertTrue(run.stderr().contains("modelc: warning: plain Java: -Dmodelc.kernels=vector was asked for but "
                + "the JVM was started without --add-modules jdk.incubator.vector"), run.stderr());
    }

    /**
     * With vectors held to 256 bits, the chunk sums' two-vector branch and the mask loops give the plain loops' bits:
     * on an AVX-512 machine that is the branch only an AVX2 machine takes otherwise.
     */
    @Test
    void narrowerVectorsGiveThePlainBits() throws Exception {
        Run run = run(List.of("--add-modules", "jdk.incubator.vector", "-XX:MaxVectorSize=32"),
                NarrowVectorsMain.class);
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
        assertTrue(run.stdout().contains("lanes=8\n"), "256-bit float vectors: " + run.stdout());
        assertTrue(run.stdout().contains("\nok"), run.stdout());
    }

    /**
     * The Vector API kernels give the same bits interpreted ({@code -Xint}), in C1 alone and in C2 (compiled early
     * and in the foreground, {@code -Xbatch}, so the warm passes run C2's code); the log of the C2 run shows that the
     * kernels were compiled. A kernel whose vector operation C2 computes differently from the Java fallback (the
     * short-vector math library's exp, a lane sum in another order) makes losses depend on JIT timing, and fails
     * here.
     */
    @Test
    void theVectorKernelsGiveTheSameBitsInterpretedAndCompiled() throws Exception {
        List<String> vector = List.of("--add-modules", "jdk.incubator.vector");
        Run interpreted = run(concat(vector, "-Xint"), TierBitsMain.class, "0");
        Run c1 = run(concat(vector, "-XX:TieredStopAtLevel=1"), TierBitsMain.class, "300");
        Run c2 = run(concat(vector, "-XX:-TieredCompilation", "-Xbatch", "-XX:CompileThreshold=100",
                "-XX:+PrintCompilation"), TierBitsMain.class, "300");
        for (Run r : List.of(interpreted, c1, c2)) {
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            assertTrue(r.stdout().contains("kernel=vector"), r.stdout());
        }
        String expected = line(interpreted.stdout(), "cold=");
        assertEquals(expected, line(c1.stdout(), "warm="), "C1 against the interpreter");
        assertEquals(expected, line(c2.stdout(), "cold="), "C2 (first pass) against the interpreter");
        assertEquals(expected, line(c2.stdout(), "warm="), "C2 against the interpreter");
        List<String> methods = new ArrayList<>(List.of("VectorSgemm::tile", "VectorDgemm::",
                "VectorConvLoops::weightGradientFinish", "VectorMasks::mulGreater", "VectorMasks::zeroWhereEqual",
                "VectorLogistic::sumBceWithLogits", "VectorLogistic::sigmoid", "VectorLogistic::erf"));
        // The Vector API pooling rows run where they are selected (256-bit or 512-bit vectors): rows of 17 outputs.
        String poolRows = line(c2.stdout(), "poolRows=");
        if (poolRows.startsWith("VectorPoolRows")) {
            methods.add(poolRows + "::row");
        }
        for (String method : methods) {
            assertTrue(c2.stdout().contains("dev.modelc.runtime.kernels." + method), method + " was not compiled");
        }
    }

    private static List<String> concat(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }

    private static String line(String out, String prefix) {
        for (String l : out.split("\n")) {
            if (l.startsWith(prefix)) {
                return l.substring(prefix.length());
            }
        }
        throw new AssertionError("no line starting " + prefix + " in\n" + out);
    }

    private static Run run(List<String> jvmOptions) throws IOException, InterruptedException {
        return run(jvmOptions, KernelSmokeMain.class);
    }

    static Run run(List<String> jvmOptions, Class<?> main, String... args)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = location(Kernels.class) + File.pathSeparator + location(ChildJvmTest.class);
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(main.getName());
        command.addAll(List.of(args));
        Path out = Files.createTempFile("kernels-child", ".out");
        Path err = Files.createTempFile("kernels-child", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .start();
            int code = process.waitFor();
            return new Run(code, Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
