package dev.modelc.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * A short fixed-seed run of {@link TorchDifferentialFuzzer}: generated models, translated to PyTorch, must give
 * PyTorch's losses, gradients, parameters after each optimizer step, buffers and intermediate values. Skipped where
 * {@code /usr/bin/python3} cannot import torch, except in CI ({@code CI} set), where it fails, as the parity tests
 * do. {@code -Dfuzz.models=N -Dfuzz.seed=S} makes it a longer run, {@code -Dfuzz.f32=false} compares the f64 twins
 * only.
 */
class TorchDifferentialFuzzTest {
  @Test
  void generatedModelsAgreeWithPyTorch() throws Exception {
    boolean torch = TorchDifferentialFuzzer.torchAvailable();
    if (System.getenv("CI") == null) {
      assumeTrue(torch, "python3-torch is not installed: apt-get install python3-torch libopenblas0-pthread");
    }
    assertTrue(torch, "python3-torch is not installed, but CI needs it for the comparison with PyTorch");
    int models = Integer.getInteger("fuzz.models", 40);
    long seed = Long.getLong("fuzz.seed", 20261205L);
    boolean f32 = Boolean.parseBoolean(System.getProperty("fuzz.f32", "true"));
    TorchDifferentialFuzzer.Report report = new TorchDifferentialFuzzer(f32, 200).run(seed, models);
    System.out.println("TorchDifferentialFuzzTest (seed " + seed + "): " + report);
    System.out.println("builtins compared (models using each): " + report.coverage());
    report.findings.forEach(f -> System.out.println("---- " + f));
    StringBuilder findings = new StringBuilder();
    report.findings.stream().limit(3).forEach(f -> findings.append("\n---- ").append(f));
    assertTrue(report.findings.isEmpty(), report + findings.toString());
    assertTrue(report.comparedF64 > models / 2, "too few models were compared: " + report);
  }
}
