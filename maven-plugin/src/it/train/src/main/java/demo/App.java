package demo;

/** Trains the generated demo.LinReg on y = 3x + 1 and returns the losses. */
public final class App {
  public static float[] train(int steps) {
    LinReg model = new LinReg(42L);
    float[] x = new float[16];
    float[] y = new float[16];
    for (int i = 0; i < x.length; i++) {
      x[i] = i / 8f - 1f;
      y[i] = 3 * x[i] + 1;
    }
    float[] losses = new float[steps];
    for (int s = 0; s < steps; s++) {
      losses[s] = model.trainStep(x, y, x.length);
    }
    System.out.println("w = " + model.w()[0] + ", b = " + model.b()[0]);
    return losses;
  }

  public static void main(String[] args) {
    float[] losses = train(50);
    System.out.println("loss " + losses[0] + " -> " + losses[losses.length - 1]);
  }
}
