package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link OneCpuJit} in child JVMs given one or two processors ({@code -XX:ActiveProcessorCount}): the directive is
 * added once on one, as the VM then holds it (C2 in the foreground for the runtime and the Vector API, C1 as by
 * default), and not on two or when switched off; nothing is printed to standard output.
 */
class OneCpuJitTest {

    private record Run(int exitCode, String stdout, String stderr) {
    }

    @Test
    void oneProcessorAddsTheDirectiveOnce() throws Exception {
        Run run = run("-XX:ActiveProcessorCount=1");
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
        assertTrue(run.stdout().contains("processors=1\noutcome=added\n"), run.stdout());
        assertEquals("", run.stderr());
        Matcher m = Pattern.compile("Directive:\\n matching: ([^\\n]*)\\n c1 directives:\\n.*?\\n(.*?)\\n\\n"
                + " c2 directives:\\n.*?\\n(.*?)\\n", Pattern.DOTALL).matcher(run.stdout());
        assertTrue(m.find(), run.stdout());
        assertTrue(m.group(1).contains("dev/modelc/runtime/*.*") && m.group(1).contains("jdk/incubator/vector/*.*"),
                m.group(1));
        assertTrue(m.group(2).contains("Enable:false"), "C1 keeps the default directive: " + m.group(2));
        assertTrue(m.group(3).contains("Enable:true") && m.group(3).contains("BackgroundCompilation:false"),
                m.group(3));
        assertEquals(2, count(run.stdout(), "Directive:"), "the directive and the default one: " + run.stdout());
    }

    @Test
    void twoProcessorsAddNothing() throws Exception {
        Run run = run("-XX:ActiveProcessorCount=2");
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
        assertTrue(run.stdout().contains("outcome=not added: -Dmodelc.oneCpuJit=auto, 2 available processors"),
                run.stdout());
        assertEquals(1, count(run.stdout(), "Directive:"), "the default directive alone: " + run.stdout());
    }

    @Test
    void offAddsNothingOnOneAndOnAddsItOnTwo() throws Exception {
        Run off = run("-XX:ActiveProcessorCount=1", "-Dmodelc.oneCpuJit=off");
        assertTrue(off.stdout().contains("outcome=not added: -Dmodelc.oneCpuJit=off"), off.stdout());
        assertEquals(1, count(off.stdout(), "Directive:"), off.stdout());
        Run on = run("-XX:ActiveProcessorCount=2", "-Dmodelc.oneCpuJit=on");
        assertTrue(on.stdout().contains("outcome=added"), on.stdout());
        assertEquals(2, count(on.stdout(), "Directive:"), on.stdout());
    }

    @Test
    void aValueOtherThanAutoOnOrOffWarnsAndMeansAuto() throws Exception {
        Run run = run("-XX:ActiveProcessorCount=2", "-Dmodelc.oneCpuJit=yes");
        assertTrue(run.stderr().contains("modelc: warning: -Dmodelc.oneCpuJit=yes is not auto, on or off; using auto"),
                run.stderr());
        assertTrue(run.stdout().contains("outcome=not added: 2 available processors"), run.stdout());
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }

    private static Run run(String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), OneCpuJitMain.class.getName()));
        Path out = Files.createTempFile("modelc-jit", ".out");
        Path err = Files.createTempFile("modelc-jit", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            int code = p.waitFor();
            return new Run(code, Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
