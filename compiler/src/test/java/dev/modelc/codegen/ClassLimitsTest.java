package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.runtime.api.Model;
import org.junit.jupiter.api.Test;

/** Models that meet the class-file format's limits: each compiles to a class that verifies and runs. */
class ClassLimitsTest {
  /** 120 outputs with 900-character names: a description of over 100 KB, more than one string constant holds. */
  @Test
  void aDescriptionLongerThanOneConstantIsSplit() {
    StringBuilder src = new StringBuilder("model Wide {\n  input x : f32[2]\n");
    StringBuilder outputs = new StringBuilder();
    for (int i = 0; i < 120; i++) {
      String name = "v" + i + "_" + "n".repeat(900);
      src.append("  let ").append(name).append(" = x * ").append(i).append('\n');
      outputs.append(i == 0 ? "" : ", ").append(name);
    }
    src.append("  output ").append(outputs).append("\n}\n");
    CheckedModel m = Samples.check("wide.mdl", src.toString());
    CompiledClass c = Driver.compile(m, "", "wide.mdl", true);
    Harness.verify(c);
    Model model = c.newInstance();
    model.setInput("x", new float[] {1, 2});
    model.forward();
    float[] last = (float[]) model.output("v119_" + "n".repeat(900));
    assertTrue(last[0] == 119 && last[1] == 238);
  }
}
