package io.acceltel.aggregator.api;

import io.acceltel.model.text.Excerpt;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Request parameters as Go's {@code http.Request.Form}: the {@code application/x-www-form-urlencoded} body's values
 * first, then the query string's, under one name; {@link #get} returns the first ({@code FormValue}). Parsers for
 * Prometheus's timestamps and durations live here too, with its error texts.
 *
 * <pre>{@code
 * ApiParams p = ApiParams.parse(request.query(), body);
 * long end = p.time("end", nowMillis);                // "2015-07-01T20:11:00.781Z" or "1435781460.781"
 * long step = p.duration("step", -1);                 // "15s", "1h30m" or "15"
 * List<String> selectors = p.all("match[]");
 * }</pre>
 */
public final class ApiParams {
  /** Prometheus's MinTime/MaxTime in RFC3339 (what its clients send for "no bound"). */
  static final String MIN_TIME_FORMATTED = "-292273086-05-16T16:47:06Z";
  static final String MAX_TIME_FORMATTED = "292277025-08-18T07:12:54.999999999Z";
  /** Prometheus's {@code v1.MinTime} and {@code MaxTime} in milliseconds. */
  public static final long MIN_TIME = -9223309901257974L;
  public static final long MAX_TIME = 9223309901257974L;

  /** Go's RFC3339 layout: seconds required, a fraction optional, Z or a numeric offset. */
  private static final Pattern RFC3339 =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:Z|[+-]\\d{2}:\\d{2})");
  private static final Pattern FLOAT = Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");
  private static final Pattern PROM_DURATION = Pattern.compile(
      "(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?");
  private static final long[] UNIT_MILLIS = {365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000,
      1000, 1};

  private final Map<String, List<String>> values;

  private ApiParams(Map<String, List<String>> values) {
    this.values = values;
  }

  /** From a raw query string (may be null) and a urlencoded form body (may be null or empty). */
  public static ApiParams parse(String query, String formBody) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    decodeInto(formBody, values);
    decodeInto(query, values);
    return new ApiParams(values);
  }

  public static ApiParams of(Map<String, String> single) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    single.forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
    return new ApiParams(values);
  }

  private static void decodeInto(String s, Map<String, List<String>> out) {
    if (s == null || s.isEmpty()) {
      return;
    }
    int i = 0;
    while (i <= s.length()) {
      int amp = s.indexOf('&', i);
      if (amp < 0) {
        amp = s.length();
      }
      String pair = s.substring(i, amp);
      if (!pair.isEmpty()) {
        int eq = pair.indexOf('=');
        String k = eq < 0 ? pair : pair.substring(0, eq);
        String v = eq < 0 ? "" : pair.substring(eq + 1);
        String key = urlDecode(k, "name");
        out.computeIfAbsent(key, x -> new ArrayList<>()).add(urlDecode(v, key));
      }
      i = amp + 1;
    }
  }

  /** Percent-decoding with '+' as space; a malformed escape is bad_data, as in Go's ParseForm. */
  static String urlDecode(String s, String param) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return s;
    }
    // A UTF-16 char takes at most 3 bytes of UTF-8 (a surrogate pair, 2 chars, takes 4): room for any mix.
    byte[] out = new byte[s.length() * 3];
    int n = 0;
    for (int i = 0; i < s.length(); ) {
      char c = s.charAt(i);
      if (c == '+') {
        out[n++] = ' ';
        i++;
      } else if (c == '%') {
        if (i + 2 >= s.length()) {
          throw ApiError.badData("invalid URL escape \"" + s.substring(i) + "\" in parameter \"" + param + "\"");
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw ApiError.badData("invalid URL escape \"" + s.substring(i, i + 3) + "\" in parameter \"" + param
              + "\"");
        }
        out[n++] = (byte) (hi << 4 | lo);
        i += 3;
      } else if (c < 0x80) {
        out[n++] = (byte) c;
        i++;
      } else {
        int codePoint = s.codePointAt(i);
        byte[] enc = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(enc, 0, out, n, enc.length);
        n += enc.length;
        i += Character.charCount(codePoint);
      }
    }
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }

  /** The first value, or null when absent. An empty value counts as given (Go's FormValue returns ""). */
  public String get(String name) {
    List<String> v = values.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** The first value, or "" when absent (Go's {@code FormValue}). */
  public String value(String name) {
    String v = get(name);
    return v == null ? "" : v;
  }

  public List<String> all(String name) {
    List<String> v = values.get(name);
    return v == null ? List.of() : v;
  }

  /**
   * An optional timestamp parameter; {@code fallback} when absent or empty (Prometheus's parseTimeParam, whose
   * errors read {@code invalid parameter "time": Invalid time value for 'time': cannot parse ...}).
   */
  public long time(String name, long fallback) {
    String v = value(name);
    if (v.isEmpty()) {
      return fallback;
    }
    try {
      return parseTime(v);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalidParam(name, "Invalid time value for '" + name + "': " + e.getMessage());
    }
  }

  /** A required timestamp parameter (query_range's start/end): empty is an error, as in Prometheus. */
  public long requiredTime(String name) {
    return parseTimeOrThrow(name, value(name));
  }

  private static long parseTimeOrThrow(String name, String v) {
    try {
      return parseTime(v);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalidParam(name, e.getMessage());
    }
  }

  /** A duration parameter in milliseconds, or {@code fallback} when absent or empty. */
  public long duration(String name, long fallback) {
    String v = value(name);
    if (v.isEmpty()) {
      return fallback;
    }
    try {
      return parseDuration(v);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalidParam(name, e.getMessage());
    }
  }

  /** A non-negative integer parameter ({@code limit}); 0 when absent. */
  public int limit(String name) {
    String v = value(name);
    if (v.isEmpty()) {
      return 0;
    }
    try {
      long n = Long.parseLong(v);
      if (n < 0) {
        throw ApiError.invalidParam(name, "limit must be non-negative");
      }
      return (int) Math.min(Integer.MAX_VALUE, n);
    } catch (NumberFormatException e) {
      throw ApiError.invalidParam(name, "cannot parse \"" + Excerpt.of(v) + "\" to a valid limit");
    }
  }

  /**
   * Prometheus's parseTime: Unix seconds as a float (the fraction rounded to milliseconds) or RFC3339 with an
   * optional fraction; returns milliseconds.
   */
  public static long parseTime(String s) {
    if (FLOAT.matcher(s).matches()) {
      double t = Double.parseDouble(s);
      if (Math.abs(t) > 9.2e15) {
        throw new IllegalArgumentException("cannot parse \"" + Excerpt.of(s) + "\" to a valid timestamp");
      }
      double whole = t < 0 ? Math.ceil(t) : Math.floor(t);
      double frac = t - whole;
      long ms = Math.round(Math.abs(frac) * 1000) * (frac < 0 ? -1 : 1); // Go's math.Round: half away from zero
      return (long) whole * 1000 + ms;
    }
    if (s.equals(MIN_TIME_FORMATTED)) {
      return MIN_TIME;
    }
    if (s.equals(MAX_TIME_FORMATTED)) {
      return MAX_TIME;
    }
    try {
      if (!RFC3339.matcher(s).matches()) {
        throw new IllegalArgumentException("cannot parse \"" + Excerpt.of(s) + "\" to a valid timestamp");
      }
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new IllegalArgumentException("cannot parse \"" + Excerpt.of(s) + "\" to a valid timestamp");
    }
  }

  /** Prometheus's parseDuration: float seconds or a Prometheus duration ({@code 1h30m}); milliseconds. */
  public static long parseDuration(String s) {
    if (FLOAT.matcher(s).matches()) {
      double d = Double.parseDouble(s) * 1000;
      if (d > 9.2e15 || d < -9.2e15) {
        throw new IllegalArgumentException("cannot parse \"" + Excerpt.of(s) + "\" to a valid duration. It overflows int64");
      }
      return (long) d;
    }
    Long ms = promDuration(s);
    if (ms == null) {
      throw new IllegalArgumentException("cannot parse \"" + Excerpt.of(s) + "\" to a valid duration");
    }
    return ms;
  }

  /** Prometheus's {@code model.ParseDuration} ({@code 1y2w3d4h5m6s7ms}, units in that order); null if invalid. */
  static Long promDuration(String s) {
    if (s.isEmpty()) {
      return null;
    }
    if (s.equals("0")) {
      return 0L;
    }
    Matcher m = PROM_DURATION.matcher(s);
    if (!m.matches()) {
      return null;
    }
    long total = 0;
    for (int g = 1; g <= 7; g++) {
      String part = m.group(g);
      if (part != null) {
        try {
          total = Math.addExact(total, Math.multiplyExact(Long.parseLong(part), UNIT_MILLIS[g - 1]));
        } catch (ArithmeticException | NumberFormatException e) {
          return null;
        }
      }
    }
    return total;
  }
}
