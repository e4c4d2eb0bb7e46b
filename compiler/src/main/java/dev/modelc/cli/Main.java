package dev.modelc.cli;

import dev.modelc.runtime.data.DataException;
import dev.modelc.runtime.io.WeightsFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * The {@code modelc} command line. Exit codes: 0 success, 1 errors in the user's input (a bad {@code .mdl}, a
 * failed check, data or weights that do not fit: {@link UserError}, {@code DataException},
 * {@code WeightsFormatException}), 2 bad command-line usage, 3 an internal error.
 */
@Command(
    name = "modelc",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A static autograd compiler for the JVM: checks, differentiates, compiles and trains .mdl models.",
    subcommands = {SummaryCommand.class, CompileCommand.class, CheckCommand.class, GraphCommand.class,
        TrainCommand.class, EvalCommand.class, PredictCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  public static final int OK = 0;
  public static final int USER_ERROR = 1;
  public static final int USAGE = 2;
  public static final int INTERNAL = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) throws InterruptedException {
    // The parser and checker recurse over the expression tree; the whole run is on one big stack, so long
    // generated models compile and the front end's own BigStack calls run inline.
    System.exit(dev.modelc.util.BigStack.call(
        () -> run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true))));
  }

  /** Runs the command line with the given streams and returns the exit code; used by tests. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler(Main::usageError);
    cli.setExecutionExceptionHandler(Main::internalError);
    try {
      return cli.execute(args);
    } catch (OutOfMemoryError e) {
      err.println("modelc: error: " + OutOfMemory.describe(e));
      err.flush();
      return USER_ERROR;
    }
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (summary, compile, check, graph, train, eval, predict)");
  }

  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("modelc: " + e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
    return USAGE;
  }

  private static int internalError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    if (e instanceof UserError || e instanceof DataException || e instanceof WeightsFormatException) {
      // Files the user gave that do not fit: the message names the file and what is wrong.
      err.println("modelc: error: " + e.getMessage());
      if (GlobalOptions.stacktraceRequested(parsed)) {
        e.printStackTrace(err);
      }
      err.flush();
      return USER_ERROR;
    }
    OutOfMemoryError oom = OutOfMemory.in(e);
    if (oom != null) {
      err.println("modelc: error: " + OutOfMemory.describe(oom));
      err.flush();
      return USER_ERROR;
    }
    IOException io = e instanceof IOException x ? x : e instanceof UncheckedIOException u ? u.getCause() : null;
    if (io != null) {
      // Reading and writing the user's paths fails for the user's reasons: a file where a directory should be,
      // no permission, a full disk. Say which path and why.
      err.println("modelc: " + describe(io));
      err.flush();
      return USER_ERROR;
    }
    err.println("modelc: internal error: " + e
        + " (this is a bug in modelc; please report it with the .mdl file and command line"
        + (GlobalOptions.stacktraceRequested(parsed) ? ")" : ", rerun with --stacktrace for details)"));
    if (GlobalOptions.stacktraceRequested(parsed)) {
      e.printStackTrace(err);
    }
    err.flush();
    return INTERNAL;
  }

  /** An I/O failure in a user's words: the path and what is wrong with it. */
  static String describe(IOException e) {
    if (e instanceof FileSystemException f && f.getFile() != null) {
      String why = e instanceof NoSuchFileException ? "no such file or directory"
          : e instanceof AccessDeniedException ? "permission denied"
          : e instanceof FileAlreadyExistsException ? "a file is in the way (a directory is needed there)"
          : e instanceof NotDirectoryException ? "not a directory"
          : f.getReason() != null ? f.getReason() : "cannot be written";
      return f.getFile() + (f.getOtherFile() != null ? " (" + f.getOtherFile() + ")" : "") + ": " + why;
    }
    return "cannot read or write a file: " + e.getMessage();
  }

  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {
        "modelc " + p.getProperty("version", "unknown"),
        "JVM: ${java.version} (${java.vendor} ${java.vm.name} ${java.vm.version})"
      };
    }
  }
}
