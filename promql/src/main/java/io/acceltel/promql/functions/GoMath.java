package io.acceltel.promql.functions;

/**
 * Ports of Go's {@code math} functions whose results differ from Java's in the last bits, for functions whose output
 * is easily compared exactly (e.g. {@code count_values} turns values into labels). Go computes these in pure Go on
 * amd64, so the ports reproduce its results bit for bit.
 */
public final class GoMath {
  private static final double MOREBITS = 6.123233995736765886130e-17; // pi/2 = PIO2 + MOREBITS
  private static final double TAN3PIO8 = 2.41421356237309504880; // tan(3*pi/8)
  private static final double LN2 = 0.693147180559945309417232121458176568;
  private static final double LN10 = 2.30258509299404568401799145468436421;

  private GoMath() {}

  /** Go's {@code math.Atan}. */
  public static double atan(double x) {
    if (x == 0) {
      return x;
    }
    return x > 0 ? satan(x) : -satan(-x);
  }

  /** Go's {@code math.Atan2}. */
  public static double atan2(double y, double x) {
    if (Double.isNaN(y) || Double.isNaN(x)) {
      return Double.NaN;
    }
    if (y == 0) {
      if (x >= 0 && !signbit(x)) {
        return Math.copySign(0, y);
      }
      return Math.copySign(Math.PI, y);
    }
    if (x == 0) {
      return Math.copySign(Math.PI / 2, y);
    }
    if (Double.isInfinite(x)) {
      if (x > 0) {
        return Double.isInfinite(y) ? Math.copySign(Math.PI / 4, y) : Math.copySign(0, y);
      }
      return Double.isInfinite(y) ? Math.copySign(3 * Math.PI / 4, y) : Math.copySign(Math.PI, y);
    }
    if (Double.isInfinite(y)) {
      return Math.copySign(Math.PI / 2, y);
    }
    double q = atan(y / x);
    if (x < 0) {
      return q <= 0 ? q + Math.PI : q - Math.PI;
    }
    return q;
  }

  /** Go's {@code math.Log10}: the natural log scaled, not a correctly rounded log10. */
  public static double log10(double x) {
    return Math.log(x) * (1 / LN10);
  }

  /** Go's {@code math.Log2}: exact for powers of two, else the scaled log of the mantissa plus the exponent. */
  public static double log2(double x) {
    if (x == 0 || Double.isNaN(x) || Double.isInfinite(x) || x < 0) {
      return Math.log(x) * (1 / LN2);
    }
    // frexp: x = frac * 2^exp with frac in [0.5, 1)
    int exp = Math.getExponent(x);
    double frac;
    if (exp == Double.MIN_EXPONENT - 1) { // subnormal
      double scaled = x * 0x1p52;
      exp = Math.getExponent(scaled) - 52;
      frac = scaled / Math.scalb(1.0, Math.getExponent(scaled) + 1);
    } else {
      frac = x / Math.scalb(1.0, exp + 1);
    }
    exp += 1;
    if (frac == 0.5) {
      return exp - 1;
    }
    return Math.log(frac) * (1 / LN2) + exp;
  }

  private static boolean signbit(double x) {
    return Double.doubleToRawLongBits(x) < 0;
  }

  /** Reduces a positive argument to [0, 0.66] for {@link #xatan}. */
  private static double satan(double x) {
    if (x <= 0.66) {
      return xatan(x);
    }
    if (x > TAN3PIO8) {
      return Math.PI / 2 - xatan(1 / x) + MOREBITS;
    }
    return Math.PI / 4 + xatan((x - 1) / (x + 1)) + 0.5 * MOREBITS;
  }

  /** A series valid in [0, 0.66] (Cephes). */
  private static double xatan(double x) {
    final double p0 = -8.750608600031904122785e-01;
    final double p1 = -1.615753718733365076637e+01;
    final double p2 = -7.500855792314704667340e+01;
    final double p3 = -1.228866684490136173410e+02;
    final double p4 = -6.485021904942025371773e+01;
    final double q0 = +2.485846490142306297962e+01;
    final double q1 = +1.650270098316988542046e+02;
    final double q2 = +4.328810604912902668951e+02;
    final double q3 = +4.853903996359136964868e+02;
    final double q4 = +1.945506571482613964425e+02;
    double z = x * x;
    z = z * ((((p0 * z + p1) * z + p2) * z + p3) * z + p4) / (((((z + q0) * z + q1) * z + q2) * z + q3) * z + q4);
    z = x * z + x;
    return z;
  }
}
