package dev.modelc.api;

import dev.modelc.runtime.io.AtomicFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Writes generated classes so that no reader ever sees half a class: every file is first written to a temporary
 * file beside its target, and only when all of them are written is each moved into place (atomically where the file
 * system can). A failure while writing leaves the old files as they were and removes the temporary ones.
 */
public final class ClassFiles {
  private ClassFiles() {}

  /** Writes each class under {@code directory} in its package folders; returns the files written. */
  public static List<Path> write(Path directory, Collection<GeneratedClass> classes) throws IOException {
    List<Path[]> moves = new ArrayList<>();
    try {
      for (GeneratedClass c : classes) {
        Path target = directory.resolve(c.entryName());
        moves.add(new Path[] {temporary(target, c.bytecode()), target});
      }
      List<Path> written = new ArrayList<>();
      for (Path[] m : moves) {
        move(m[0], m[1]);
        written.add(m[1]);
      }
      return written;
    } finally {
      for (Path[] m : moves) {
        Files.deleteIfExists(m[0]);
      }
    }
  }

  /** Writes a text file (a printed stage, a state file) the same way. */
  public static void writeString(Path target, String text) throws IOException {
    Path tmp = temporary(target, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    try {
      move(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Writes the classes into a new jar (a manifest, then the classes), replacing {@code jar} when complete. */
  public static void writeJar(Path jar, Collection<GeneratedClass> classes) throws IOException {
    Path target = jar.toAbsolutePath();
    Files.createDirectories(target.getParent());
    Path tmp = AtomicFile.createTemporary(target.getParent(), target.getFileName().toString());
    try {
      Manifest manifest = new Manifest();
      manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
      manifest.getMainAttributes().putValue("Created-By", "modelc");
      try (OutputStream file = Files.newOutputStream(tmp); JarOutputStream out = new JarOutputStream(file, manifest)) {
        for (GeneratedClass c : classes) {
          out.putNextEntry(new JarEntry(c.entryName()));
          out.write(c.bytecode());
          out.closeEntry();
        }
      }
      move(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static Path temporary(Path target, byte[] bytes) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = AtomicFile.createTemporary(dir, target.getFileName().toString());
    try {
      Files.write(tmp, bytes);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    return tmp;
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
