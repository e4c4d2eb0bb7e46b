package dev.modelc.bench.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Twelve independent FMA chains of the preferred vector width: with a latency of 4 cycles and two FMA units, eight
 * chains in flight keep both units busy; twelve leave margin and still fit the vector registers (16 with AVX2, 32
 * with AVX-512). Each chain computes {@code acc = acc * a + b} with {@code |a| < 1}, so the values stay finite.
 */
final class VectorFmaPeak implements FmaPeak {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int CHAINS = 12;

  @Override
  public long flopsPerRun(int iterations) {
    return 2L * CHAINS * S.length() * iterations;
  }

  @Override
  public int lanes() {
    return S.length();
  }

  @Override
  public float run(float x, int iterations) {
    FloatVector a = FloatVector.broadcast(S, 0.999f);
    FloatVector b = FloatVector.broadcast(S, 0.001f);
    FloatVector c0 = FloatVector.broadcast(S, x);
    FloatVector c1 = FloatVector.broadcast(S, x + 1);
    FloatVector c2 = FloatVector.broadcast(S, x + 2);
    FloatVector c3 = FloatVector.broadcast(S, x + 3);
    FloatVector c4 = FloatVector.broadcast(S, x + 4);
    FloatVector c5 = FloatVector.broadcast(S, x + 5);
    FloatVector c6 = FloatVector.broadcast(S, x + 6);
    FloatVector c7 = FloatVector.broadcast(S, x + 7);
    FloatVector c8 = FloatVector.broadcast(S, x + 8);
    FloatVector c9 = FloatVector.broadcast(S, x + 9);
    FloatVector c10 = FloatVector.broadcast(S, x + 10);
    FloatVector c11 = FloatVector.broadcast(S, x + 11);
    for (int i = 0; i < iterations; i++) {
      c0 = c0.fma(a, b);
      c1 = c1.fma(a, b);
      c2 = c2.fma(a, b);
      c3 = c3.fma(a, b);
      c4 = c4.fma(a, b);
      c5 = c5.fma(a, b);
      c6 = c6.fma(a, b);
      c7 = c7.fma(a, b);
      c8 = c8.fma(a, b);
      c9 = c9.fma(a, b);
      c10 = c10.fma(a, b);
      c11 = c11.fma(a, b);
    }
    FloatVector s = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11);
    return s.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
  }
}
