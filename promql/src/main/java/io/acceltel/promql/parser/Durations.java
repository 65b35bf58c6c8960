package io.acceltel.promql.parser;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Prometheus duration strings ({@code 1h30m}, {@code 5m}, {@code 100ms}, {@code 1y}); units in descending order. */
public final class Durations {
  private static final Pattern DURATION = Pattern.compile(
      "^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$");
  private static final long[] UNIT_MILLIS = {
      365L * 24 * 3600_000, 7L * 24 * 3600_000, 24L * 3600_000, 3600_000L, 60_000L, 1000L, 1L};

  private Durations() {}

  /** Milliseconds of a duration string; IllegalArgumentException with Prometheus's text when it is not one. */
  public static long parseMillis(String s) {
    if (s.equals("0")) {
      return 0;
    }
    Matcher m = DURATION.matcher(s);
    if (s.isEmpty() || !m.matches()) {
      throw new IllegalArgumentException("not a valid duration string: \"" + s + "\"");
    }
    long total = 0;
    for (int i = 0; i < UNIT_MILLIS.length; i++) {
      String g = m.group(i + 1);
      if (g != null) {
        total = Math.addExact(total, Math.multiplyExact(Long.parseLong(g), UNIT_MILLIS[i]));
      }
    }
    return total;
  }

  /** Prometheus's rendering ({@code 1h30m}, {@code 0s}), used in messages and printing. */
  public static String format(long ms) {
    if (ms == 0) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    if (ms < 0) {
      out.append('-');
      ms = -ms;
    }
    String[] names = {"y", "w", "d", "h", "m", "s", "ms"};
    for (int i = 0; i < UNIT_MILLIS.length; i++) {
      long n = ms / UNIT_MILLIS[i];
      // Prometheus prints weeks only when the duration is a whole number of weeks.
      if (i == 1 && ms % UNIT_MILLIS[1] != 0) {
        continue;
      }
      if (n > 0) {
        out.append(n).append(names[i]);
        ms -= n * UNIT_MILLIS[i];
      }
    }
    return out.toString();
  }
}
