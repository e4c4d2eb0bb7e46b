package dev.modelc.util;

import java.util.function.Supplier;

/**
 * Runs a computation on a thread with a large stack. The front end and the lowering recurse over expression trees,
 * and a long flat chain ({@code x + x + ... }, 100,000 terms) is a tree as deep as it is long: the command line runs
 * on such a thread, and callers inside another program (the Maven plugin, tests, an embedding application) get the
 * same depth through this. The stack is reserved, not committed, so an unused one costs little.
 */
public final class BigStack {
  /** 1 GiB, as the command line's worker thread. */
  public static final long SIZE = 1L << 30;

  private BigStack() {}

  /** True on a thread this class started: nested calls run inline instead of starting another thread. */
  private static final ThreadLocal<Boolean> DEEP = ThreadLocal.withInitial(() -> false);

  /**
   * The value of {@code work}, computed on a fresh thread with a {@link #SIZE} stack (or on this thread when it is
   * already one); its exceptions propagate. An interrupt while waiting interrupts the worker too.
   */
  public static <T> T call(Supplier<T> work) {
    if (DEEP.get()) {
      return work.get();
    }
    Object[] result = new Object[1];
    Throwable[] failure = new Throwable[1];
    Thread t = new Thread(null, () -> {
      DEEP.set(true);
      try {
        result[0] = work.get();
      } catch (Throwable e) {
        failure[0] = e;
      }
    }, "modelc-deep", SIZE);
    t.start();
    try {
      t.join();
    } catch (InterruptedException e) {
      t.interrupt();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while compiling", e);
    }
    if (failure[0] instanceof RuntimeException r) {
      throw r;
    } else if (failure[0] instanceof Error err) {
      throw err;
    } else if (failure[0] != null) {
      throw new IllegalStateException(failure[0]);
    }
    @SuppressWarnings("unchecked")
    T value = (T) result[0];
    return value;
  }
}
