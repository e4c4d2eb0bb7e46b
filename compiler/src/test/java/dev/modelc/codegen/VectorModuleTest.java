package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.Samples;
import dev.modelc.driver.Driver;
import dev.modelc.runtime.kernels.MatMul;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated class loads and trains in a JVM started without {@code jdk.incubator.vector} (plain-Java kernels) and
 * in one started with it (Vector API kernels), with the runtime jar alone beside it (no compiler, ASM or ANTLR on
 * the class path), and both agree on the losses.
 */
class VectorModuleTest {
  @TempDir
  Path classes;

  /** The CNN (products, convolutions, pooling) and the logistic regression (small products, logistic kernels). */
  @ParameterizedTest
  @ValueSource(strings = {"cnn", "logreg"})
  void generatedClassRunsWithAndWithoutTheModule(String model) throws Exception {
    CompiledClass cls = Driver.compile(Samples.load(model, false), "child", model + ".mdl", true);
    Path file = classes.resolve(cls.className().replace('.', '/') + ".class");
    Files.createDirectories(file.getParent());
    Files.write(file, cls.bytecode());

    List<String> plain = run(List.of(), cls.className(), model);
    List<String> vector = run(List.of("--add-modules", "jdk.incubator.vector"), cls.className(), model);
    assertEquals("kernel=java", plain.get(0), String.join("\n", plain));
    assertEquals("kernel=vector", vector.get(0), String.join("\n", vector));
    double[] a = losses(plain.get(1));
    double[] b = losses(vector.get(1));
    assertEquals(3, a.length);
    for (int i = 0; i < a.length; i++) {
      assertTrue(Double.isFinite(a[i]), plain.get(1));
      assertEquals(a[i], b[i], 1e-4 * Math.abs(a[i]), "step " + i + ": " + plain.get(1) + " vs " + vector.get(1));
    }
  }

  /**
   * Predict with the Vector API multiplies by weights packed whole (crossing the kernel's blocks of 512 columns and
   * 256 steps of k, with ragged ends) and gives the bits of packing them at every call, on one and two threads,
   * before and after training steps, in f32 and f64; on one sample (f32) it multiplies by the kept transposes in
   * vectors. Without the module the weights' transposes are kept instead.
   */
  @ParameterizedTest
  @ValueSource(strings = {"f32", "f64"})
  void predictWithPackedWeightsHasTheBitsOfPackingAtEveryCall(String dtype) throws Exception {
    String source = """
        layer Linear(in, out) {
          param weight : T[out, in] init kaiming_uniform(a = sqrt(5))
          param bias   : T[out]     init uniform(-1 / sqrt(in), 1 / sqrt(in))
          (x) = x @ weight^T + bias
        }
        model Wide {
          input x : T[B, 600]
          input t : i32[B]
          fc1 = Linear(600, 530)
          fc2 = Linear(530, 300)
          let logits = fc2(relu(fc1(x)))
          output logits
          minimize cross_entropy(logits, t) with sgd(lr = 0.01, momentum = 0.9)
        }
        """.replace("T[", dtype + "[");
    CompiledClass cls = Driver.compile(Samples.check("wide.mdl", source), "child", "wide.mdl", true);
    Path file = classes.resolve(cls.className().replace('.', '/') + ".class");
    Files.createDirectories(file.getParent());
    Files.write(file, cls.bytecode());
    for (String batch : List.of("40", "12", "1")) {
      List<String> args = List.of(cls.className(), dtype, batch, "600", "300");
      List<String> vector = runMain(List.of("--add-modules", "jdk.incubator.vector"), PackedWeightsMain.class, args);
      assertEquals("kernel=vector packed=true keeps=true/false", vector.get(0), String.join("\n", vector));
      assertEquals("same", vector.get(1), "batch " + batch);
      List<String> plain = runMain(List.of(), PackedWeightsMain.class, args);
      assertEquals("kernel=java packed=false keeps=true/false", plain.get(0), String.join("\n", plain));
      assertEquals("same", plain.get(1), "plain Java, batch " + batch);
    }
  }

  private static double[] losses(String line) {
    assertTrue(line.startsWith("losses "), line);
    return Arrays.stream(line.substring("losses ".length()).trim().split(" ")).mapToDouble(Double::parseDouble)
        .toArray();
  }

  private List<String> run(List<String> jvmOptions, String className, String model) throws Exception {
    return runMain(jvmOptions, GeneratedClassMain.class, List.of(className, model));
  }

  private List<String> runMain(List<String> jvmOptions, Class<?> main, List<String> args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classPath = String.join(File.pathSeparator, location(MatMul.class), location(main), classes.toString());
    assertFalse(classPath.contains("asm"), "the child must not see ASM: " + classPath);
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classPath, main.getName()));
    command.addAll(args);
    Path out = Files.createTempFile(classes, "child", ".out");
    Path err = Files.createTempFile(classes, "child", ".err");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    int code = p.waitFor();
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    assertEquals(0, code, stdout + Files.readString(err, StandardCharsets.UTF_8));
    return stdout.lines().toList();
  }

  private static String location(Class<?> type) throws Exception {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }
}
