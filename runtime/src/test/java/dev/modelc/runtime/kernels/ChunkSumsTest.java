package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link JavaChunkSums#chunk} in each implementation (the plain loop and, where the module is present, the Vector API
 * lanes) equals, bit for bit, sixteen chains summed in the order its comment states, for chunk lengths with and
 * without a tail after the last whole sixteen, at offsets that are not multiples of a vector, with infinities and
 * NaN among the values.
 */
class ChunkSumsTest {

  private static List<JavaChunkSums> implementations() {
    List<JavaChunkSums> list = new ArrayList<>();
    list.add(Kernels.plainJava().chunkSums());
    Kernels.vectorApi().ifPresent(g -> list.add(g.chunkSums()));
    return list;
  }

  /** The stated order, written independently: chains in an array, the tree of pairs level by level. */
  private static float expected(float[] x, int from, int to) {
    float[] chains = new float[16];
    int whole = from + (to - from) / 16 * 16;
    for (int j = from; j < whole; j++) {
      chains[(j - from) % 16] += x[j];
    }
    for (int j = whole; j < to; j++) {
      chains[0] += x[j];
    }
    for (int width = 16; width > 1; width /= 2) {
      for (int i = 0; i < width / 2; i++) {
        chains[i] = chains[2 * i] + chains[2 * i + 1];
      }
    }
    return chains[0];
  }

  @Test
  void everyImplementationSumsInTheStatedOrder() {
    Random r = new Random(11);
    float[] x = new float[1200];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(9) - 4));
    }
    List<JavaChunkSums> all = implementations();
    for (JavaChunkSums sums : all) {
      for (int length : new int[] {0, 1, 15, 16, 17, 31, 32, 100, 255, 256, 257, 600}) {
        for (int from : new int[] {0, 1, 5, 16, 33}) {
          int to = from + length;
          assertEquals(Float.floatToRawIntBits(expected(x, from, to)), Float.floatToRawIntBits(sums.chunk(x, from, to)),
              sums.getClass().getSimpleName() + " from " + from + " length " + length);
        }
      }
    }
  }

  @Test
  void infinitiesAndNaNGoThroughTheSameAdditions() {
    float[] x = new float[80];
    java.util.Arrays.fill(x, 1.5f);
    x[3] = Float.POSITIVE_INFINITY;
    x[20] = Float.NEGATIVE_INFINITY;
    float[] nan = x.clone();
    nan[41] = Float.NaN;
    for (JavaChunkSums sums : implementations()) {
      // NaN compared as NaN: Java leaves the bits of a NaN that arithmetic makes open (x86 gives a negative one)
      assertEquals(Float.floatToIntBits(expected(x, 0, 80)), Float.floatToIntBits(sums.chunk(x, 0, 80)));
      assertEquals(Float.floatToIntBits(expected(nan, 0, 80)), Float.floatToIntBits(sums.chunk(nan, 0, 80)));
      float[] positive = new float[40];
      java.util.Arrays.fill(positive, 2f);
      positive[39] = Float.POSITIVE_INFINITY;
      assertEquals(Float.POSITIVE_INFINITY, sums.chunk(positive, 0, 40));
    }
  }

  @Test
  void theVectorFormIsTestedWhereTheModuleIsPresent() {
    Kernels.vectorApi().ifPresent(g -> assertEquals("VectorChunkSums", g.chunkSums().getClass().getSimpleName()));
  }
}
