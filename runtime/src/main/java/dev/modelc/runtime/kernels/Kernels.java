package dev.modelc.runtime.kernels;

import java.util.Optional;

/**
 * Chooses the matrix kernel once, when this class is initialized.
 *
 * <p>The Vector API kernel is used when the JVM was started with {@code --add-modules jdk.incubator.vector}; the
 * plain-Java kernel otherwise. The Vector API classes are loaded by name only after the module has been found in
 * the boot layer, so a JVM without the module never loads a class that refers to {@code jdk.incubator.vector}.
 *
 * <p>The system property {@code modelc.kernels} overrides the choice: {@code auto} (the default), {@code java} or
 * {@code vector}. Asking for {@code vector} on a JVM without the module falls back to plain Java with a warning.
 */
public final class Kernels {

    /** The system property that forces an implementation. */
    public static final String PROPERTY = "modelc.kernels";

    private static final String VECTOR_CLASS = "dev.modelc.runtime.kernels.VectorGemm";
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private static final Gemm PLAIN = new JavaGemm();
    private static final Gemm VECTOR;
    private static final String VECTOR_UNAVAILABLE;
    static final Gemm SELECTED;
    private static final String REASON;

    static {
        Gemm vector = null;
        String why = null;
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            why = "the JVM was started without --add-modules " + VECTOR_MODULE;
        } else {
            try {
                vector = (Gemm) Class.forName(VECTOR_CLASS).getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                why = "the Vector API kernel could not be loaded: " + e;
            }
        }
        VECTOR = vector;
        VECTOR_UNAVAILABLE = why;

        String requested = System.getProperty(PROPERTY, "auto").trim().toLowerCase(java.util.Locale.ROOT);
        switch (requested) {
            case "java":
                SELECTED = PLAIN;
                REASON = "plain Java, forced by -D" + PROPERTY + "=java";
                break;
            case "vector":
                if (vector != null) {
                    SELECTED = vector;
                    REASON = "Vector API, forced by -D" + PROPERTY + "=vector";
                } else {
                    SELECTED = PLAIN;
                    REASON = "plain Java: -D" + PROPERTY + "=vector was asked for but " + why;
                    System.err.println("modelc: warning: " + REASON);
                }
                break;
            default:
                if (!requested.equals("auto")) {
                    System.err.println("modelc: warning: unknown -D" + PROPERTY + "=" + requested
                            + " (expected auto, java or vector); choosing automatically");
                }
                SELECTED = vector != null ? vector : PLAIN;
                REASON = vector != null ? "Vector API (" + VECTOR_MODULE + " is present)" : "plain Java: " + why;
        }
    }

    private Kernels() {
    }

    /** The kernel {@link MatMul} and {@link Convolution} use. */
    public static Gemm selected() {
        return SELECTED;
    }

    /** Why {@link #selected()} was chosen, in one line (for logs and {@code --version}-style reports). */
    public static String selectionReason() {
        return REASON;
    }

    /** The plain-Java kernel, available on every JVM. */
    public static Gemm plainJava() {
        return PLAIN;
    }

    /** The Vector API kernel, if this JVM has {@code jdk.incubator.vector}. */
    public static Optional<Gemm> vectorApi() {
        return Optional.ofNullable(VECTOR);
    }

    /** Why the Vector API kernel is absent, or empty when it is available. */
    public static Optional<String> vectorUnavailableReason() {
        return Optional.ofNullable(VECTOR_UNAVAILABLE);
    }
}
