package dev.modelc.runtime.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Writes a file so that it is either the old file or the whole new one, never a half-written mix: a training run
 * killed while saving weights must leave the previous checkpoint readable. The content goes to a temporary file
 * in the same directory (so the rename stays on one file system), is forced to the device
 * ({@code FileChannel.force(true)}), and then atomically renamed over the target
 * ({@code ATOMIC_MOVE, REPLACE_EXISTING}); finally the directory is forced so the rename itself is durable where
 * the platform allows it. On any failure the temporary file is deleted and the target is untouched; so it is at a
 * normal JVM exit during the write, if the write does not finish within a few seconds; and the temporary files a
 * killed process left are deleted by a later save of the same target once that process is gone
 * ({@link #createTemporary}). The new file has the permissions of any file created there ({@code 0666} less the umask on POSIX systems), not the owner-only
 * ones of {@code Files.createTempFile}.
 */
public final class AtomicFile {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long PID = ProcessHandle.current().pid();

    private AtomicFile() {}

    /** What writes the content; the stream is buffered and must not be closed by the body. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    public static void write(Path target, Body body) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (!Files.isDirectory(dir)) { // said of the target, not of the temporary file that could not be made
            throw new java.nio.file.NoSuchFileException(target.toString(), null, Files.exists(dir)
                    ? dir + " is not a directory" : "the directory " + dir + " does not exist");
        }
        Path temp = createTemporary(dir, absolute.getFileName().toString());
        InFlight.add(temp);
        try {
            writeAndRename(temp, absolute, body);
        } catch (Throwable failure) {
            deleteAfter(failure, temp);
            throw failure;
        } finally {
            InFlight.remove(temp);
        }
        forceDirectory(dir);
    }

    private static void writeAndRename(Path temp, Path target, Body body) throws IOException {
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            body.writeTo(out);
            out.flush();
            channel.force(true);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot replace " + target + " atomically on this file system", e);
        }
    }

    /** Deletes the temporary file of a failed write; a failure to do so is added to the write's, not thrown instead. */
    private static void deleteAfter(Throwable failure, Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    public static void write(Path target, byte[] content) throws IOException {
        write(target, out -> out.write(content));
    }

    /**
     * A new empty file in {@code dir}, named {@code .<name>.<pid>.<random>.tmp} after this process's pid, with the
     * permissions any new file gets there: {@code Files.createTempFile} makes it readable by its owner only, and the
     * renamed file kept that. The temporary files of {@code name} that a killed process left there are deleted
     * first: those whose pid is not a live process and that were not modified for ten minutes (a pid means nothing
     * on another machine sharing the directory). Only files of exactly that pattern are touched; a failure to list
     * or delete them is a warning ({@code Warnings}), not an exception.
     */
    public static Path createTemporary(Path dir, String name) throws IOException {
        StaleTemporaries.remove(dir, name);
        for (int attempt = 1; ; attempt++) {
            Path temp = dir.resolve(StaleTemporaries.temporaryName(name, PID, RANDOM.nextLong()));
            try {
                return Files.createFile(temp);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
        }
    }

    /** Makes a rename durable on Linux; platforms that cannot open a directory for reading are left as they are. */
    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Windows cannot open a directory as a channel; the rename is still atomic.
        }
    }

    /**
     * The temporary files of the writes in progress. At a normal exit (the end of {@code main}, {@code System.exit},
     * SIGTERM) a hook gives them {@link #GRACE} to finish, since the JVM keeps running other threads and hooks until
     * its hooks are done, and then deletes the files still there; a kill leaves them to {@link StaleTemporaries}.
     */
    private static final class InFlight {
        static final Duration GRACE = Duration.ofSeconds(5);
        private static final Set<Path> FILES = new HashSet<>();

        static {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(InFlight::finishOrDelete, "modelc-atomic-file-exit"));
            } catch (IllegalStateException | SecurityException e) {
                // already shutting down (a write from another hook), or not allowed: left to StaleTemporaries
            }
        }

        static void add(Path temp) {
            synchronized (FILES) {
                FILES.add(temp);
            }
        }

        static void remove(Path temp) {
            synchronized (FILES) {
                FILES.remove(temp);
                FILES.notifyAll();
            }
        }

        private static void finishOrDelete() {
            List<Path> left;
            synchronized (FILES) {
                awaitEmpty(System.nanoTime() + GRACE.toNanos());
                left = new ArrayList<>(FILES);
            }
            for (Path temp : left) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException | RuntimeException e) {
                    // the JVM is exiting; a file left here is removed by a later save
                }
            }
        }

        /** Waits, holding FILES's monitor, until no write is in progress or {@code deadline} has passed. */
        private static void awaitEmpty(long deadline) {
            for (long wait; !FILES.isEmpty() && (wait = deadline - System.nanoTime()) > 0; ) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(FILES, wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
