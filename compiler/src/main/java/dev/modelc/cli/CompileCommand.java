package dev.modelc.cli;

import dev.modelc.api.ClassFiles;
import dev.modelc.api.GeneratedClass;
import dev.modelc.api.Modelc;
import dev.modelc.api.Options;
import dev.modelc.api.Result;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code modelc compile FILE... [-d DIR] [--package PKG] [--emit STAGE]}: compiles each model to a class file, or
 * prints one stage of the pipeline, through {@link Modelc}. Classes are written only when every file compiled.
 */
@Command(name = "compile", mixinStandardHelpOptions = true,
    description = "Compile models to JVM classes, or print a stage of the pipeline with --emit.")
final class CompileCommand implements Callable<Integer> {
  enum Stage { ast, ir, grad, schedule, bytecode }

  @Mixin GlobalOptions options;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "The .mdl files.")
  List<Path> files;

  @Option(names = "--emit", paramLabel = "STAGE",
      description = "Print a stage instead of writing classes: ${COMPLETION-CANDIDATES}.")
  Stage emit;

  @Option(names = {"-d", "--directory"}, paramLabel = "DIR",
      description = "Where class files go, under their package folders (default: the current directory).")
  Path directory;

  @Option(names = "--jar", converter = OutputFile.PathConverter.class, paramLabel = "FILE",
      description = "Write the classes into this jar instead of a directory.")
  Path jar;

  @Option(names = "--package", paramLabel = "PKG", defaultValue = "",
      description = "The Java package of the generated classes (default: none).")
  String packageName;

  @Option(names = "--verify", description = "Run the IR verifier after every pass.")
  boolean verify;

  @Option(names = "--stages",
      description = "With --emit ir or grad: print the graph after every optimization pass, with what it changed.")
  boolean stages;

  @Option(names = {"--anomaly", "--detect-anomaly"},
      description = "Instances start with anomaly detection on: the first NaN or infinity an input, a step or an "
          + "update makes throws, naming the .mdl line and op (Model.setDetectAnomaly switches it at run time).")
  boolean anomaly;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (!packageName.isEmpty() && !Options.isPackageName(packageName)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--package: not a Java package name: "
          + packageName);
    }
    if (Options.isReservedPackage(packageName)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--package: " + Options.RESERVED + ": "
          + packageName);
    }
    if (directory != null && jar != null) {
      // one of them would be ignored: the classes would not be where the user looks for them
      throw new CommandLine.ParameterException(spec.commandLine(), "-d " + directory + " and --jar " + jar
          + " both say where the classes go; give one of them");
    }
    if (emit != null && (directory != null || jar != null)) {
      // --emit prints a stage and writes no class: the classes the user expects there would never appear
      throw new CommandLine.ParameterException(spec.commandLine(), "--emit " + emit + " prints the stage instead of "
          + "writing classes, so " + (directory != null ? "-d " + directory : "--jar " + jar) + " would not be used;"
          + " give one of them");
    }
    if (stages && emit != Stage.ir && emit != Stage.grad) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--stages prints the graph after every pass of "
          + "--emit ir or --emit grad" + (emit == null ? ", which is not given" : ", not of --emit " + emit)
          + "; add --emit ir or --emit grad, or leave --stages out");
    }
    if (emit != null && emit != Stage.bytecode && (anomaly || !packageName.isEmpty())) {
      // both change the generated class only: the stage printed would be the same with or without them
      String flag = anomaly ? "--anomaly" : "--package " + packageName;
      throw new CommandLine.ParameterException(spec.commandLine(), flag + " changes the generated class, which "
          + "--emit " + emit + " does not print; use --emit bytecode to see it, or leave " + flag.split(" ")[0]
          + " out");
    }
    if (verify && emit == Stage.ast) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--verify checks the IR after every pass, and "
          + "--emit ast stops before the IR is built; use --emit ir, grad or schedule, or leave --verify out");
    }
    OutputFile.notADirectory("--jar", jar);
    Options compileOptions = Options.defaults().withPackage(packageName).withVerify(verify)
        .withPasses(stages).withAnomaly(anomaly);
    if (emit != null) {
      compileOptions = compileOptions.checkOnly().withEmit(Set.of(dev.modelc.api.Stage.of(emit.name())));
    }
    Result result = Modelc.compile(files, compileOptions);
    if (report(result)) {
      return Main.USER_ERROR;
    }
    PrintWriter out = spec.commandLine().getOut();
    if (emit != null) {
      result.stages().forEach(s -> out.print(s.text()));
    } else if (jar != null) {
      ClassFiles.writeJar(jar, result.classes());
      for (GeneratedClass c : result.classes()) {
        out.print(line(c, jar + "!/" + c.entryName()));
      }
    } else {
      List<Path> written = ClassFiles.write(directory == null ? Path.of(".") : directory, result.classes());
      for (int i = 0; i < written.size(); i++) {
        out.print(line(result.classes().get(i), written.get(i).toString()));
      }
    }
    out.flush();
    return Main.OK;
  }

  private static String line(GeneratedClass c, String where) {
    return String.format("%s -> %s (%d bytes, %.1f ms)%n", c.modelName(), where, c.bytecode().length,
        c.compileNanos() / 1e6);
  }

  /** Prints the findings in the chosen format; returns true when there were errors. */
  private boolean report(Result result) {
    PrintWriter err = spec.commandLine().getErr();
    boolean json = options.diagnostics == GlobalOptions.DiagnosticsFormat.json;
    err.print(json ? result.json() : result.text());
    if (!result.ok() && !json) {
      int n = result.errorCount();
      err.println(n + (n == 1 ? " error" : " errors"));
    }
    err.flush();
    return !result.ok();
  }
}
