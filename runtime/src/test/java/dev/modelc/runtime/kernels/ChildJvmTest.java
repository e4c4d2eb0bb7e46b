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
 * results are right, and, from the class-loading log, that a JVM without the module loads no Vector API class.
 */
class ChildJvmTest {

    private record Run(int exitCode, String stdout, String stderr) {
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

    private static Run run(List<String> jvmOptions) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = location(Kernels.class) + File.pathSeparator + location(ChildJvmTest.class);
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(KernelSmokeMain.class.getName());
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
