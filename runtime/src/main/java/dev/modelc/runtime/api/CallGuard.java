package dev.modelc.runtime.api;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ConcurrentModificationException;

/**
 * Detects a {@link CompiledModel} used by two threads at once. An instance holds its inputs, buffers and graph state
 * in fields, so two overlapping calls would silently mix each other's values; instead, a pass ({@code forward},
 * {@code predict}, {@code trainStep}, ...) takes the instance for its thread for its duration, and a pass, a binding or
 * a read from another thread meanwhile throws {@link ConcurrentModificationException}, naming the thread that holds
 * it. A call inside a call on the same thread (a typed method's pass, {@code predict(Object...)}'s) runs as part of
 * the outer one. Taking and releasing cost one compare-and-set and one release store per pass; binding and reading
 * check with a plain read. It is a safety net, not a lock: it never waits, and a binding that lands between two
 * passes of another thread goes unnoticed until that thread's next call.
 */
final class CallGuard {
    private static final VarHandle USER;

    static {
        try {
            USER = MethodHandles.lookup().findVarHandle(CallGuard.class, "user", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String model;
    @SuppressWarnings("unused") // through USER
    private Thread user;

    CallGuard(String model) {
        this.model = model;
    }

    /**
     * Takes the instance for the calling thread; returns false when the thread holds it already (a call inside a
     * call), so that only the outer call releases it.
     */
    boolean enter() {
        Thread me = Thread.currentThread();
        Thread holder = (Thread) USER.compareAndExchange(this, (Thread) null, me);
        if (holder == null) {
            return true;
        }
        if (holder == me) {
            return false;
        }
        throw busy(holder);
    }

    /** Releases the instance if {@link #enter} took it. */
    void exit(boolean took) {
        if (took) {
            USER.setRelease(this, (Thread) null);
        }
    }

    /** Throws if another thread holds the instance. */
    void check() {
        Thread holder = (Thread) USER.getOpaque(this);
        if (holder != null && holder != Thread.currentThread()) {
            throw busy(holder);
        }
    }

    private ConcurrentModificationException busy(Thread holder) {
        return new ConcurrentModificationException("model " + model + " is in use by thread \"" + holder.getName()
                + "\": an instance runs one call at a time; use one instance per thread (docs/generated-classes.md, "
                + "Threads)");
    }
}
