package dev.modelc.bench.compile;

import dev.modelc.check.CheckedProgram;
import dev.modelc.check.Frontend;
import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.SourceFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Time of the front end (parse and check) on the sample models, the first part of compile time. Run from the
 * repository root so that samples/models is found: {@code java -jar bench/target/benchmarks.jar FrontendBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FrontendBenchmark {
  @Param({"cnn", "mlp", "linreg"})
  public String model;

  private SourceFile source;

  @Setup
  public void read() throws IOException {
    Path p = Path.of("samples/models", model + ".mdl");
    source = new SourceFile(p.toString(), Files.readString(p));
  }

  @Benchmark
  public CheckedProgram parseAndCheck() {
    Diagnostics d = new Diagnostics();
    CheckedProgram program = Frontend.load(source, d);
    if (d.hasErrors()) {
      throw new IllegalStateException("sample does not check");
    }
    return program;
  }
}
