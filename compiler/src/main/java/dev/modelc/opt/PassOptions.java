package dev.modelc.opt;

/**
 * What the pipeline optimizes for.
 *
 * @param mode TRAINING keeps the objective and the gradients; INFERENCE keeps only the outputs (so no adjoint)
 * @param unsafeMath allows rewrites that are exact in real arithmetic but can change results at extreme or invalid
 *     values (log(exp(x)) to x overflows differently; x * 0 to 0 hides NaN and infinity)
 * @param verify runs the IR verifier after every pass
 */
public record PassOptions(Mode mode, boolean unsafeMath, boolean verify) {
  public enum Mode {
    TRAINING, INFERENCE
  }

  public static PassOptions training() {
    return new PassOptions(Mode.TRAINING, false, false);
  }

  public static PassOptions inference() {
    return new PassOptions(Mode.INFERENCE, false, false);
  }

  public PassOptions withUnsafeMath(boolean on) {
    return new PassOptions(mode, on, verify);
  }

  public PassOptions withVerify(boolean on) {
    return new PassOptions(mode, unsafeMath, on);
  }
}
