package dev.modelc.runtime.tensor;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where the runtime's warnings go. By default they are printed to {@code System.err} with a {@code warning: }
 * prefix; {@link #setSink} replaces the destination (tests collect them, services route them to their logger).
 * A warning given with a key is shown once per key until {@link #reset}, like Python's default warning filter.
 */
public final class Warnings {

    private static final Consumer<String> STDERR = message -> System.err.println("warning: " + message);
    private static volatile Consumer<String> sink = STDERR;
    private static final Set<String> shown = new HashSet<>();

    private Warnings() {
    }

    /** Sends warnings to {@code newSink}; {@code null} restores printing to {@code System.err}. */
    public static void setSink(Consumer<String> newSink) {
        sink = newSink == null ? STDERR : newSink;
    }

    /** Forgets which once-only warnings were already shown. */
    public static synchronized void reset() {
        shown.clear();
    }

    /** Gives {@code message} to the sink the first time {@code key} is seen. */
    public static void warnOnce(String key, String message) {
        Objects.requireNonNull(key);
        synchronized (Warnings.class) {
            if (!shown.add(key)) {
                return;
            }
        }
        sink.accept(message);
    }
}
