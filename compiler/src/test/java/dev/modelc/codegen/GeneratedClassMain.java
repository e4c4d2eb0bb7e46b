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
    Random rnd = new Random(3);
    if (args.length > 1 && args[1].equals("logreg")) { // 37 rows: whole vectors and a partial one
      float[] x = new float[37 * 20];
      for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * 2);
      float[] y = new float[37];
      for (int i = 0; i < y.length; i++) y[i] = rnd.nextBoolean() ? 1f : 0f;
      m.setInput("x", x);
      m.setInput("y", y);
    } else {
      int batch = 4;
      float[] x = new float[batch * 28 * 28];
      for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat();
      int[] t = new int[batch];
      for (int i = 0; i < batch; i++) t[i] = rnd.nextInt(10);
      m.setInput("x", x);
      m.setInput("t", t);
    }
    StringBuilder losses = new StringBuilder();
    for (int step = 0; step < 3; step++) losses.append(' ').append(m.trainStep());
    System.out.println("kernel=" + MatMul.kernelName());
    System.out.println("losses" + losses);
  }
}
