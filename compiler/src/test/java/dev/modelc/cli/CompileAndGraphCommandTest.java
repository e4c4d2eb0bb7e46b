package dev.modelc.cli;

import static dev.modelc.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


import dev.modelc.cli.Cli.Run;
import dev.modelc.runtime.api.Model;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compile and graph commands on the samples, as a user runs them. */
class CompileAndGraphCommandTest {
  @TempDir Path dir;

  @Test
  void compileWritesLoadableClassesWithSeedConstructors() throws Exception {
    Run r = run("compile", "../samples/models/cnn.mdl", "-d", dir.toString(), "--package", "demo");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("Net -> "), r.out());
    Path cls = dir.resolve("demo/Net.class");
    assertTrue(Files.size(cls) > 0);
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, Model.class.getClassLoader())) {
      Model net = (Model) loader.loadClass("demo.Net").getConstructor(long.class).newInstance(1L);
      float[] w = (float[]) net.parameter("fc1.weight");
      double bound = 1 / Math.sqrt(864);
      for (float v : w) {
        assertTrue(Math.abs(v) <= bound, "kaiming_uniform(a=sqrt(5)) stays within 1/sqrt(fan_in)");
      }
      int batch = 2;
      float[] x = new float[batch * 28 * 28];
      net.setInput("x", x);
      net.setInput("t", new int[] {3, 7});
      net.forward();
      assertEquals(Math.log(10), net.loss(), 0.5, "an untrained net is close to uniform over 10 classes");
    }
  }

  @Test
  void anomalyFlagStartsInstancesWithDetectionOn() throws Exception {
    for (String flag : new String[] {"--anomaly", "--detect-anomaly", ""}) {
      Path out = dir.resolve("out" + flag);
      Run r = flag.isEmpty() ? run("compile", "../samples/models/linreg.mdl", "-d", out.toString())
          : run("compile", "../samples/models/linreg.mdl", "-d", out.toString(), flag);
      assertEquals(0, r.code(), r.err());
      try (URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()}, Model.class.getClassLoader())) {
        Model m = (Model) loader.loadClass("LinReg").getConstructor().newInstance();
        assertEquals(!flag.isEmpty(), m.detectAnomaly(), flag);
        m.setDetectAnomaly(true);
        m.setInput("x", new float[] {1, Float.NaN});
        m.setInput("y", new float[] {1, 2});
        assertEquals("input x holds NaN at element 1 (index [1, 0])",
            org.junit.jupiter.api.Assertions.assertThrows(ArithmeticException.class, m::trainStep).getMessage());
      }
    }
  }

  @Test
  void nothingIsWrittenWhenAFileHasErrors() throws Exception {
    Path bad = dir.resolve("bad.mdl");
    Files.writeString(bad, "model Bad {\n  input x : f32[2]\n  let y = x @ w\n  output y\n}\n");
    Path out = dir.resolve("out");
    Run r = run("compile", "../samples/models/linreg.mdl", bad.toString(), "-d", out.toString());
    assertEquals(Main.USER_ERROR, r.code());
    assertTrue(r.err().contains("bad.mdl:3:15: error: undefined name 'w'") && r.err().contains("1 error"), r.err());
    assertTrue(!Files.exists(out.resolve("LinReg.class")), "the good file's class is not written either");
  }

  @Test
  void compileToAJar() throws Exception {
    Path jar = dir.resolve("models.jar");
    Run r = run("compile", "../samples/models/linreg.mdl", "../samples/models/mlp.mdl", "--jar", jar.toString(),
        "--package", "demo");
    assertEquals(0, r.code(), r.err());
    try (java.util.jar.JarFile f = new java.util.jar.JarFile(jar.toFile())) {
      assertTrue(f.getEntry("demo/LinReg.class") != null && f.getEntry("demo/Mlp.class") != null);
    }
  }

  @Test
  void emitStages() {
    Run ir = run("compile", "../samples/models/linreg.mdl", "--emit", "ir", "--verify");
    assertEquals(0, ir.code(), ir.err());
    assertTrue(ir.out().contains("output pred") && !ir.out().contains("adjoint"), ir.out());
    Run grad = run("compile", "../samples/models/linreg.mdl", "--emit", "grad");
    assertTrue(grad.out().contains("gradient w") && grad.out().contains("adjoint"), grad.out());
    Run stages = run("compile", "../samples/models/linreg.mdl", "--emit", "grad", "--stages");
    assertTrue(stages.out().contains("// ---- input") && stages.out().contains("// ---- cse")
        && stages.out().contains("// ---- dce: removed"), stages.out());
    Run schedule = run("compile", "../samples/models/mlp.mdl", "--emit", "schedule");
    assertTrue(schedule.out().contains("backward"), schedule.out());
    Run bytecode = run("compile", "../samples/models/linreg.mdl", "--emit", "bytecode");
    assertTrue(bytecode.out().contains("SOURCE linreg.mdl") || bytecode.out().contains("// compiled from: linreg.mdl"),
        bytecode.out().substring(0, Math.min(400, bytecode.out().length())));
  }

  @Test
  void badPackageIsAUsageError() {
    assertEquals(Main.USAGE, run("compile", "../samples/models/linreg.mdl", "--package", "1bad").code());
    Run r = run("compile", "../samples/models/linreg.mdl", "--package", "java.lang");
    assertEquals(Main.USAGE, r.code());
    assertTrue(r.err().contains("--package: the JVM loads no class of an application into java or a package under"
        + " it: java.lang"), r.err());
    assertEquals(Main.OK, run("compile", "../samples/models/linreg.mdl", "-d", dir.toString(), "--package",
        "javax.demo").code());
  }

  @Test
  void graphNamesTheOutputWhoseFormatItCannotTell() {
    Run r = run("graph", "../samples/models/linreg.mdl", "-o", dir.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("-o: " + dir + " must end in .dot, .svg or .png"), r.err());
  }

  @Test
  void graphWritesDot() throws Exception {
    Path out = dir.resolve("net.dot");
    Run r = run("graph", "../samples/models/linreg.mdl", "-o", out.toString());
    assertEquals(0, r.code(), r.err());
    String dot = Files.readString(out);
    assertTrue(dot.startsWith("digraph") && dot.contains("adjoint") && dot.contains("grad w"), dot);
  }

  @Test
  void graphRendersSvgWhenGraphvizIsInstalled() throws Exception {
    boolean haveDot = Files.isExecutable(Path.of("/usr/bin/dot"));
    Path out = dir.resolve("net.svg");
    Run r = run("graph", "../samples/models/linreg.mdl", "-o", out.toString());
    if (haveDot) {
      assertEquals(0, r.code(), r.err());
      assertTrue(Files.readString(out).contains("<svg"));
    } else {
      assertEquals(Main.USER_ERROR, r.code());
      assertTrue(r.err().contains("apt-get install graphviz"), r.err());
    }
  }
}
