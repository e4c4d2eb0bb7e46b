package dev.modelc.cli;

import dev.modelc.runtime.data.Idx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

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

  /**
   * Throws a {@link UserError} when {@code path} is one of the files the command reads ({@code inputs}, by what they
   * are: "the model file", "the --data file"), or names the same file as another output written later
   * ({@code outputs}, by flag): writing it would destroy the source, the data or the other result. Null entries are
   * skipped.
   */
  static void notAnotherFile(String flag, Path path, Map<String, Path> inputs, Map<String, Path> outputs) {
    if (path == null) {
      return;
    }
    inputs.forEach((what, input) -> {
      if (input != null && sameFile(path, input)) {
        throw new UserError(flag + " " + path + ": that is " + what + " (" + input + "), which writing there "
            + "would overwrite; name another file");
      }
      for (Path read : filesReadIn(input)) {
        if (sameFile(path, read)) {
          throw new UserError(flag + " " + path + ": that is " + read.getFileName() + " of "
              + what.replace(" file", " directory") + " (" + input + "), which writing there would overwrite; "
              + "name another file");
        }
      }
    });
    outputs.forEach((other, output) -> {
      if (output != null && (sameFile(path, output)
          || path.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize()))) {
        throw new UserError(flag + " " + path + " and " + other + " " + output + " name the same file, so one "
            + "would overwrite the other; name two files");
      }
    });
  }

  /** The data files a directory given as data holds (its IDX pairs, plain or gzipped), or none. */
  private static List<Path> filesReadIn(Path input) {
    return input != null && Files.isDirectory(input) ? Idx.files(input) : List.of();
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The conversion of an output option's value: a path, refused when it ends with a separator, which names a
   * directory ({@code --save out/}) that {@link Path#of} would silently turn into a file named {@code out}.
   */
  static final class PathConverter implements CommandLine.ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
      if (value.endsWith("/") || value.endsWith(java.io.File.separator)) {
        throw new CommandLine.TypeConversionException("'" + value + "' names a directory (it ends with '/'); "
            + "name a file to write");
      }
      return Path.of(value);
    }
  }

  /** As {@link #check}, for a command that creates the missing directories itself. */
  static void notADirectory(String flag, Path path) {
    if (path != null && Files.isDirectory(path)) {
      throw new UserError(flag + " " + path + ": " + path + " is a directory; name a file to write");
    }
  }
}
