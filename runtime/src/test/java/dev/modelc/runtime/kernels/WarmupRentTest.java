package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/**
 * {@code -Dmodelc.poolRent} and {@code -Dmodelc.transposeRent}: the Vector API loops' warm-up rents, their defaults and
 * bad values.
 */
class WarmupRentTest {
  private static final String PROPERTY = "modelc.poolRent";

  @Test
  void thePropertySetsTheRent() throws Exception {
    assertEquals(1L << 26, rentWith(null));
    assertEquals(0L, rentWith("0"));
    assertEquals(12_345L, rentWith(" 12345 "));
    assertEquals(Long.MAX_VALUE, rentWith(Long.toString(Long.MAX_VALUE)));
  }

  @Test
  void aValueThatIsNotACountKeepsTheDefault() throws Exception {
    for (String bad : new String[] {"-1", "lots", "", "1e6", "99999999999999999999"}) {
      assertEquals(1L << 26, rentWith(bad), bad);
    }
  }

  private static long rentWith(String value) throws Exception {
    assumeTrue(Kernels.vectorApi().isPresent(), "the JVM has no jdk.incubator.vector");
    Method rent = Class.forName("dev.modelc.runtime.kernels.WarmupRent")
        .getDeclaredMethod("fromProperty", String.class, long.class);
    rent.setAccessible(true);
    String before = System.getProperty(PROPERTY);
    try {
      if (value == null) {
        System.clearProperty(PROPERTY);
      } else {
        System.setProperty(PROPERTY, value);
      }
      return (long) rent.invoke(null, PROPERTY, 1L << 26);
    } finally {
      if (before == null) {
        System.clearProperty(PROPERTY);
      } else {
        System.setProperty(PROPERTY, before);
      }
    }
  }
}
