package dev.modelc.codegen;

import dev.modelc.runtime.api.CompiledModel;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.kernels.MatMul;
import java.util.Arrays;
import java.util.Random;

/**
 * Run in a child JVM by {@link VectorModuleTest}: two instances of a generated class with one seed, one keeping its
 * weights for predict (with the Vector API, packed whole) and one whose parameters were handed out (packing them at
 * every call), predict on one and on two threads, before and after training steps of the first, whose parameters
 * are then copied into the second. Prints the kernel, whether it keeps packed weights, and {@code same} or the first
 * difference.
 */
public final class PackedWeightsMain {
  private PackedWeightsMain() {}

  public static void main(String[] args) throws Exception {
    Class<?> type = Class.forName(args[0]);
    boolean f32 = args[1].equals("f32");
    int batch = Integer.parseInt(args[2]);
    int in = Integer.parseInt(args[3]);
    int classes = Integer.parseInt(args[4]);
    Model cached = (Model) type.getConstructor(long.class).newInstance(7L);
    Model packing = (Model) type.getConstructor(long.class).newInstance(7L);
    packing.parameter("fc1.weight");
    Random rnd = new Random(5);
    Object x = f32 ? new float[batch * in] : new double[batch * in];
    for (int i = 0; i < batch * in; i++) {
      if (f32) ((float[]) x)[i] = (float) rnd.nextGaussian();
      else ((double[]) x)[i] = rnd.nextGaussian();
    }
    int[] t = new int[batch];
    for (int i = 0; i < batch; i++) t[i] = rnd.nextInt(classes);
    String result = "same";
    for (int round = 0; round < 3 && result.equals("same"); round++) {
      for (int threads = 1; threads <= 2 && result.equals("same"); threads++) {
        cached.setThreads(threads);
        packing.setThreads(threads);
        String a = predict(cached, x, batch);
        String b = predict(packing, x, batch);
        if (!a.equals(b)) result = "round " + round + ", " + threads + " threads: " + a + " against " + b;
      }
      cached.setThreads(1);
      cached.setInput("x", x);
      cached.setInput("t", t);
      cached.setSize("B", batch);
      cached.trainStep();
      Object flat = f32 ? new float[cached.flatParameterSize()] : new double[cached.flatParameterSize()];
      cached.readParameters(flat);
      packing.writeParameters(flat);
    }
    System.out.println("kernel=" + MatMul.kernelName() + " packed=" + (MatMul.packedWeightLength(64, 64) > 0)
        + " keeps=" + ((CompiledModel) cached).keepsWeightTransposes() + "/"
        + ((CompiledModel) packing).keepsWeightTransposes());
    System.out.println(result);
  }

  private static String predict(Model m, Object x, int batch) {
    m.setInput("x", x);
    m.setSize("B", batch);
    m.predict();
    Object out = m.output("logits");
    return out instanceof float[] f ? Arrays.toString(f) : Arrays.toString((double[]) out);
  }
}
