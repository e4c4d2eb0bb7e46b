package demo;

/** Helpers of the app. */
public final class Helpers {
  private Helpers() {}

  static String banner() {
    return "} class Banner {"; // a string, not a declaration
  }
}

/** Not public, so javac lets it live in Helpers.java; src/main/mdl/demo/app.mdl wrongly declares a model App too. */
final class App {
  public static void main(String[] args) {
    System.out.println(Helpers.banner());
  }
}
