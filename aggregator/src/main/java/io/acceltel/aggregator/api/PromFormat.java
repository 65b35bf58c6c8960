package io.acceltel.aggregator.api;

import io.acceltel.promql.value.GoFloat;
import java.nio.charset.StandardCharsets;

/**
 * Numbers as Prometheus's HTTP API writes them.
 *
 * <pre>{@code
 * PromFormat.value(0.1 + 0.2);    // 0.30000000000000004
 * PromFormat.value(1e-7);         // 1e-07
 * PromFormat.value(Double.NaN);   // NaN
 * PromFormat.timestamp(1500);     // 1.500 (milliseconds as three digits, when not zero)
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
 * is {@code 1.5} and their value never takes an exponent ({@link #writePlain}, {@link #writeScalarTimestamp}).
 *
 * <p>The {@code write} methods put ASCII straight into a response's byte array ({@link JsonWriter}): a large query
 * result is mostly numbers, and going through strings or builders cost more than computing the digits.
 */
public final class PromFormat {
  /**
   * Room {@link #writeValue} needs: 'f' is used from 1e-6 to 1e21, so at most a sign, "0.00000" and 17 digits;
   * 'e' needs fewer.
   */
  public static final int MAX_VALUE_LENGTH = 25;
  /** Room {@link #writePlain} needs: any double without an exponent. */
  public static final int MAX_PLAIN_LENGTH = GoFloat.MAX_LENGTH_F;
  /** Room {@link #writeTimestamp} needs: a sign, 16 digits of seconds, a dot and 3 digits. */
  public static final int MAX_TIMESTAMP_LENGTH = 21;

  private PromFormat() {
  }

  public static String value(double v) {
    byte[] buf = new byte[MAX_VALUE_LENGTH];
    return ascii(buf, writeValue(buf, 0, v));
  }

  public static String timestamp(long millis) {
    byte[] buf = new byte[MAX_TIMESTAMP_LENGTH];
    return ascii(buf, writeTimestamp(buf, 0, millis));
  }

  /** Go's {@code strconv.FormatFloat(v, 'f', -1, 64)}, as {@link #writePlain} writes it. */
  public static String plain(double v) {
    return GoFloat.format(v, 'f');
  }

  /** A scalar result's timestamp, as {@link #writeScalarTimestamp} writes it. */
  public static String scalarTimestamp(long millis) {
    return plain(millis / 1000.0);
  }

  /** A sample value at {@code buf[pos]}, which has room for {@link #MAX_VALUE_LENGTH}; returns the end. */
  public static int writeValue(byte[] buf, int pos, double v) {
    double abs = Math.abs(v);
    boolean exponent = abs != 0 && (abs < 1e-6 || abs >= 1e21); // false for NaN
    return GoFloat.write(buf, pos, v, exponent ? 'e' : 'f');
  }

  /**
   * Go's {@code strconv.FormatFloat(v, 'f', -1, 64)}: never an exponent ({@code 1e-7} is {@code 0.0000001}), at
   * {@code buf[pos]} with room for {@link #MAX_PLAIN_LENGTH}. Prometheus 2.42 writes scalar results' values this way
   * ({@code promql.Scalar.MarshalJSON}), and, through {@code encoding/json}'s float64, their timestamps in seconds
   * ({@code 1.5}, not {@code 1.500}).
   */
  public static int writePlain(byte[] buf, int pos, double v) {
    return GoFloat.write(buf, pos, v, 'f');
  }

  /** A scalar or string result's timestamp: {@code float64(t) / 1000} as Go's encoding/json writes it. */
  public static int writeScalarTimestamp(byte[] buf, int pos, long millis) {
    return writePlain(buf, pos, millis / 1000.0);
  }

  /** A timestamp at {@code buf[pos]}, which has room for {@link #MAX_TIMESTAMP_LENGTH}; returns the end. */
  public static int writeTimestamp(byte[] buf, int pos, long millis) {
    int p = pos;
    long seconds = millis / 1000;
    if (millis < 0) {
      buf[p++] = '-';
      seconds = -seconds;
    }
    p = GoFloat.writeDigits(buf, p, seconds);
    int fraction = (int) Math.abs(millis % 1000);
    if (fraction != 0) {
      buf[p] = '.';
      buf[p + 1] = (byte) ('0' + fraction / 100);
      buf[p + 2] = (byte) ('0' + fraction / 10 % 10);
      buf[p + 3] = (byte) ('0' + fraction % 10);
      p += 4;
    }
    return p;
  }

  private static String ascii(byte[] buf, int end) {
    return new String(buf, 0, end, StandardCharsets.US_ASCII);
  }
}
