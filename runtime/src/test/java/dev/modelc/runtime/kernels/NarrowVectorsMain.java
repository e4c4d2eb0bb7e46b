package dev.modelc.runtime.kernels;

import java.util.Random;

/**
 * Run by {@code ChildJvmTest} in a JVM whose vectors are held to 256 bits ({@code -XX:MaxVectorSize=32}), so that an
 * AVX-512 machine takes the branches an AVX2 machine would: prints the preferred float lanes, then {@code ok} if the
 * Vector API's chunk sums and gradient masks give the plain loops' bits, or the first difference.
 */
public final class NarrowVectorsMain {
    private NarrowVectorsMain() {
    }

    public static void main(String[] args) throws ReflectiveOperationException {
        Gemm vector = Kernels.vectorApi().orElseThrow();
        Gemm plain = Kernels.plainJava();
        // by reflection: the tests compile without the incubator module
        Object species = Class.forName("jdk.incubator.vector.FloatVector").getField("SPECIES_PREFERRED").get(null);
        Object lanes = Class.forName("jdk.incubator.vector.VectorSpecies").getMethod("length").invoke(species);
        System.out.println("lanes=" + lanes);
        Random r = new Random(12);
        float[] x = new float[1100];
        float[] a = new float[1100];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(4) == 0 ? 0f : (float) r.nextGaussian();
            a[i] = (float) r.nextGaussian();
        }
        for (int from : new int[] {0, 3}) {
            for (int length : new int[] {0, 7, 16, 31, 256, 1000}) {
                float want = plain.chunkSums().chunk(x, from, from + length);
                float got = vector.chunkSums().chunk(x, from, from + length);
                if (Float.floatToIntBits(want) != Float.floatToIntBits(got)) {
                    System.out.println("chunk from " + from + " length " + length + ": " + got + " against " + want);
                    System.exit(1);
                }
            }
        }
        float[] want = new float[x.length];
        float[] got = new float[x.length];
        for (int n : new int[] {5, 130, 1100}) {
            plain.masks().zeroWhereEqual(a, x, 0f, want, 0, n);
            vector.masks().zeroWhereEqual(a, x, 0f, got, 0, n);
            plain.masks().mulGreater(a, x, 0f, want, n, x.length);
            vector.masks().mulGreater(a, x, 0f, got, n, x.length);
            for (int i = 0; i < x.length; i++) {
                if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(got[i])) {
                    System.out.println("masks n " + n + " at " + i + ": " + got[i] + " against " + want[i]);
                    System.exit(1);
                }
            }
        }
        System.out.println("ok");
    }
}
