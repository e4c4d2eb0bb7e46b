package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.modelc.types.DType;
import dev.modelc.ir.Graph;
import dev.modelc.ir.Node;
import dev.modelc.ir.Op;
import dev.modelc.ir.Origin;
import dev.modelc.lower.Sugar;
import dev.modelc.sched.Scheduler;
import dev.modelc.runtime.api.Model;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;

/** Method sizes (HotSpot compiles nothing over 8,000 bytes), SourceFile and .mdl line numbers in stack traces. */
class ClassShapeTest {
  static final int HUGE_METHOD_LIMIT = 8000;

  /** Bytecode length of every method, read from the Code attributes of the class file. */
  static Map<String, Integer> codeLengths(byte[] bytes) {
    ClassReader cr = new ClassReader(bytes);
    char[] buf = new char[cr.getMaxStringLength()];
    int at = cr.header + 6;
    at += 2 + 2 * cr.readUnsignedShort(at);
    for (int pass = 0; pass < 2; pass++) {
      int count = cr.readUnsignedShort(at);
      at += 2;
      Map<String, Integer> lengths = new LinkedHashMap<>();
      for (int m = 0; m < count; m++) {
        String name = cr.readUTF8(at + 2, buf);
        int attributes = cr.readUnsignedShort(at + 6);
        at += 8;
        for (int a = 0; a < attributes; a++) {
          String attr = cr.readUTF8(at, buf);
          int length = cr.readInt(at + 2);
          if (pass == 1 && attr.equals("Code")) lengths.put(name + "#" + m, cr.readInt(at + 10));
          at += 6 + length;
        }
      }
      if (pass == 1) return lengths;
    }
    throw new IllegalStateException();
  }

  static void assertSmallMethods(CompiledClass c) {
    Map<String, Integer> lengths = codeLengths(c.bytecode());
    assertTrue(lengths.size() > 5, lengths.toString());
    lengths.forEach((name, length) -> {
      if (length > HUGE_METHOD_LIMIT) fail(c.className() + "." + name + " has " + length + " bytes of bytecode");
    });
  }

  @Test
  void samplesHaveSmallMethods() {
    Harness lr = new Harness("LinReg", DType.F32, 1);
    assertSmallMethods(Harness.compile(LinearRegressionTest.linReg(lr, 4), OptimizerSettings.sgd(0.1)));
    Harness cnn = new Harness("Net", DType.F32, 1);
    assertSmallMethods(Harness.compile(ConvNetTest.net(cnn, 2), OptimizerSettings.adam(1e-3, 0.9, 0.999, 1e-8, 0)));
  }

  /** 3,000 elementwise layers: long fused chains are cut and the passes are split, and the values still agree. */
  @Test
  void aDeliberatelyLargeModelIsSplit() {
    Harness h = new Harness("Deep", DType.F64, 2);
    Sugar s = new Sugar(h.ir);
    Node x = h.param("a", -1, 1, 5);
    Node chain = x;
    for (int i = 0; i < 1500; i++) chain = s.unary(Op.SIN, chain);
    for (int i = 0; i < 1500; i++) chain = s.unary(Op.SIN, s.add(s.mul(chain, chain), s.unary(Op.COS, chain)));
    h.ir.result("out", Graph.Kind.OUTPUT, chain);
    Graph g = h.train(s.sum(chain, null, false));
    CompiledClass c = Harness.compile(g, OptimizerSettings.sgd(0.1));
    assertSmallMethods(c);
    Model m = h.instance(c);
    m.forward();
    m.backward();
    var ref = h.reference(g);
    assertEquals(ref.result("loss").item(), m.loss(), 1e-9 * Math.max(1, Math.abs(m.loss())));
    Harness.assertClose("grad a", ref.result("a").data(), Harness.toDoubles(m.gradient("a")), 1e-9);
    m.setDetectAnomaly(true); // its table is built from several string constants
    m.forward();
    assertEquals(ref.result("loss").item(), m.loss(), 1e-9 * Math.max(1, Math.abs(m.loss())));
  }

  /**
   * More loops long enough to split than one {@code range} method dispatches: the dispatch is spread over parts,
   * every method stays small, and two threads compute what one does.
   */
  @Test
  void manySplitLoopsSpreadTheRangeDispatch() {
    Harness h = new Harness("Wide", DType.F64, 4);
    Sugar s = new Sugar(h.ir);
    int n = 9000;
    Node chain = h.input("x", Harness.shape("N"), new int[] {n}, -1, 1);
    Node w = h.param("w", -1, 1, 1);
    chain = s.mul(chain, w);
    for (int i = 0; i < 300; i++) chain = s.unary(Op.SIN, s.add(s.mul(chain, chain), s.unary(Op.COS, chain)));
    Graph g = h.train(s.sum(chain, null, false));
    CompiledClass c = Harness.compile(g, OptimizerSettings.sgd(0.1));
    assertSmallMethods(c);
    long split = c.schedule().steps().stream()
        .filter(st -> dev.modelc.sched.SplitLoops.splits(c.schedule(), st)).count();
    assertTrue(split > RangeEmitter.CASES_PER_METHOD, split + " split loops");
    assertTrue(codeLengths(c.bytecode()).keySet().stream().anyMatch(k -> k.startsWith("range$1#")),
        codeLengths(c.bytecode()).keySet().toString());
    Model one = h.instance(c);
    Model two = h.instance(c);
    two.setThreads(2);
    try {
      one.forward();
      one.backward();
      two.forward();
      two.backward();
      assertEquals(one.loss(), two.loss());
      assertEquals(java.util.Arrays.toString((double[]) one.gradient("w")),
          java.util.Arrays.toString((double[]) two.gradient("w")));
      assertTrue(((dev.modelc.runtime.api.CompiledModel) two).team().loopRangesOnWorkers() >= split,
          "every split loop ran a range on the worker");
    } finally {
      two.close();
    }
  }

  @Test
  void stackTracesPointAtTheModelSource() {
    Harness h = new Harness("Classifier", DType.F32, 3);
    Sugar s = new Sugar(h.ir);
    h.ir.at(new Origin(3, 3));
    Node t = h.labels("t", Harness.shape(4), 4, 3);
    Node w = h.param("w", -1, 1, 4, 3);
    h.ir.at(new Origin(9, 15));
    Node loss = s.crossEntropy(w, t, "mean");
    Graph g = h.train(loss);
    CompiledClass c = ClassEmitter.emit(Scheduler.schedule(g), OptimizerSettings.sgd(0.1),
        CompileOptions.of("demo", "classifier.mdl"));
    Harness.verify(c);
    Model m = c.newInstance();
    m.setInput("t", new int[] {0, 1, 7, 2});
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        m::forward);
    assertEquals("classifier.mdl:9:15: cross_entropy: label 7 at position 2 is out of range [0, 3)", e.getMessage());
    StackTraceElement frame = null;
    for (StackTraceElement f : e.getStackTrace()) {
      if (f.getClassName().equals("demo.Classifier")) {
        frame = f;
        break;
      }
    }
    assertTrue(frame != null, "a frame of the generated class");
    assertEquals("classifier.mdl", frame.getFileName());
    assertEquals(9, frame.getLineNumber());
  }
}
