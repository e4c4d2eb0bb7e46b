package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link OneCpuJit} in child JVMs given one or two processors ({@code -XX:ActiveProcessorCount}): on one, the
 * directive is added once, the VM holds it as written (C2 in the foreground for the runtime and the Vector API, C1
 * as by default), and C2's compiles of the runtime's kernels are then queued as blocking ones (the JVM's compile
 * log); on two, or when switched off, none is; nothing is printed on standard output.
 */
class OneCpuJitTest {

    @Test
    void oneProcessorAddsTheDirectiveOnceAndTheKernelsCompileInTheForeground() throws Exception {
        Child run = run("-XX:ActiveProcessorCount=1");
        assertTrue(run.stdout.contains("processors=1\nc=32.0\noutcome=added\n"), run.stdout);
        assertEquals("", run.stderr);
        Matcher m = Pattern.compile("Directive:\\n matching: ([^\\n]*)\\n c1 directives:\\n.*?\\n(.*?)\\n\\n"
                + " c2 directives:\\n.*?\\n(.*?)\\n", Pattern.DOTALL).matcher(run.stdout);
        assertTrue(m.find(), run.stdout);
        assertTrue(m.group(1).contains("dev/modelc/runtime/*.*") && m.group(1).contains("jdk/incubator/vector/*.*"),
                m.group(1));
        assertTrue(m.group(2).contains("Enable:false"), "C1 keeps the default directive: " + m.group(2));
        assertTrue(m.group(3).contains("Enable:true") && m.group(3).contains("BackgroundCompilation:false"),
                m.group(3));
        assertEquals(2, count(run.stdout, "Directive:"), "the directive and the default one: " + run.stdout);
        assertTrue(run.blockingRuntimeCompiles > 0, "no blocking C2 compile of a dev.modelc.runtime method");
    }

    @Test
    void twoProcessorsAddNothing() throws Exception {
        Child run = run("-XX:ActiveProcessorCount=2");
        assertTrue(run.stdout.contains("outcome=not added: -Dmodelc.oneCpuJit=auto, 2 available processors"),
                run.stdout);
        assertEquals(1, count(run.stdout, "Directive:"), "the default directive alone: " + run.stdout);
        assertEquals(0, run.blockingRuntimeCompiles);
    }

    @Test
    void offAddsNothingOnOneAndOnAddsItOnTwo() throws Exception {
        Child off = run("-XX:ActiveProcessorCount=1", "-Dmodelc.oneCpuJit=off");
        assertTrue(off.stdout.contains("outcome=not added: -Dmodelc.oneCpuJit=off, 1 available processors"),
                off.stdout);
        assertEquals(1, count(off.stdout, "Directive:"), off.stdout);
        assertEquals(0, off.blockingRuntimeCompiles);
        Child on = run("-XX:ActiveProcessorCount=2", "-Dmodelc.oneCpuJit=ON");
        assertTrue(on.stdout.contains("outcome=added"), on.stdout);
        assertEquals(2, count(on.stdout, "Directive:"), on.stdout);
    }

    @Test
    void anUnknownValueWarnsAndDecidesByTheProcessors() throws Exception {
        Child run = run("-XX:ActiveProcessorCount=2", "-Dmodelc.oneCpuJit=yes");
        assertTrue(run.stderr.contains("modelc: warning: unknown -Dmodelc.oneCpuJit=yes (expected auto, on or off); "
                + "deciding by the processors"), run.stderr);
        assertTrue(run.stdout.contains("outcome=not added: -Dmodelc.oneCpuJit=yes, 2 available processors"),
                run.stdout);
    }

    private record Child(String stdout, String stderr, long blockingRuntimeCompiles) {
    }

    /** {@link OneCpuJitMain} with {@code options} and a compile log: its output and its blocking runtime compiles. */
    private static Child run(String... options) throws Exception {
        Path log = Files.createTempFile("modelc-jit", ".log");
        try {
            List<String> jvm = new ArrayList<>(List.of(options));
            jvm.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+LogCompilation", "-XX:LogFile=" + log));
            ChildJvmTest.Run run = ChildJvmTest.run(jvm, OneCpuJitMain.class);
            assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
            long blocking = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith("<task_queued") && l.contains("blocking='1'")
                            && l.contains("method='dev.modelc.runtime."))
                    .count();
            return new Child(run.stdout(), run.stderr(), blocking);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }
}
