package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/**
 * The Vector API loops' warm-up rents as their kernels read them: {@code -Dmodelc.poolRent} (the pooling blocks,
 * 2^26 outputs by default) and {@code -Dmodelc.transposeRent} (the products' transposing squares, 2^31 elements),
 * the documented defaults, values that set them, and values that are not counts (which keep the default).
 */
class WarmupRentTest {

  @Test
  void thePoolingRent() throws Exception {
    checkProperty("modelc.poolRent", "poolOutputs", 1L << 26);
  }

  @Test
  void theSquaresRent() throws Exception {
    checkProperty("modelc.transposeRent", "squares", 1L << 31);
  }

  @Test
  void aSettingThatIsNotACountIsWarnedOnceHoweverManyLoopsReadIt() throws Exception {
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    String value = "not-a-count-" + System.nanoTime();   // a value no other test warned about
    try {
      System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
      for (int read = 0; read < 3; read++) {
        assertEquals(1L << 31, rentWith("modelc.transposeRent", "squares", value));
      }
    } finally {
      System.setErr(err);
    }
    String text = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals("modelc: warning: -Dmodelc.transposeRent=" + value + " is not a count (a whole number >= 0); using "
        + (1L << 31) + System.lineSeparator(), text);
  }

  private static void checkProperty(String property, String entry, long documentedDefault) throws Exception {
    assertEquals(documentedDefault, rentWith(property, entry, null));
    assertEquals(0L, rentWith(property, entry, "0"));
    assertEquals(12_345L, rentWith(property, entry, " 12345 "));
    assertEquals(Long.MAX_VALUE, rentWith(property, entry, Long.toString(Long.MAX_VALUE)));
    for (String bad : new String[] {"-1", "lots", "", "1e6", "99999999999999999999"}) {
      assertEquals(documentedDefault, rentWith(property, entry, bad), bad);
    }
  }

  /** The rent {@code WarmupRent.<entry>()} gives with {@code property} set to {@code value} (null: unset). */
  private static long rentWith(String property, String entry, String value) throws Exception {
    assumeTrue(Kernels.vectorApi().isPresent(), "the JVM has no jdk.incubator.vector");
    Class<?> c = Class.forName("dev.modelc.runtime.kernels.WarmupRent");
    Method read = c.getDeclaredMethod(entry);
    read.setAccessible(true);
    String before = System.getProperty(property);
    try {
      if (value == null) {
        System.clearProperty(property);
      } else {
        System.setProperty(property, value);
      }
      Object rent = read.invoke(null);
      if (rent instanceof Long outputs) {
        return outputs;
      }
      Method units = c.getDeclaredMethod("rent");
      units.setAccessible(true);
      return (long) units.invoke(rent);
    } finally {
      if (before == null) {
        System.clearProperty(property);
      } else {
        System.setProperty(property, before);
      }
    }
  }
}
