package dev.modelc.check;

import dev.modelc.ast.Parser;
import dev.modelc.ast.Program;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.SourceFile;
import dev.modelc.diag.Span;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** The front end in one call: read, parse, and (when parsing succeeded) check. */
public final class Frontend {
  private Frontend() {}

  /** Parses and checks; returns null when the file has syntax errors (reported). */
  public static CheckedProgram load(SourceFile file, Diagnostics diagnostics) {
    return load(file, diagnostics, program -> { });
  }

  /**
   * The front end: parse, stop on error, check. Returns null when the file has syntax errors or nests expressions
   * too deeply for the stack (reported); check errors are reported and the program returned as far as it checked.
   * {@code parsed} sees the syntax tree before checking ({@code --emit ast}).
   */
  public static CheckedProgram load(SourceFile file, Diagnostics diagnostics, Consumer<Program> parsed) {
    Program program = parse(file, diagnostics);
    if (program == null) {
      return null;
    }
    parsed.accept(program);
    return check(file, program, diagnostics);
  }

  /** Parses; returns null when the file has syntax errors or nests too deeply for the stack (reported). */
  public static Program parse(SourceFile file, Diagnostics diagnostics) {
    try {
      return Parser.parse(file, diagnostics);
    } catch (StackOverflowError e) {
      return tooDeep(file, diagnostics);
    }
  }

  /** Checks a parsed file; errors are reported and the program returned as far as it checked (null if too deep). */
  public static CheckedProgram check(SourceFile file, Program program, Diagnostics diagnostics) {
    try {
      return Checker.check(program, diagnostics);
    } catch (StackOverflowError e) {
      return tooDeep(file, diagnostics);
    }
  }

  private static <T> T tooDeep(SourceFile file, Diagnostics diagnostics) {
    diagnostics.error(Span.none(file.name()), "the file nests expressions too deeply to compile");
    return null;
  }

  /** Reads a file (UTF-8) and loads it; an unreadable or non-UTF-8 file is a diagnostic, not an exception. */
  public static CheckedProgram load(Path path, Diagnostics diagnostics) {
    SourceFile file = read(path, diagnostics);
    return file == null ? null : load(file, diagnostics);
  }

  /** The largest source file read: models are small text files; anything bigger is refused, not read. */
  public static final int MAX_FILE_BYTES = 8 << 20;

  public static SourceFile read(Path path, Diagnostics diagnostics) {
    String name = path.toString();
    byte[] bytes;
    try {
      if (Files.isRegularFile(path) && Files.size(path) > MAX_FILE_BYTES) {
        diagnostics.error(Span.none(name), "file is larger than " + (MAX_FILE_BYTES >> 20) + " MB; a model file is "
            + "a small text file");
        return null;
      }
      // Read at most one byte past the limit, so a device or pipe (/dev/zero) cannot make the read endless.
      try (java.io.InputStream in = Files.newInputStream(path)) {
        bytes = in.readNBytes(MAX_FILE_BYTES + 1);
      }
      if (bytes.length > MAX_FILE_BYTES) {
        diagnostics.error(Span.none(name), "file is larger than " + (MAX_FILE_BYTES >> 20) + " MB (or endless); a "
            + "model file is a small text file");
        return null;
      }
    } catch (IOException | SecurityException e) {
      String why = Files.isDirectory(path) ? "is a directory" : Files.exists(path) ? "cannot be read" : "does not exist";
      diagnostics.error(Span.none(name), "file " + why);
      return null;
    }
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
      // a byte order mark some editors write first is not part of the text (columns count from after it)
      return new SourceFile(name, text.startsWith("\uFEFF") ? text.substring(1) : text);
    } catch (CharacterCodingException e) {
      diagnostics.error(Span.none(name), "file is not UTF-8 text (is it a binary file?)");
      return null;
    }
  }
}
