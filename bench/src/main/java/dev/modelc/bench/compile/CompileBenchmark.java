package dev.modelc.bench.compile;

import dev.modelc.api.Modelc;
import dev.modelc.api.Options;
import dev.modelc.api.Result;
import dev.modelc.bench.models.BenchModels;
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
 * Compile time, warm and in-process: {@link Modelc#compile(Path, Options)} of one model file, from reading the file
 * to the class's bytes (nothing written). The whole {@code modelc compile} process is timed by bench/run-all.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CompileBenchmark {
  @Param({"linreg", "logreg", "mlp", "cnn", "widemlp"})
  public String model;

  private Path file;

  @Setup
  public void setUp() {
    file = BenchModels.path(model);
  }

  @Benchmark
  public Result compile() {
    Result r = Modelc.compile(file, Options.defaults());
    if (!r.ok()) {
      throw new IllegalStateException(r.text());
    }
    return r;
  }
}
