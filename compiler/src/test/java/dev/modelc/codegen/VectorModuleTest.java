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

  private static double[] losses(String line) {
    assertTrue(line.startsWith("losses "), line);
    return Arrays.stream(line.substring("losses ".length()).trim().split(" ")).mapToDouble(Double::parseDouble)
        .toArray();
  }

  private List<String> run(List<String> jvmOptions, String className, String model) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classPath = String.join(File.pathSeparator, location(MatMul.class), location(GeneratedClassMain.class),
        classes.toString());
    assertFalse(classPath.contains("asm"), "the child must not see ASM: " + classPath);
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classPath, GeneratedClassMain.class.getName(), className, model));
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
