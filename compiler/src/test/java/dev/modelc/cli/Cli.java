package dev.modelc.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** The command line run in this process with its streams captured, as the command-line tests run it. */
final class Cli {
  private Cli() {
  }

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }
}
