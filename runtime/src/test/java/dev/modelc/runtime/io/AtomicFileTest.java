package dev.modelc.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.modelc.runtime.tensor.Warnings;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole-or-nothing writes: the content, no temporary file left, the permissions of an ordinary new file, and the
 * temporary files of killed writers removed by the next save while those of live ones stay.
 */
class AtomicFileTest {
    private static final long LIVE = ProcessHandle.current().pid();
    private static final Instant LONG_AGO = Instant.now().minus(Duration.ofHours(1));

    @TempDir Path dir;
    private final List<String> warnings = new ArrayList<>();

    @AfterEach
    void restoreWarnings() {
        Warnings.setSink(null);
        Warnings.reset();
    }

    @Test
    void writesTheContentAndLeavesNoTemporaryFile() throws IOException {
        Path target = dir.resolve("w.bin");
        AtomicFile.write(target, new byte[] {1, 2, 3});
        AtomicFile.write(target, new byte[] {4, 5});
        assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(target));
        assertEquals(List.of("w.bin"), names());
    }

    @Test
    void aMissingDirectoryIsNamedForTheTargetWithoutWarnings() {
        Warnings.setSink(warnings::add);
        Path target = dir.resolve("no/such/w.bin");
        var e = assertThrows(java.nio.file.NoSuchFileException.class, () -> AtomicFile.write(target, new byte[1]));
        assertEquals(target + ": the directory " + dir.resolve("no/such") + " does not exist", e.getMessage());
        assertEquals(List.of(), warnings);
    }

    @Test
    void theFileGetsThePermissionsOfAnyNewFileNotOwnerOnly() throws IOException {
        assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null, "POSIX file system");
        Path plain = Files.createFile(dir.resolve("plain"));
        Path written = dir.resolve("written");
        AtomicFile.write(written, new byte[] {1});
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(written));
    }

    @Test
    void theTemporaryFileIsNamedAfterTheTargetAndThisProcess() throws IOException {
        List<String> during = new ArrayList<>();
        AtomicFile.write(dir.resolve("w.bin"), out -> during.addAll(names()));
        assertEquals(1, during.size(), during.toString());
        assertEquals(OptionalLong.of(LIVE), StaleTemporaries.writerPid(during.get(0), "w.bin"), during.get(0));
    }

    @Test
    void aFailedWriteDeletesItsTemporaryFileAndThrowsItsOwnException() throws IOException {
        Path target = dir.resolve("w.bin");
        AtomicFile.write(target, new byte[] {1, 2, 3});
        IOException thrown = assertThrows(IOException.class, () -> AtomicFile.write(target, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full");
        }));
        assertEquals("disk full", thrown.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        assertEquals(List.of("w.bin"), names());
    }

    @Test
    void theNextSaveRemovesTheTemporaryFileOfADeadProcess() throws Exception {
        Path stale = old(temporary("w.bin", deadPid()));
        AtomicFile.write(dir.resolve("w.bin"), new byte[] {1});
        assertFalse(Files.exists(stale));
        assertEquals(List.of("w.bin"), names());
    }

    @Test
    void aSaveKeepsTheFilesOfLiveProcessesOtherTargetsAndOtherNames() throws Exception {
        long dead = deadPid();
        List<Path> kept = List.of(old(temporary("w.bin", LIVE)), old(temporary("w.bin.1", dead)),
                old(temporary("w", dead)), old(temporary("v.bin", dead)), old(file("." + "w.bin.abc123.tmp")),
                old(file(".w.bin." + dead + ".abc.tmp.bak")), old(file("w.bin." + dead + ".abc.tmp")),
                old(file(".w.bin." + dead + ".ABC.tmp")), old(file(".w.bin.x" + dead + ".abc.tmp")),
                old(file(".w.bin." + dead + ".tmp")), old(Files.createDirectory(dir.resolve(name("w.bin", dead)))));
        AtomicFile.write(dir.resolve("w.bin"), new byte[] {1});
        for (Path p : kept) {
            assertTrue(Files.exists(p), p.toString());
        }
    }

    @Test
    void aRecentlyModifiedFileOfAnUnknownPidIsKept() throws Exception {
        Path recent = temporary("w.bin", deadPid());
        AtomicFile.write(dir.resolve("w.bin"), new byte[] {1});
        assertTrue(Files.exists(recent));
    }

    @Test
    void theTemporaryFileOfAKilledJvmIsRemovedByTheNextSave() throws Exception {
        Path target = dir.resolve("w.bin");
        Process child = startWriting(target, "kill");
        child.destroyForcibly().waitFor();
        List<String> left = names();
        assertEquals(1, left.size(), left.toString());
        assertEquals(OptionalLong.of(child.pid()), StaleTemporaries.writerPid(left.get(0), "w.bin"));
        old(dir.resolve(left.get(0)));
        AtomicFile.write(target, new byte[] {1});
        assertEquals(List.of("w.bin"), names());
    }

    @Test
    void aNormalExitDuringAWriteDeletesTheTemporaryFile() throws Exception {
        Process child = startWriting(dir.resolve("w.bin"), "exit");
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue());
        assertEquals(List.of(), names());
    }

    @Test
    void aFailedDeleteIsAWarningAndTheOtherStaleFilesAreStillDeleted() throws Exception {
        Warnings.setSink(warnings::add);
        long dead = deadPid();
        Path first = old(temporary("w.bin", dead));
        Path second = old(temporary("w.bin", dead));
        List<Path> attempted = new ArrayList<>();
        StaleTemporaries.remove(dir, "w.bin", Instant.now(), file -> {
            attempted.add(file);
            throw new IOException("operation not permitted");
        });
        assertEquals(2, attempted.size(), attempted.toString());
        assertTrue(attempted.containsAll(List.of(first, second)));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("operation not permitted"), warnings.get(0));
    }

    @Test
    void aSaveIntoADirectoryThatCannotBeListedStillSucceeds() throws IOException {
        assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null, "POSIX file system");
        Warnings.setSink(warnings::add);
        Path locked = Files.createDirectory(dir.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("-wx------"));
        try {
            assumeFalse(Files.isReadable(locked), "the user can read any directory (root)");
            AtomicFile.write(locked.resolve("w.bin"), new byte[] {1, 2});
            assertEquals(1, warnings.size(), warnings.toString());
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
        assertArrayEquals(new byte[] {1, 2}, Files.readAllBytes(locked.resolve("w.bin")));
    }

    @Test
    void onlyTheExactPatternOfTheTargetGivesAPid() {
        assertEquals(OptionalLong.of(42), StaleTemporaries.writerPid(".w.bin.42.3w5e11264sgsf.tmp", "w.bin"));
        assertEquals(OptionalLong.of(7), StaleTemporaries.writerPid(".a+b[1].bin.7.z.tmp", "a+b[1].bin"));
        assertEquals(OptionalLong.empty(), StaleTemporaries.writerPid(".w.bin.42.3w5e11264sgsf.tmp", "w"));
        assertEquals(OptionalLong.empty(), StaleTemporaries.writerPid(".w.bin.42.3w5e11264sgsf.tmp", "bin"));
        assertEquals(OptionalLong.empty(), StaleTemporaries.writerPid(".w.bin.5.42.abc.tmp", "w.bin"));
        assertEquals(OptionalLong.empty(), StaleTemporaries.writerPid(".w.bin.42.abc.tmp", "w.bin.42"));
        assertEquals(OptionalLong.empty(), StaleTemporaries.writerPid(".w.bin.-42.abc.tmp", "w.bin"));
        assertEquals(OptionalLong.empty(), StaleTemporaries.writerPid(".w.bin.42.abc.tmp~", "w.bin"));
        assertEquals(OptionalLong.empty(), StaleTemporaries.writerPid(".w.bin.99999999999999999999.abc.tmp", "w.bin"));
        for (long random : new long[] {0, 1, -1, Long.MIN_VALUE, 0x123456789abcdefL}) {
            String name = StaleTemporaries.temporaryName("w.bin", 123, random);
            assertEquals(OptionalLong.of(123), StaleTemporaries.writerPid(name, "w.bin"), name);
        }
    }

    @Test
    void aFileIsStaleOnlyWhenItsProcessIsGoneAndItWasNotModifiedForTenMinutes() throws Exception {
        Instant now = Instant.now();
        long dead = deadPid();
        assertTrue(StaleTemporaries.isStale(dead, now.minus(StaleTemporaries.MIN_AGE), now));
        assertFalse(StaleTemporaries.isStale(dead, now.minus(Duration.ofMinutes(9)), now));
        assertFalse(StaleTemporaries.isStale(LIVE, LONG_AGO, now));
    }

    /** The pid of a process that has ended and been reaped. */
    private static long deadPid() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(java(), "-version").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertEquals(0, p.waitFor());
        assumeFalse(ProcessHandle.of(p.pid()).isPresent(), "the pid was reused at once");
        return p.pid();
    }

    /** A child JVM writing {@code target}, once its temporary file holds data. */
    private static Process startWriting(Path target, String mode) throws IOException, URISyntaxException {
        String classpath = location(AtomicFileChild.class) + File.pathSeparator + location(AtomicFile.class);
        Process child = new ProcessBuilder(java(), "-cp", classpath, AtomicFileChild.class.getName(),
                target.toString(), mode).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertEquals("writing", out.readLine());
        }
        return child;
    }

    private static String location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private Path temporary(String target, long pid) throws IOException {
        return file(name(target, pid));
    }

    private static String name(String target, long pid) {
        return StaleTemporaries.temporaryName(target, pid, System.nanoTime());
    }

    private Path file(String name) throws IOException {
        return Files.write(dir.resolve(name), new byte[] {9});
    }

    private static Path old(Path file) throws IOException {
        return Files.setLastModifiedTime(file, FileTime.from(LONG_AGO));
    }

    private List<String> names() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
