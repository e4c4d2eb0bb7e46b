package demo;

/** The app's entry point; src/main/mdl/demo/app.mdl wrongly declares a model of the same name. */
public final class App {
  public static void main(String[] args) {
    System.out.println("app");
  }
}
