package io.acceltel.promql.value;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Go's {@code strconv.FormatFloat(v, fmt, -1, 64)} for {@code fmt} {@code 'f'} and {@code 'e'}: the shortest
 * decimal that reads back to {@code v}, the closest to {@code v} when several are that short, written as ASCII
 * straight into a byte array. Prometheus writes every sample value this way, and {@code count_values} turns values
 * into label values with it, so large query results spend much of their time here.
 *
 * <pre>{@code
 * GoFloat.format(0.1 + 0.2, 'f');   // 0.30000000000000004
 * GoFloat.format(1e-7, 'f');        // 0.0000001
 * GoFloat.format(1e-7, 'e');        // 1e-07
 * GoFloat.format(-0.0, 'f');        // -0
 * }</pre>
 *
 * <p>Normal doubles use Raffaello Giulietti's Schubfach ("The Schubfach way to render doubles", 2020; Java 19's
 * {@code Double.toString}): one 126-bit multiplication by a power of ten gives the 17-digit decimal and the rounding
 * interval's ends, and at most one digit is dropped. Java 17's own {@code Double.toString} is several times slower
 * and sometimes not shortest (JDK-4511638). Subnormals, which no telemetry produces, take an exact
 * {@link BigDecimal} search.
 */
public final class GoFloat {
  /** The longest {@code 'e'} output: {@code -2.2250738585072014e-308}. */
  public static final int MAX_LENGTH_E = 24;
  /** The longest {@code 'f'} output: {@code -0.} then 323 zeros and 17 digits, for the smallest subnormals' range. */
  public static final int MAX_LENGTH_F = 343;

  private static final int PRECISION = 53;
  private static final long SIGNIFICAND_MASK = (1L << (PRECISION - 1)) - 1;
  private static final long HIDDEN_BIT = 1L << (PRECISION - 1);
  /** v = c * 2^q: q of the smallest normal exponent field (1) is 1 - 1075. */
  private static final int Q_MIN = -1074;
  private static final int K_MIN = flog10pow2(Q_MIN);
  private static final int K_MAX = flog10pow2(2046 - 1075);
  private static final long MASK_63 = (1L << 63) - 1;
  private static final byte[] DIGIT_PAIRS = new byte[200];
  private static final long[] POW10 = new long[19];
  /** For each k, g = floor(10^-k * 2^(125 - floor(log2(10^-k)))) + 1, in [2^125, 2^126), as two 63-bit halves. */
  private static final long[] G_HIGH = new long[K_MAX - K_MIN + 1];
  private static final long[] G_LOW = new long[K_MAX - K_MIN + 1];

  static {
    for (int i = 0; i < 100; i++) {
      DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
      DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
    }
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
    BigInteger low63 = BigInteger.ONE.shiftLeft(63).subtract(BigInteger.ONE);
    for (int k = K_MIN; k <= K_MAX; k++) {
      int shift = 125 - flog2pow10(-k);
      BigInteger scaled;
      if (k <= 0) {
        BigInteger p = BigInteger.TEN.pow(-k);
        scaled = shift >= 0 ? p.shiftLeft(shift) : p.shiftRight(-shift);
      } else {
        scaled = BigInteger.ONE.shiftLeft(shift).divide(BigInteger.TEN.pow(k));
      }
      BigInteger g = scaled.add(BigInteger.ONE);
      G_HIGH[k - K_MIN] = g.shiftRight(63).longValueExact();
      G_LOW[k - K_MIN] = g.and(low63).longValue();
    }
  }

  private GoFloat() {
  }

  /** {@code v} formatted as Go's {@code strconv.FormatFloat(v, fmt, -1, 64)}; {@code fmt} is 'f' or 'e'. */
  public static String format(double v, char fmt) {
    byte[] buf = new byte[fmt == 'e' ? MAX_LENGTH_E : MAX_LENGTH_F];
    int n = write(buf, 0, v, fmt);
    return new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
  }

  /**
   * Writes {@code v} as {@link #format} does at {@code buf[pos]}, which must have room for {@link #MAX_LENGTH_E}
   * or {@link #MAX_LENGTH_F} bytes; returns the position after the last byte written.
   */
  public static int write(byte[] buf, int pos, double v, char fmt) {
    if (fmt != 'f' && fmt != 'e') {
      throw new IllegalArgumentException("format must be 'f' or 'e', not '" + fmt + "'");
    }
    long bits = Double.doubleToRawLongBits(v);
    int biasedExponent = (int) (bits >>> 52) & 0x7FF;
    long fraction = bits & SIGNIFICAND_MASK;
    if (biasedExponent == 0x7FF) {
      return putAscii(buf, pos, fraction != 0 ? "NaN" : bits < 0 ? "-Inf" : "+Inf");
    }
    int p = pos;
    if (bits < 0) {
      buf[p++] = '-';
    }
    if (biasedExponent == 0) {
      if (fraction == 0) {
        return putAscii(buf, p, fmt == 'e' ? "0e+00" : "0");
      }
      BigDecimal d = shortestExact(Math.abs(v));
      return writeDecimal(buf, p, d.unscaledValue().longValueExact(), -d.scale(), fmt);
    }
    long c = HIDDEN_BIT | fraction;
    int q = biasedExponent - 1075;
    if (q < 0 && q > -PRECISION) {
      long whole = c >> -q;
      if (whole << -q == c) {
        return writeDecimal(buf, p, whole, 0, fmt); // an integer below 2^53: itself is the shortest
      }
    }
    return schubfach(buf, p, q, c, fmt);
  }

  /** v = c * 2^q, normal: the shortest decimal in v's rounding interval, the closest to v of those. */
  private static int schubfach(byte[] buf, int pos, int q, long c, char fmt) {
    // Half-even reading: the interval's ends belong to it only when c is even.
    int out = (int) c & 1;
    long cb = c << 2;
    long cbr = cb + 2;
    long cbl;
    int k;
    if (c != HIDDEN_BIT || q == Q_MIN) {
      cbl = cb - 2;
      k = flog10pow2(q);
    } else {
      cbl = cb - 1; // at a power of two the gap below is half the gap above
      k = flog10threeQuartersPow2(q);
    }
    int h = q + flog2pow10(-k) + 2;
    long g1 = G_HIGH[k - K_MIN];
    long g0 = G_LOW[k - K_MIN];
    // 4 * v / 10^k and the interval's ends, rounded to odd: s has 16 or 17 digits.
    long vb = roundToOdd(g1, g0, cb << h);
    long vbl = roundToOdd(g1, g0, cbl << h);
    long vbr = roundToOdd(g1, g0, cbr << h);
    long s = vb >> 2;
    if (s >= 100) {
      // One digit fewer, when exactly one of the two neighbouring multiples of ten lies in the interval.
      long sp10 = 10 * (s / 10);
      long tp10 = sp10 + 10;
      boolean upin = vbl + out <= sp10 << 2;
      boolean wpin = (tp10 << 2) + out <= vbr;
      if (upin != wpin) {
        return writeDecimal(buf, pos, upin ? sp10 : tp10, k, fmt);
      }
    }
    long t = s + 1;
    boolean uin = vbl + out <= s << 2;
    boolean win = (t << 2) + out <= vbr;
    if (uin != win) {
      return writeDecimal(buf, pos, uin ? s : t, k, fmt);
    }
    long cmp = vb - ((s + t) << 1);
    return writeDecimal(buf, pos, cmp < 0 || cmp == 0 && (s & 1) == 0 ? s : t, k, fmt);
  }

  /** floor(g * cp / 2^127), its lowest bit set when the discarded part is not zero. */
  private static long roundToOdd(long g1, long g0, long cp) {
    long x1 = Math.multiplyHigh(g0, cp);
    long y0 = g1 * cp;
    long y1 = Math.multiplyHigh(g1, cp);
    long z = (y0 >>> 1) + x1;
    long high = y1 + (z >>> 63);
    return high | ((z & MASK_63) + MASK_63) >>> 63;
  }

  /** floor(e * log10(2)), exact for |e| <= 5456721. */
  private static int flog10pow2(int e) {
    return (int) (e * 661_971_961_083L >> 41);
  }

  /** floor(log10(3/4 * 2^e)), exact over the exponents of doubles. */
  private static int flog10threeQuartersPow2(int e) {
    return (int) (e * 661_971_961_083L - 274_743_187_321L >> 41);
  }

  /** floor(e * log2(10)), exact for |e| <= 1838394. */
  private static int flog2pow10(int e) {
    return (int) (e * 913_124_641_741L >> 38);
  }

  /**
   * The closest shortest decimal for a positive finite double, by trying each length with exact arithmetic: both
   * neighbours at that length, since the rounding interval need not be centred on v. Microseconds a value: for
   * subnormals only (and, in tests, to check the fast path).
   */
  static BigDecimal shortestExact(double abs) {
    BigDecimal exact = new BigDecimal(abs);
    for (int digits = 1; digits <= 17; digits++) {
      BigDecimal below = exact.round(new MathContext(digits, RoundingMode.FLOOR));
      BigDecimal above = exact.round(new MathContext(digits, RoundingMode.CEILING));
      boolean belowReads = below.doubleValue() == abs;
      boolean aboveReads = above.doubleValue() == abs;
      if (belowReads && aboveReads) {
        int cmp = exact.subtract(below).compareTo(above.subtract(exact));
        boolean belowEven = !below.unscaledValue().testBit(0);
        return (cmp < 0 || cmp == 0 && belowEven ? below : above).stripTrailingZeros();
      }
      if (belowReads || aboveReads) {
        return (belowReads ? below : above).stripTrailingZeros();
      }
    }
    throw new AssertionError("17 digits always read back: " + abs);
  }

  /** Writes {@code f * 10^e} (f > 0) in Go's form for {@code fmt}. */
  private static int writeDecimal(byte[] buf, int pos, long f, int e, char fmt) {
    // Trailing zeros off in at most five divisions (f has at most 16 of them).
    if (f % 100_000_000 == 0) {
      f /= 100_000_000;
      e += 8;
      if (f % 100_000_000 == 0) {
        f /= 100_000_000;
        e += 8;
      }
    }
    if (f % 10_000 == 0) {
      f /= 10_000;
      e += 4;
    }
    if (f % 100 == 0) {
      f /= 100;
      e += 2;
    }
    if (f % 10 == 0) {
      f /= 10;
      e++;
    }
    int n = digitCount(f);
    int point = n + e; // the value is 0.<digits> * 10^point
    int p = pos;
    if (fmt == 'e') {
      if (n == 1) {
        buf[p++] = (byte) ('0' + f);
      } else {
        p = insertPoint(buf, p, f, n, 1);
      }
      int exp = point - 1;
      buf[p++] = 'e';
      buf[p++] = (byte) (exp < 0 ? '-' : '+');
      int a = Math.abs(exp);
      return putDigits(buf, p, a, a < 100 ? 2 : 3); // Go writes at least two exponent digits
    }
    if (point <= 0) {
      buf[p++] = '0';
      buf[p++] = '.';
      for (int i = 0; i < -point; i++) {
        buf[p++] = '0';
      }
      return putDigits(buf, p, f, n);
    }
    if (point >= n) {
      p = putDigits(buf, p, f, n);
      for (int i = n; i < point; i++) {
        buf[p++] = '0';
      }
      return p;
    }
    return insertPoint(buf, p, f, n, point);
  }

  /**
   * The {@code n} digits of {@code f} with a decimal point after the first {@code point} of them: written one place
   * to the right, then the leading ones moved back, which costs less than splitting f by a variable power of ten.
   */
  private static int insertPoint(byte[] buf, int pos, long f, int n, int point) {
    putDigits(buf, pos + 1, f, n);
    System.arraycopy(buf, pos + 1, buf, pos, point);
    buf[pos + point] = '.';
    return pos + n + 1;
  }

  /** The decimal digits of {@code x >= 0} at {@code buf[pos]}, as Go's {@code strconv.AppendInt}; returns the end. */
  public static int writeDigits(byte[] buf, int pos, long x) {
    return putDigits(buf, pos, x, digitCount(x));
  }

  /** Writes the last {@code n} decimal digits of {@code x}, leading zeros included: two at a time. */
  private static int putDigits(byte[] buf, int pos, long x, int n) {
    int i = pos + n;
    while (i - pos >= 2) {
      long q = x / 100;
      int pair = (int) (x - q * 100) << 1;
      buf[--i] = DIGIT_PAIRS[pair + 1];
      buf[--i] = DIGIT_PAIRS[pair];
      x = q;
    }
    if (i > pos) {
      buf[--i] = (byte) ('0' + x % 10);
    }
    return pos + n;
  }

  /** The number of decimal digits of {@code x >= 0}: from its bit length, corrected by one comparison. */
  private static int digitCount(long x) {
    if (x < 10) {
      return 1;
    }
    int estimate = (64 - Long.numberOfLeadingZeros(x)) * 1233 >>> 12; // bits * log10(2), rounded down
    return x >= POW10[estimate] ? estimate + 1 : estimate;
  }

  private static int putAscii(byte[] buf, int pos, String s) {
    for (int i = 0; i < s.length(); i++) {
      buf[pos + i] = (byte) s.charAt(i);
    }
    return pos + s.length();
  }
}
