package dev.modelc.crosscheck;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.check.CheckedModel;
import dev.modelc.check.Frontend;
import dev.modelc.diag.Diagnostics;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** 50 optimizer steps of the compiled class and the reference interpreter follow the same trajectory. */
class TrajectoryTest {
  @ParameterizedTest
  @ValueSource(strings = {"linreg", "cnn"})
  void fiftyStepsAgree(String sample) {
    Diagnostics d = new Diagnostics();
    CheckedModel m = Frontend.load(Path.of("../samples/models", sample + ".mdl"), d).models().get(0);
    CrossCheck c = CrossCheck.run(m, 50, 7, 8);
    assertTrue(c.rows().size() > 50, "compared " + c.rows().size() + " quantities");
    assertTrue(c.ok(), c.rows().stream().filter(r -> !r.ok()).map(Object::toString)
        .collect(Collectors.joining("\n")));
  }
}
