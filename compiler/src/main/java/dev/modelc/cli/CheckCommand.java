package dev.modelc.cli;

import dev.modelc.check.CheckedModel;
import dev.modelc.check.CheckedProgram;
import dev.modelc.check.Frontend;
import dev.modelc.crosscheck.CrossCheck;
import dev.modelc.diag.Diagnostic;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.SourceFile;
import dev.modelc.driver.Driver;
import dev.modelc.ir.IrException;
import dev.modelc.runtime.tensor.AutogradException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code modelc check FILE [--steps N] [--seed S] [--batch B]}: compiled class and reference interpreter side by
 * side, plus a finite-difference check of the compiled gradients in f64; exits 1 when a tolerance is exceeded.
 */
@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run the compiled model and the reference interpreter side by side and compare everything.")
final class CheckCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", arity = "1", description = "The .mdl file.")
  Path file;

  @Option(names = "--steps", paramLabel = "N", defaultValue = "3", description = "Optimizer steps to compare (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the parameters and data (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--batch", paramLabel = "B", defaultValue = "4",
      description = "The value of every symbolic size (default: ${DEFAULT-VALUE}).")
  int batch;

  @Mixin GlobalOptions options;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (steps < 1 || steps > 10_000) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--steps must be between 1 and 10000");
    }
    if (batch < 1 || batch > 4096) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be between 1 and 4096");
    }
    PrintWriter out = spec.commandLine().getOut();
    FrontendRun run = FrontendRun.of(List.of(file));
    if (run.report(options, spec.commandLine().getErr())) {
      return Main.USER_ERROR;
    }
    SourceFile source = Frontend.read(file, new Diagnostics());
    Diagnostics f64Diagnostics = new Diagnostics();
    CheckedProgram f64 = Frontend.load(new SourceFile(source.name(), source.text().replaceAll("\\bf32\\b", "f64")),
        f64Diagnostics);
    boolean ok = true;
    List<CheckedModel> models = run.programs.get(0).models();
    for (int i = 0; i < models.size(); i++) {
      CheckedModel m = models.get(i);
      CrossCheck c;
      try {
        c = CrossCheck.run(m, steps, seed, batch);
      } catch (IrException e) {
        if (!e.origin.known()) throw e;
        // the back end refused the model at a place in the source (a slice of five dims), as modelc compile says
        Diagnostics refused = new Diagnostics();
        refused.addFile(source);
        refused.error(Driver.place(source, m, e), e.getMessage());
        FrontendRun.print(refused, options, spec.commandLine().getErr());
        ok = false;
        continue;
      } catch (IllegalArgumentException | IllegalStateException | AutogradException e) {
        if (OutOfMemory.in(e) != null) {
          throw e; // a model too large for the heap: reported as such, with the heap to ask for
        }
        // The model's own numbers stopped a run as they would stop PyTorch (bce of a value outside [0, 1]).
        out.println("Model " + m.name() + ": FAILED: the run stopped: " + e.getMessage());
        out.println();
        ok = false;
        continue;
      }
      if (f64 != null && !f64Diagnostics.hasErrors() && f64.models().size() == models.size()) {
        try {
          c.finiteDifferences(f64.models().get(i), seed, batch);
        } catch (IllegalArgumentException | IllegalStateException | AutogradException e) {
          c.notes().add("finite differences skipped: the f64 run stopped: " + e.getMessage());
        }
      } else {
        String why = f64Diagnostics.all().stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR)
            .findFirst().map(d -> d.span().line() + ":" + d.span().column() + ": " + d.message())
            .orElse("its models differ");
        c.notes().add("finite differences skipped: the model with every f32 made f64 does not check: " + why);
      }
      TextTable table = new TextTable("Quantity", "Max abs err", "Max rel err", "Allowed: atol + rtol |ref|",
          "Worst err / allowed", "OK").alignRight(1).alignRight(2).alignRight(4);
      for (CrossCheck.Row r : c.rows()) {
        table.row(r.quantity(), String.format("%.3g", r.maxAbs()), String.format("%.3g", r.maxRel()),
            String.format("atol %.0e, rtol %.0e", r.atol(), r.rtol()), String.format("%.3g", r.worst()),
            r.ok() ? "ok" : "FAIL");
      }
      out.println("Model " + m.name() + ": compiled vs reference interpreter, seed " + seed + ", sizes = " + batch
          + ", " + steps + " step(s)");
      out.print(table.render());
      c.notes().forEach(out::println);
      out.println(c.ok() ? "all " + c.rows().size() + " comparisons within tolerance"
          : c.rows().stream().filter(r -> !r.ok()).count() + " comparison(s) FAILED");
      out.println();
      ok &= c.ok();
    }
    out.flush();
    return ok ? Main.OK : Main.USER_ERROR;
  }
}
