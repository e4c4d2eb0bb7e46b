package demo;

/** Reads a parameter of the generated demo.Net by its getter. */
public final class App {
  public static int firstLayerSize() {
    return new Net(7L).fc1_weight().length;
  }
}
