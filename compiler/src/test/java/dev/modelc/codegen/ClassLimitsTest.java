package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.ir.IrException;
import dev.modelc.runtime.api.Model;
import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;

/** Models that meet the class-file format's limits: each compiles to a class that verifies, loads and runs. */
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

  /**
   * 253 inputs: forward and trainStep take 254 arguments and fit the JVM's 255 slots with {@code this}; predict,
   * with its output array, would not and is left out (the class would not load). 300 outputs: no typed predict.
   * The generic API runs both.
   */
  @Test
  void aTypedMethodPastTheJvmsArgumentLimitIsLeftOut() throws Exception {
    StringBuilder src = new StringBuilder("model Wide {\n  param w : f32[2] init ones\n");
    StringBuilder sum = new StringBuilder("w");
    for (int i = 0; i < 253; i++) {
      src.append("  input in").append(i).append(" : f32[B, 2]\n");
      sum.append(" + in").append(i);
    }
    src.append("  let y = ").append(sum).append("\n  output y\n  minimize sum(y * y) with sgd(lr = 0.1)\n}\n");
    CompiledClass c = Driver.compile(Samples.check("wide.mdl", src.toString()), "", "wide.mdl", true);
    Harness.verify(c);
    Class<? extends Model> type = c.load();
    assertEquals(254, typed(type, "forward").getParameterCount());
    assertEquals(254, typed(type, "trainStep").getParameterCount());
    assertNull(typed(type, "predict"));
    Model model = c.newInstance();
    for (int i = 0; i < 253; i++) model.setInput("in" + i, new float[] {1, 2});
    model.setSize("B", 1);
    model.predict();
    assertArrayEquals(new float[] {254, 507}, (float[]) model.output("y"));

    StringBuilder many = new StringBuilder("model Tall {\n  input x : f32[2]\n");
    StringBuilder outs = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      many.append("  let y").append(i).append(" = x * ").append(i).append('\n');
      outs.append(i == 0 ? "" : ", ").append("y").append(i);
    }
    many.append("  output ").append(outs).append("\n}\n");
    CompiledClass tall = Driver.compile(Samples.check("tall.mdl", many.toString()), "", "tall.mdl", true);
    Harness.verify(tall);
    assertNull(typed(tall.load(), "predict"));
    Model t = tall.newInstance();
    t.setInput("x", new float[] {1, 2});
    t.predict();
    assertArrayEquals(new float[] {299, 598}, (float[]) t.output("y299"));
  }

  /**
   * 65,600 params: the class needs more than 65,534 constants and is reported at the model, as too large for one JVM
   * class, before it is optimized: their getters' names alone are more. The per-param flags string of trainStep had
   * been one constant of over 65535 bytes, and ASM's "UTF8 string too large" came first, as an internal error.
   */
  @Test
  void moreParamsThanOneConstantHoldsIsReportedAtTheModel() {
    StringBuilder src = new StringBuilder("model Many {\n  input x : f32[2]\n");
    StringBuilder sum = new StringBuilder();
    for (int i = 0; i < 65_600; i++) {
      src.append("  param p").append(i).append(" : f32 init 1\n");
    }
    for (int i = 0; i < 200; i++) sum.append(" + p").append(i * 328);
    src.append("  let y = x").append(sum).append("\n  output y\n  minimize sum(y * y) with sgd(lr = 0.1)\n}\n");
    CheckedModel m = Samples.check("many.mdl", src.toString());
    IrException e = assertThrows(IrException.class, () -> Driver.compile(m, "", "many.mdl", false));
    assertTrue(e.getMessage().startsWith("model Many is too large for one JVM class: its 65,600 parameters (200 "
        + "trained) and at least 200 computation steps need at least 132,406 constants"), e.getMessage());
    assertEquals("1:7", e.origin.toString());
  }

  /**
   * What {@link ClassLimits} counts before emitting is a lower bound of the constants the class holds, for every
   * sample, for parameters whose getters take the names of the class's own methods and constants ({@code s0},
   * {@code u0}, {@code Code}), and for a model whose size is in its layer instances, where it comes within a fifth.
   */
  @Test
  void theConstantsCountedBeforeEmittingAreALowerBound() throws Exception {
    for (String name : List.of("linreg", "logreg", "mlp", "cnn", "resnet", "transformer", "norm", "bow", "penalty",
        "vjp")) {
      assertLowerBound(Driver.compile(Samples.load(name, false), "", name + ".mdl", false), 0);
    }
    CheckedModel clash = Samples.check("clash.mdl", "model Clash {\n  input x : f32[2]\n  param s0 : f32[2] init ones\n"
        + "  param u0 : f32[2] init ones\n  param Code : f32[2] init ones\n  param s1Grad : f32[2] init ones\n"
        + "  let y = x * s0 * u0 * Code * s1Grad\n  output y\n  minimize sum(y) with sgd(lr = 0.1)\n}\n");
    assertLowerBound(Driver.compile(clash, "", "clash.mdl", false), 0);
    StringBuilder src = new StringBuilder("layer L1(n) {\n  param w : f32[n] init ones\n  (x) = tanh(x * w)\n}\n");
    for (int i = 2; i <= 9; i++) {
      src.append("layer L").append(i).append("(n) {\n  a = L").append(i - 1).append("(n)\n  b = L").append(i - 1)
          .append("(n)\n  (x) = a(x) + b(x)\n}\n");
    }
    src.append("model M {\n  input x : f32[B, 4]\n  net = L9(4)\n  let y = net(x)\n  output y\n"
        + "  minimize sum(y) with adam(lr = 0.1)\n}\n");
    assertLowerBound(Driver.compile(Samples.check("layers.mdl", src.toString()), "", "layers.mdl", false), 0.8);
  }

  /** The count is at most the class's constants, and at least {@code share} of them. */
  private static void assertLowerBound(CompiledClass c, double share) {
    int constants = new ClassReader(c.bytecode()).getItemCount() - 1; // the count includes the unused entry 0
    int least = ClassLimits.leastConstants(c.schedule());
    assertTrue(least <= constants && least >= share * constants, c.className() + ": " + least + " of " + constants);
  }

  /** The typed method of that name (one taking arguments), or null. */
  private static Method typed(Class<?> type, String name) {
    for (Method m : type.getDeclaredMethods()) {
      if (m.getName().equals(name) && m.getParameterCount() > 0 && !m.isVarArgs()) return m;
    }
    return null;
  }
}
