package dev.modelc.cli.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A bar redrawn with carriage returns on a terminal; plain, throttled lines elsewhere. */
class ProgressTest {
  private long now;

  private String run(boolean terminal) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), terminal, 2_000_000_000L,
        () -> now);
    now = 0;
    p.startEpoch(1, 3, 10);
    for (int b = 1; b <= 10; b++) {
      now += 500_000_000L;                       // half a second per batch of 64
      p.update(b, 64L * b, 2.0 / b);
    }
    p.endEpoch();
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void terminalRedrawsOneLine() {
    String out = run(true);
    assertTrue(out.startsWith("\repoch 1/3 [==   "), out);
    assertEquals(1, out.chars().filter(c -> c == '\n').count());
    assertTrue(out.contains("step 10/10  loss 0.2000  128 samples/s  ETA 0:00"), out);
  }

  @Test
  void elsewherePrintsPlainLinesEveryInterval() {
    String out = run(false);
    assertFalse(out.contains("\r"));
    assertEquals("epoch 1/3 step 4/10  loss 0.5000  128 samples/s  ETA 0:03\n"
        + "epoch 1/3 step 8/10  loss 0.2500  128 samples/s  ETA 0:01\n", out);
  }

  @Test
  void durations() {
    assertEquals("0:59", Progress.duration(59.4));
    assertEquals("1:02:03", Progress.duration(3723));
    assertEquals("?", Progress.duration(Double.NaN));
  }
}
