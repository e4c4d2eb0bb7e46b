package shapes;

/** Points on the line y = 2x + 1, for the app's model to fit. */
public final class Points {
  private Points() {}

  public static float[] xs(int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = i / (float) n;
    }
    return x;
  }

  public static float[] ys(float[] xs) {
    float[] y = new float[xs.length];
    for (int i = 0; i < xs.length; i++) {
      y[i] = 2 * xs[i] + 1;
    }
    return y;
  }
}
