package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.driver.Driver;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.api.TensorSpec;
import dev.modelc.sched.Scheduler;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The training state of a generated class as data: hyperparameters set at run time, optimizer state by name, the
 * step count, and flat copies of parameters, gradients and optimizer state that let a fresh instance resume a run
 * bit for bit.
 */
class TrainingStateTest {
  private static final int BATCH = 5;

  @Test
  void hyperparametersHavePyTorchsNamesAndTheMdlsValues() throws Exception {
    Model mlp = compile("mlp").newInstance();
    assertEquals(List.of("lr", "momentum", "dampening", "weight_decay", "nesterov"), mlp.hyperparameterNames());
    assertEquals(0.05, mlp.learningRate());
    assertEquals(0.9, mlp.hyperparameter("momentum"));
    assertEquals(0.0, mlp.hyperparameter("nesterov"));
    Model cnn = compile("cnn").newInstance();
    assertEquals(List.of("lr", "beta1", "beta2", "eps", "weight_decay"), cnn.hyperparameterNames());
    assertEquals(0.001, cnn.learningRate());
    assertEquals(0.999, cnn.hyperparameter("beta2"));
    assertEquals(1e-8, cnn.hyperparameter("eps"));
    cnn.setHyperparameter("beta1", 0.8);
    assertEquals(0.8, cnn.hyperparameter("beta1"));
    cnn.setLearningRate(0.01);
    assertEquals(0.01, cnn.learningRate());
  }

  @Test
  void invalidHyperparametersAreRejectedWithPyTorchsMessages() throws Exception {
    Model cnn = compile("cnn").newInstance();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> cnn.setHyperparameter("momentum", 0.9));
    assertTrue(e.getMessage().contains("[lr, beta1, beta2, eps, weight_decay]"), e.getMessage());
    assertEquals("Invalid learning rate: -0.1",
        assertThrows(IllegalArgumentException.class, () -> cnn.setLearningRate(-0.1)).getMessage());
    assertEquals("Invalid beta parameter at index 0: 1.0",
        assertThrows(IllegalArgumentException.class, () -> cnn.setHyperparameter("beta1", 1.0)).getMessage());
    assertEquals("Invalid beta parameter at index 1: -0.5",
        assertThrows(IllegalArgumentException.class, () -> cnn.setHyperparameter("beta2", -0.5)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> cnn.setHyperparameter("eps", -1e-8));
    assertThrows(IllegalArgumentException.class, () -> cnn.setHyperparameter("weight_decay", Double.NaN));
    assertEquals(0.001, cnn.learningRate(), "a rejected value changes nothing");

    Model linreg = compile("linreg").newInstance();
    e = assertThrows(IllegalArgumentException.class, () -> linreg.setHyperparameter("momentum", 0.9));
    assertTrue(e.getMessage().contains("without a momentum buffer"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> linreg.setHyperparameter("nesterov", 1));
    Model mlp = compile("mlp").newInstance();
    e = assertThrows(IllegalArgumentException.class, () -> mlp.setHyperparameter("momentum", 0));
    assertTrue(e.getMessage().contains("with a momentum buffer"), e.getMessage());
    mlp.setHyperparameter("momentum", 0.5);
    mlp.setHyperparameter("nesterov", 1);
    assertEquals("Nesterov momentum requires a momentum and zero dampening",
        assertThrows(IllegalArgumentException.class, () -> mlp.setHyperparameter("dampening", 0.1)).getMessage());
  }

  /** A learning rate (and betas) set at run time train exactly as a model compiled with those values. */
  @ParameterizedTest
  @ValueSource(strings = {"linreg", "mlp", "cnn"})
  void setHyperparametersEqualCompiledOnes(String sample) throws Exception {
    CheckedModel checked = Samples.load(sample, false);
    Model set = Driver.compile(checked, "t", sample + ".mdl", true).newInstance();
    OptimizerSettings other = switch (sample) {
      case "cnn" -> OptimizerSettings.adam(0.004, 0.8, 0.99, 1e-6, 0.01);
      case "mlp" -> OptimizerSettings.sgd(0.02, 0.5, 0.1, false, 0.001);
      default -> OptimizerSettings.sgd(0.125);
    };
    Model compiled = ClassEmitter.emit(Scheduler.schedule(Driver.training(checked, true)), other,
        CompileOptions.of("t", sample + ".mdl")).newInstance();
    set.setLearningRate(other.lr());
    if (other.kind() == OptimizerSettings.Kind.SGD && other.momentum() != 0) {
      set.setHyperparameter("momentum", other.momentum());
      set.setHyperparameter("dampening", other.dampening());
      set.setHyperparameter("weight_decay", other.weightDecay());
    } else if (other.kind() == OptimizerSettings.Kind.ADAM) {
      set.setHyperparameter("beta1", other.beta1());
      set.setHyperparameter("beta2", other.beta2());
      set.setHyperparameter("eps", other.eps());
      set.setHyperparameter("weight_decay", other.weightDecay());
    }
    copyParameters(set, compiled);
    bindInputs(checked, 7, set, compiled);
    for (int step = 0; step < 3; step++) {
      assertEquals(compiled.trainStep(), set.trainStep(), 0.0, sample + " loss at step " + step);
      assertSameParameters(compiled, set, sample + " at step " + step);
    }
  }

  @Test
  void optimizerStateHasPyTorchsNamesAndIsLive() throws Exception {
    CheckedModel checked = Samples.load("cnn", false);
    Model cnn = Driver.compile(checked, "t", "cnn.mdl", true).newInstance();
    List<String> names = cnn.optimizerState().stream().map(TensorSpec::name).toList();
    int n = cnn.parameters().size();
    assertEquals(2 * n, names.size());
    assertEquals("conv.weight.exp_avg", names.get(0));
    assertEquals("conv.weight.exp_avg_sq", names.get(n));
    assertTrue(names.contains("fc1.weight.exp_avg"));
    TensorSpec avg = cnn.optimizerState().get(names.indexOf("fc1.weight.exp_avg_sq"));
    TensorSpec param = cnn.parameters().stream().filter(p -> p.name().equals("fc1.weight")).findFirst().orElseThrow();
    assertEquals(param.dtype(), avg.dtype());
    assertEquals(param.shape(), avg.shape());
    float[] m = (float[]) cnn.optimizerState("fc1.weight.exp_avg");
    assertEquals(0, cnn.stepCount());
    bindInputs(checked, 1, cnn);
    cnn.trainStep();
    assertEquals(1, cnn.stepCount());
    assertSame(m, cnn.optimizerState("fc1.weight.exp_avg"));
    assertNotEquals(0f, maxAbs(m), "the first moment moved");
    assertThrows(IllegalArgumentException.class, () -> cnn.optimizerState("fc1.weight.momentum_buffer"));

    Model mlp = compile("mlp").newInstance();
    assertEquals("net.fc1.weight.momentum_buffer", mlp.optimizerState().get(0).name());
    assertEquals(List.of(), compile("linreg").newInstance().optimizerState());
    assertEquals(0, compile("linreg").newInstance().flatOptimizerStateSize());
  }

  @ParameterizedTest
  @ValueSource(strings = {"linreg", "mlp", "cnn"})
  void flatCopiesFollowStateDictOrderAndRoundTrip(String sample) throws Exception {
    CheckedModel checked = Samples.load(sample, false);
    Model m = Driver.compile(checked, "t", sample + ".mdl", true).newInstance();
    bindInputs(checked, 2, m);
    m.trainStep();
    m.trainStep();
    float[] flat = new float[m.flatParameterSize()];
    m.readParameters(flat);
    assertArrayEquals(concat(m, m.parameters().stream().map(p -> m.parameter(p.name())).toList()), flat);
    float[] grads = new float[m.flatParameterSize()];
    m.readGradients(grads);
    assertArrayEquals(concat(m, m.parameters().stream().map(p -> m.gradient(p.name())).toList()), grads);
    float[] state = new float[m.flatOptimizerStateSize()];
    m.readOptimizerState(state);
    assertArrayEquals(concat(m, m.optimizerState().stream().map(s -> m.optimizerState(s.name())).toList()), state);

    Model fresh = Driver.compile(checked, "t", sample + ".mdl", true).newUninitialized();
    fresh.writeParameters(flat);
    fresh.writeGradients(grads);
    fresh.writeOptimizerState(state);
    assertSameParameters(m, fresh, sample);
    double[] wide = new double[m.flatParameterSize()];
    fresh.readParameters(wide);
    for (int i = 0; i < wide.length; i++) assertEquals(flat[i], wide[i], 0.0);
    fresh.writeParameters(new double[m.flatParameterSize()]);
    fresh.writeParameters(wide);
    assertSameParameters(m, fresh, sample + " through double[]");
    float[] back = new float[m.flatOptimizerStateSize()];
    fresh.readOptimizerState(back);
    assertArrayEquals(state, back);
    assertThrows(IllegalArgumentException.class, () -> m.readParameters(new float[flat.length + 1]));
    assertThrows(IllegalArgumentException.class, () -> m.writeParameters(new int[flat.length]));
    assertThrows(IllegalArgumentException.class, () -> m.readGradients(null));
  }

  /**
   * Train N steps, snapshot parameters, optimizer state and step count into flat arrays, train M more; a fresh
   * instance restored from the snapshot and trained the same M steps ends bit for bit where the first did.
   */
  @ParameterizedTest
  @ValueSource(strings = {"mlp", "cnn", "linreg"})
  void restoredSnapshotResumesExactly(String sample) throws Exception {
    CheckedModel checked = Samples.load(sample, false);
    CompiledClass cls = Driver.compile(checked, "t", sample + ".mdl", true);
    Model first = cls.newInstance();
    List<Object[]> batches = new ArrayList<>();
    for (int b = 0; b < 6; b++) batches.add(randomInputs(checked, 100 + b));
    for (int step = 0; step < 3; step++) train(first, checked, batches.get(step));
    float[] params = new float[first.flatParameterSize()];
    float[] state = new float[first.flatOptimizerStateSize()];
    first.readParameters(params);
    first.readOptimizerState(state);
    long steps = first.stepCount();
    assertEquals(3, steps);
    for (int step = 3; step < 6; step++) train(first, checked, batches.get(step));

    Model resumed = cls.newUninitialized();
    resumed.writeParameters(params);
    resumed.writeOptimizerState(state);
    resumed.setStepCount(steps);
    for (int step = 3; step < 6; step++) train(resumed, checked, batches.get(step));
    assertSameParameters(first, resumed, sample + " resumed");
    float[] a = new float[first.flatOptimizerStateSize()];
    float[] b = new float[first.flatOptimizerStateSize()];
    first.readOptimizerState(a);
    resumed.readOptimizerState(b);
    assertArrayEquals(a, b);
  }

  @Test
  void defaultConstructorInitializesFromSeedZero() throws Exception {
    CompiledClass cls = compile("mlp");
    Model byDefault = cls.newInstance();
    Model seeded = cls.newUninitialized();
    seeded.initialize(0);
    assertSameParameters(seeded, byDefault, "seed 0");
    assertNotEquals(0f, maxAbs((float[]) byDefault.parameter("net.fc1.weight")));
    Model blank = cls.newUninitialized();
    assertEquals(0f, maxAbs((float[]) blank.parameter("net.fc1.weight")));
    Class<? extends Model> c = cls.load();
    assertEquals(c, c.getMethod("uninitialized").getReturnType());
    Model viaSeed = c.getConstructor(long.class).newInstance(0L);
    assertSameParameters(seeded, viaSeed, "new Net(0L)");
  }

  /** PyTorch skips a parameter whose .grad is None: no weight decay, no Adam move; its gradient reads as zeros. */
  @ParameterizedTest
  @ValueSource(strings = {"sgd(lr = 0.1, momentum = 0.9, weight_decay = 0.01)",
      "adam(lr = 0.1, weight_decay = 0.01)", "adamw(lr = 0.1)"})
  void parameterTheObjectiveDoesNotReachIsNotUpdated(String optimizer) {
    CheckedModel checked = Samples.check("unused.mdl", """
        model Unused {
          input x : f32[N, 2]
          param w : f32[2, 1] init uniform(0, 1)
          param u : f32[3]    init uniform(0, 1)
          param v : f32[1]    init uniform(0, 1)
          let y = x @ w
          let loss = mean(y ** 2) + 0 * sum(detach(v))
          output y
          minimize loss with %s
        }
        """.formatted(optimizer));
    Model m = Driver.compile(checked, "t", "unused.mdl", true).newInstance();
    float[] u = ((float[]) m.parameter("u")).clone();
    float[] v = ((float[]) m.parameter("v")).clone();
    float[] w = ((float[]) m.parameter("w")).clone();
    m.setInput("x", new float[] {1, 2, 3, 4});
    for (int step = 0; step < 3; step++) m.trainStep();
    m.zeroGrad();
    m.forward();
    m.backward();
    m.step();
    assertArrayEquals(u, (float[]) m.parameter("u"));
    assertArrayEquals(v, (float[]) m.parameter("v"));
    assertArrayEquals(new float[3], (float[]) m.gradient("u"));
    assertArrayEquals(new float[1], (float[]) m.gradient("v"));
    assertNotEquals(w[0], ((float[]) m.parameter("w"))[0], "w trains");
    assertTrue(dev.modelc.crosscheck.CrossCheck.run(checked, 3, 1, 4).ok(), "the reference skips u and v too");
  }

  /**
   * torch 1.13 against the generated step, for w = [0.5, -1], x = [[1, 2], [3, 4]] and the loss mean((x @ w)^2):
   * step() before any backward (every .grad None) changes nothing and counts no step, as PyTorch's optimizers skip
   * such parameters; then twice zero_grad, backward, step; then zero_grad, step, which counts, since 1.13's
   * zero_grad() leaves zeros (set_to_none=False) as zeroGrad() does. The expected w is torch's; a step counted at the
   * start would start SGD's momentum buffer at zero, decay w, and shift Adam's bias corrections.
   */
  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "sgd(lr = 0.1, momentum = 0.9, dampening = 0.5, weight_decay = 0.01); 1.20581162; 0.0920933858",
      "sgd(lr = 0.02, momentum = 0.9, nesterov = true, weight_decay = 0.01); 1.04526746; -0.19543542",
      "adam(lr = 0.1, weight_decay = 0.01); 0.773786604; -0.726013541",
      "adamw(lr = 0.1, weight_decay = 0.01); 0.77201283; -0.723372102"})
  void stepBeforeAnyBackwardDoesNothingAsInPyTorch(String optimizer, float w0, float w1) {
    CheckedModel checked = Samples.check("tiny.mdl", """
        model Tiny {
          input x : f32[N, 2]
          param w : f32[2, 1] init uniform(0, 1)
          let loss = mean((x @ w) ** 2)
          minimize loss with %s
        }
        """.formatted(optimizer));
    CompiledClass cls = Driver.compile(checked, "t", "tiny.mdl", true);
    Model m = cls.newInstance();
    m.setParameter("w", new float[] {0.5f, -1f});
    m.setInput("x", new float[] {1, 2, 3, 4});
    m.step();
    assertArrayEquals(new float[] {0.5f, -1f}, (float[]) m.parameter("w"));
    assertEquals(0, m.stepCount());
    float[] state = new float[m.flatOptimizerStateSize()];
    m.readOptimizerState(state);
    assertArrayEquals(new float[state.length], state, "no momentum buffer or moment started");
    for (int i = 0; i < 2; i++) {
      m.zeroGrad();
      m.forward();
      m.backward();
      m.step();
    }
    m.zeroGrad();
    m.step();
    assertEquals(3, m.stepCount());
    float[] w = (float[]) m.parameter("w");
    assertEquals(w0, w[0], 2e-6f * Math.max(1, Math.abs(w0)), optimizer);
    assertEquals(w1, w[1], 2e-6f * Math.max(1, Math.abs(w1)), optimizer);

    // initialize makes the instance new again; gradients written from outside (data-parallel training) count
    m.initialize(0);
    float[] seeded = ((float[]) m.parameter("w")).clone();
    m.step();
    assertArrayEquals(seeded, (float[]) m.parameter("w"));
    assertEquals(0, m.stepCount());
    Model fresh = cls.newInstance();
    fresh.writeGradients(new float[] {1, -1});
    fresh.step();
    assertEquals(1, fresh.stepCount());
    assertNotEquals(seeded[0], ((float[]) fresh.parameter("w"))[0]);
    // so do gradients written into the array gradient(name) hands out, as PyTorch code assigns p.grad
    Model written = cls.newInstance();
    ((float[]) written.gradient("w"))[0] = 1;
    written.step();
    assertEquals(1, written.stepCount());
    assertNotEquals(seeded[0], ((float[]) written.parameter("w"))[0]);
  }

  @Test
  void misuseSaysWhatIsWrong() throws Exception {
    CheckedModel checked = Samples.load("cnn", false);
    Model m = Driver.compile(checked, "t", "cnn.mdl", true).newInstance();
    assertEquals("no forward pass has run yet; call forward() or trainStep() first",
        assertThrows(IllegalStateException.class, m::loss).getMessage());
    assertThrows(IllegalStateException.class, () -> m.output("logits"));
    assertEquals("input x: expected float[] (f32[B, 1, 28, 28]) but got int[]",
        assertThrows(IllegalArgumentException.class, () -> m.setInput("x", new int[4])).getMessage());
    assertEquals("input t: expected int[] (i32[B]) but got null",
        assertThrows(IllegalArgumentException.class, () -> m.setInput("t", null)).getMessage());
    IllegalStateException e = assertThrows(IllegalStateException.class, m::forward);
    assertTrue(e.getMessage().startsWith("input x is not set"), e.getMessage());
    bindInputs(checked, 3, m);
    m.predict();
    m.output("logits");
    e = assertThrows(IllegalStateException.class, m::loss);
    assertTrue(e.getMessage().contains("predict() computes the outputs only"), e.getMessage());
    m.forward();
    assertTrue(Double.isFinite(m.loss()));
  }

  // ---- helpers ----

  private static CompiledClass compile(String sample) throws Exception {
    return Driver.compile(Samples.load(sample, false), "t", sample + ".mdl", true);
  }

  private static void train(Model m, CheckedModel checked, Object[] inputs) {
    for (int i = 0; i < inputs.length; i++) m.setInput(checked.inputs().get(i).name(), inputs[i]);
    m.trainStep();
  }

  private static void copyParameters(Model from, Model to) {
    float[] flat = new float[from.flatParameterSize()];
    from.readParameters(flat);
    to.writeParameters(flat);
  }

  private static void assertSameParameters(Model expected, Model actual, String what) {
    for (TensorSpec p : expected.parameters()) {
      assertArrayEquals((float[]) expected.parameter(p.name()), (float[]) actual.parameter(p.name()),
          what + ": " + p.name());
    }
  }

  private static float[] concat(Model m, List<Object> arrays) {
    float[] all = new float[arrays.stream().mapToInt(a -> ((float[]) a).length).sum()];
    int at = 0;
    for (Object a : arrays) {
      System.arraycopy(a, 0, all, at, ((float[]) a).length);
      at += ((float[]) a).length;
    }
    return all;
  }

  private static float maxAbs(float[] a) {
    float max = 0;
    for (float v : a) max = Math.max(max, Math.abs(v));
    return max;
  }

  private static void bindInputs(CheckedModel checked, long seed, Model... models) {
    Object[] inputs = randomInputs(checked, seed);
    for (Model m : models) {
      for (int i = 0; i < inputs.length; i++) m.setInput(checked.inputs().get(i).name(), inputs[i]);
    }
  }

  private static Object[] randomInputs(CheckedModel checked, long seed) {
    Random rnd = new Random(seed);
    Object[] arrays = new Object[checked.inputs().size()];
    for (int k = 0; k < arrays.length; k++) {
      CheckedModel.Input in = checked.inputs().get(k);
      int n = 1;
      for (int d = 0; d < in.type().shape().rank(); d++) {
        Dim dim = in.type().shape().dim(d);
        n *= (int) (dim.coefficient() * Math.pow(BATCH, dim.symbols().size()));
      }
      if (in.type().dtype() == DType.I32) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = rnd.nextInt(2);
        arrays[k] = labels;
      } else {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rnd.nextFloat() * 2 - 1;
        arrays[k] = x;
      }
    }
    return arrays;
  }
}
