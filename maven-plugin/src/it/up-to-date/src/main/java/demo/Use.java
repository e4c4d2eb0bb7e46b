package demo;

public final class Use {
  public static float[] weight() {
    return new LinReg(1L).w();
  }
}
