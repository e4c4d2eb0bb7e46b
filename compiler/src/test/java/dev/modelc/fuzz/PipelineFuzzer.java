package dev.modelc.fuzz;

import dev.modelc.check.Builtin;
import dev.modelc.check.CheckedModel;
import dev.modelc.check.CheckedProgram;
import dev.modelc.check.Frontend;
import dev.modelc.codegen.CompiledClass;
import dev.modelc.crosscheck.CrossCheck;
import dev.modelc.diag.Diagnostic;
import dev.modelc.diag.DiagnosticPrinter;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.SourceFile;
import dev.modelc.driver.Driver;
import dev.modelc.ir.IrException;
import dev.modelc.ir.Origin;
import dev.modelc.runtime.tensor.AutogradException;
import dev.modelc.types.Dim;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.CheckClassAdapter;

/**
 * A seeded mutation fuzzer over the whole pipeline. Its corpus is the samples and the test models; each input is a
 * corpus file with one to three token- or line-level mutations (numbers replaced by edge values, names and builtins
 * swapped, tokens deleted, duplicated, swapped or inserted, lines deleted, duplicated or spliced in from another
 * file). Each input is parsed and checked; every diagnostic must be located inside the file. An input that checks
 * is lowered, differentiated, optimized (with the IR verifier after every pass), scheduled and emitted; its class
 * is verified with ASM's CheckClassAdapter, loaded, and trained two steps side by side with the reference
 * interpreter ({@link CrossCheck}).
 *
 * <p>A finding is an exception other than a user-level one (a located {@code IrException}; a runtime error on the
 * model's own numbers, as PyTorch raises), an unlocated diagnostic, or bytecode that does not verify. Compiled and
 * reference values that disagree are counted separately (mutated models reach NaN and overflow freely).
 *
 * <p>Run it longer with {@code mvn -pl compiler -am test -Dtest=PipelineFuzzTest -Dfuzz.inputs=20000
 * -Dfuzz.seed=1 -Dsurefire.failIfNoSpecifiedTests=false} (see docs/internals.md).
 */
public final class PipelineFuzzer {
  /** A failure worth a bug report: what happened and the input that caused it. */
  public record Finding(String what, String input) {}

  /** What a run did. */
  public static final class Report {
    public int inputs;
    public int checked;
    public int compiled;
    public int trained;
    public int skippedLarge;
    public int disagreements;
    public final List<Finding> findings = new ArrayList<>();
    /** The first inputs whose compiled and reference values differed, with the rows that did. */
    public final List<Finding> differences = new ArrayList<>();

    @Override
    public String toString() {
      return inputs + " inputs: " + checked + " checked, " + compiled + " models compiled and verified, " + trained
          + " trained two steps (" + disagreements + " with compiled/reference differences), " + skippedLarge
          + " skipped as too large to run; " + findings.size() + " findings";
    }
  }

  private static final Pattern TOKEN = Pattern.compile(
      "[A-Za-z_][A-Za-z0-9_]*|[0-9]*\\.?[0-9]+(?:[eE][+-]?[0-9]+)?|\\*\\*|\\^T|\"[^\"\\n]*\"|\\s+|.");
  private static final List<String> EDGE_NUMBERS = List.of("0", "1", "2", "3", "-1", "0.0", "1e309", "1e-320",
      "99999999999999999999", "2147483648", "46341", "65536", "1e38", "-0.5", "7");
  private static final List<String> TOKENS = List.of("model", "layer", "input", "param", "let", "output",
      "minimize", "with", "init", "return", "f32", "f64", "i32", "^T", "**", "*", "/", "@", "+", "-", "=", ":", ",",
      ";", "(", ")", "[", "]", "{", "}", "B", "N", "x", "relu", "sum", "-1", "0", "2", "\n", "&", "|", "~", ">",
      "float");
  private static final long MAX_ELEMENTS = 200_000;

  private final List<String> corpus;
  private final List<String> builtins = new ArrayList<>();

  public PipelineFuzzer(List<String> corpus) {
    this.corpus = List.copyOf(corpus);
    for (Builtin b : Builtin.values()) {
      if (b.callable()) builtins.add(b.spelling());
    }
  }

  /** The samples, the check table and the golden files (run from the compiler module's directory). */
  public static List<String> defaultCorpus() throws IOException {
    List<String> texts = new ArrayList<>();
    for (String dir : List.of("../samples/models", "src/test/resources/check", "src/test/resources/golden/warnings")) {
      try (Stream<Path> files = Files.list(Path.of(dir))) {
        for (Path p : files.filter(f -> f.toString().endsWith(".mdl")).sorted().toList()) {
          texts.add(Files.readString(p));
        }
      }
    }
    return texts;
  }

  /** Runs {@code inputs} mutants from {@code seed}. */
  public Report run(long seed, int inputs) {
    Random rnd = new Random(seed);
    Report report = new Report();
    for (int i = 0; i < inputs; i++) {
      String text = mutate(corpus.get(rnd.nextInt(corpus.size())), rnd);
      report.inputs++;
      try {
        one(text, seed * 1_000_003L + i, report);
      } catch (Throwable t) {
        report.findings.add(new Finding(t.toString(), text));
      }
    }
    return report;
  }

  private void one(String text, long seed, Report report) {
    Diagnostics d = new Diagnostics();
    SourceFile file = new SourceFile("fuzz.mdl", text);
    CheckedProgram program = Frontend.load(file, d);
    DiagnosticPrinter.text(d);
    DiagnosticPrinter.json(d);
    int lines = text.split("\n", -1).length;
    for (Diagnostic diag : d.all()) {
      if (diag.message().isBlank() || diag.span().line() < 1 || diag.span().column() < 1
          || diag.span().line() > lines || !diag.span().file().equals("fuzz.mdl")) {
        report.findings.add(new Finding("unlocated diagnostic " + diag, text));
      }
    }
    if (program == null && !d.hasErrors()) {
      report.findings.add(new Finding("no program and no error", text));
    }
    if (program == null || d.hasErrors()) {
      return;
    }
    report.checked++;
    for (CheckedModel m : program.models()) {
      if (elements(m) > MAX_ELEMENTS) {
        report.skippedLarge++;
        continue;
      }
      CompiledClass c;
      try {
        c = Driver.compile(m, "fuzz", "fuzz.mdl", true);
      } catch (IrException e) {
        if (e.origin == Origin.NONE) {
          report.findings.add(new Finding("unlocated IrException: " + e.getMessage(), text));
        }
        continue;
      }
      StringWriter problems = new StringWriter();
      CheckClassAdapter.verify(new ClassReader(c.bytecode()), PipelineFuzzer.class.getClassLoader(), false,
          new PrintWriter(problems));
      if (!problems.toString().isEmpty()) {
        report.findings.add(new Finding("bytecode does not verify: " + problems.toString().lines().findFirst()
            .orElse(""), text));
        continue;
      }
      report.compiled++;
      try {
        CrossCheck check = CrossCheck.run(m, 2, seed, 2);
        report.trained++;
        if (!check.ok()) {
          report.disagreements++;
          if (report.differences.size() < 20) {
            String rows = check.rows().stream().filter(r -> !r.ok())
                .map(r -> r.quantity() + " abs " + r.maxAbs() + " worst " + r.worst()).limit(3)
                .reduce((a, b) -> a + "; " + b).orElse("");
            report.differences.add(new Finding("model " + m.name() + ": " + rows, text));
          }
        }
      } catch (IllegalArgumentException | IllegalStateException | AutogradException
          | UnsupportedOperationException e) {
        // the model's own numbers stopped the run, as they would stop PyTorch (labels, bce of NaN, ...)
      }
    }
  }

  /** Parameter and input elements with every symbolic size 2. */
  private static long elements(CheckedModel m) {
    long total = 0;
    List<dev.modelc.types.TensorType> types = new ArrayList<>();
    m.params().forEach(p -> types.add(p.type()));
    m.inputs().forEach(in -> types.add(in.type()));
    m.values().forEach(v -> types.add(v.expr().type()));
    for (dev.modelc.types.TensorType t : types) {
      double n = 1;
      for (Dim dim : t.shape().dims()) {
        n *= dim.coefficient() * Math.pow(2, dim.symbols().size());
      }
      total += (long) Math.min(n, 1e15);
    }
    return total;
  }

  /** One to three mutations of a corpus text. */
  String mutate(String text, Random rnd) {
    List<String> tokens = tokens(text);
    int n = 1 + rnd.nextInt(3);
    for (int k = 0; k < n && !tokens.isEmpty(); k++) {
      int at = rnd.nextInt(tokens.size());
      switch (rnd.nextInt(9)) {
        case 0 -> replaceKind(tokens, rnd, "[0-9.].*", EDGE_NUMBERS);
        case 1 -> replaceKind(tokens, rnd, "[A-Za-z_].*", names(tokens));
        case 2 -> replaceKind(tokens, rnd, "[a-z_0-9]+", builtins);
        case 3 -> tokens.remove(at);
        case 4 -> tokens.add(at, tokens.get(at));
        case 5 -> {
          int other = rnd.nextInt(tokens.size());
          String t = tokens.get(at);
          tokens.set(at, tokens.get(other));
          tokens.set(other, t);
        }
        case 6 -> tokens.add(at, TOKENS.get(rnd.nextInt(TOKENS.size())));
        case 7 -> {
          List<String> lines = new ArrayList<>(List.of(String.join("", tokens).split("\n", -1)));
          int line = rnd.nextInt(lines.size());
          if (rnd.nextBoolean()) {
            lines.remove(line);
          } else {
            lines.add(line, lines.get(line));
          }
          tokens = tokens(String.join("\n", lines));
        }
        default -> {
          List<String> lines = new ArrayList<>(List.of(String.join("", tokens).split("\n", -1)));
          String[] donor = corpus.get(rnd.nextInt(corpus.size())).split("\n");
          lines.set(rnd.nextInt(lines.size()), donor[rnd.nextInt(donor.length)]);
          tokens = tokens(String.join("\n", lines));
        }
      }
    }
    return String.join("", tokens);
  }

  private static void replaceKind(List<String> tokens, Random rnd, String kind, List<String> choices) {
    List<Integer> hits = new ArrayList<>();
    for (int i = 0; i < tokens.size(); i++) {
      if (tokens.get(i).matches(kind)) hits.add(i);
    }
    if (!hits.isEmpty() && !choices.isEmpty()) {
      tokens.set(hits.get(rnd.nextInt(hits.size())), choices.get(rnd.nextInt(choices.size())));
    }
  }

  private static List<String> names(List<String> tokens) {
    Map<String, Boolean> seen = new LinkedHashMap<>();
    for (String t : tokens) {
      if (t.matches("[A-Za-z_][A-Za-z0-9_]*")) seen.put(t, true);
    }
    return new ArrayList<>(seen.keySet());
  }

  private static List<String> tokens(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = TOKEN.matcher(text);
    while (m.find()) out.add(m.group());
    return out;
  }

  /** {@code PipelineFuzzer SEED INPUTS}: prints the report and each finding (run from the compiler module). */
  public static void main(String[] args) throws IOException {
    long seed = args.length > 0 ? Long.parseLong(args[0]) : 1;
    int inputs = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    Report r = new PipelineFuzzer(defaultCorpus()).run(seed, inputs);
    System.out.println(r);
    for (Finding f : r.findings) {
      System.out.println("---- " + f.what() + "\n" + f.input());
    }
    for (Finding f : r.differences) {
      System.out.println("---- difference: " + f.what() + "\n" + f.input());
    }
  }
}
