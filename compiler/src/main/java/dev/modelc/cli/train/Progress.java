package dev.modelc.cli.train;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of {@code modelc train} within an epoch. On a terminal it redraws one line with a carriage return (a bar,
 * epoch, step, mean loss so far, samples per second and the epoch's ETA), at most ten times a second; otherwise
 * (a pipe, a file, CI) it prints a plain line at most every {@code plainEvery} nanoseconds and no carriage returns,
 * so logs stay readable. Epoch summaries are printed by the caller after {@link #endEpoch()}.
 */
public final class Progress {
  private static final long REDRAW_NANOS = 100_000_000L;
  private static final int BAR = 24;

  private final PrintWriter out;
  private final boolean terminal;
  private final long plainEvery;
  private final LongSupplier clock;
  private int epoch;
  private int epochs;
  private int batches;
  private long epochStart;
  private long lastShown;
  private boolean lineOpen;

  public Progress(PrintStream out, boolean terminal, long plainEveryNanos, LongSupplier clock) {
    this(new PrintWriter(out, true), terminal, plainEveryNanos, clock);
  }

  public Progress(PrintWriter out, boolean terminal, long plainEveryNanos, LongSupplier clock) {
    this.out = out;
    this.terminal = terminal;
    this.plainEvery = plainEveryNanos;
    this.clock = clock;
  }

  /** A display on standard output: a bar when it is a terminal, a line every ten seconds otherwise. */
  public static Progress onStdout() {
    return onStdout(new PrintWriter(System.out, true));
  }

  /**
   * Like {@link #onStdout()}, written through {@code out}, the command's writer over standard output (a test's
   * writer is never a terminal: {@code System.console()} is null when standard output is not one).
   */
  public static Progress onStdout(PrintWriter out) {
    return new Progress(out, System.console() != null, 10_000_000_000L, System::nanoTime);
  }

  public void startEpoch(int epoch, int epochs, int batches) {
    this.epoch = epoch;
    this.epochs = epochs;
    this.batches = batches;
    this.epochStart = clock.getAsLong();
    this.lastShown = epochStart;
  }

  /** After batch {@code done} (1-based) of the epoch, with {@code samples} seen so far in it and their mean loss. */
  public void update(int done, long samples, double meanLoss) {
    long now = clock.getAsLong();
    boolean last = done == batches;
    if (terminal) {
      if (!last && now - lastShown < REDRAW_NANOS) {
        return;
      }
      int filled = batches == 0 ? BAR : (int) ((long) BAR * done / batches);
      out.print("\r" + "epoch " + epoch + "/" + epochs + " [" + "=".repeat(filled) + " ".repeat(BAR - filled) + "] "
          + line(done, samples, meanLoss, now) + "   ");
      out.flush();
      lineOpen = true;
    } else {
      if (last || now - lastShown < plainEvery) {
        return;
      }
      out.println("epoch " + epoch + "/" + epochs + " " + line(done, samples, meanLoss, now));
    }
    lastShown = now;
  }

  private String line(int done, long samples, double meanLoss, long now) {
    double seconds = Math.max(1e-9, (now - epochStart) / 1e9);
    double eta = done == 0 ? Double.NaN : seconds * (batches - done) / done;
    return String.format(Locale.ROOT, "step %d/%d  loss %.4f  %.0f samples/s  ETA %s", done, batches, meanLoss,
        samples / seconds, duration(eta));
  }

  /** Ends the redrawn line, if any, so the caller's epoch summary starts on a line of its own. */
  public void endEpoch() {
    if (lineOpen) {
      out.println();
      lineOpen = false;
    }
  }

  static String duration(double seconds) {
    if (Double.isNaN(seconds)) {
      return "?";
    }
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
