package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.modelc.ir.Graph;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.nn.Init;
import dev.modelc.runtime.random.Rng;
import dev.modelc.sched.Scheduler;
import dev.modelc.types.DType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A class compiled with initializers gets a seed constructor drawing parameters as the runtime's Init does. */
class SeedConstructorTest {
  @Test
  void seedConstructorDrawsParametersInStateDictOrder() throws Exception {
    Harness h = new Harness("LinReg", DType.F32, 1);
    Graph g = LinearRegressionTest.linReg(h, 4);
    Map<String, String> inits = new LinkedHashMap<>();
    inits.put("w", "kaiming_uniform a=2.23606797749979 mode=fan_in nonlinearity=leaky_relu");
    inits.put("b", "uniform low=-1.0 high=1.0");
    CompiledClass c = ClassEmitter.emit(Scheduler.schedule(g), OptimizerSettings.sgd(0.01),
        CompileOptions.of("test.models", "linreg.mdl").withInitializers(inits));
    Harness.verify(c);
    Model m = c.load().getConstructor(long.class).newInstance(42L);

    Rng rng = new Rng(42);
    float[] w = new float[1];
    float[] b = new float[1];
    Init.kaimingUniform(w, new int[] {1, 1}, Math.sqrt(5), "fan_in", "leaky_relu", rng);
    Init.uniform(b, -1, 1, rng);
    assertArrayEquals(w, (float[]) m.parameter("w"));
    assertArrayEquals(b, (float[]) m.parameter("b"));

    m.initialize(42);
    assertArrayEquals(w, (float[]) m.parameter("w"), "initialize(seed) is repeatable");
  }

  @Test
  void withoutInitializersThereIsNoSeedConstructor() {
    Harness h = new Harness("LinReg", DType.F32, 1);
    CompiledClass c = Harness.compile(LinearRegressionTest.linReg(h, 4), OptimizerSettings.sgd(0.01));
    assertThrows(NoSuchMethodException.class, () -> c.load().getConstructor(long.class));
    assertThrows(IllegalStateException.class, () -> c.newInstance().initialize(1));
  }
}
