package dev.modelc.codegen;

import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.kernels.MatMul;
import java.util.Random;

/**
 * Run in a child JVM by {@link VectorModuleTest}: loads a generated CNN class from the class path (only the runtime
 * jar and the class itself are needed), trains it for a few steps on seeded data and prints the kernel in use and
 * the losses.
 */
public final class GeneratedClassMain {
  private GeneratedClassMain() {}

  public static void main(String[] args) throws Exception {
    Model m = (Model) Class.forName(args[0]).getConstructor(long.class).newInstance(7L);
    int batch = 4;
    Random rnd = new Random(3);
    float[] x = new float[batch * 28 * 28];
    for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat();
    int[] t = new int[batch];
    for (int i = 0; i < batch; i++) t[i] = rnd.nextInt(10);
    m.setInput("x", x);
    m.setInput("t", t);
    StringBuilder losses = new StringBuilder();
    for (int step = 0; step < 3; step++) losses.append(' ').append(m.trainStep());
    System.out.println("kernel=" + MatMul.kernelName());
    System.out.println("losses" + losses);
  }
}
