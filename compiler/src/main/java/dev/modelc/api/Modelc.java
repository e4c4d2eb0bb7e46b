package dev.modelc.api;

import dev.modelc.ast.AstPrinter;
import dev.modelc.ast.Program;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.codegen.CompiledClass;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.SourceFile;
import dev.modelc.diag.Span;
import dev.modelc.ir.IrException;
import dev.modelc.ir.IrPrinter;
import dev.modelc.opt.Pipeline;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.TraceClassVisitor;

/**
 * The compiler as a library: {@code .mdl} files (or source text) in, classes and located diagnostics out. The
 * command line, the Maven plugin and apps that compile models at run time all go through here.
 *
 * <pre>
 *   Result r = Modelc.compile(List.of(Path.of("src/main/mdl/demo/linreg.mdl")), Options.defaults().withPackage("demo"));
 *   if (!r.ok()) { System.err.print(r.text()); return; }     // file:line:col: error: ..., the line, a caret
 *   ClassFiles.write(Path.of("target/classes"), r.classes()); // demo/LinReg.class, written atomically
 * </pre>
 *
 * <p>Per file the steps are {@link Driver#run}'s, the pipeline the command line's other commands run too: read
 * (UTF-8), parse, check; then, for each model of a file that checked, the stages asked for and the class (lower,
 * differentiate, optimize, schedule, emit), as the {@link Driver.Goal}s this class asks for. A file with errors
 * stops there; the other files go on, so one run reports every file's errors. Two models giving the same class name
 * are an error, and so is a model giving a class of {@link Options#javaClasses}. Nothing is written: see
 * {@link ClassFiles}.
 *
 * <p>The parser, checker and lowering recurse over the expression tree; they run on a thread with a 1 GiB stack of
 * their own ({@code dev.modelc.util.BigStack}), so callers need no large stack. Nesting beyond the front end's
 * limit is reported as an error, not thrown.
 */
public final class Modelc {
  private Modelc() {}

  /** Compiles the files; each file's name in diagnostics is the path as given. */
  public static Result compile(List<Path> files, Options options) {
    Run run = new Run(options);
    for (Path f : files) {
      Driver.run(f, run.diagnostics, run.steps(Driver.sourceName(f.toString())));
    }
    return run.result();
  }

  /** Compiles one file. */
  public static Result compile(Path file, Options options) {
    return compile(List.of(file), options);
  }

  /** Compiles source text; {@code name} ({@code net.mdl}) is its file name in diagnostics and stack traces. */
  public static Result compileSource(String name, String text, Options options) {
    Run run = new Run(options);
    Driver.run(new SourceFile(name, text), run.diagnostics, run.steps(Driver.sourceName(name)));
    return run.result();
  }

  /** The compiler's version ({@code 0.1.0-SNAPSHOT}). */
  public static String version() {
    Properties p = new Properties();
    try (InputStream in = Modelc.class.getResourceAsStream("/dev/modelc/cli/version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      return "unknown";
    }
    return p.getProperty("version", "unknown");
  }

  /** One compilation: the sink, and what the files gave so far. */
  private static final class Run {
    final Options options;
    final Diagnostics diagnostics = new Diagnostics();
    final List<GeneratedClass> classes = new ArrayList<>();
    final List<StageText> stages = new ArrayList<>();
    final Map<String, Span> classSources = new HashMap<>();

    Run(Options options) {
      this.options = options;
    }

    /** What the pipeline does with each file: the AST stage, then each model's stages and class. */
    Driver.Steps steps(String sourceName) {
      return new Driver.Steps() {
        @Override
        public void parsed(SourceFile source, Program program) {
          if (options.emit().contains(Stage.AST)) {
            stages.add(new StageText(sourceName.replaceFirst("\\.mdl$", ""), source.name(), Stage.AST,
                AstPrinter.print(program)));
          }
        }

        /** A model whose class another model or a Java class gives already is an error, and is not built. */
        @Override
        public List<Driver.Goal> goals(SourceFile source, CheckedModel m) {
          if (looksForClashes() && !claimClass(m)) {
            return List.of();
          }
          return Run.this.goals(sourceName);
        }

        @Override
        public void optimized(SourceFile source, CheckedModel m, Driver.Goal goal, List<Pipeline.Stage> stages) {
          Stage view = goal.training() ? Stage.GRAD : Stage.IR;
          if (options.emit().contains(view)) {
            stage(m, source, view, options.passes() ? passes(stages) : IrPrinter.print(stages.get(stages.size() - 1)
                .graph()));
          }
        }

        @Override
        public void emitted(SourceFile source, CheckedModel m, CompiledClass c, long nanos) {
          Run.this.emitted(m, source, c, nanos);
        }

        /** An error at the model's name (its class is too large) underlines the name. */
        @Override
        public void failed(SourceFile source, CheckedModel m, IrException e) {
          diagnostics.error(Driver.place(source, m, e), e.getMessage());
        }
      };
    }

    /**
     * The inference graph for {@code --emit ir}; the training graph for {@code --emit grad}, and with it the class
     * when one is written or printed.
     */
    List<Driver.Goal> goals(String sourceName) {
      boolean verify = options.verify() || options.passes();
      List<Driver.Goal> goals = new ArrayList<>();
      if (options.emit().contains(Stage.IR)) {
        goals.add(Driver.Goal.graph(false, verify));
      }
      boolean printsClass = options.emit().contains(Stage.SCHEDULE) || options.emit().contains(Stage.BYTECODE);
      if (options.generate() || printsClass) {
        goals.add(Driver.Goal.compile(new Driver.Target(options.packageName(), sourceName, options.anomaly()), verify));
      } else if (options.emit().contains(Stage.GRAD)) {
        goals.add(Driver.Goal.graph(true, verify));
      }
      return goals;
    }

    /** The stages that need the class, then the class (whose name {@link #claimClass} has claimed). */
    void emitted(CheckedModel m, SourceFile source, CompiledClass c, long nanos) {
      if (options.emit().contains(Stage.SCHEDULE)) {
        stage(m, source, Stage.SCHEDULE, c.schedule().print());
      }
      if (options.emit().contains(Stage.BYTECODE)) {
        StringWriter w = new StringWriter();
        new ClassReader(c.bytecode()).accept(new TraceClassVisitor(new PrintWriter(w)), 0);
        stage(m, source, Stage.BYTECODE, w.toString());
      }
      if (options.generate()) {
        classes.add(new GeneratedClass(m.name(), c.className(), source.name(), c.bytecode(), ApiHash.of(c.bytecode()),
            nanos));
      }
    }

    /**
     * Whether to look for models that give one class: when classes are made, and in a check-only compile that prints
     * no stage (a check should pass only what a compile would); printing stages makes no class, so it does not look.
     */
    boolean looksForClashes() {
      return options.generate() || options.emit().isEmpty();
    }

    /**
     * Records the class {@code m} gives; when a Java class, a model compiled apart or an earlier model of this run
     * gives it already, reports that at the model's name and returns false.
     */
    boolean claimClass(CheckedModel m) {
      String className = options.packageName().isEmpty() ? m.name() : options.packageName() + "." + m.name();
      Path java = options.javaClasses().get(className);
      if (java != null) {
        diagnostics.error(m.nameSpan(), "duplicate class: " + className + " (model " + m.name() + " and " + java
            + " both define it); rename the model or the Java class");
        return false;
      }
      Path model = options.modelClasses().get(className);
      if (model != null) {
        diagnostics.error(m.nameSpan(), "model " + m.name() + " would overwrite class " + className
            + ", written for a model of " + model + "; rename one of them or put them in different packages");
        return false;
      }
      Span earlier = classSources.putIfAbsent(className, m.nameSpan());
      if (earlier != null) {
        diagnostics.error(m.nameSpan(), "model " + m.name() + " would overwrite class " + className
            + ", written for the model at " + earlier + " in this run; rename one of them or put them in "
            + "different packages");
        return false;
      }
      return true;
    }

    void stage(CheckedModel m, SourceFile source, Stage stage, String text) {
      stages.add(new StageText(m.name(), source.name(), stage, text));
    }

    static String passes(List<Pipeline.Stage> stages) {
      StringBuilder sb = new StringBuilder();
      for (Pipeline.Stage st : stages) {
        sb.append("// ---- ").append(st.pass()).append(st.changes().isEmpty() ? "" : ": " + String.join("; ",
            st.changes())).append('\n').append(IrPrinter.print(st.graph()));
      }
      return sb.toString();
    }

    Result result() {
      return new Result(classes, stages, diagnostics);
    }
  }
}
