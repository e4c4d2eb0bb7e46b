package dev.modelc.cli;

import dev.modelc.ast.AstPrinter;
import dev.modelc.ast.Parser;
import dev.modelc.ast.Program;
import dev.modelc.check.CheckedModel;
import dev.modelc.check.CheckedProgram;
import dev.modelc.check.Checker;
import dev.modelc.check.Frontend;
import dev.modelc.codegen.CompiledClass;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.SourceFile;
import dev.modelc.diag.Span;
import dev.modelc.driver.ModelBuild;
import dev.modelc.ir.IrException;
import dev.modelc.ir.IrPrinter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.TraceClassVisitor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code modelc compile FILE... [-d DIR] [--package PKG] [--emit STAGE]}: compiles each model to a class file, or
 * prints one stage of the pipeline.
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

  @Option(names = {"-d", "--directory"}, paramLabel = "DIR", defaultValue = ".",
      description = "Where class files go, under their package folders (default: ${DEFAULT-VALUE}).")
  Path directory;

  @Option(names = "--jar", paramLabel = "FILE",
      description = "Write the classes into this jar instead of a directory.")
  Path jar;

  private final java.util.Map<String, byte[]> jarEntries = new java.util.LinkedHashMap<>();

  @Option(names = "--package", paramLabel = "PKG", defaultValue = "",
      description = "The Java package of the generated classes (default: none).")
  String packageName;

  @Option(names = "--verify", description = "Run the IR verifier after every pass.")
  boolean verify;

  @Option(names = "--stages",
      description = "With --emit ir or grad: print the graph after every optimization pass, with what it changed.")
  boolean stages;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (!packageName.isEmpty() && !packageName.matches("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--package: not a Java package name: "
          + packageName);
    }
    PrintWriter out = spec.commandLine().getOut();
    FrontendRun run = new FrontendRun();
    StringBuilder text = new StringBuilder();
    for (Path f : files) {
      Diagnostics d = run.diagnostics;
      SourceFile source = Frontend.read(f, d);
      Program program = source == null ? null : Parser.parse(source, d);
      if (program == null) {
        continue;
      }
      CheckedProgram checked = Checker.check(program, d);
      if (emit == Stage.ast) {
        text.append(AstPrinter.print(program));
      } else if (!d.hasErrors()) {
        for (CheckedModel m : checked.models()) {
          Span earlier = emit == null ? classes.putIfAbsent(m.name(), m.span()) : null;
          if (earlier != null) {
            d.error(m.span(), "model " + m.name() + " would overwrite class " + qualified(m.name()) + ", written for "
                + "the model at " + earlier + " in this run; rename one of them or compile them separately");
            continue;
          }
          try {
            text.append(stage(m, f));
          } catch (IrException e) {
            d.error(spanOf(source, e), e.getMessage());
          }
        }
      }
    }
    if (run.report(options, spec.commandLine().getErr())) {
      return Main.USER_ERROR;
    }
    if (jar != null && emit == null) {
      writeJar();
    }
    out.print(text);
    out.flush();
    return Main.OK;
  }

  /** The models compiled so far in this run, by class name, so that none overwrites another's class. */
  private final java.util.Map<String, Span> classes = new java.util.HashMap<>();

  private String qualified(String name) {
    return packageName.isEmpty() ? name : packageName + "." + name;
  }

  private String stage(CheckedModel m, Path file) throws IOException {
    if (stages && (emit == Stage.ir || emit == Stage.grad)) {
      StringBuilder sb = new StringBuilder();
      for (dev.modelc.opt.Pipeline.Stage st : ModelBuild.stages(m, emit == Stage.grad)) {
        sb.append("// ---- ").append(st.pass()).append(st.changes().isEmpty() ? "" : ": " + String.join("; ",
            st.changes())).append('\n').append(IrPrinter.print(st.graph()));
      }
      return sb.toString();
    }
    if (emit == Stage.ir) {
      return IrPrinter.print(ModelBuild.inference(m, verify));
    } else if (emit == Stage.grad) {
      return IrPrinter.print(ModelBuild.training(m, verify));
    }
    String sourceName = file.getFileName().toString();
    long start = System.nanoTime();
    CompiledClass c = ModelBuild.compile(m, packageName, sourceName, verify);
    long micros = (System.nanoTime() - start) / 1000;
    if (emit == Stage.schedule) {
      return c.schedule().print();
    } else if (emit == Stage.bytecode) {
      StringWriter w = new StringWriter();
      new ClassReader(c.bytecode()).accept(new TraceClassVisitor(new PrintWriter(w)), 0);
      return w.toString();
    }
    String entry = c.className().replace('.', '/') + ".class";
    if (jar != null) {
      if (jarEntries.put(entry, c.bytecode()) != null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "two models are both named " + c.className());
      }
      return String.format("%s -> %s!/%s (%d bytes, %.1f ms)%n", m.name(), jar, entry, c.bytecode().length,
          micros / 1000.0);
    }
    Path target = directory.resolve(entry);
    Files.createDirectories(target.getParent());
    Files.write(target, c.bytecode());
    return String.format("%s -> %s (%d bytes, %.1f ms)%n", m.name(), target, c.bytecode().length, micros / 1000.0);
  }

  /** The jar: a manifest and the classes; written only when every model compiled. */
  private void writeJar() throws IOException {
    java.util.jar.Manifest manifest = new java.util.jar.Manifest();
    manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().putValue("Created-By", "modelc");
    if (jar.toAbsolutePath().getParent() != null) {
      Files.createDirectories(jar.toAbsolutePath().getParent());
    }
    try (java.util.jar.JarOutputStream out =
        new java.util.jar.JarOutputStream(Files.newOutputStream(jar), manifest)) {
      for (java.util.Map.Entry<String, byte[]> e : jarEntries.entrySet()) {
        out.putNextEntry(new java.util.jar.JarEntry(e.getKey()));
        out.write(e.getValue());
        out.closeEntry();
      }
    }
  }

  private static Span spanOf(SourceFile source, IrException e) {
    int line = Math.max(1, e.origin.line());
    String lineText = source.line(line);
    int offset = 0;
    for (int i = 1; i < line; i++) {
      offset += source.line(i).length() + 1;
    }
    int col = Math.max(1, Math.min(e.origin.column(), lineText.length() + 1));
    return source.span(offset + col - 1, offset + col);
  }
}
