package dev.modelc.fuzz;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A short fixed-seed run of {@link DifferentialFuzzer}: generated valid models whose compiled class agrees with the
 * reference interpreter, with finite differences and with itself on two threads. {@code -Dfuzz.models=N
 * -Dfuzz.seed=S} makes it a longer run.
 */
class DifferentialFuzzTest {
  @Test
  void generatedModelsAgreeWithTheInterpreter() throws Exception {
    int models = Integer.getInteger("fuzz.models", 60);
    long seed = Long.getLong("fuzz.seed", 20261205L);
    DifferentialFuzzer.Report report = assertTimeoutPreemptively(Duration.ofSeconds(Math.max(120, models)),
        () -> new DifferentialFuzzer().run(seed, models));
    System.out.println("DifferentialFuzzTest (seed " + seed + "): " + report);
    StringBuilder findings = new StringBuilder();
    report.findings.forEach(f -> System.out.println("---- " + f));
    report.findings.stream().limit(3).forEach(f -> findings.append("\n---- ").append(f));
    assertTrue(report.findings.isEmpty(), report + findings.toString());
    assertTrue(report.crossChecked == report.models, "not every model was compared: " + report);
    assertTrue(report.batchSplit > 0 && report.loopsOnWorkers > 0, "no model ran split: " + report);
  }
}
