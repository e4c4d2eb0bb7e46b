package dev.modelc.cli;

import dev.modelc.check.CheckedModel;
import dev.modelc.check.CheckedProgram;
import dev.modelc.check.TExpr;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code modelc summary FILE...}: a table of each model's values and parameters, like torchinfo. */
@Command(name = "summary", mixinStandardHelpOptions = true,
    description = "Check models and print each one's values (op, shape) and parameters (shape, count).")
final class SummaryCommand implements Callable<Integer> {
  @Mixin GlobalOptions options;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "The .mdl files.")
  List<Path> files;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    FrontendRun run = FrontendRun.of(files);
    if (run.report(options, spec.commandLine().getErr())) {
      return Main.USER_ERROR;
    }
    for (CheckedProgram program : run.programs) {
      for (CheckedModel model : program.models()) {
        out.print(render(program.file(), model));
        out.println();
      }
    }
    out.flush();
    return Main.OK;
  }

  static String render(String file, CheckedModel m) {
    TextTable table = new TextTable("Name", "Op", "Shape", "Params").alignRight(3);
    for (CheckedModel.Input in : m.inputs()) {
      table.row(in.name(), "input", in.type().toString(), "");
    }
    table.rule();
    for (CheckedModel.Param p : m.params()) {
      table.row(p.name(), p.buffer() ? "buffer" : "param", p.type().toString(),
          p.buffer() ? "" : String.format("%,d", p.count()));
    }
    if (!m.params().isEmpty()) {
      table.rule();
    }
    for (CheckedModel.Value v : m.values()) {
      table.row(v.name() + (m.outputs().contains(v.name()) ? " (output)" : ""), op(v.expr()), v.type().toString(), "");
    }
    StringBuilder s = new StringBuilder();
    s.append("Model ").append(m.name()).append("  (").append(file).append(')');
    if (!m.sizes().isEmpty()) {
      s.append("  symbolic sizes: ").append(String.join(", ", m.sizes()));
    }
    s.append('\n').append(table.render());
    long total = m.parameterCount();
    s.append(String.format("Total params: %,d%n", total));
    s.append(String.format("Trainable params: %,d%n", m.objective() == null ? 0 : total));
    long buffered = m.params().stream().filter(CheckedModel.Param::buffer).mapToLong(CheckedModel.Param::count).sum();
    if (buffered > 0) {
      s.append(String.format("Buffer elements (saved, not trained): %,d%n", buffered));
    }
    s.append(String.format("Parameter memory: %s%n", bytes(m)));
    s.append("Outputs: ").append(m.outputs().isEmpty() ? "(none)" : String.join(", ", m.outputs())).append('\n');
    if (m.objective() != null) {
      s.append("Objective: minimize ").append(describe(m.objective().expr())).append(" with ")
          .append(m.objective().optimizer()).append('\n');
    } else {
      s.append("Objective: none (inference only)\n");
    }
    return s.toString();
  }

  private static String bytes(CheckedModel m) {
    long b = 0;
    for (CheckedModel.Param p : m.params()) {
      b += p.count() * (p.type().dtype() == dev.modelc.types.DType.F64 ? 8 : 4);
    }
    return b < 10 * 1024 ? b + " B" : b < 10L * 1024 * 1024 ? String.format("%.1f KiB", b / 1024.0)
        : String.format("%.1f MiB", b / (1024.0 * 1024));
  }

  private static String describe(TExpr e) {
    return e instanceof TExpr.Ref r ? r.name() : op(e);
  }

  static String op(TExpr e) {
    if (e instanceof TExpr.Call c) {
      return switch (c.op()) {
        case ADD -> "add";
        case SUB -> "sub";
        case MUL -> "mul";
        case DIV -> "div";
        case POW -> "pow";
        case MATMUL -> "matmul";
        case NEG -> "neg";
        default -> c.op().spelling();
      };
    }
    return e instanceof TExpr.Ref r ? "= " + r.name() : "constant";
  }
}
