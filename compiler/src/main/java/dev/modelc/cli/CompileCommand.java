package dev.modelc.cli;

import dev.modelc.ast.AstPrinter;
import dev.modelc.ast.Parser;
import dev.modelc.ast.Program;
import dev.modelc.check.Checker;
import dev.modelc.check.Frontend;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.SourceFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code modelc compile FILE... --emit STAGE}: runs the pipeline and prints the requested stage. */
@Command(name = "compile", mixinStandardHelpOptions = true,
    description = "Compile models; --emit prints a stage of the pipeline.")
final class CompileCommand implements Callable<Integer> {
  enum Stage { ast }

  @Mixin GlobalOptions options;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "The .mdl files.")
  List<Path> files;

  @Option(names = "--emit", paramLabel = "STAGE", required = true,
      description = "The stage to print: ${COMPLETION-CANDIDATES}.")
  Stage emit;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    FrontendRun run = new FrontendRun();
    StringBuilder text = new StringBuilder();
    for (Path f : files) {
      Diagnostics d = run.diagnostics;
      SourceFile source = Frontend.read(f, d);
      if (source == null) {
        continue;
      }
      Program program = Parser.parse(source, d);
      if (program == null) {
        continue;
      }
      Checker.check(program, d);
      text.append(AstPrinter.print(program));
    }
    if (run.report(options, spec.commandLine().getErr())) {
      return Main.USER_ERROR;
    }
    out.print(text);
    out.flush();
    return Main.OK;
  }
}
