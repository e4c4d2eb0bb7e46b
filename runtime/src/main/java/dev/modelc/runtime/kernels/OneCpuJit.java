package dev.modelc.runtime.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.management.ObjectName;

/**
 * On a JVM with one CPU, the first training step ({@code trainStep} or {@code backward}) has HotSpot's C2 compile
 * the runtime's kernels and the Vector API in the foreground (docs/training.md, "On one CPU").
 *
 * <p>A JVM's first thousand steps or so are its JIT's: until C2 has compiled a kernel, the kernel runs interpreted
 * or in C1's form (the Vector API's with every vector an object). With two CPUs, C2 works beside the training thread.
 * With one, C2 takes turns with it, and while C2 compiles a kernel in the background the step runs that kernel's slow
 * form at half the core. A compiler directive ({@code one-cpu-jit.json} beside this class: {@code
 * BackgroundCompilation: false} for C2 on {@code dev/modelc/runtime/*} and {@code jdk/incubator/vector/*}) makes the
 * thread that asked for such a compile wait for it and then run the compiled code. It is added once, through the
 * {@code DiagnosticCommand} MBean ({@code Compiler.directives_add}), which costs the JVM the platform MBean server
 * (0.15 s on one pinned core). It changes when code is compiled, never what it computes.
 *
 * <p>{@link #PROPERTY}: {@code auto} (the default: with one available processor only), {@code on}, {@code off}.
 * A JVM that has no such command (not HotSpot, no {@code jdk.management}) goes on as it is.
 */
public final class OneCpuJit {

    /** The system property: {@code auto}, {@code on} or {@code off}. */
    public static final String PROPERTY = "modelc.oneCpuJit";

    /** The directive, a resource beside this class. */
    static final String DIRECTIVE = "one-cpu-jit.json";

    private static boolean asked;
    private static String outcome = "not asked";

    private OneCpuJit() {
    }

    /**
     * Called by every {@code trainStep} and {@code backward}: adds the directive at the first one when
     * {@link #PROPERTY} says so. After the first, one read of a plain static field (a thread that sees it late only
     * takes the lock once more).
     */
    public static void beforeTraining() {
        if (!asked) {
            ask();
        }
    }

    /** What the first training step did: {@code added}, {@code not added: ...}, or {@code not asked} before it. */
    public static synchronized String outcome() {
        return outcome;
    }

    private static synchronized void ask() {
        if (asked) {
            return;
        }
        asked = true;
        String mode = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        int cpus = Runtime.getRuntime().availableProcessors();
        boolean wanted;
        switch (mode) {
            case "on":
                wanted = true;
                break;
            case "off":
                wanted = false;
                break;
            default:
                if (!mode.equals("auto")) {
                    System.err.println("modelc: warning: unknown -D" + PROPERTY + "=" + mode
                            + " (expected auto, on or off); deciding by the processors");
                }
                wanted = cpus == 1;
        }
        outcome = wanted ? add() : "not added: -D" + PROPERTY + "=" + mode + ", " + cpus + " available processors";
    }

    private static String add() {
        Path file = null;
        try (InputStream in = OneCpuJit.class.getResourceAsStream(DIRECTIVE)) {
            if (in == null) {
                return "not added: no resource " + DIRECTIVE;
            }
            file = Files.createTempFile("modelc-jit", ".json");
            Files.write(file, in.readAllBytes());
            Object said = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
                    new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
            return String.valueOf(said).contains("1 compiler directives added") ? "added"
                    : "not added: " + String.valueOf(said).trim();
        } catch (Exception | LinkageError e) {
            return "not added: " + e;                  // not HotSpot, no jdk.management, or no temporary file
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // a file in the temporary directory left behind; nothing else to do
                }
            }
        }
    }
}
