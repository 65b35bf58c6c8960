package io.acceltel.aggregator.api;

/**
 * Numbers as Prometheus's HTTP API writes them.
 *
 * <pre>{@code
 * PromFormat.appendValue(out, 0.1 + 0.2);    // 0.30000000000000004
 * PromFormat.appendValue(out, 1e-7);         // 1e-07
 * PromFormat.appendValue(out, Double.NaN);   // NaN
 * PromFormat.appendTimestamp(out, 1500);     // 1.500 (milliseconds as three digits, when not zero)
 * }</pre>
 *
 * <p>Sample values follow Go's {@code strconv.AppendFloat(v, fmt, -1, 64)} with {@code fmt = 'e'} when
 * {@code |v| < 1e-6 || |v| >= 1e21} and {@code 'f'} otherwise (Prometheus's {@code jsonutil.MarshalFloat}): the
 * shortest decimal that reads back to the same double, the closest one when several are that short; the exponent
 * has a sign and at least two digits; specials are {@code NaN}, {@code +Inf}, {@code -Inf}.
 *
 * <p>Timestamps follow {@code jsonutil.MarshalTimestamp}: whole seconds, then, only when the milliseconds are not
 * zero, a dot and exactly three digits ({@code 1435781451.780}, {@code 0.005}, {@code 1435781460}).
 *
 * <p>Scalar and string results are the exception in Prometheus 2.42: they are marshalled by
 * {@code promql.Scalar/String.MarshalJSON} as {@code [float64(t)/1000, FormatFloat(v, 'f', -1)]}, so their timestamp
 * is {@code 1.5} and their value never takes an exponent ({@link #appendPlain}, {@link #appendScalarTimestamp}).
 */
public final class PromFormat {
  private PromFormat() {
  }

  public static String value(double v) {
    StringBuilder sb = new StringBuilder(24);
    appendValue(sb, v);
    return sb.toString();
  }

  public static String timestamp(long millis) {
    StringBuilder sb = new StringBuilder(20);
    appendTimestamp(sb, millis);
    return sb.toString();
  }

  public static void appendTimestamp(StringBuilder out, long millis) {
    long t = millis;
    if (t < 0) {
      out.append('-');
      t = -t; // Long.MIN_VALUE ms is not a timestamp anyone sends; it would print as negative, as Go's does
    }
    out.append(t / 1000);
    long fraction = t % 1000;
    if (fraction != 0) {
      out.append('.');
      if (fraction < 100) {
        out.append('0');
      }
      if (fraction < 10) {
        out.append('0');
      }
      out.append(fraction);
    }
  }

  public static void appendValue(StringBuilder out, double v) {
    appendFloat(out, v, true);
  }

  /**
   * Go's {@code strconv.FormatFloat(v, 'f', -1, 64)}: never an exponent ({@code 1e-7} is {@code 0.0000001}). Prometheus
   * 2.42 writes scalar results' values this way ({@code promql.Scalar.MarshalJSON}), and, through
   * {@code encoding/json}'s float64, their timestamps in seconds ({@code 1.5}, not {@code 1.500}).
   */
  public static void appendPlain(StringBuilder out, double v) {
    appendFloat(out, v, false);
  }

  /** A scalar or string result's timestamp: {@code float64(t) / 1000} as Go's encoding/json writes it. */
  public static void appendScalarTimestamp(StringBuilder out, long millis) {
    appendPlain(out, millis / 1000.0);
  }

  private static void appendFloat(StringBuilder out, double v, boolean exponentOutsideRange) {
    if (Double.isNaN(v)) {
      out.append("NaN");
      return;
    }
    if (v == Double.POSITIVE_INFINITY) {
      out.append("+Inf");
      return;
    }
    if (v == Double.NEGATIVE_INFINITY) {
      out.append("-Inf");
      return;
    }
    if (v == 0) {
      out.append(Double.doubleToRawLongBits(v) < 0 ? "-0" : "0");
      return;
    }
    double abs = Math.abs(v);
    if (abs < 1e15 && v == Math.rint(v)) {
      out.append((long) v); // integers: the common case for counters and most GPU gauges
      return;
    }
    if (v < 0) {
      out.append('-');
    }
    boolean shortRange = abs >= 1e-6 && abs < 1e15;
    if (shortRange && appendShortDecimal(out, abs)) {
      return;
    }
    // Below 16 digits appendShortDecimal would have found it: do not try shorter forms.
    Decimal d = shortest(abs, shortRange ? 16 : 1);
    if (exponentOutsideRange && (abs < 1e-6 || abs >= 1e21)) {
      appendExponent(out, d);
    } else {
      appendFixed(out, d);
    }
  }

  /** 10^k; every one of them is exact as a double too. */
  private static final long[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000,
      100_000_000, 1_000_000_000, 10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L, 10_000_000_000_000L,
      100_000_000_000_000L, 1_000_000_000_000_000L};

  /**
   * Writes {@code abs} in fixed notation when it is exactly the double nearest some {@code m / 10^k} with
   * {@code m < 10^15}, k as small as possible: sums, averages and rates of GPU readings mostly are. Two decimals of
   * at most 15 significant digits never read back to the same double, so that decimal is the only one this short
   * that reads back to {@code abs}, hence Go's shortest form, found without Java's {@code Double.toString} and the
   * re-parsing {@link #shortest} needs (which took most of the time of writing a large query result). False, having
   * written nothing, when there is no such decimal.
   */
  static boolean appendShortDecimal(StringBuilder out, double abs) {
    for (int k = 1; k < POW10.length; k++) {
      double pow10 = POW10[k];
      double scaled = abs * pow10;
      if (!(scaled < 1e15)) {
        return false;
      }
      long m = Math.round(scaled);
      if (m / pow10 == abs) {
        long whole = m / POW10[k];
        long fraction = m % POW10[k];
        if (fraction == 0) {
          return false; // an integer: not this method's case
        }
        out.append(whole).append('.');
        for (long p = POW10[k - 1]; p > fraction && p > 1; p /= 10) {
          out.append('0'); // the fraction's leading zeros
        }
        while (fraction % 10 == 0) {
          fraction /= 10; // the smallest k has none trailing, but the rounding of abs * 10^k may give a larger one
        }
        out.append(fraction);
        return true;
      }
    }
    return false;
  }

  /** value = 0.digits x 10^point. */
  private record Decimal(String digits, int point) {}

  private static Decimal shortest(double abs, int fewestDigits) {
    Decimal d = parse(Double.toString(abs));
    if (d.digits.length() < 16 && abs >= Double.MIN_NORMAL) {
      return d;
    }
    // Java 17's Double.toString (JDK-4511638, fixed in 19) sometimes prints more digits than needed (long forms and
    // subnormals: 4.9E-324 for Go's 5e-324): drop digits
    // while the rounded form still reads back exactly (round-tripping is monotonic in the digit count). Cheap
    // string work, no BigDecimal. (In rare cases Java 17's 17-digit form is not the closest 17-digit decimal, so
    // its last digit may differ from Go's by one; both read back to the same double.)
    Decimal best = d;
    for (int k = d.digits.length() - 1; k >= fewestDigits; k--) {
      Decimal c = round(d, k);
      if (Double.parseDouble(c.digits + "E" + (c.point - c.digits.length())) != abs) {
        break;
      }
      best = c;
    }
    return best;
  }

  /** The first {@code k} significant digits, rounded half-even on the remaining ones. */
  private static Decimal round(Decimal d, int k) {
    String digits = d.digits;
    char next = digits.charAt(k);
    boolean up;
    if (next > '5') {
      up = true;
    } else if (next < '5') {
      up = false;
    } else {
      boolean rest = false;
      for (int i = k + 1; i < digits.length(); i++) {
        if (digits.charAt(i) != '0') {
          rest = true;
          break;
        }
      }
      up = rest || (digits.charAt(k - 1) - '0') % 2 == 1;
    }
    char[] out = digits.substring(0, k).toCharArray();
    int point = d.point;
    if (up) {
      int i = k - 1;
      while (i >= 0 && out[i] == '9') {
        out[i] = '0';
        i--;
      }
      if (i < 0) {
        char[] grown = new char[k + 1];
        grown[0] = '1';
        System.arraycopy(out, 0, grown, 1, k);
        out = grown;
        point++;
      } else {
        out[i]++;
      }
    }
    int end = out.length;
    while (end > 1 && out[end - 1] == '0') {
      end--;
    }
    return new Decimal(new String(out, 0, end), point);
  }

  /** Parses Java's "123.456" or "1.2345E-7" into significant digits and the decimal point's position. */
  private static Decimal parse(String s) {
    int e = s.indexOf('E');
    int exp = 0;
    String mantissa = s;
    if (e >= 0) {
      exp = Integer.parseInt(s.substring(e + 1));
      mantissa = s.substring(0, e);
    }
    int dot = mantissa.indexOf('.');
    String intPart = dot < 0 ? mantissa : mantissa.substring(0, dot);
    String fracPart = dot < 0 ? "" : mantissa.substring(dot + 1);
    String all = intPart + fracPart;
    int point = intPart.length() + exp;
    int start = 0;
    while (start < all.length() - 1 && all.charAt(start) == '0') {
      start++;
      point--;
    }
    int end = all.length();
    while (end > start + 1 && all.charAt(end - 1) == '0') {
      end--;
    }
    return new Decimal(all.substring(start, end), point);
  }

  private static void appendFixed(StringBuilder out, Decimal d) {
    String digits = d.digits;
    int point = d.point;
    if (point <= 0) {
      out.append("0.");
      for (int i = 0; i < -point; i++) {
        out.append('0');
      }
      out.append(digits);
    } else if (point >= digits.length()) {
      out.append(digits);
      for (int i = digits.length(); i < point; i++) {
        out.append('0');
      }
    } else {
      out.append(digits, 0, point).append('.').append(digits, point, digits.length());
    }
  }

  private static void appendExponent(StringBuilder out, Decimal d) {
    String digits = d.digits;
    out.append(digits.charAt(0));
    if (digits.length() > 1) {
      out.append('.').append(digits, 1, digits.length());
    }
    int exp = d.point - 1;
    out.append('e').append(exp < 0 ? '-' : '+');
    int a = Math.abs(exp);
    if (a < 10) {
      out.append('0');
    }
    out.append(a);
  }
}
