package dev.modelc.fuzz;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A short fixed-seed run of {@link PipelineFuzzer}: no internal error anywhere in the pipeline, every diagnostic
 * located, every class verified. {@code -Dfuzz.inputs=N -Dfuzz.seed=S} makes it a longer run.
 */
class PipelineFuzzTest {
  @Test
  void mutatedModelsNeverBreakThePipeline() throws Exception {
    int inputs = Integer.getInteger("fuzz.inputs", 100);
    long seed = Long.getLong("fuzz.seed", 20261202L);
    PipelineFuzzer fuzzer = new PipelineFuzzer(PipelineFuzzer.defaultCorpus());
    PipelineFuzzer.Report report = assertTimeoutPreemptively(Duration.ofSeconds(Math.max(120, inputs / 2)),
        () -> fuzzer.run(seed, inputs));
    System.out.println("PipelineFuzzTest (seed " + seed + "): " + report);
    StringBuilder findings = new StringBuilder();
    report.findings.stream().limit(5).forEach(f -> findings.append("\n---- ").append(f.what()).append('\n')
        .append(f.input()));
    assertTrue(report.findings.isEmpty(), report + findings.toString());
    assertTrue(report.compiled > 0, "the run compiled no model: " + report);
  }
}
