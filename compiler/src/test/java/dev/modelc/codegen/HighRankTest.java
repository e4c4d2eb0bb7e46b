package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.Samples;
import dev.modelc.check.CheckedModel;
import dev.modelc.crosscheck.CrossCheck;
import dev.modelc.driver.Driver;
import dev.modelc.eval.NdArray;
import dev.modelc.fuzz.DifferentialFuzzer;
import dev.modelc.runtime.api.Model;
import dev.modelc.types.DType;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Tensors of rank 5 and 6 whose ops do not fit the rank-4 kernels (a permute whose dims do not merge into four, a
 * slice of rank 5, reductions and broadcasts of five or six alternating runs): each model trains with a loss, so the
 * backward ops run too (the inverse permute, slice_backward into a value and straight into a gradient, the broadcast
 * that is a sum's transpose, the sum that is a broadcast's). Each is compiled in f32 and f64, with the symbolic batch
 * size B and with B replaced by 2 (every shape constant: the shape tables are then static), its class verified by
 * ASM's CheckClassAdapter and shown to call the any-rank kernels, and compared with the reference interpreter (loss,
 * outputs, every gradient and parameter over three steps), the f64 gradients with finite differences; then on two or
 * three threads and split over its batch ({@link DifferentialFuzzer#check}).
 */
class HighRankTest {
  private static final String STRIDED = "Movement.strided";
  private static final String PLACE = "Movement.placeStrided";
  private static final String REDUCE = "Reductions.reduce(I[F[F[IZZ)V";

  /** A permute of (0, 2, 4, 1, 3) on distinct dims, written as three transposes (the optimizer composes them). */
  static final String PERMUTE = """
      model Permute5 {
        input x : f32[B, 2, 3, 4, 5]
        param w : f32[2, 3, 4, 5] init uniform(-1, 1)
        param v : f32[3, 5, 2, 4] init uniform(-1, 1)
        let h = transpose(transpose(transpose(x * w, 1, 2), 2, 4), 3, 4)
        let y = tanh(h * v)
        output y
        minimize mean(y * y) with sgd(lr = 0.1)
      }
      """;

  /**
   * Slices of a rank-5 value, with starts and steps on several dims and an integer index, whose gradients are placed
   * into zeros and added; and a slice of a rank-5 param, whose gradient is placed straight into the param's.
   */
  static final String SLICE = """
      model Slice5 {
        input x : f32[B, 4, 6, 5, 3]
        param w : f32[4, 6, 5, 3] init uniform(-1, 1)
        param p : f32[2, 4, 6, 5, 3] init uniform(-1, 1)
        let v = x * w
        let s = v[:, 1:3, ::2, :, 0]
        let t = v[:, :, 1::2, 1:4, :]
        let u = p[:, 1:, ::3, 0:3, 1:]
        output s
        minimize mean(s * s) + mean(t * t) + sum(u * u) with adam(lr = 0.01)
      }
      """;

  /** Sum, amax and logsumexp over alternating axes of a rank-5 value (five runs each). */
  static final String REDUCTIONS = """
      model Reduce5 {
        input x : f32[B, 3, 4, 5, 2]
        param w : f32[3, 4, 5, 2] init uniform(0.5, 1.5)
        param c : f32[3, 5] init uniform(-1, 1)
        let v = x * w
        let s = sum(v, dim = [0, 2, 4])
        let m = amax(v, dim = [1, 3])
        let l = logsumexp(v, dim = [0, 2, 4])
        output s, m
        minimize mean((s * c) ** 2) + mean(m * m) + mean(l * c) with sgd(lr = 0.01)
      }
      """;

  /** Broadcasts of five alternating runs, both ways: a batch over a param's repeated dims and the param over it. */
  static final String BROADCAST = """
      model Broadcast5 {
        input x : f32[B, 1, 4, 1, 5]
        param p : f32[3, 1, 2, 1] init uniform(-1, 1)
        param q : f32[1, 4, 1, 5] init uniform(-1, 1)
        let y = tanh(x * p + q * p)
        output y
        minimize mean(y * y) with adam(lr = 0.01)
      }
      """;

  /**
   * Rank 6: a pixel shuffle (reshape, permute (0, 1, 4, 2, 5, 3), reshape), a broadcast of six runs and a sum over
   * axes 1, 3 and 5 (six runs).
   */
  static final String RANK6 = """
      model Rank6 {
        input x : f32[B, 8, 3, 3]
        param w : f32[8, 3, 3] init uniform(-1, 1)
        param a : f32[2, 1, 2, 1, 2] init uniform(-1, 1)
        let h = reshape(x * w, [B, 2, 2, 2, 3, 3])
        let p = transpose(transpose(transpose(h, 2, 4), 3, 4), 4, 5)
        let q = p * a
        let y = reshape(q, [B, 2, 6, 6])
        let r = sum(q, dim = [1, 3, 5])
        output y, r
        minimize mean(y * y) + mean(r ** 2) with sgd(lr = 0.1)
      }
      """;

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of("Permute5", PERMUTE, List.of(STRIDED)),
        Arguments.of("Slice5", SLICE, List.of(STRIDED, PLACE)),
        Arguments.of("Reduce5", REDUCTIONS, List.of(REDUCE, STRIDED)),
        Arguments.of("Broadcast5", BROADCAST, List.of(STRIDED, REDUCE)),
        Arguments.of("Rank6", RANK6, List.of(STRIDED, REDUCE)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void compiledAgreesWithTheInterpreterInBothPrecisionsWithASymbolicOrAConstantBatch(String name, String source,
                                                                                    List<String> kernels) {
    for (boolean f64 : new boolean[] {false, true}) {
      for (boolean symbolic : new boolean[] {true, false}) {
        String text = symbolic ? source : source.replaceAll("\\bB\\b", "2");
        if (f64) text = text.replaceAll("\\bf32\\b", "f64");
        String what = name + (f64 ? " f64" : " f32") + (symbolic ? " [B]" : " [2]");
        CheckedModel m = Samples.check(name + ".mdl", text);
        CompiledClass c = Driver.compile(m, "highrank", name + ".mdl", true);
        Harness.verify(c);
        Calls calls = calls(c.bytecode());
        for (String k : kernels) {
          String want = f64 ? k.replace("[F", "[D") : k;
          assertTrue(calls.invoked.stream().anyMatch(s -> s.startsWith(want)), what + " calls " + want + ": "
              + calls.invoked);
        }
        assertFalse(calls.instanceTables.isEmpty() && calls.staticTables.isEmpty(), what + " has shape tables");
        if (!symbolic) {
          assertTrue(calls.instanceTables.isEmpty(), what + ": constant shapes, static tables only "
              + calls.instanceTables);
        } else if (!name.equals("Slice5")) {                       // Slice5's param slice has a constant shape
          assertFalse(calls.instanceTables.isEmpty(), what + ": symbolic shapes, tables of the instance");
        }
        CrossCheck check = CrossCheck.run(m, 3, 11, 3);
        if (f64) check.finiteDifferences(m, 11, 3);
        assertTrue(check.ok(), what + ":\n" + check.rows().stream().filter(r -> !r.ok()).map(Object::toString)
            .collect(Collectors.joining("\n")));
        if (f64) {
          assertTrue(check.rows().stream().anyMatch(r -> r.quantity().startsWith("finite")), what + " " + check.notes());
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void agreesOnSeveralThreadsAndSplitOverItsBatch(String name, String source, List<String> kernels) {
    DifferentialFuzzer.Finding f = DifferentialFuzzer.check(source, Map.of(), 3);
    assertNull(f, () -> f.toString());
  }

  /**
   * Gradients add up across backward calls until zeroed (PyTorch's {@code .grad}): the any-rank kernels that write a
   * gradient straight into the param's (a slice's transpose, a reduction) add into it, and a second backward through
   * the retained graph gives exactly twice the first's gradients.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void gradientsAccumulateAcrossBackwardCalls(String name, String source, List<String> kernels) {
    for (boolean f64 : new boolean[] {false, true}) {
      CheckedModel cm = Samples.check(name + ".mdl", f64 ? source.replaceAll("\\bf32\\b", "f64") : source);
      try (Model m = Driver.compile(cm, "highrank", name + ".mdl", false).newInstance()) {
        Random rnd = new Random(5);
        for (CheckedModel.Input in : cm.inputs()) {
          long n = in.type().shape().elementCount().evaluate(Map.of("B", 3L));
          double[] v = rnd.doubles(n, -1, 1).toArray();
          m.setInput(in.name(), f64 ? v : Harness.toArray(new NdArray(DType.F32, new int[] {(int) n}, v)));
        }
        m.zeroGrad();
        m.forward();
        m.backward();
        Map<String, double[]> once = new HashMap<>();
        for (CheckedModel.Param p : cm.params()) once.put(p.name(), Harness.toDoubles(m.gradient(p.name())));
        m.zeroGrad();
        m.forward();
        m.backward(true);
        m.backward();
        for (CheckedModel.Param p : cm.params()) {
          double[] twice = once.get(p.name()).clone();
          for (int i = 0; i < twice.length; i++) twice[i] *= 2;
          assertArrayEquals(twice, Harness.toDoubles(m.gradient(p.name())), name + " grad " + p.name());
        }
      }
    }
  }

  /** The runtime calls a class makes, and its shape tables ({@code ints$k}) by whether they are static. */
  private record Calls(Set<String> invoked, Set<String> staticTables, Set<String> instanceTables) {}

  private static Calls calls(byte[] bytecode) {
    Calls calls = new Calls(new HashSet<>(), new HashSet<>(), new HashSet<>());
    new ClassReader(bytecode).accept(new ClassVisitor(Opcodes.ASM9) {
      @Override
      public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
        if (name.startsWith("ints$")) {
          ((access & Opcodes.ACC_STATIC) != 0 ? calls.staticTables : calls.instanceTables).add(name);
        }
        return null;
      }

      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                       String[] exceptions) {
        return new MethodVisitor(Opcodes.ASM9) {
          @Override
          public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
            calls.invoked.add(owner.substring(owner.lastIndexOf('/') + 1) + "." + method + desc);
          }
        };
      }
    }, 0);
    return calls;
  }
}
