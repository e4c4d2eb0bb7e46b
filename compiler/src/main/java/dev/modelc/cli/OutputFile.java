package dev.modelc.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The check every command makes of a file it will write (--save, --checkpoint, --plot, --metrics, --out, --jar,
 * -o) before doing any work, so that a long training run or a compilation does not end in an error about where its
 * result should go: the path must not be a directory, and its directory must exist (unless the command creates it,
 * as compile does for --jar).
 */
final class OutputFile {
  private OutputFile() {
  }

  /** Throws a {@link UserError} naming {@code flag} and {@code path} unless a file can be written there. */
  static void check(String flag, Path path) {
    notADirectory(flag, path);
    Path dir = path == null ? null : path.toAbsolutePath().getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      throw new UserError(flag + " " + path + ": " + (Files.exists(dir) ? dir + " is a file, not a directory"
          : "the directory " + dir + " does not exist"));
    }
  }

  /** As {@link #check}, for a command that creates the missing directories itself. */
  static void notADirectory(String flag, Path path) {
    if (path != null && Files.isDirectory(path)) {
      throw new UserError(flag + " " + path + ": " + path + " is a directory; name a file to write");
    }
  }
}
