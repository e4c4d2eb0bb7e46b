package dev.modelc.eval;

/**
 * The error function in double precision (Java has none): its Taylor series near 0, where it converges quickly
 * without cancellation, and the continued fraction of erfc beyond, where the series would lose digits.
 */
final class Erf {
  private Erf() {}

  static double erf(double x) {
    if (Double.isNaN(x)) return x;
    double ax = Math.abs(x);
    double r = ax < 2.5 ? series(ax) : 1 - erfcFraction(ax);
    return x < 0 ? -r : r;
  }

  /** erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)). */
  private static double series(double x) {
    double term = x;
    double sum = x;
    double x2 = x * x;
    for (int n = 1; n < 200; n++) {
      term *= -x2 / n;
      double add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 2 / Math.sqrt(Math.PI) * sum;
  }

  /** erfc(x) = e^(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), by the modified Lentz method. */
  private static double erfcFraction(double x) {
    if (x > 27) return 0;
    double tiny = 1e-300;
    double f = x;
    double c = x;
    double d = 0;
    for (int k = 1; k < 500; k++) {
      double a = k / 2.0;
      d = x + a * d;
      d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
      c = x + a / c;
      if (Math.abs(c) < tiny) c = tiny;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
  }
}
