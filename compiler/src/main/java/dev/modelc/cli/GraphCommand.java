package dev.modelc.cli;

import dev.modelc.check.CheckedModel;
import dev.modelc.check.CheckedProgram;
import dev.modelc.driver.Driver;
import dev.modelc.ir.DotWriter;
import dev.modelc.ir.IrException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code modelc graph FILE -o net.dot|net.svg|net.png}: the forward and adjoint graphs as Graphviz. For svg and png
 * it runs Graphviz's {@code dot}.
 */
@Command(name = "graph", mixinStandardHelpOptions = true,
    description = "Draw the forward and adjoint graphs of a model (Graphviz DOT, or SVG/PNG through dot).")
final class GraphCommand implements Callable<Integer> {
  @Mixin GlobalOptions options;

  @Parameters(paramLabel = "FILE", arity = "1", description = "The .mdl file.")
  Path file;

  @Option(names = {"-o", "--output"}, paramLabel = "OUT", required = true, converter = OutputFile.PathConverter.class,
      description = "The file to write: .dot, .svg or .png.")
  Path output;

  @Option(names = "--model", paramLabel = "NAME", description = "Which model of the file (default: the first).")
  String modelName;

  @Option(names = "--forward-only", description = "Draw the forward graph only, without the adjoint.")
  boolean forwardOnly;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    String name = output.getFileName().toString();
    String format = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
    if (!List.of("dot", "gv", "svg", "png").contains(format)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "-o: " + output + " must end in .dot, .svg or .png");
    }
    OutputFile.check("-o", output);
    PrintWriter err = spec.commandLine().getErr();
    FrontendRun run = FrontendRun.of(List.of(file));
    if (run.report(options, err)) {
      return Main.USER_ERROR;
    }
    CheckedModel model = pick(run.programs.get(0));
    if (model == null) {
      err.println("modelc: " + file + (modelName == null ? " has no model" : " has no model named " + modelName));
      return Main.USER_ERROR;
    }
    String dot;
    try {
      dot = DotWriter.write(forwardOnly ? Driver.inference(model, false) : Driver.training(model, false));
    } catch (IrException e) {
      err.println(file + ":" + e.origin + ": error: " + e.getMessage());
      return Main.USER_ERROR;
    }
    if (format.equals("dot") || format.equals("gv")) {
      Files.writeString(output, dot, StandardCharsets.UTF_8);
    } else if (!render(dot, format, err)) {
      return Main.USER_ERROR;
    }
    spec.commandLine().getOut().println("wrote " + output);
    return Main.OK;
  }

  private CheckedModel pick(CheckedProgram program) {
    for (CheckedModel m : program.models()) {
      if (modelName == null || m.name().equals(modelName)) {
        return m;
      }
    }
    return null;
  }

  private boolean render(String dot, String format, PrintWriter err) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("dot", "-T" + format, "-o", output.toString()).redirectErrorStream(true).start();
    } catch (IOException e) {
      err.println("modelc: Graphviz's 'dot' was not found; install Graphviz (Debian/Ubuntu: apt-get install "
          + "graphviz, macOS: brew install graphviz) or write a .dot file with -o " + stem() + ".dot");
      return false;
    }
    try (var in = p.getOutputStream()) {
      in.write(dot.getBytes(StandardCharsets.UTF_8));
    }
    String messages = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      err.println("modelc: dot did not finish within 60 s");
      return false;
    }
    if (p.exitValue() != 0) {
      err.println("modelc: dot failed (exit " + p.exitValue() + "): " + messages.strip());
      return false;
    }
    return true;
  }

  private String stem() {
    String n = output.getFileName().toString();
    return n.substring(0, n.lastIndexOf('.'));
  }
}
