package dev.modelc.runtime.io;

import dev.modelc.runtime.tensor.Warnings;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The temporary files {@link AtomicFile} names {@code .<name>.<pid>.<random>.tmp}, and the removal of those a killed
 * process left behind. A file is stale when it matches that pattern for the target exactly, is a regular file, its
 * pid is not a live process here, and it has not been modified for {@link #MIN_AGE}: a pid only means something in
 * its own host and pid namespace, and the age keeps the file of a writer on another machine sharing the directory,
 * which is written to (its modification time moving) until it is renamed.
 */
final class StaleTemporaries {
    static final Duration MIN_AGE = Duration.ofMinutes(10);

    /** What follows {@code .<name>.}: the writer's pid, then the random part {@link AtomicFile} appends. */
    private static final Pattern PID_AND_RANDOM = Pattern.compile("([0-9]{1,18})\\.[0-9a-z]{1,13}\\.tmp");

    /** Deletes one file; {@code Files::deleteIfExists} outside tests. */
    @FunctionalInterface
    interface Deleter {
        boolean delete(Path file) throws IOException;
    }

    private StaleTemporaries() {}

    /** The name of a temporary file for {@code name} written by process {@code pid}. */
    static String temporaryName(String name, long pid, long random) {
        return "." + name + "." + pid + "." + Long.toUnsignedString(random, 36) + ".tmp";
    }

    /** The pid in {@code fileName} when it is a temporary file of the target {@code name}, empty otherwise. */
    static OptionalLong writerPid(String fileName, String name) {
        String prefix = "." + name + ".";
        if (!fileName.startsWith(prefix)) {
            return OptionalLong.empty();
        }
        Matcher m = PID_AND_RANDOM.matcher(fileName.substring(prefix.length()));
        return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    /** Whether a matching temporary file written by {@code pid}, last modified at {@code modified}, is stale. */
    static boolean isStale(long pid, Instant modified, Instant now) {
        return !isAlive(pid) && !modified.isAfter(now.minus(MIN_AGE));
    }

    /**
     * Deletes the stale temporary files of {@code dir/name}; an unreadable directory or a failed delete is noted
     * once per directory ({@link Warnings}), never thrown.
     */
    static void remove(Path dir, String name) {
        remove(dir, name, Instant.now(), Files::deleteIfExists);
    }

    static void remove(Path dir, String name, Instant now, Deleter deleter) {
        List<Path> stale;
        try {
            stale = find(dir, name, now);
        } catch (IOException | DirectoryIteratorException | SecurityException e) {
            note(dir, e);
            return;
        }
        for (Path file : stale) {
            try {
                deleter.delete(file);
            } catch (IOException | SecurityException e) {
                note(dir, e);
            }
        }
    }

    private static void note(Path dir, Exception e) {
        Warnings.warnOnce("stale temporary files in " + dir, "could not remove a temporary file a killed process"
                + " left in " + dir + ": " + e);
    }

    /** The stale temporary files of {@code dir/name}. */
    static List<Path> find(Path dir, String name, Instant now) throws IOException {
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                OptionalLong pid = writerPid(fileName(entry), name);
                if (pid.isPresent() && isStaleFile(entry, pid.getAsLong(), now)) {
                    stale.add(entry);
                }
            }
        }
        return stale;
    }

    private static boolean isStaleFile(Path file, long pid, Instant now) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return false; // removed meanwhile, by its writer's rename or another process's cleanup
        }
        return attributes.isRegularFile() && isStale(pid, attributes.lastModifiedTime().toInstant(), now);
    }

    /** Whether {@code pid} is a live process; where that cannot be asked, every pid counts as live. */
    private static boolean isAlive(long pid) {
        try {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (UnsupportedOperationException e) {
            return true;
        }
    }

    private static String fileName(Path entry) {
        return entry.getFileName().toString();
    }
}
