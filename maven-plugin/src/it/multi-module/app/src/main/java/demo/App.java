package demo;

import shapes.Points;

/** Trains the generated demo.LinReg on the library's points. */
public final class App {
  public static void main(String[] args) {
    float[] x = Points.xs(16);
    float[] y = Points.ys(x);
    LinReg model = new LinReg(42L);
    float first = model.trainStep(x, y, x.length);
    float last = first;
    for (int s = 1; s < 200; s++) {
      last = model.trainStep(x, y, x.length);
    }
    System.out.println("loss " + first + " -> " + last);
  }
}
